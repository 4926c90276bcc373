"""The API's error responses, declared once for every operation in the OpenAPI document.

Errors are raised, not returned: services raise ``ServiceError`` subclasses, the authentication and the
request-size and rate limits refuse before a view runs, and the handlers in ``cxo.config.api`` turn each
into ``{"detail": message}`` (422: with ``errors``). So every operation can answer them, and
:class:`DeclaredErrorsAPI` writes them into the document for every operation of every router —
an app's new operations get them without a line of their own. An operation may still declare one itself
(with its own description); that one is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Field, NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema


class ErrorOut(Schema):
    """A refusal, with a message for a person to read."""

    detail: str = Field(description="What was refused and why, in words for a person.")
    field: str | None = Field(None, description="The input the message is about, when it is about one.")


class ValidationErrorOut(Schema):
    """Input that does not match the operation's schema: the message, and each field's error."""

    detail: str = Field(description="Always 'Invalid request.'")
    errors: list[dict[str, Any]] = Field(
        description="One entry per invalid input: where (`loc`), what (`msg`, `type`)."
    )


WHY: dict[int, str] = {
    400: "Refused: the message says why (an invalid value, a page out of range, a rule of the record).",
    401: "Not signed in: send `Authorization: Bearer <token>`.",
    403: "Your role does not allow this; the message says which permission it needs.",
    404: "No such object, or not yours to see.",
    409: "The record's state does not allow this now (already done, closed, a duplicate).",
    413: "The request body is larger than the documented limit.",
    422: "The input does not match the schema: `errors` lists each field.",
    429: "Too many requests: wait for `Retry-After` seconds.",
}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def rate_limited_view(view: Callable[..., Any] | None) -> bool:
    """Whether the operation counts against a per-user rate limit (``cxo.core.ratelimit.rate_limited``)."""
    return bool(getattr(view, "cxo_rate_limit", None))


def error_codes(*, method: str, view: Callable[..., Any] | None, signed_in: bool) -> dict[int, type[Schema]]:
    """The error responses an operation can give: the standard ones, 413 with a body, 429 when rate-limited."""
    codes: dict[int, type[Schema]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
    codes[422] = ValidationErrorOut
    if signed_in:
        codes[401] = ErrorOut
    if method.upper() in BODY_METHODS:
        codes[413] = ErrorOut
    if rate_limited_view(view):
        codes[429] = ErrorOut
    return dict(sorted(codes.items()))


def _ref(model: type[Schema]) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


class DeclaredErrorsAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document declares every operation's error responses with their JSON shape."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        views = {
            self.get_openapi_operation_id(operation): operation.view_func
            for router in self._get_bound_routers()
            for path_view in router.path_operations.values()
            for operation in path_view.operations
        }
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        shapes: tuple[type[Schema], ...] = (ErrorOut, ValidationErrorOut)
        for shape in shapes:
            components.setdefault(shape.__name__, shape.model_json_schema(ref_template="#/components/schemas/{model}"))
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                codes = error_codes(
                    method=method, view=views.get(operation.get("operationId", "")), signed_in="security" in operation
                )
                for code, model in codes.items():
                    if code in responses or str(code) in responses:
                        continue
                    responses[code] = {
                        "description": WHY[code],
                        "content": {"application/json": {"schema": _ref(model)}},
                    }
        return schema
