"""Guards for views of tenant-owned pages: members get in, everybody else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from cxo.core.errors import NotFound
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can, membership_for_slug

View = Callable[..., HttpResponse]


def org_member(permission: Permission = Permission.VIEW) -> Callable[[View], View]:
    """Resolve ``<org>`` from the URL to the user's membership, or 404; 403 if the role lacks ``permission``.

    Sets ``request.membership`` and ``request.organisation`` for the view.
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                membership = membership_for_slug(user=request.user, slug=org)  # type: ignore[arg-type]
            except NotFound as exc:
                raise Http404(exc.message) from exc
            if not membership_can(membership=membership, permission=permission):
                raise PermissionDenied(f"Your role ({membership.get_role_display()}) does not allow this.")
            request.membership = membership  # type: ignore[attr-defined]
            request.organisation = membership.organisation  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.cxo_guard = "org_member"  # type: ignore[attr-defined]
        return wrapped

    return decorator
