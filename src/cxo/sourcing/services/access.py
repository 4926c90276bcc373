"""Who may act: the actor's membership in the sponsor (or the provider), checked before any write.

A non-member gets NotFound (existence does not leak); a member whose role lacks the right gets
NotPermitted with the reason.
"""

from __future__ import annotations

from cxo.core.errors import NotFound
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission
from cxo.core.selectors import membership_get, membership_require


def member_require(*, actor: User, organisation: Organisation, permission: Permission, what: str = "RFP") -> Membership:
    """The actor's membership in ``organisation`` if it grants ``permission``."""
    membership = membership_get(user=actor, organisation=organisation)
    if membership is None:
        raise NotFound(f"No such {what}.")
    membership_require(membership=membership, permission=permission)
    return membership
