"""Who may act: the actor's membership in the sponsor (or the provider), checked before any write.

A non-member gets NotFound (existence does not leak); a member whose role lacks the right gets
NotPermitted with the reason.
"""

from __future__ import annotations

from cxo.core.errors import NotFound, NotPermitted
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can, membership_get

_DOING = {
    Permission.MANAGE_SOURCING: "managing sourcing",
    Permission.EVALUATE: "scoring proposals",
    Permission.SIGN_AWARD: "signing an award",
    Permission.RESPOND: "responding to RFPs",
    Permission.VIEW: "viewing this",
}


def member_require(*, actor: User, organisation: Organisation, permission: Permission, what: str = "RFP") -> Membership:
    """The actor's membership in ``organisation`` if it grants ``permission``."""
    membership = membership_get(user=actor, organisation=organisation)
    if membership is None:
        raise NotFound(f"No such {what}.")
    if not membership_can(membership=membership, permission=permission):
        doing = _DOING.get(permission, str(permission))
        raise NotPermitted(f"Your role ({membership.get_role_display()}) does not allow {doing}.")
    return membership
