"""The REST API: one NinjaAPI under /api/v1/, routers from each app, errors as 4xx with a message."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from cxo.core.api import router as core_router
from cxo.core.api_auth import api_auth
from cxo.core.errors import ServiceError
from cxo.core.tenancy import TenantScopeError
from cxo.matching.api import router as matching_router
from cxo.registry.api import router as registry_router
from cxo.sourcing.api import inbox_router
from cxo.sourcing.api import router as sourcing_router

api = NinjaAPI(
    title="CXO API",
    version="1",
    description=(
        "The REST API of CXO, the open platform for pharma outsourcing. Authenticate with a personal "
        "token (`POST /api/v1/auth/token`, then `Authorization: Bearer <token>`)."
    ),
    auth=api_auth,
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: send 'Authorization: Bearer <token>'."}, status=401
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Invalid request.", "errors": exc.errors}, status=422)


@api.exception_handler(TenantScopeError)
def unscoped(request: HttpRequest, exc: TenantScopeError) -> HttpResponse:
    # A programming error, but never leak: log it loudly and answer as if the object did not exist.
    logging.getLogger("cxo.tenancy").error("Unscoped tenant query on %s: %s", request.path, exc)
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.add_router("/", core_router)
api.add_router("/", matching_router)
api.add_router("/registry", registry_router)
api.add_router("/", sourcing_router)
api.add_router("/", inbox_router)
