"""The REST API: one NinjaAPI under /api/v1/, routers from each app, errors as 4xx with a message."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, ValidationError

from cxo.contracts import api as contracts_api
from cxo.core import api as core_api
from cxo.core.api_auth import api_auth
from cxo.core.errors import ServiceError
from cxo.core.openapi import DeclaredErrorsAPI
from cxo.core.ratelimit import RateLimited
from cxo.core.tenancy import TenantScopeError
from cxo.matching import api as matching_api
from cxo.quality import api as quality_api
from cxo.registry import api as registry_api
from cxo.sourcing import api as sourcing_api

api = DeclaredErrorsAPI(
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
    response = api.create_response(request, body, status=exc.status_code)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


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
def tenant_scope_error(request: HttpRequest, exc: TenantScopeError) -> HttpResponse:
    # A programming error, but never leak: log it loudly and answer as if the object did not exist.
    logging.getLogger("cxo.tenancy").error("Unscoped tenant query on %s: %s", request.path, exc)
    return api.create_response(request, {"detail": "Not found."}, status=404)


# Routers of signed-in users' shared data (the registry, matching, the user's own account) …
api.add_router("/", core_api.router)
api.add_router("/", matching_api.router)
api.add_router("/registry", registry_api.router)
api.add_router("/", quality_api.router)
# … and of one organisation's data: each an OrganisationRouter, whose operations are all under
# /organisations/{slug} and behind the membership and permission check.
for organisation_router in (
    core_api.org_api,
    matching_api.org_api,
    sourcing_api.org_api,
    sourcing_api.inbox_api,
    quality_api.org_api,
    quality_api.provider_api,
    contracts_api.org_api,
):
    api.add_router("/", organisation_router.router)
