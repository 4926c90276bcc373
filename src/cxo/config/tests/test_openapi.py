"""The OpenAPI document (issue 11, item 11): one name per schema, and every operation's errors declared."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from ninja import Router, Schema

from cxo.config.api import api
from cxo.core.openapi import DeclaredErrorsAPI
from cxo.matching.schemas import MatchOut

STANDARD = {"400", "403", "404", "409", "422"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # as served: through JSON, so status codes are the strings a client reads
    schema: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))
    return schema


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def _schema_classes() -> list[type[Schema]]:
    seen: list[type[Schema]] = []
    todo = list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("cxo.") and ".tests." not in cls.__module__:
            seen.append(cls)
    return seen


def test_no_two_api_schemas_share_a_name() -> None:
    """OpenAPI names a component by its class name: two classes of one name make one document the other's."""
    import cxo.config.api  # noqa: F401  (every app's schemas imported)

    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _schema_classes():
        by_name[cls.__name__].add(cls.__module__)
    assert {name: modules for name, modules in by_name.items() if len(modules) > 1} == {}


def test_post_match_is_documented_with_the_matching_schema(document: dict[str, Any]) -> None:
    ref = document["paths"]["/api/v1/match"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    name = ref["$ref"].rsplit("/", 1)[1]
    assert name == "MatchOut"
    assert set(document["components"]["schemas"][name]["properties"]) == set(MatchOut.model_fields)


def test_every_operation_declares_its_errors_with_their_json_shape(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    problems = []
    for path, method, op in _operations(document):
        codes = {str(code) for code in op["responses"]}
        wanted = set(STANDARD)
        wanted |= {"401"} if "security" in op else set()
        wanted |= {"413"} if method in ("post", "put", "patch") else set()
        if not wanted <= codes:
            problems.append(f"{method.upper()} {path}: no {sorted(wanted - codes)}")
        for code, response in op["responses"].items():
            if str(code).startswith("4"):
                ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                assert "detail" in components[ref]["required"], (path, code, ref)
    assert problems == []
    assert components["ValidationErrorOut"]["required"] == ["detail", "errors"]


def test_rate_limited_operations_declare_429(document: dict[str, Any]) -> None:
    limited = {
        (path, method) for path, method, op in _operations(document) if "429" in {str(c) for c in op["responses"]}
    }
    assert limited == {
        ("/api/v1/auth/token", "post"),  # failed logins (django-axes), declared by the operation itself
        ("/api/v1/match", "post"),
        ("/api/v1/organisations/{slug}/needs/{need_id}/matches", "get"),
        ("/api/v1/organisations/{slug}/inbox/{rfp_id}/proposal", "post"),
        # contracts: operations that carry documents (uploads are rate-limited like the proposal's)
        ("/api/v1/organisations/{slug}/agreements/{agreement_id}/documents", "post"),
        ("/api/v1/organisations/{slug}/milestones/{milestone_id}/report", "post"),
        ("/api/v1/organisations/{slug}/work-orders/{work_order_id}/invoices", "post"),
        ("/api/v1/organisations/{slug}/invoices/{invoice_id}/resubmit", "post"),
    }


def test_a_new_router_gets_the_error_responses_without_declaring_them() -> None:
    fresh = DeclaredErrorsAPI(title="t", version="x", urls_namespace="fresh")
    router = Router()

    class PingOut(Schema):
        ok: bool

    @router.post("/ping", response={201: PingOut})
    def ping(request: Any) -> Any:
        return 201, {"ok": True}

    fresh.add_router("/", router)
    responses = fresh.get_openapi_schema(path_prefix="")["paths"]["/ping"]["post"]["responses"]
    assert sorted(str(code) for code in responses) == ["201", "400", "403", "404", "409", "413", "422"]
    assert responses[422]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"
    }


def test_the_served_document_is_the_declared_one(db: None) -> None:
    served = Client().get("/api/v1/openapi.json").json()
    assert served["paths"]["/api/v1/auth/tokens"]["get"]["responses"]["401"]["description"].startswith("Not signed in")
