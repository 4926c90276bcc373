"""Money views: per work order and in total per currency — budget, committed, accepted (earned), invoiced, paid,
remaining — and the accruals of a month. Computed on the server from a fixed number of grouped queries, so the
page, the API, the XLSX and ``cxo accruals`` read the same figures whatever the number of rows.

Definitions (``docs/contracts.md``): *budget* is the current baseline's total; *committed* is the budget of work
orders signed by both (signed, active, completed) and, for one terminated early, what was accepted; *accepted* is
the amount of accepted milestones plus time-and-materials lines on approved or paid invoices; *invoiced* is every
invoice not withdrawn; *paid* the invoices marked paid; *remaining* is committed less accepted. The *accrual* of a
month is, per accepted milestone, what was accepted by the month's last day and not invoiced by then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from cxo.contracts.models import Invoice, InvoiceLine, InvoiceStatus, Milestone, MilestoneStatus, WorkOrder
from cxo.contracts.models import WorkOrderStatus as S
from cxo.contracts.models.invoice import INVOICED_STATUSES
from cxo.core.errors import ServiceError
from cxo.core.models import Organisation
from cxo.core.money import ZERO

SIGNED_BY_BOTH = (S.SIGNED, S.ACTIVE, S.COMPLETED)
MONEY_FIELDS = (
    "id",
    "organisation_id",
    "provider__name",
    "programme_id",
    "reference",
    "title",
    "status",
    "currency",
    "budget_total",
    "start_date",
    "end_date",
    "created_at",
    "activated_at",
    "sent_at",
)
FIGURES = ("budget", "committed", "accepted", "invoiced", "paid", "remaining", "accrued")


def month_parse(text: str | None) -> dt.date:
    """``YYYY-MM`` as the first day of that month (this month when empty); ServiceError otherwise."""
    if not text:
        return timezone.localdate().replace(day=1)
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise ServiceError(f"'{text}' is not a month: write it YYYY-MM, e.g. 2026-05.", field="month") from exc


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


@dataclass
class Figures:
    currency: str
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    accepted: Decimal = ZERO
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    remaining: Decimal = ZERO
    accrued: Decimal = ZERO

    def add(self, other: Figures) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class MoneyRow:
    work_order: WorkOrder
    figures: Figures
    late: int = 0


@dataclass
class AccrualRow:
    """One accepted milestone with something left to invoice at the month's end."""

    work_order: WorkOrder
    milestone_id: int
    milestone: str
    accepted_on: dt.date
    accepted: Decimal
    invoiced: Decimal

    @property
    def accrued(self) -> Decimal:
        return self.accepted - self.invoiced

    @property
    def currency(self) -> str:
        return self.work_order.currency


@dataclass
class MoneyView:
    month: dt.date
    rows: list[MoneyRow]
    totals: dict[str, Figures]  # by currency, in currency order; never added across currencies
    accruals: list[AccrualRow] = field(default_factory=list)

    @property
    def month_end(self) -> dt.date:
        return month_end(self.month)

    @property
    def accrual_totals(self) -> dict[str, Decimal]:
        return {cur: f.accrued for cur, f in self.totals.items()}


def _sums(rows: list[dict[str, object]], key: str = "work_order_id") -> dict[int, Decimal]:
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        out[row[key]] += row["s"] or ZERO  # type: ignore[index, operator]  # values() rows: an id and a Decimal
    return out


def money_view(
    *,
    organisation: Organisation,
    month: dt.date | None = None,
    programme_id: int | None = None,
    work_order_id: int | None = None,
) -> MoneyView:
    """The figures of every work order the organisation is a party to (or of one programme, or one work order),
    with the accruals of ``month`` (default this month), and their totals per currency."""
    month = (month or timezone.localdate()).replace(day=1)
    end = month_end(month)
    today = timezone.localdate()
    # Only what the figures and their tables read: a sponsor may have hundreds of work orders.
    work_orders = (
        WorkOrder.objects.for_party(organisation)
        .exclude(status=S.CANCELLED)
        .select_related("provider")
        .only(*MONEY_FIELDS)
        .order_by("reference", "id")
    )
    if programme_id is not None:
        work_orders = work_orders.filter(programme_id=programme_id)
    if work_order_id is not None:
        work_orders = work_orders.filter(pk=work_order_id)
    work_orders_list = list(work_orders)
    # The child rows of the same work orders, by the same filter (no list of ids: SQLite plans those badly).
    narrow: dict[str, object] = {}
    if programme_id is not None:
        narrow["work_order__programme_id"] = programme_id
    if work_order_id is not None:
        narrow["work_order_id"] = work_order_id
    milestones = Milestone.objects.for_party(organisation).filter(**narrow)
    invoices = Invoice.objects.for_party(organisation).filter(**narrow)
    lines = InvoiceLine.objects.for_party(organisation).filter(**{f"invoice__{k}": v for k, v in narrow.items()})
    accepted = _sums(
        list(milestones.filter(status=MilestoneStatus.ACCEPTED).values("work_order_id").annotate(s=Sum("amount")))
    )
    earned_tm = _sums(
        list(
            lines.filter(budget_line__isnull=False, invoice__status__in=(InvoiceStatus.APPROVED, InvoiceStatus.PAID))
            .values("invoice__work_order_id")
            .annotate(s=Sum("amount"))
        ),
        key="invoice__work_order_id",
    )
    invoiced = _sums(
        list(invoices.filter(status__in=INVOICED_STATUSES).values("work_order_id").annotate(s=Sum("total")))
    )
    paid = _sums(list(invoices.filter(status=InvoiceStatus.PAID).values("work_order_id").annotate(s=Sum("total"))))
    late = {
        r["work_order_id"]: r["n"]
        for r in milestones.filter(
            work_order__status=S.ACTIVE,
            due_date__lt=today,
            status__in=(MilestoneStatus.PLANNED, MilestoneStatus.REJECTED),
        )
        .values("work_order_id")
        .annotate(n=Count("id"))
    }
    # Accruals: accepted by the month's end, less what was invoiced on it by then. Before the next month's first
    # local midnight rather than ``decided_at__date``: a cast of every row's timestamp is slow on SQLite.
    next_month = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    accepted_by_end = list(
        milestones.filter(status=MilestoneStatus.ACCEPTED, decided_at__lt=next_month)
        .values("id", "work_order_id", "name", "amount", "decided_at")
        .order_by("work_order_id", "position", "id")
    )
    invoiced_by_end = _sums(
        list(
            lines.filter(
                milestone__isnull=False,
                invoice__issue_date__lte=end,
                invoice__status__in=INVOICED_STATUSES,
            )
            .values("milestone_id")
            .annotate(s=Sum("amount"))
        ),
        key="milestone_id",
    )
    by_id = {w.pk: w for w in work_orders_list}
    accepted_by_end = [m for m in accepted_by_end if m["work_order_id"] in by_id]  # not of a cancelled one
    accrual_rows = [
        AccrualRow(
            work_order=by_id[m["work_order_id"]],
            milestone_id=m["id"],
            milestone=m["name"],
            accepted_on=timezone.localtime(m["decided_at"]).date(),
            accepted=m["amount"],
            invoiced=min(invoiced_by_end[m["id"]], m["amount"]),
        )
        for m in accepted_by_end
    ]
    accrual_rows = [r for r in accrual_rows if r.accrued > 0]
    accrued = _sums([{"work_order_id": r.work_order.pk, "s": r.accrued} for r in accrual_rows])

    rows: list[MoneyRow] = []
    totals: dict[str, Figures] = {}
    for w in work_orders_list:
        earned = accepted[w.pk] + earned_tm[w.pk]
        committed = w.budget_total if w.status in SIGNED_BY_BOTH else earned if w.status == S.TERMINATED else ZERO
        f = Figures(
            currency=w.currency,
            budget=w.budget_total,
            committed=committed,
            accepted=earned,
            invoiced=invoiced[w.pk],
            paid=paid[w.pk],
            remaining=max(committed - earned, ZERO),
            accrued=accrued[w.pk],
        )
        rows.append(MoneyRow(work_order=w, figures=f, late=late.get(w.pk, 0)))
        totals.setdefault(w.currency, Figures(currency=w.currency)).add(f)
    rows.sort(key=lambda r: (-r.late, r.work_order.reference))
    return MoneyView(month=month, rows=rows, totals=dict(sorted(totals.items())), accruals=accrual_rows)
