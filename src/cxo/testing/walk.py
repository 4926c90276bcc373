"""The tenant-isolation walk: every page and API operation, tried as anonymous, outsider, owner and a member
whose role lacks the permission the route declares.

``walk_web`` and ``walk_api`` return a list of problems (empty when all is well) so that tests can both
require an empty list and show that an unguarded route is caught. What each route needs is read from
the route itself (``@requires`` on a page, ``permission=`` on an organisation operation), never repeated
in the route table: a tenant route needing more than VIEW is also tried by a member of the owning
organisation whose role lacks it, who must get 403.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from ninja import NinjaAPI

from cxo.core.access import ORGANISATION_PREFIX, OrganisationResolver, operation_permission, view_needs
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission, role_allows, roles_in_table
from cxo.core.services import api_token_create
from cxo.testing.routes import API_ROUTES, SKIPPED_PREFIXES, WEB_ROUTES, Route

ANON_OK = {301, 302, 401, 403, 404, 405}


@dataclass(frozen=True)
class UrlRoute:
    route: str  # the pattern as written, e.g. "o/<slug:org>/rfps/<int:rfp_id>/"
    name: str  # with its namespace, e.g. "sourcing:rfp_detail"
    view: Callable[..., Any]
    guarded: bool  # mounted under the organisation guard's resolver


def iter_url_routes(urlconf: str | None = None) -> Iterator[UrlRoute]:
    """Every URL pattern outside the skipped prefixes, and whether the organisation guard is in front of it."""

    def walk(patterns: list[Any], prefix: str, namespace: str, guarded: bool) -> Iterator[UrlRoute]:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                inner = ":".join(n for n in (namespace, p.namespace) if n)
                yield from walk(p.url_patterns, route, inner, guarded or isinstance(p, OrganisationResolver))
            elif isinstance(p, URLPattern):
                name = ":".join(n for n in (namespace, p.name) if n) if p.name else ""
                yield UrlRoute(route, name, p.callback, guarded)

    yield from walk(get_resolver(urlconf).url_patterns, "", "", False)


def _response(client: Client, method: str, url: str, **extra: Any) -> tuple[int, bytes]:
    """Status and body of one request, made in a savepoint that is rolled back so a POST leaves the world as it was."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, **extra)
        else:
            response = client.generic(method, url, data=b"{}", content_type="application/json", **extra)
        transaction.set_rollback(True)
    body = b"" if getattr(response, "streaming", False) else response.content
    return response.status_code, body


def _status(client: Client, method: str, url: str, **extra: Any) -> int:
    return _response(client, method, url, **extra)[0]


def visitors(world: Any) -> list[tuple[str, User]]:
    """Who else tries every tenant route: the world's registry curator (a platform role, no membership) and its
    guest bidder (of the provider, holding none of its invitations) — when the world has them."""
    return [(label, getattr(world, name)) for label, name in VISITORS if hasattr(world, name)]


VISITORS = (("the registry curator", "curator"), ("a guest bidder of the provider", "guest_user"))


def _visitor_problem(world: Any, label: str, who: str, status: int, body: bytes) -> str | None:
    """The curator gets 404; the guest 403 or 404, or an answer (its empty inbox) that shows nothing of the world."""
    if who.startswith("the registry curator"):
        return None if status == 404 else f"{label}: {who} got {status}, expected 404"
    if status in (403, 404) or (status < 400 and world.rfp.title.encode() not in body):
        return None
    return f"{label}: {who} got {status}" + (" showing the world's RFP" if status < 400 else ", expected 403 or 404")


def _client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _fill_path(path: str, params: dict[str, Any]) -> str:
    """``/organisations/{slug}/sites/{int:site_id}`` with the parameters filled in."""
    return re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: str(params[m.group(1)]), path)


class Members:
    """Members of the world's organisations whose role lacks a permission, made when first needed."""

    def __init__(self) -> None:
        self._made: dict[tuple[int, str], User] = {}

    def without(self, organisation: Organisation, permission: Permission) -> User | None:
        """A member of ``organisation`` whose role does not grant ``permission``; None if every role grants it."""
        role = next(
            (
                r
                for r in roles_in_table(organisation.type)  # the guest bidder too
                if not role_allows(organisation_type=organisation.type, role=r, permission=permission)
            ),
            None,
        )
        if role is None:
            return None
        key = (organisation.pk, role)
        if key not in self._made:
            user, _ = User.objects.get_or_create(username=f"walk-{role}-{organisation.pk}")
            Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})
            self._made[key] = user
        return self._made[key]


def _lacking_problem(method: str, label: str, permission: Permission, status: int, role: str) -> str | None:
    if status == 403:
        return None
    return f"{method} {label}: a member whose role ({role}) lacks {permission} got {status}, expected 403"


def walk_web(
    *,
    world: Any,
    owner: Client,
    outsider: Client,
    anonymous: Client,
    routes: dict[str, Route] | None = None,
    urlconf: str | None = None,
    only: Callable[[str], bool] | None = None,
) -> list[str]:
    """What is wrong with each page (``only``: the patterns it keeps, e.g. a test's own, so it need not walk all)."""
    routes = WEB_ROUTES if routes is None else routes
    problems: list[str] = []
    members = Members()
    for url_route in iter_url_routes(urlconf):
        name, route_str = url_route.name, url_route.route
        if only is not None and not only(route_str):
            continue
        spec = routes.get(name)
        if spec is None:
            problems.append(f"{route_str} ({name or 'unnamed'}): not classified in cxo.testing.routes.WEB_ROUTES")
            continue
        if route_str.startswith(ORGANISATION_PREFIX) and not url_route.guarded:
            problems.append(f"{route_str} ({name}): not behind the organisation guard (list it in org_urlpatterns)")
        if url_route.guarded and spec.kind != "tenant":
            problems.append(f"{route_str} ({name}): an organisation page must be classified 'tenant'")
        kwargs = spec.kwargs(world)
        url = reverse(name, kwargs=kwargs, urlconf=urlconf)
        needs = view_needs(url_route.view)
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
                if status in (403, 404) or status >= 500:
                    problems.append(f"{method} {url}: owner got {status} (the walk's fixture does not reach it)")
                for who, visitor in visitors(world):
                    status, body = _response(_client_for(visitor), method, url)
                    problem = _visitor_problem(world, f"{method} {url}", who, status, body)
                    problems.extend([problem] if problem else [])
                if "org" in kwargs:
                    problems.extend(
                        _web_permission_problems(members, method, url, kwargs["org"], needs.for_method(method))
                    )
            elif spec.kind == "curator":
                status = _status(outsider, method, url)
                if status != 404:
                    problems.append(f"{method} {url}: a signed-in user who is no curator got {status}, expected 404")
                status = _status(_client_for(world.curator), method, url)
                if status >= 400:
                    problems.append(f"{method} {url}: the registry curator got {status}")
            elif spec.kind == "signed_in":
                status = _status(outsider, method, url)
                if status >= 400 and status != 405:
                    problems.append(f"{method} {url}: signed-in user got {status}")
    return problems


def _web_permission_problems(
    members: Members, method: str, url: str, slug: str, permission: Permission | None
) -> list[str]:
    if permission is None:
        return [f"{method} {url}: the view declares no permission for {method} (@requires(write=…))"]
    organisation = Organisation.objects.get(slug=slug)
    member = members.without(organisation, permission)
    if member is None:
        return []
    role = Membership.objects.get(user=member, organisation=organisation).role
    problem = _lacking_problem(method, url, permission, _status(_client_for(member), method, url), role)
    return [problem] if problem else []


def iter_api_operations(api: NinjaAPI) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(METHOD, path, view function) for every operation of the API, path relative to its root with {params}."""
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/" + "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method.upper(), full, operation.view_func


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
    members = Members()
    tokens: dict[int, str] = {}
    for method, path, view in iter_api_operations(api):
        key = f"{method} {path}"
        spec = routes.get(key)
        if spec is None:
            problems.append(f"{key}: not classified in cxo.testing.routes.API_ROUTES")
            continue
        kwargs = spec.kwargs(world)
        url = base.rstrip("/") + _fill_path(path, kwargs)
        if spec.kind != "public":
            status = _status(anonymous, method, url)
            if status != 401:
                problems.append(f"{key}: anonymous got {status}, expected 401")
        if spec.kind != "tenant":
            continue
        status = _status(anonymous, method, url, HTTP_AUTHORIZATION=f"Bearer {outsider_token}")
        if status != 404:
            problems.append(f"{key}: outsider got {status}, expected 404")
        token = getattr(world, spec.extra["owner_token"]) if "owner_token" in spec.extra else owner_token
        status = _status(anonymous, method, url, HTTP_AUTHORIZATION=f"Bearer {token}")
        if status in (403, 404) or status >= 500:
            problems.append(f"{key}: owner got {status} (the walk's fixture does not reach it)")
        for who, visitor in visitors(world):
            if visitor.pk not in tokens:
                tokens[visitor.pk] = api_token_create(user=visitor, name="walk")[1]
            status, body = _response(anonymous, method, url, HTTP_AUTHORIZATION=f"Bearer {tokens[visitor.pk]}")
            problem = _visitor_problem(world, key, who, status, body)
            problems.extend([problem] if problem else [])
        if "{slug}" not in path:
            continue  # a user's own row (an API token): no organisation and no role; the outsider's 404 is the check
        permission = operation_permission(view)
        if permission is None:
            problems.append(f"{key}: not an organisation operation (declare it on an OrganisationRouter)")
            continue
        organisation = Organisation.objects.get(slug=kwargs["slug"])
        member = members.without(organisation, permission)
        if member is None:
            continue
        if member.pk not in tokens:
            tokens[member.pk] = api_token_create(user=member, name="walk")[1]
        status = _status(anonymous, method, url, HTTP_AUTHORIZATION=f"Bearer {tokens[member.pk]}")
        role = Membership.objects.get(user=member, organisation=organisation).role
        problem = _lacking_problem(method, key, permission, status, role)
        if problem:
            problems.append(problem)
    return problems
