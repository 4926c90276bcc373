"""What the provider can invoice on a work order now: accepted milestones with something left to invoice, and
(when the work order allows it) its budget lines as time and materials, each with what is left."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cxo.contracts.limits import Invoiced
from cxo.contracts.models import MilestoneStatus, WorkOrder


@dataclass(frozen=True)
class Invoiceable:
    kind: str  # "milestone" | "line"
    pk: int
    label: str
    open: Decimal  # left to invoice
    unit_price: Decimal | None = None
    unit: str = ""


def invoiceable_for(*, work_order: WorkOrder) -> list[Invoiceable]:
    done = Invoiced(work_order)
    rows = [
        Invoiceable("milestone", m.pk, m.name, m.amount - done.by_milestone[m.pk])
        for m in work_order.milestones.all()
        if m.status == MilestoneStatus.ACCEPTED and m.amount - done.by_milestone[m.pk] > 0
    ]
    if work_order.time_and_materials:
        rows += [
            Invoiceable("line", b.pk, b.description, b.amount - done.by_line[b.pk], b.unit_price, b.unit)
            for b in work_order.budget_lines.all()
            if b.amount - done.by_line[b.pk] > 0
        ]
    return rows
