from __future__ import annotations

from django.http import HttpRequest

from cxo.core.roles import Permission, PlatformPermission, platform_can
from cxo.core.selectors import membership_can


def organisations(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's memberships for the navigation, and the organisation in view."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(user.memberships.select_related("organisation").order_by("organisation__name"))
    current = getattr(request, "membership", None)
    if current is None and memberships:
        current = memberships[0]
    can = {}
    if current is not None:
        can = {p.value: membership_can(membership=current, permission=p) for p in Permission}
    curator = platform_can(user, PlatformPermission.CURATE_REGISTRY)
    return {"nav_memberships": memberships, "nav_membership": current, "can": can, "curator": curator}
