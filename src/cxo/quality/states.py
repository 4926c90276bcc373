"""The quality state machines, each in one table: qualification, audit, CAPA, quality-agreement version.

Qualification (the approved supplier list)::

    not started ─start─▶ in qualification ─approve*─▶ approved ─review─▶ under review ─approve*─▶ approved
                                 │            └─approve with conditions*─▶ conditional ─approve*─▶ approved
                                 └─not approve─▶ not approved            (approved | conditional) ─expire─▶ expired
    (approved | conditional | under review) ─disqualify*─▶ disqualified
    (not approved | disqualified | expired) ─requalify─▶ in qualification

Audit: planned ─schedule─▶ scheduled ─record─▶ conducted ─issue report─▶ report issued ─close─▶ closed
(planned | scheduled ─cancel─▶ cancelled).

CAPA: awaiting ─propose─▶ proposed ─accept─▶ accepted ─verify effective─▶ effective ─close*─▶ closed;
proposed ─return─▶ returned ─propose─▶ proposed; accepted ─found not effective─▶ returned.

Agreement version: draft ─sign─▶ signed by one party ─sign─▶ signed by both ─(a newer one signed)─▶ superseded.

``*`` marks a move that needs an electronic signature (``cxo.core.signatures``): the machine refuses it
without one. Guards that read more than the state (a CAPA's open actions, an agreement's dates) are
in the services, next to the data they read; the move itself is always checked here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from cxo.core.errors import Conflict
from cxo.quality.models import AgreementVersionStatus, AuditStatus, CapaStatus, QualificationStatus


@dataclass(frozen=True)
class Move:
    verb: str  # what doing it is called: "approve", "disqualify"
    signed: bool = False


class Machine:
    """One record type's transitions: ``(from, to) → Move``; anything else is refused with a message."""

    def __init__(
        self, noun: str, states: type[models.TextChoices], moves: dict[tuple[str, str], Move], hints: dict[str, str]
    ) -> None:
        self.noun = noun
        self.states = states
        self.moves = moves
        self.hints = hints  # target state → what to do instead, when the move is not allowed

    def label(self, state: str) -> str:
        return str(self.states(state).label).lower()

    def can(self, current: str, to: str) -> bool:
        return (current, to) in self.moves

    def targets(self, current: str) -> list[str]:
        """The states reachable from ``current`` in one move (what a page may offer)."""
        return [to for (frm, to) in self.moves if frm == current]

    def check(self, current: str, to: str, *, signed: bool = False) -> Move:
        """The move from ``current`` to ``to``, or Conflict saying why it is not allowed."""
        move = self.moves.get((current, to))
        if move is None:
            hint = self.hints.get(to, "")
            article = "An" if self.noun[0] in "aeiou" else "A"
            refusal = f"{article} {self.noun} that is “{self.label(current)}” cannot become “{self.label(to)}”."
            raise Conflict(f"{refusal} {hint}".strip())
        if move.signed and not signed:
            raise Conflict(
                f"Your electronic signature is needed to {move.verb}: re-enter your password and state its meaning."
            )
        return move


def _moves(pairs: Iterable[tuple[Iterable[str], str, Move]]) -> dict[tuple[str, str], Move]:
    return {(frm, to): move for froms, to, move in pairs for frm in froms}


Q = QualificationStatus
QUALIFICATION = Machine(
    "qualification",
    QualificationStatus,
    _moves(
        [
            ([Q.NOT_STARTED], Q.IN_QUALIFICATION, Move("start the qualification")),
            ([Q.NOT_APPROVED, Q.DISQUALIFIED, Q.EXPIRED], Q.IN_QUALIFICATION, Move("requalify")),
            ([Q.IN_QUALIFICATION, Q.CONDITIONAL, Q.UNDER_REVIEW], Q.APPROVED, Move("approve", signed=True)),
            ([Q.IN_QUALIFICATION, Q.UNDER_REVIEW], Q.CONDITIONAL, Move("approve with conditions", signed=True)),
            ([Q.IN_QUALIFICATION], Q.NOT_APPROVED, Move("decide not to approve")),
            ([Q.APPROVED, Q.CONDITIONAL], Q.UNDER_REVIEW, Move("put under review")),
            ([Q.APPROVED, Q.CONDITIONAL, Q.UNDER_REVIEW], Q.DISQUALIFIED, Move("disqualify", signed=True)),
            ([Q.APPROVED, Q.CONDITIONAL], Q.EXPIRED, Move("expire")),
        ]
    ),
    {
        Q.APPROVED: "Start the qualification (or requalify) first.",
        Q.UNDER_REVIEW: "Only an approved or conditionally approved site can be put under review.",
        Q.IN_QUALIFICATION: "Only a site that is not approved, disqualified or expired can be requalified.",
    },
)

A = AuditStatus
AUDIT = Machine(
    "audit",
    AuditStatus,
    _moves(
        [
            ([A.PLANNED], A.SCHEDULED, Move("schedule")),
            ([A.SCHEDULED], A.CONDUCTED, Move("record as conducted")),
            ([A.CONDUCTED], A.REPORT_ISSUED, Move("issue the report")),
            ([A.REPORT_ISSUED], A.CLOSED, Move("close")),
            ([A.PLANNED, A.SCHEDULED], A.CANCELLED, Move("cancel")),
        ]
    ),
    {
        A.CONDUCTED: "Schedule it first.",
        A.REPORT_ISSUED: "Record it as conducted first.",
        A.CLOSED: "Issue the report first.",
    },
)

C = CapaStatus
CAPA = Machine(
    "CAPA",
    CapaStatus,
    _moves(
        [
            ([C.AWAITING, C.RETURNED], C.PROPOSED, Move("propose")),
            ([C.PROPOSED], C.RETURNED, Move("return")),
            ([C.PROPOSED], C.ACCEPTED, Move("accept")),
            ([C.ACCEPTED], C.EFFECTIVE, Move("verify as effective")),
            ([C.ACCEPTED], C.RETURNED, Move("return as not effective")),
            ([C.EFFECTIVE], C.CLOSED, Move("close", signed=True)),
        ]
    ),
    {
        C.ACCEPTED: "Only a proposed CAPA can be accepted.",
        C.EFFECTIVE: "Accept it and complete its actions first.",
        C.CLOSED: "Verify its effectiveness first.",
        C.PROPOSED: "It has been proposed already.",
    },
)

V = AgreementVersionStatus
AGREEMENT_VERSION = Machine(
    "quality agreement version",
    AgreementVersionStatus,
    _moves(
        [
            ([V.DRAFT], V.SIGNING, Move("sign", signed=True)),
            ([V.SIGNING], V.SIGNED, Move("sign", signed=True)),
            ([V.SIGNED], V.SUPERSEDED, Move("supersede")),
        ]
    ),
    {V.SIGNED: "It is already signed by both parties.", V.SIGNING: "It is no longer a draft."},
)
