"""Every page and API operation: anonymous is turned away, the outsider gets 404 on the sponsor's things, the
owner gets in, a member whose role lacks the route's permission gets 403; and the walk catches each failure."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from conftest import login_client
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.http import require_POST
from ninja import NinjaAPI, Router

from cxo.config.api import api, service_error
from cxo.core.access import OrganisationRouter, OrgRequest, found, organisation_urls, requires
from cxo.core.errors import ServiceError
from cxo.core.models import ApiToken, Organisation
from cxo.core.roles import Permission
from cxo.core.selectors import membership_for_slug
from cxo.testing.routes import API_ROUTES, WEB_ROUTES, Route
from cxo.testing.walk import walk_api, walk_web


@pytest.mark.long
def test_every_page_is_guarded(world: SimpleNamespace) -> None:
    problems = walk_web(
        world=world, owner=login_client(world.sponsor_user), outsider=login_client(world.outsider), anonymous=Client()
    )
    assert problems == []


@pytest.mark.long
def test_every_api_operation_is_guarded(world: SimpleNamespace) -> None:
    problems = walk_api(
        api=api,
        base="/api/v1",
        world=world,
        owner_token=world.sponsor_secret,
        outsider_token=world.outsider_secret,
        anonymous=Client(),
    )
    assert problems == []


# --- the walk catches an unguarded view, an unclassified one and a write without its check -----------


def leaky_view(request: HttpRequest, org: str) -> HttpResponse:
    # Mounted outside the organisation guard, with no membership check: shows any organisation to anyone.
    return HttpResponse(Organisation.objects.get(slug=org).name)


def guarded_view(request: OrgRequest) -> HttpResponse:
    return HttpResponse(request.organisation.name)


@require_POST
def undeclared_write(request: OrgRequest) -> HttpResponse:
    # Behind the guard, but says nothing of the permission a change needs: the guard refuses every POST.
    return HttpResponse("changed", status=201)


@require_POST
@requires(write=Permission.MANAGE_SOURCING)
def self_checked_write(request: HttpRequest, org: str) -> HttpResponse:
    # Outside the guard, checking membership itself but not the permission it declares.
    found(membership_for_slug, user=request.user, slug=org)
    return HttpResponse("changed", status=201)


def _urls(*patterns: URLPattern, pages: list[URLPattern] | None = None) -> type:
    """A URLconf: the product's, plus the test's own patterns (outside the guard) and pages (behind it)."""
    extra: list[URLPattern | URLResolver] = [*patterns]
    if pages:
        extra.append(organisation_urls(pages))
    return type("urls", (), {"urlpatterns": [*extra, path("", include("cxo.config.urls"))]})


def _walk(world: SimpleNamespace, urlconf: type, extra: dict[str, Route]) -> list[str]:
    """The walk's problems with the test's own routes (the rest of the URLconf is the first test's business)."""
    with override_settings(ROOT_URLCONF=urlconf):
        problems = walk_web(
            world=world,
            owner=login_client(world.sponsor_user),
            outsider=login_client(world.outsider),
            anonymous=Client(),
            routes={**WEB_ROUTES, **extra},
            urlconf=urlconf,  # type: ignore[arg-type]  # Django takes a module or any object with urlpatterns
            only=lambda route: "/test/" in route,
        )
    return problems


def _org(world: SimpleNamespace) -> dict[str, str]:
    return {"org": world.sponsor.slug}


def test_walk_fails_on_an_unguarded_view(world: SimpleNamespace) -> None:
    urls = _urls(path("o/<slug:org>/test/leak/", leaky_view, name="leak"))
    problems = _walk(world, urls, {"leak": Route("tenant", kwargs=_org)})
    assert problems == [
        "o/<slug:org>/test/leak/ (leak): not behind the organisation guard (list it in org_urlpatterns)",
        f"GET /o/{world.sponsor.slug}/test/leak/: anonymous got 200",
        f"GET /o/{world.sponsor.slug}/test/leak/: outsider got 200, expected 404",
        f"GET /o/{world.sponsor.slug}/test/leak/: the registry curator got 200, expected 404",
    ]


def test_walk_passes_the_same_view_once_behind_the_guard(world: SimpleNamespace) -> None:
    urls = _urls(pages=[path("test/safe/", guarded_view, name="safe")])
    assert _walk(world, urls, {"safe": Route("tenant", kwargs=_org)}) == []


@requires(read=Permission.READ_INVITATIONS)
def careless_inbox(request: OrgRequest) -> HttpResponse:
    # Reads the provider's invitations without the selector that keeps a guest bidder to the ones it holds.
    from cxo.sourcing.models import RfpInvitation

    titles = RfpInvitation.objects.for_counterparty(request.organisation).values_list("rfp__title", flat=True)
    return HttpResponse(", ".join(titles))


def test_walk_fails_on_a_provider_page_that_shows_a_guest_bidder_other_invitations(world: SimpleNamespace) -> None:
    urls = _urls(pages=[path("test/inbox/", careless_inbox, name="careless")])
    routes = {"careless": Route("tenant", kwargs=lambda w: {"org": w.provider.slug}, extra={"owner": "provider_user"})}
    assert _walk(world, urls, routes) == [
        f"GET /o/{world.provider.slug}/test/inbox/: a guest bidder of the provider got 200 showing the world's RFP"
    ]


def test_walk_fails_on_an_unclassified_view(world: SimpleNamespace) -> None:
    urls = _urls(pages=[path("test/safe/", guarded_view, name="safe")])
    assert _walk(world, urls, {}) == ["o/<slug:org>/test/safe/ (safe): not classified in cxo.testing.routes.WEB_ROUTES"]


def test_walk_fails_on_a_write_view_without_its_permission(world: SimpleNamespace) -> None:
    slug = world.sponsor.slug
    # Behind the guard without @requires(write=…): refused to everyone, and the walk says why.
    urls = _urls(pages=[path("test/write/", undeclared_write, name="write")])
    problems = _walk(world, urls, {"write": Route("tenant", kwargs=_org, methods=("POST",))})
    assert problems == [
        f"POST /o/{slug}/test/write/: owner got 403 (the walk's fixture does not reach it)",
        f"POST /o/{slug}/test/write/: the view declares no permission for POST (@requires(write=…))",
    ]
    # Declaring the permission but checking only membership: a viewer changes what only sourcing may.
    urls = _urls(path("o/<slug:org>/test/checked/", self_checked_write, name="checked"))
    problems = _walk(world, urls, {"checked": Route("tenant", kwargs=_org, methods=("POST",))})
    assert problems == [
        "o/<slug:org>/test/checked/ (checked): not behind the organisation guard (list it in org_urlpatterns)",
        f"POST /o/{slug}/test/checked/: a member whose role (project) lacks manage_sourcing got 201, expected 403",
    ]


def test_the_guard_refuses_a_write_the_view_did_not_declare(world: SimpleNamespace) -> None:
    with override_settings(ROOT_URLCONF=_urls(pages=[path("test/write/", undeclared_write, name="write")])):
        response = login_client(world.sponsor_user).post(f"/o/{world.sponsor.slug}/test/write/")
    assert response.status_code == 403
    assert "This page takes no changes (POST is not declared with @requires(write=…))." in response.content.decode()


def _api_walk(world: SimpleNamespace, leaky_api: NinjaAPI, routes: dict[str, Route]) -> list[str]:
    with override_settings(ROOT_URLCONF=type("u", (), {"urlpatterns": [path("leaky/", leaky_api.urls)]})):
        return walk_api(
            api=leaky_api,
            base="/leaky",
            world=world,
            owner_token=world.sponsor_secret,
            outsider_token=world.outsider_secret,
            anonymous=Client(),
            routes=routes,
        )


def test_api_walk_fails_on_an_unguarded_operation(world: SimpleNamespace) -> None:
    leaky_api = NinjaAPI(urls_namespace="leaky-api", auth=api.auth)
    router = Router()

    @router.get("/organisations/{slug}/name")
    def org_name(request: HttpRequest, slug: str) -> str:
        return Organisation.objects.get(slug=slug).name

    leaky_api.add_router("/", router)
    routes = {"GET /organisations/{slug}/name": Route("tenant", kwargs=lambda w: {"slug": w.sponsor.slug})}
    assert _api_walk(world, leaky_api, routes) == [
        "GET /organisations/{slug}/name: outsider got 200, expected 404",
        "GET /organisations/{slug}/name: the registry curator got 200, expected 404",
        "GET /organisations/{slug}/name: not an organisation operation (declare it on an OrganisationRouter)",
    ]
    assert "GET /organisations/{slug}/audit" in API_ROUTES


def test_api_walk_checks_a_users_own_rows_by_the_outsider(world: SimpleNamespace) -> None:
    """A route of a user's own row (an API token) has no organisation: the outsider must get 404, nothing more."""
    leaky_api = NinjaAPI(urls_namespace="leaky-tokens", auth=api.auth)
    router = Router()

    @router.get("/auth/tokens/{token_id}/name")
    def token_name(request: HttpRequest, token_id: int) -> str:
        return str(ApiToken.objects.get(pk=token_id).name)  # anyone's token: the leak the walk must catch

    leaky_api.add_router("/", router)
    routes = {"GET /auth/tokens/{token_id}/name": Route("tenant", kwargs=lambda w: {"token_id": w.sponsor_token.pk})}
    assert _api_walk(world, leaky_api, routes) == [
        "GET /auth/tokens/{token_id}/name: outsider got 200, expected 404",
        "GET /auth/tokens/{token_id}/name: the registry curator got 200, expected 404",
    ]
    assert API_ROUTES["DELETE /auth/tokens/{token_id}"].kind == "tenant"


def test_api_walk_passes_an_organisation_operation_and_checks_its_permission(world: SimpleNamespace) -> None:
    guarded_api = NinjaAPI(urls_namespace="guarded-api", auth=api.auth)
    guarded_api.exception_handler(ServiceError)(service_error)  # NotFound → 404, NotPermitted → 403
    org_api = OrganisationRouter(tags=["test"])

    @org_api.post("/rename", permission=Permission.MANAGE_MEMBERS)
    def rename(request: OrgRequest) -> str:
        return request.organisation.name

    guarded_api.add_router("/", org_api.router)
    routes = {"POST /organisations/{slug}/rename": Route("tenant", kwargs=lambda w: {"slug": w.sponsor.slug})}
    assert _api_walk(world, guarded_api, routes) == []


def test_an_organisation_write_must_name_its_permission() -> None:
    org_api = OrganisationRouter(tags=["test"])
    with pytest.raises(ValueError, match="a write needs a permission beyond VIEW"):
        org_api.post("/x", permission=Permission.VIEW)
    with pytest.raises(ValueError, match="A write needs a permission beyond VIEW"):
        requires(write=Permission.VIEW)
