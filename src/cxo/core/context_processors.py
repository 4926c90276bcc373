from __future__ import annotations

from django.http import HttpRequest

from cxo.core.notifications import notification_unread
from cxo.core.roles import Permission, PlatformPermission, platform_can
from cxo.core.selectors import membership_can, membership_list_for_user


def organisations(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's memberships for the navigation, the organisation in view, what the role may do there,
    and how many notifications are unread (the badge)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(membership_list_for_user(user=user))
    current = getattr(request, "membership", None)
    if current is None and memberships:
        current = memberships[0]
    can = {}
    if current is not None:
        can = {p.value: membership_can(membership=current, permission=p) for p in Permission}
    unread = notification_unread(user=user).count()
    curator = platform_can(user, PlatformPermission.CURATE_REGISTRY)
    return {
        "nav_memberships": memberships,
        "nav_membership": current,
        "can": can,
        "unread_notifications": unread,
        "curator": curator,
    }
