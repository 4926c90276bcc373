"""The state machines of contracts, one per record type, with their guards, in one place.

    work order   draft ─send─▶ sent ─sign (provider)─▶ provider_signed ─sign (sponsor)─▶ signed ─activate─▶ active
                   ▲            │                                                         │                 │
                   └──return────┘   cancel: draft, sent, provider_signed        terminate: signed, active   complete
    milestone    planned ─report─▶ reported ─accept─▶ accepted;  reported ─reject─▶ rejected ─report─▶ reported
    change order draft ─propose (proposer signs)─▶ proposed ─execute (the other party signs)─▶ executed
                 proposed ─reject─▶ rejected;  draft, proposed ─withdraw─▶ withdrawn
    invoice      submitted ─approve─▶ approved ─pay─▶ paid;  submitted ─dispute─▶ disputed ─resubmit─▶ submitted
                 submitted, disputed ─withdraw─▶ withdrawn
    agreement    draft ─send─▶ sent ─sign (provider)─▶ provider_signed ─sign (sponsor)─▶ signed ─terminate─▶ terminated

Each transition names the side that takes it (the sponsor, the provider, or for a change order its proposer
or the other party) and the permission it needs; :meth:`Machine.apply` refuses an illegal one with a message
(a Conflict) and runs its guard. Services call ``apply`` on the locked row and save it; pages and the API ask
:meth:`Machine.actions` which steps to offer, so an action the state or the role does not allow is not shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from django.db import models

from cxo.contracts import guards
from cxo.contracts.models import (
    AgreementStatus,
    ChangeOrderStatus,
    InvoiceStatus,
    MilestoneStatus,
    WorkOrderStatus,
)
from cxo.core.errors import Conflict
from cxo.core.roles import Permission

Side = Literal["sponsor", "provider", "proposer", "counterparty"]
R = TypeVar("R", bound=models.Model)


@dataclass(frozen=True)
class Transition(Generic[R]):
    verb: str  # what the step is called: "send", "accept"
    sources: tuple[str, ...]
    target: str
    side: Side
    permission: Permission
    guard: Callable[[R], None] | None = None


@dataclass(frozen=True)
class Machine(Generic[R]):
    """The transitions of one record type, by verb."""

    noun: str  # "work order", in the refusal "A work order that is draft cannot be activated."
    labels: type[models.TextChoices]
    transitions: dict[str, Transition[R]]
    past: dict[str, str]  # verb -> how the refusal says it: "activated"

    def can(self, record: R, verb: str) -> bool:
        """Whether ``verb`` is possible from the record's status (guards not run)."""
        transition = self.transitions.get(verb)
        return transition is not None and getattr(record, "status") in transition.sources  # noqa: B009

    def apply(self, record: R, verb: str, *, side: Side) -> tuple[str, str]:
        """Move ``record`` by ``verb`` after checking its status, the side taking it and the guard; (old, new).

        The caller holds the row locked and saves it in its transaction.
        """
        transition = self.transitions[verb]
        status = str(getattr(record, "status"))  # noqa: B009
        if status not in transition.sources:
            current = self.labels(status).label.lower()
            raise Conflict(f"{_a(self.noun).capitalize()} that is {current} cannot be {self.past[verb]}.")
        if side != transition.side:
            raise Conflict(f"Only {_SIDE_WORDS[transition.side]} may take this step on {_a(self.noun)}.")
        if transition.guard is not None:
            transition.guard(record)
        setattr(record, "status", transition.target)  # noqa: B010
        return status, transition.target

    def actions(self, record: R, *, side: Side, allows: Callable[[Permission], bool]) -> list[str]:
        """The verbs this side may take on the record now, its role allowing (guards not run)."""
        return [
            verb
            for verb, t in self.transitions.items()
            if t.side == side and getattr(record, "status") in t.sources and allows(t.permission)  # noqa: B009
        ]


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


_SIDE_WORDS: dict[str, str] = {
    "sponsor": "the sponsor",
    "provider": "the provider",
    "proposer": "the party that proposed it",
    "counterparty": "the other party",
}

W, M, C, INV, A = WorkOrderStatus, MilestoneStatus, ChangeOrderStatus, InvoiceStatus, AgreementStatus
EXE, SIGN, FIN = Permission.MANAGE_EXECUTION, Permission.SIGN_CONTRACT, Permission.MANAGE_FINANCE


WORK_ORDER: Machine[Any] = Machine(
    noun="work order",
    labels=WorkOrderStatus,
    transitions={
        "send": Transition("send", (W.DRAFT,), W.SENT, "sponsor", EXE, guards.work_order_sendable),
        "return": Transition("return", (W.SENT,), W.DRAFT, "provider", EXE),
        "provider_sign": Transition(
            "provider_sign", (W.SENT,), W.PROVIDER_SIGNED, "provider", SIGN, guards.work_order_signable
        ),
        "sponsor_sign": Transition(
            "sponsor_sign", (W.PROVIDER_SIGNED,), W.SIGNED, "sponsor", SIGN, guards.work_order_countersignable
        ),
        "activate": Transition("activate", (W.SIGNED,), W.ACTIVE, "sponsor", EXE, guards.work_order_activatable),
        "complete": Transition("complete", (W.ACTIVE,), W.COMPLETED, "sponsor", EXE, guards.work_order_completable),
        "terminate": Transition("terminate", (W.SIGNED, W.ACTIVE), W.TERMINATED, "sponsor", SIGN),
        "cancel": Transition("cancel", (W.DRAFT, W.SENT, W.PROVIDER_SIGNED), W.CANCELLED, "sponsor", EXE),
    },
    past={
        "send": "sent",
        "return": "returned",
        "provider_sign": "signed by the provider",
        "sponsor_sign": "signed by the sponsor",
        "activate": "activated",
        "complete": "completed",
        "terminate": "terminated",
        "cancel": "cancelled",
    },
)

MILESTONE: Machine[Any] = Machine(
    noun="milestone",
    labels=MilestoneStatus,
    transitions={
        "report": Transition("report", (M.PLANNED, M.REJECTED), M.REPORTED, "provider", EXE, guards.work_active),
        "accept": Transition("accept", (M.REPORTED,), M.ACCEPTED, "sponsor", EXE, guards.work_active),
        "reject": Transition("reject", (M.REPORTED,), M.REJECTED, "sponsor", EXE, guards.work_active),
    },
    past={"report": "reported done", "accept": "accepted", "reject": "rejected"},
)

CHANGE_ORDER: Machine[Any] = Machine(
    noun="change order",
    labels=ChangeOrderStatus,
    transitions={
        "propose": Transition("propose", (C.DRAFT,), C.PROPOSED, "proposer", SIGN, guards.change_order_applicable),
        "execute": Transition(
            "execute", (C.PROPOSED,), C.EXECUTED, "counterparty", SIGN, guards.change_order_applicable
        ),
        "reject": Transition("reject", (C.PROPOSED,), C.REJECTED, "counterparty", EXE),
        "withdraw": Transition("withdraw", (C.DRAFT, C.PROPOSED), C.WITHDRAWN, "proposer", EXE),
    },
    past={"propose": "proposed", "execute": "signed", "reject": "rejected", "withdraw": "withdrawn"},
)

INVOICE: Machine[Any] = Machine(
    noun="invoice",
    labels=InvoiceStatus,
    transitions={
        "approve": Transition("approve", (INV.SUBMITTED,), INV.APPROVED, "sponsor", FIN, guards.invoice_within_limits),
        "dispute": Transition("dispute", (INV.SUBMITTED,), INV.DISPUTED, "sponsor", FIN),
        "resubmit": Transition("resubmit", (INV.DISPUTED,), INV.SUBMITTED, "provider", FIN),
        "pay": Transition("pay", (INV.APPROVED,), INV.PAID, "sponsor", FIN),
        "withdraw": Transition("withdraw", (INV.SUBMITTED, INV.DISPUTED), INV.WITHDRAWN, "provider", FIN),
    },
    past={
        "approve": "approved",
        "dispute": "disputed",
        "resubmit": "resubmitted",
        "pay": "marked paid",
        "withdraw": "withdrawn",
    },
)

AGREEMENT: Machine[Any] = Machine(
    noun="master agreement",
    labels=AgreementStatus,
    transitions={
        "send": Transition("send", (A.DRAFT,), A.SENT, "sponsor", SIGN, guards.agreement_sendable),
        "provider_sign": Transition("provider_sign", (A.SENT,), A.PROVIDER_SIGNED, "provider", SIGN),
        "sponsor_sign": Transition(
            "sponsor_sign", (A.PROVIDER_SIGNED,), A.SIGNED, "sponsor", SIGN, guards.agreement_countersignable
        ),
        "terminate": Transition("terminate", (A.SIGNED,), A.TERMINATED, "sponsor", SIGN),
    },
    past={
        "send": "sent",
        "provider_sign": "signed by the provider",
        "sponsor_sign": "signed by the sponsor",
        "terminate": "terminated",
    },
)
