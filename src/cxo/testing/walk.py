"""The tenant-isolation walk: every page and API operation, tried as an outsider and anonymously.

``walk_web`` and ``walk_api`` return a list of problems (empty when all is well) so that tests
can both require an empty list and show that an unguarded route is caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from ninja import NinjaAPI

from cxo.testing.routes import API_ROUTES, SKIPPED_PREFIXES, WEB_ROUTES, Route

ANON_OK = {301, 302, 401, 403, 404, 405}


def iter_url_names(urlconf: str | None = None) -> Iterator[tuple[str, str]]:
    """(route string, url name) for every named pattern outside the skipped prefixes."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                yield route, p.name or ""

    yield from walk(get_resolver(urlconf).url_patterns, "")


def _status(client: Client, method: str, url: str, **extra: Any) -> int:
    """The status of one request, made in a savepoint that is rolled back so a POST leaves the world as it was."""
    with transaction.atomic():
        if method == "GET":
            status = client.get(url, **extra).status_code
        else:
            status = client.generic(method, url, data=b"{}", content_type="application/json", **extra).status_code
        transaction.set_rollback(True)
    return status


def _client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _fill_path(path: str, params: dict[str, Any]) -> str:
    """``/organisations/{slug}/sites/{int:site_id}`` with the parameters filled in."""
    return re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: str(params[m.group(1)]), path)


def walk_web(
    *,
    world: Any,
    owner: Client,
    outsider: Client,
    anonymous: Client,
    routes: dict[str, Route] | None = None,
    urlconf: str | None = None,
) -> list[str]:
    routes = WEB_ROUTES if routes is None else routes
    problems: list[str] = []
    for route_str, name in iter_url_names(urlconf):
        spec = routes.get(name)
        if spec is None:
            problems.append(f"{route_str} ({name or 'unnamed'}): not classified in cxo.testing.routes.WEB_ROUTES")
            continue
        url = reverse(name, kwargs=spec.kwargs(world), urlconf=urlconf)
        for method in spec.methods:
            status = _status(anonymous, method, url)
            if spec.kind != "public" and status not in ANON_OK:
                problems.append(f"{method} {url}: anonymous got {status}")
            if spec.kind == "tenant":
                status = _status(outsider, method, url)
                if status != 404:
                    problems.append(f"{method} {url}: outsider got {status}, expected 404")
                # A route of another tenant of the world (a provider's inbox) names its owner: Route.extra["owner"].
                who = spec.extra.get("owner")
                status = _status(_client_for(getattr(world, who)) if who else owner, method, url)
                if status == 404 or status >= 500:
                    problems.append(f"{method} {url}: owner got {status} (the walk's fixture does not reach it)")
            elif spec.kind == "signed_in":
                status = _status(outsider, method, url)
                if status >= 400 and status != 405:
                    problems.append(f"{method} {url}: signed-in user got {status}")
    return problems


def iter_api_operations(api: NinjaAPI) -> Iterator[tuple[str, str]]:
    """(METHOD, path) for every operation of the API, path relative to its root with {params}."""
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/" + "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method.upper(), full


def walk_api(
    *,
    api: NinjaAPI,
    base: str,
    world: Any,
    owner_token: str,
    outsider_token: str,
    anonymous: Client,
    routes: dict[str, Route] | None = None,
) -> list[str]:
    routes = API_ROUTES if routes is None else routes
    problems: list[str] = []
    for method, path in iter_api_operations(api):
        key = f"{method} {path}"
        spec = routes.get(key)
        if spec is None:
            problems.append(f"{key}: not classified in cxo.testing.routes.API_ROUTES")
            continue
        url = base.rstrip("/") + _fill_path(path, spec.kwargs(world))
        if spec.kind != "public":
            status = _status(anonymous, method, url)
            if status != 401:
                problems.append(f"{key}: anonymous got {status}, expected 401")
        if spec.kind == "tenant":
            status = _status(anonymous, method, url, HTTP_AUTHORIZATION=f"Bearer {outsider_token}")
            if status != 404:
                problems.append(f"{key}: outsider got {status}, expected 404")
            token = getattr(world, spec.extra["owner_token"]) if "owner_token" in spec.extra else owner_token
            status = _status(anonymous, method, url, HTTP_AUTHORIZATION=f"Bearer {token}")
            if status == 404 or status >= 500:
                problems.append(f"{key}: owner got {status} (the walk's fixture does not reach it)")
    return problems
