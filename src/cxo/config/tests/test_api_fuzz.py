"""A check that stays (issue 11): schemathesis fuzzes every operation of the OpenAPI document, as a sponsor and
as a provider, against the app in this process (make test runs it on PostgreSQL; marker `fuzz`), and fails on
any server error or any response that does not match what the document says it answers.

It walks the served document, so a new app's operations are fuzzed without a line here. Path parameters the
world of ``conftest.py`` has an object for (``slug``, ``rfp_id`` …) are the caller's own, so the handlers run
past the 404; the rest are generated. Examples are few and derandomized (the same on every run), valid
(positive) and invalid (negative) ones, without shrinking: a failure names the operation, the status and the
request as curl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.http import HttpRequest, JsonResponse
from django.test import override_settings
from django.urls import path
from hypothesis import HealthCheck, Phase, given, settings
from ninja import Router, Schema
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cxo.core.openapi import DeclaredErrorsAPI
from cxo.core.services import api_token_create


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    """Schemathesis calls the WSGI app itself: keep the test's database connection (and its transaction) open
    across requests, as Django's test client does, instead of closing it when each request finishes."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


POSITIVE_EXAMPLES = 6
NEGATIVE_EXAMPLES = 3
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _path_parameters(world: SimpleNamespace, who: str) -> dict[str, Any]:
    """The caller's own objects for the path parameters the world has; a spare token to delete."""
    org = world.sponsor if who == "sponsor" else world.provider
    user = world.sponsor_user if who == "sponsor" else world.provider_user
    spare, _ = api_token_create(user=user, name="fuzz spare")
    return {
        "slug": org.slug,
        "token_id": spare.pk,
        "programme_id": world.programme.pk,
        "need_id": world.need.pk,
        "rfp_id": world.rfp.pk,
        "clarification_id": world.clarification.pk,
        "proposal_id": world.proposal.pk,
        "work_order_id": world.work_order.pk,
        "shortlist_id": world.shortlist.pk,
        "entry_id": world.shortlist_entry.pk,
        "duns_or_id": world.registry_site.duns,
        "id_or_slug": world.registry_organisation.slug,
        "capability_id": world.registry_capability.pk,
        # quality and contracts: the world's records (an id another party owns answers a documented 404)
        "qualification_id": world.qualification.pk,
        "audit_id": world.quality_audit.pk,
        "capa_id": world.capa.pk,
        "action_id": world.capa_action.pk,
        "notification_id": world.change_notification.pk,
        "assessment_id": world.change_assessment.pk,
        "provider_id": world.provider.pk,
        "agreement_id": world.master_agreement.pk,
        "document_id": world.master_agreement_document.pk,
        "milestone_id": world.milestone.pk,
        "invoice_id": world.invoice.pk,
        "change_order_id": world.change_order.pk,
        "number": 1,
    }


def _fuzz(
    operation: Any, mode: GenerationMode, examples: int, call: Callable[[Any], None], fixed: dict[str, Any]
) -> None:
    names = {p.name for p in operation.path_parameters}
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters={k: v for k, v in fixed.items() if k in names}
    )

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        call(case)

    run()


def _problems(
    schema: Any, fixed: dict[str, Any], headers: dict[str, str], examples: tuple[int, int]
) -> tuple[Counter[tuple[str, int]], list[str]]:
    """Fuzz every operation of ``schema``: the failures found (with the request as curl), and the statuses
    each operation answered."""
    problems: list[str] = []
    answers: Counter[tuple[str, int]] = Counter()

    def call(case: Any) -> None:
        response = case.call(headers=headers)
        answers[(case.operation.label, response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, count in zip((GenerationMode.POSITIVE, GenerationMode.NEGATIVE), examples, strict=True):
            if not count:
                continue
            try:
                _fuzz(operation, mode, count, call, fixed)
            # a check's failure group: collect every operation's, then fail once
            except (Exception, BaseExceptionGroup) as exc:
                problems.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    return answers, problems


@pytest.mark.fuzz
@pytest.mark.parametrize("who", ["sponsor", "provider"])
def test_every_api_operation_survives_fuzzing(world: SimpleNamespace, who: str) -> None:
    secret = world.sponsor_secret if who == "sponsor" else world.provider_secret
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = sum(1 for _ in schema.get_all_operations())
    answers, problems = _problems(
        schema,
        _path_parameters(world, who),
        {"Authorization": f"Bearer {secret}"},
        (POSITIVE_EXAMPLES, NEGATIVE_EXAMPLES),
    )
    assert problems == []
    # the whole document was walked, and most operations ran past the guard to an answer of their own
    assert operations >= 40 and len({label for label, _ in answers}) == operations
    reached = {label for label, status in answers if status < 300}
    # most of quality's and contracts' operations are the sponsor's: a provider reaches fewer past the guard
    share = 3 if who == "sponsor" else 4
    assert len(reached) >= operations // share, sorted({label for label, _ in answers} - reached)


class CountOut(Schema):
    count: int


@pytest.mark.fuzz
def test_the_fuzzing_finds_a_server_error_and_an_undocumented_answer(db: None) -> None:
    """The same machinery, on a tiny API with one broken and one lying operation, reports both."""
    router = Router()

    @router.get("/broken", response=CountOut, auth=None)
    def broken(request: HttpRequest, n: int) -> Any:
        return {"count": n // 0}  # ZeroDivisionError: a 500

    @router.get("/lying", response=CountOut, auth=None)
    def lying(request: HttpRequest) -> Any:
        return JsonResponse({"count": "many"})  # not the integer the document promises

    @router.get("/sound", response=CountOut, auth=None)
    def sound(request: HttpRequest) -> Any:
        return {"count": 3}

    fuzzed = DeclaredErrorsAPI(title="fuzzed", version="t", urls_namespace="fuzzed")
    fuzzed.add_router("/", router)
    urls = type("urls", (), {"urlpatterns": [path("fuzzed/", fuzzed.urls)]})
    with override_settings(ROOT_URLCONF=urls):
        schema = schemathesis.openapi.from_wsgi("/fuzzed/openapi.json", get_wsgi_application())
        answers, problems = _problems(schema, {}, {}, (3, 0))
    assert [p.split(" (")[0] for p in problems] == ["GET /fuzzed/broken", "GET /fuzzed/lying"]
    assert "Server error" in problems[0] and "schema" in problems[1].lower()
    assert answers[("GET /fuzzed/sound", 200)] >= 1
