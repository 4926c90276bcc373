"""The RFP state machine: every status change of an RFP goes through :func:`rfp_transition`.

    draft ──issue──▶ issued ──close──▶ closed ──award──▶ awarded
      └──────────────┴──────cancel──────┴──▶ cancelled

Each transition has its guard here, so an illegal change (issuing a cancelled RFP, awarding one
that is still open, issuing without an invitation) is refused in one place with a clear message.
What follows from a transition for the invitations and proposals (their outcomes on a cancel or an
award) is set by the service that makes it, in the same transaction (``services/rfp.py``,
``services/award.py``). :func:`rfp_can` tells pages which transitions to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone

from cxo.core.errors import Conflict, ServiceError
from cxo.sourcing.models import RfpStatus

if TYPE_CHECKING:
    from cxo.sourcing.models import Rfp

S = RfpStatus


def _guard_issue(rfp: Rfp) -> None:
    if not rfp.invitations.exists():
        raise Conflict("Invite at least one provider before issuing the RFP.")
    if not rfp.line_items.exists():
        raise Conflict("Add at least one line to the bid grid before issuing the RFP.")
    criteria = list(rfp.criteria.all())
    if not criteria:
        raise Conflict("Add the evaluation criteria before issuing the RFP.")
    total = sum(c.weight for c in criteria)
    if total != 100:
        raise Conflict(f"The weights of the evaluation criteria must add up to 100 (they add up to {total}).")
    if rfp.response_deadline is None:
        raise ServiceError("Set a response deadline before issuing the RFP.", field="response_deadline")
    if rfp.response_deadline <= timezone.now():
        raise ServiceError("The response deadline must be in the future.", field="response_deadline")


def _guard_none(rfp: Rfp) -> None:
    return None


# (from, to) -> (what the RFP becomes, in words; the guard run before the change)
TRANSITIONS: dict[tuple[str, str], tuple[str, Callable[[Rfp], None]]] = {
    (S.DRAFT, S.ISSUED): ("issued", _guard_issue),
    (S.ISSUED, S.CLOSED): ("closed", _guard_none),
    (S.CLOSED, S.AWARDED): ("awarded", _guard_none),
    (S.DRAFT, S.CANCELLED): ("cancelled", _guard_none),
    (S.ISSUED, S.CANCELLED): ("cancelled", _guard_none),
    (S.CLOSED, S.CANCELLED): ("cancelled", _guard_none),
}

_VERB: dict[str, str] = {
    S.ISSUED: "issued",
    S.CLOSED: "closed",
    S.AWARDED: "awarded",
    S.CANCELLED: "cancelled",
    S.DRAFT: "made a draft again",  # no transition leads back to draft: only the refusal says it
}
_STAMP: dict[str, str] = {
    S.ISSUED: "issued_at",
    S.CLOSED: "closed_at",
    S.AWARDED: "awarded_at",
    S.CANCELLED: "cancelled_at",
}
_HINT: dict[tuple[str, str], str] = {
    (S.ISSUED, S.AWARDED): "Close it first.",
    (S.DRAFT, S.AWARDED): "Issue it and close it first.",
    (S.DRAFT, S.CLOSED): "Issue it first.",
    (S.AWARDED, S.AWARDED): "It has already been awarded.",
}


def rfp_can(rfp: Rfp, to: str) -> bool:
    """Whether the transition to ``to`` exists from the RFP's current status (guards not run)."""
    return (rfp.status, to) in TRANSITIONS


def rfp_transition(rfp: Rfp, to: str) -> tuple[str, str]:
    """Move ``rfp`` to status ``to`` after checking the transition and its guard; returns (old, new).

    The caller holds the RFP row locked (``select_for_update``) and saves it, inside its transaction.
    """
    key = (rfp.status, to)
    if key not in TRANSITIONS:
        current = RfpStatus(rfp.status).label.lower()
        hint = _HINT.get(key, "")
        raise Conflict(f"An RFP that is {current} cannot be {_VERB.get(to, to)}. {hint}".strip())
    _verb, guard = TRANSITIONS[key]
    guard(rfp)
    old = rfp.status
    rfp.status = to
    setattr(rfp, _STAMP[to], timezone.now())
    rfp.updated_at = timezone.now()
    return old, to


def rfp_require(rfp: Rfp, *statuses: str, doing: str) -> None:
    """Refuse ``doing`` unless the RFP is in one of ``statuses`` (for edits that are not transitions)."""
    if rfp.status not in statuses:
        current = RfpStatus(rfp.status).label.lower()
        raise Conflict(f"You cannot {doing}: the RFP is {current}.")
