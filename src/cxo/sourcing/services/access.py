"""Who may act: the actor's membership in the sponsor (or the provider), checked before any write.

A non-member gets NotFound (existence does not leak); a member whose role lacks the right gets
NotPermitted with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo.core.errors import NotFound
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can, membership_get, membership_require

if TYPE_CHECKING:
    from cxo.sourcing.models import RfpInvitation


def member_require(*, actor: User, organisation: Organisation, permission: Permission, what: str = "RFP") -> Membership:
    """The actor's membership in ``organisation`` if it grants ``permission``."""
    membership = membership_get(user=actor, organisation=organisation)
    if membership is None:
        raise NotFound(f"No such {what}.")
    membership_require(membership=membership, permission=permission)
    return membership


def responder_require(*, actor: User, invitation: RfpInvitation) -> Membership:
    """The actor's membership in the invited provider if it may answer this invitation: a member whose role
    responds, or a guest bidder holding this very invitation (a guest of another one gets NotFound)."""
    membership = member_require(
        actor=actor, organisation=invitation.provider, permission=Permission.RESPOND, what="invitation"
    )
    if not membership_can(membership=membership, permission=Permission.VIEW) and invitation.guest_id != actor.pk:
        raise NotFound("No such invitation.")
    return membership
