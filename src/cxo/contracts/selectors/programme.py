"""One programme across every partner: its needs, RFPs, work orders and milestones on one timeline, spend against
budget per provider and currency, late items first. The sponsor's own view (a programme is the sponsor's)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from cxo.contracts.charts import Point, SpendBar, TimelineRow, spend_svg, timeline_svg
from cxo.contracts.models import Invoice, InvoiceStatus, Milestone, MilestoneStatus, WorkOrderStatus
from cxo.contracts.selectors.money import MoneyView, money_view
from cxo.core.errors import NotFound
from cxo.core.models import Organisation
from cxo.core.money import ZERO
from cxo.sourcing.models import Need, Programme, Rfp, RfpStatus

_TONE: dict[str, str] = {
    MilestoneStatus.ACCEPTED: "done",
    MilestoneStatus.REPORTED: "waiting",
    MilestoneStatus.PLANNED: "planned",
    MilestoneStatus.REJECTED: "planned",
}


@dataclass(frozen=True)
class LateItem:
    what: str
    detail: str
    due: dt.date
    url: str

    def days_late(self, today: dt.date) -> int:
        return (today - self.due).days


@dataclass(frozen=True)
class SpendChart:
    currency: str
    svg: SafeString


@dataclass(frozen=True)
class ProgrammeView:
    programme: Programme
    today: dt.date
    rows: list[TimelineRow]
    late: list[LateItem]
    money: MoneyView
    timeline: SafeString
    spend: list[SpendChart]


def _rfp_tone(rfp: Rfp, today: dt.date) -> str:
    if rfp.status == RfpStatus.AWARDED:
        return "done"
    if rfp.status == RfpStatus.ISSUED and rfp.response_deadline and rfp.response_deadline.date() < today:
        return "late"
    return "active" if rfp.status in (RfpStatus.ISSUED, RfpStatus.CLOSED) else "planned"


def programme_view(*, organisation: Organisation, programme_id: int) -> ProgrammeView:
    """Everything of the programme with every provider, late first. NotFound outside the sponsor."""
    programme = Programme.objects.for_organisation(organisation).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound("No such programme.")
    today = timezone.localdate()
    org = organisation.slug
    money = money_view(organisation=organisation, programme_id=programme.pk)
    work_orders = [r.work_order for r in money.rows]
    # Plain rows, not model instances: a programme may have thousands of milestones.
    milestones: dict[int, list[tuple[int, str, dt.date, str]]] = defaultdict(list)
    for pk, work_order_id, name, due, status in (
        Milestone.objects.for_organisation(organisation)
        .filter(work_order__programme=programme)
        .order_by("work_order_id", "position", "id")
        .values_list("id", "work_order_id", "name", "due_date", "status")
    ):
        milestones[work_order_id].append((pk, name, due, status))
    needs = list(Need.objects.for_organisation(organisation).filter(programme=programme).order_by("start_by", "id"))
    rfps = list(
        Rfp.objects.for_organisation(organisation)
        .filter(need__programme=programme)
        .exclude(status=RfpStatus.CANCELLED)
        .select_related("award__proposal__provider")
        .order_by("created_at", "id")
    )
    rows: list[TimelineRow] = []
    late: list[LateItem] = []
    for need in needs:
        rows.append(
            TimelineRow(
                "need",
                need.title,
                "need",
                need.start_by,
                need.finish_by,
                "planned",
                reverse("sourcing:need_detail", kwargs={"org": org, "need_id": need.pk}),
            )
        )
    for rfp in rfps:
        award = getattr(rfp, "award", None)
        detail = f"Awarded to {award.proposal.provider.name}" if award is not None else rfp.get_status_display()
        deadline = rfp.response_deadline.date() if rfp.response_deadline else None
        start = (rfp.issued_at or rfp.created_at).date()
        rows.append(
            TimelineRow(
                "rfp",
                f"{rfp.reference} {rfp.title}",
                detail,
                start,
                deadline if deadline and deadline >= start else None,
                _rfp_tone(rfp, today),
                reverse("sourcing:rfp_detail", kwargs={"org": org, "rfp_id": rfp.pk}),
                tuple([Point(rfp.awarded_at.date(), "Awarded", "done")] if rfp.awarded_at else []),
            )
        )
    for w in work_orders:
        url = reverse("contracts:work_order_detail", kwargs={"org": org, "work_order_id": w.pk})
        points = []
        active = w.status == WorkOrderStatus.ACTIVE
        for pk, name, due, status in milestones[w.pk]:
            is_late = active and due < today and status in (MilestoneStatus.PLANNED, MilestoneStatus.REJECTED)
            points.append(Point(due, name, "late" if is_late else _TONE[status]))
            if is_late:
                where = f"{w.reference} · {w.provider.name}"
                late.append(LateItem(f"Milestone “{name}”", where, due, f"{url}#milestone-{pk}"))
        days = [due for _, _, due, _ in milestones[w.pk]]
        start = w.start_date or (w.activated_at.date() if w.activated_at else w.created_at.date())
        end = w.end_date or (max(days) if days else None)
        tone = {"active": "active", "completed": "done", "terminated": "done"}.get(w.status, "planned")
        rows.append(
            TimelineRow(
                "work_order",
                f"{w.reference} {w.title}",
                f"{w.provider.name} · {w.get_status_display()}",
                start,
                end if end and end >= start else None,
                tone,
                url,
                tuple(points),
            )
        )
    overdue = (
        Invoice.objects.for_organisation(organisation)
        .filter(
            work_order__programme=programme,
            status__in=(InvoiceStatus.SUBMITTED, InvoiceStatus.APPROVED),
            due_date__lt=today,
        )
        .select_related("work_order__provider")
    )
    for inv in overdue:
        wo = inv.work_order
        url = reverse("contracts:work_order_detail", kwargs={"org": org, "work_order_id": wo.pk})
        late.append(
            LateItem(
                f"Invoice {inv.number} unpaid",
                f"{wo.reference} · {wo.provider.name}",
                inv.due_date,
                f"{url}#invoice-{inv.pk}",
            )
        )
    rows.sort(key=lambda r: (not r.late, r.start or dt.date.max))
    late.sort(key=lambda i: i.due)
    return ProgrammeView(
        programme=programme,
        today=today,
        rows=rows,
        late=late,
        money=money,
        timeline=timeline_svg(rows, today=today, title=f"Timeline of {programme}") if rows else SafeString(""),
        spend=_spend(money),
    )


def _spend(money: MoneyView) -> list[SpendChart]:
    """Spend against budget per provider, one chart per currency."""
    by: dict[str, dict[str, list[object]]] = defaultdict(dict)
    for row in money.rows:
        f = row.figures
        entry = by[f.currency].setdefault(row.work_order.provider.name, [ZERO, ZERO, ZERO, ZERO])
        for i, value in enumerate((f.budget, f.accepted, f.invoiced, f.paid)):
            entry[i] += value  # type: ignore[operator]  # Decimals
    charts = []
    for currency, providers in sorted(by.items()):
        bars = [SpendBar(name, *values) for name, values in sorted(providers.items())]  # type: ignore[arg-type]
        charts.append(
            SpendChart(currency, spend_svg(bars, currency=currency, title=f"Spend against budget ({currency})"))
        )
    return charts
