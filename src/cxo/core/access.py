"""The organisation guard: one check in front of every organisation page and API operation.

Pages. Each app lists its organisation pages in ``org_urlpatterns`` (its ``urls.py``, paths relative to
the organisation); ``cxo.config.urls`` mounts them all with :func:`organisation_urls` under
``o/<slug:org>/``. That prefix's resolver wraps every view under it in the guard, so no view can be
mounted there unguarded: anonymous → the login page, not a member → 404 (existence does not leak),
a role without the permission → 403 with the reason. The view gets an :class:`OrgRequest`
(``request.organisation``, ``request.membership``, ``request.user``).

A view declares what it needs with :func:`requires`, which only records it. Without it a view can be
read with VIEW and takes no writes: a POST is refused until the view says which permission it needs,
so forgetting is safe (and the tenant walk reports it).

API. Each app makes one :class:`OrganisationRouter` for its ``/organisations/{slug}/…`` operations; every
operation names its permission where it is declared (``@org.post("/rfps", permission=…)``; reads default
to VIEW, writes must name one) and the router resolves the membership and checks it before the function
runs, which gets the same :class:`OrgRequest`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from types import ModuleType
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver, include, path
from django.urls.resolvers import ResolverMatch, RoutePattern
from django_htmx.middleware import HtmxDetails
from ninja import Router

from cxo.core.errors import NotFound, NotPermitted
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission
from cxo.core.selectors import membership_for_slug, membership_require

View = TypeVar("View", bound=Callable[..., Any])

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ORGANISATION_PREFIX = "o/<slug:org>/"
API_PREFIX = "/organisations/{slug}"


class AuthedRequest(HttpRequest):
    """A request from a signed-in user (after ``login_required`` or the API's authentication)."""

    user: User
    htmx: HtmxDetails


class OrgRequest(AuthedRequest):
    """A request the organisation guard let through: the caller's membership of the organisation in the URL."""

    membership: Membership
    organisation: Organisation


@dataclass(frozen=True)
class Needs:
    """What a view needs: ``read`` for GET/HEAD/OPTIONS, ``write`` for anything else (None: it takes no writes)."""

    read: Permission = Permission.VIEW
    write: Permission | None = None

    def for_method(self, method: str) -> Permission | None:
        return self.read if method.upper() in READ_METHODS else self.write


DEFAULT_NEEDS = Needs()


def requires(
    permission: Permission | None = None, *, read: Permission | None = None, write: Permission | None = None
) -> Callable[[View], View]:
    """Declare what an organisation page needs; the guard applies it.

    ``@requires(P)``: every method needs P. ``@requires(write=P)``: reading needs VIEW, changing needs P.
    ``@requires(read=P)``: reading needs P, and the page takes no writes. A write never needs only VIEW.
    """
    needs = Needs(read=read or permission or Permission.VIEW, write=write or permission)
    if needs.write == Permission.VIEW:
        raise ValueError("A write needs a permission beyond VIEW: name the one the role table means.")

    def record(view: View) -> View:
        cast(Any, view).cxo_needs = needs  # a function attribute: what the guard and the tenant walk read
        return view

    return record


def view_needs(view: Callable[..., Any]) -> Needs:
    """What ``view`` declared with :func:`requires`, or the default (VIEW to read, no writes)."""
    needs: Needs = getattr(view, "cxo_needs", DEFAULT_NEEDS)
    return needs


def _member(request: HttpRequest, slug: str) -> OrgRequest:
    """The request, now an OrgRequest: the user's membership of ``slug`` (NotFound for anyone else)."""
    user = request.user
    if not isinstance(user, User):
        raise NotFound("No such organisation.")
    membership = membership_for_slug(user=user, slug=slug)
    org_request = cast(OrgRequest, request)
    org_request.membership = membership
    org_request.organisation = membership.organisation
    return org_request


def _refusal(membership: Membership, method: str, permission: Permission | None) -> str | None:
    if permission is None:
        return f"This page takes no changes ({method} is not declared with @requires(write=…))."
    try:
        membership_require(membership=membership, permission=permission)
    except NotPermitted as exc:
        return exc.message
    return None


def organisation_guard(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """``view`` behind the guard: sign-in, membership of ``<org>`` (else 404), the declared permission (else 403)."""
    needs = view_needs(view)

    @wraps(view)
    def guarded(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            org_request = _member(request, org)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        method = request.method or "GET"
        refusal = _refusal(org_request.membership, method, needs.for_method(method))
        if refusal:
            raise PermissionDenied(refusal)
        return view(org_request, *args, **kwargs)

    return guarded


class OrganisationResolver(URLResolver):
    """The resolver of ``o/<slug:org>/``: whatever view it resolves to is returned behind the guard."""

    _guarded: dict[Callable[..., Any], Callable[..., Any]]

    def resolve(self, path: str) -> ResolverMatch:
        match = super().resolve(path)
        guarded = self._guarded.get(match.func)
        if guarded is None:
            guarded = self._guarded.setdefault(match.func, organisation_guard(match.func))
        match.func = guarded
        return match


def organisation_urls(*pattern_lists: Sequence[URLPattern | URLResolver]) -> OrganisationResolver:
    """Mount the apps' ``org_urlpatterns`` under ``o/<slug:org>/``, every one of them behind the guard."""
    patterns = [p for patterns in pattern_lists for p in patterns]
    resolver = OrganisationResolver(RoutePattern(ORGANISATION_PREFIX, is_endpoint=False), patterns)
    resolver._guarded = {}
    return resolver


def app_urls(urls: ModuleType, prefix: str = "") -> URLResolver:
    """One app's pages under its own URL namespace (its ``app_name``): its ``urlpatterns`` at ``prefix`` and its
    ``org_urlpatterns`` under ``o/<slug:org>/`` behind the guard. ``reverse("sourcing:rfp_detail", …)``."""
    patterns: list[URLPattern | URLResolver] = [*getattr(urls, "urlpatterns", [])]
    if org_patterns := getattr(urls, "org_urlpatterns", None):
        patterns.append(organisation_urls(org_patterns))
    app_name: str = urls.app_name
    return path(prefix, include((patterns, app_name), namespace=app_name))


def found(selector: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a selector for a page; its NotFound becomes a 404 page."""
    try:
        return selector(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- the API ----------------------------------------------------------------------------------------


def organisation_operation(view: Callable[..., Any], permission: Permission) -> Callable[..., Any]:
    """``view`` as an operation under ``/organisations/{slug}``: the membership is resolved (else 404) and
    ``permission`` checked (else 403) before it runs; it receives an :class:`OrgRequest` and no ``slug``."""
    signature = inspect.signature(view, eval_str=True)
    request_param, *params = signature.parameters.values()
    slug = inspect.Parameter("slug", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)

    @wraps(view)
    def operation(request: HttpRequest, slug: str, **kwargs: Any) -> Any:
        org_request = _member(request, slug)
        membership_require(membership=org_request.membership, permission=permission)
        return view(org_request, **kwargs)

    # Ninja reads the parameters from the signature: the view's own, with the path's slug added.
    cast(Any, operation).__signature__ = signature.replace(parameters=[request_param, slug, *params])
    cast(Any, operation).cxo_permission = permission  # the tenant walk reads it
    return operation


def operation_permission(view: Callable[..., Any]) -> Permission | None:
    """The permission an organisation operation declared, or None for an operation outside the router."""
    permission: Permission | None = getattr(view, "cxo_permission", None)
    return permission


class OrganisationRouter:
    """The API operations of one organisation's data, all under ``/organisations/{slug}``.

    ``router.get(path)`` needs VIEW unless it says otherwise; ``post``/``put``/``patch``/``delete`` must name
    their permission. Mount ``.router`` on the API at ``/``.
    """

    def __init__(self, *, tags: list[str]) -> None:
        self.router = Router(tags=tags)

    def _operation(
        self, method: str, path: str, permission: Permission, options: dict[str, Any]
    ) -> Callable[[View], View]:
        if method not in READ_METHODS and permission == Permission.VIEW:
            raise ValueError(f"{method} {path}: a write needs a permission beyond VIEW.")

        def register(view: View) -> View:
            self.router.add_api_operation(
                API_PREFIX + path, [method], organisation_operation(view, permission), **options
            )
            return view

        return register

    def get(self, path: str, *, permission: Permission = Permission.VIEW, **options: Any) -> Callable[[View], View]:
        return self._operation("GET", path, permission, options)

    def post(self, path: str, *, permission: Permission, **options: Any) -> Callable[[View], View]:
        return self._operation("POST", path, permission, options)

    def put(self, path: str, *, permission: Permission, **options: Any) -> Callable[[View], View]:
        return self._operation("PUT", path, permission, options)

    def patch(self, path: str, *, permission: Permission, **options: Any) -> Callable[[View], View]:
        return self._operation("PATCH", path, permission, options)

    def delete(self, path: str, *, permission: Permission, **options: Any) -> Callable[[View], View]:
        return self._operation("DELETE", path, permission, options)
