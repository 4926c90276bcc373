"""Every page and API operation: the outsider gets 404 on the sponsor's things, anonymous is turned away."""

from __future__ import annotations

from types import SimpleNamespace

from conftest import login_client
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from ninja import NinjaAPI, Router

from cxo.config.api import api
from cxo.core.access import org_member
from cxo.core.models import Organisation
from cxo.core.roles import Permission
from cxo.testing.routes import API_ROUTES, WEB_ROUTES, Route
from cxo.testing.walk import walk_api, walk_web


def test_every_page_is_guarded(world: SimpleNamespace) -> None:
    problems = walk_web(
        world=world, owner=login_client(world.sponsor_user), outsider=login_client(world.outsider), anonymous=Client()
    )
    assert problems == []


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


# --- the walk catches an unguarded view --------------------------------------------------------


def leaky_view(request: HttpRequest, org: str) -> HttpResponse:
    # Forgot the membership check: shows any organisation to anyone signed in.
    return HttpResponse(Organisation.objects.get(slug=org).name)


@org_member(Permission.VIEW)
def guarded_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.organisation.name)  # type: ignore[attr-defined]


urlpatterns_leaky = [path("o/<slug:org>/leak/", leaky_view, name="leak"), path("", include("cxo.config.urls"))]
urlpatterns_guarded = [path("o/<slug:org>/safe/", guarded_view, name="safe"), path("", include("cxo.config.urls"))]


class leaky_urls:
    urlpatterns = urlpatterns_leaky


class guarded_urls:
    urlpatterns = urlpatterns_guarded


def _walk(world: SimpleNamespace, urlconf: type, extra: dict[str, Route]) -> list[str]:
    """The walk's problems with the test's own route (the rest of the URLconf is the first test's business)."""
    with override_settings(ROOT_URLCONF=urlconf):
        problems = walk_web(
            world=world,
            owner=login_client(world.sponsor_user),
            outsider=login_client(world.outsider),
            anonymous=Client(),
            routes={**WEB_ROUTES, **extra},
            urlconf=urlconf,  # type: ignore[arg-type]
        )
    return [p for p in problems if "/leak/" in p or "/safe/" in p]


def test_walk_fails_on_an_unguarded_view(world: SimpleNamespace) -> None:
    problems = _walk(world, leaky_urls, {"leak": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug})})
    assert problems == [
        f"GET /o/{world.sponsor.slug}/leak/: anonymous got 200",
        f"GET /o/{world.sponsor.slug}/leak/: outsider got 200, expected 404",
    ]


def test_walk_passes_the_same_view_once_guarded(world: SimpleNamespace) -> None:
    assert _walk(world, guarded_urls, {"safe": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug})}) == []


def test_walk_fails_on_an_unclassified_view(world: SimpleNamespace) -> None:
    problems = _walk(world, guarded_urls, {})
    assert problems == ["o/<slug:org>/safe/ (safe): not classified in cxo.testing.routes.WEB_ROUTES"]


def test_api_walk_fails_on_an_unguarded_operation(world: SimpleNamespace) -> None:
    leaky_api = NinjaAPI(urls_namespace="leaky-api", auth=api.auth)
    router = Router()

    @router.get("/organisations/{slug}/name")
    def org_name(request: HttpRequest, slug: str) -> str:
        return Organisation.objects.get(slug=slug).name

    leaky_api.add_router("/", router)
    routes = {"GET /organisations/{slug}/name": Route("tenant", kwargs=lambda w: {"slug": w.sponsor.slug})}
    with override_settings(ROOT_URLCONF=type("u", (), {"urlpatterns": [path("leaky/", leaky_api.urls)]})):
        problems = walk_api(
            api=leaky_api,
            base="/leaky",
            world=world,
            owner_token=world.sponsor_secret,
            outsider_token=world.outsider_secret,
            anonymous=Client(),
            routes=routes,
        )
    assert problems == ["GET /organisations/{slug}/name: outsider got 200, expected 404"]
    assert "GET /organisations/{slug}/audit" in API_ROUTES
