"""What may be invoiced and changed: an invoice line within what was accepted and what the budget holds, and a
change order that leaves what is already accepted or invoiced standing. Refusals name the line and the figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Sum

from cxo.contracts.content import Terms
from cxo.contracts.models import InvoiceLine, MilestoneStatus, WorkOrder
from cxo.contracts.models.invoice import INVOICED_STATUSES, Invoice
from cxo.core.errors import Conflict, ServiceError
from cxo.core.money import ZERO, money_display


class Invoiced:
    """What is invoiced on a work order (every invoice not withdrawn), by milestone, by budget line and in all."""

    def __init__(self, work_order: WorkOrder, *, exclude_invoice: Invoice | None = None) -> None:
        qs = InvoiceLine.objects.for_organisation(work_order.organisation).filter(
            invoice__work_order=work_order, invoice__status__in=INVOICED_STATUSES
        )
        if exclude_invoice is not None and exclude_invoice.pk is not None:
            qs = qs.exclude(invoice=exclude_invoice)
        self.by_milestone: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.by_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.total = ZERO
        for row in qs.values("milestone_id", "budget_line_id").annotate(amount=Sum("amount")):
            if row["milestone_id"] is not None:
                self.by_milestone[row["milestone_id"]] += row["amount"]
            if row["budget_line_id"] is not None:
                self.by_line[row["budget_line_id"]] += row["amount"]
            self.total += row["amount"]


def invoice_lines_check(
    *, work_order: WorkOrder, lines: Sequence[InvoiceLine], exclude_invoice: Invoice | None = None
) -> None:
    """Refuse an invoice line above what was accepted (a milestone) or what the budget holds (a time-and-materials
    line), and an invoice that takes the work order past its budget. ``lines`` are unsaved or saved rows."""
    cur = work_order.currency
    if not lines:
        raise ServiceError("An invoice needs at least one line.", field="lines")
    done = Invoiced(work_order, exclude_invoice=exclude_invoice)
    taken: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    for n, line in enumerate(lines, start=1):
        label = f"Line {n} ({line.description})"
        if line.amount <= 0:
            raise ServiceError(f"{label}: the amount must be more than zero.", field="lines")
        if line.milestone is not None:
            m = line.milestone
            if m.work_order_id != work_order.pk:
                raise ServiceError(f"{label}: that milestone is not on this work order.", field="lines")
            if m.status != MilestoneStatus.ACCEPTED:
                raise Conflict(
                    f"{label}: the milestone is {m.get_status_display().lower()}; only an accepted milestone "
                    "can be invoiced."
                )
            taken[("m", m.pk)] += line.amount
            open_ = m.amount - done.by_milestone[m.pk]
            if taken[("m", m.pk)] > open_:
                raise Conflict(
                    f"{label}: {cur} {money_display(line.amount, cur)} is above what was accepted and not yet "
                    f"invoiced ({cur} {money_display(m.amount, cur)} accepted, "
                    f"{cur} {money_display(done.by_milestone[m.pk], cur)} already invoiced)."
                )
        elif line.budget_line is not None:
            b = line.budget_line
            if not work_order.time_and_materials:
                raise Conflict(f"{label}: this work order is invoiced by milestone, not as time and materials.")
            if b.work_order_id != work_order.pk:
                raise ServiceError(f"{label}: that budget line is not on this work order.", field="lines")
            taken[("b", b.pk)] += line.amount
            open_ = b.amount - done.by_line[b.pk]
            if taken[("b", b.pk)] > open_:
                raise Conflict(
                    f"{label}: {cur} {money_display(line.amount, cur)} is above what the budget line holds "
                    f"({cur} {money_display(b.amount, cur)} budgeted, "
                    f"{cur} {money_display(done.by_line[b.pk], cur)} already invoiced)."
                )
        else:
            raise ServiceError(f"{label}: name the accepted milestone or the budget line it invoices.", field="lines")
    total = sum((line.amount for line in lines), ZERO)
    if done.total + total > work_order.budget_total:
        raise Conflict(
            f"This invoice ({cur} {money_display(total, cur)}) takes the work order past its budget of "
            f"{cur} {money_display(work_order.budget_total, cur)} ({cur} {money_display(done.total, cur)} "
            "already invoiced)."
        )


def terms_check(*, work_order: WorkOrder, terms: Terms) -> None:
    """Refuse new terms that undo what is done: a reported or accepted milestone removed or repriced, a milestone
    or line cut below what is invoiced on it, a budget below what is invoiced or scheduled."""
    cur = work_order.currency
    if not terms.lines:
        raise ServiceError("Keep at least one budget line.", field="lines")
    done = Invoiced(work_order)
    new_milestones = {m.key: m for m in terms.milestones}
    for m in work_order.milestones.all():
        after = new_milestones.get(m.key)
        if m.status in (MilestoneStatus.REPORTED, MilestoneStatus.ACCEPTED) and (
            after is None or after.amount != m.amount
        ):
            raise Conflict(f"The milestone '{m.name}' is {m.get_status_display().lower()}: its payment cannot change.")
        invoiced = done.by_milestone.get(m.pk, ZERO)
        if invoiced and (after is None or after.amount < invoiced):
            raise Conflict(
                f"{cur} {money_display(invoiced, cur)} is invoiced on the milestone '{m.name}': it cannot go below."
            )
        if after is None and m.documents.exists():
            raise Conflict(f"The milestone '{m.name}' has evidence on record: it cannot be removed.")
    new_lines = {b.key: b for b in terms.lines}
    for b in work_order.budget_lines.all():
        invoiced = done.by_line.get(b.pk, ZERO)
        after_line = new_lines.get(b.key)
        if invoiced and (after_line is None or after_line.amount < invoiced):
            raise Conflict(
                f"{cur} {money_display(invoiced, cur)} is invoiced on the line '{b.description}': it cannot go below."
            )
    if terms.total < done.total:
        raise Conflict(
            f"The budget ({cur} {money_display(terms.total, cur)}) would be below what is already invoiced "
            f"({cur} {money_display(done.total, cur)})."
        )
    if terms.scheduled > terms.total:
        raise Conflict(
            f"The milestones would pay {cur} {money_display(terms.scheduled, cur)}, more than the budget of "
            f"{cur} {money_display(terms.total, cur)}."
        )
    if terms.start_date and terms.end_date and terms.end_date < terms.start_date:
        raise ServiceError("The end date is before the start date.", field="end_date")
