"""What needs an organisation now on its contracts, for its home page: late milestones, milestones to report or to
accept, invoices to send, to approve or in dispute, and what waits for its signature. Both sides' lists come from
here (``docs/contracts.md`` → Home pages), in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from cxo.contracts.models import (
    AgreementStatus,
    ChangeOrder,
    ChangeOrderStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    MasterAgreement,
    Milestone,
    MilestoneStatus,
    WorkOrder,
    WorkOrderStatus,
)
from cxo.contracts.models.invoice import INVOICED_STATUSES
from cxo.core.models import Organisation
from cxo.core.money import ZERO, money_display

SOON = dt.timedelta(days=14)


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # late | report | accept | invoice | approve | dispute | sign
    title: str
    detail: str
    url: str
    due: dt.date | None = None

    @property
    def late(self) -> bool:
        return self.kind == "late"


@dataclass
class Agenda:
    items: list[AgendaItem] = field(default_factory=list)

    def of(self, kind: str) -> list[AgendaItem]:
        return [i for i in self.items if i.kind == kind]

    @property
    def late(self) -> list[AgendaItem]:
        return self.of("late")


def _wo_url(org: Organisation, work_order_id: int, anchor: str = "") -> str:
    url = reverse("contracts:work_order_detail", kwargs={"org": org.slug, "work_order_id": work_order_id})
    return f"{url}#{anchor}" if anchor else url


def agenda_for(*, organisation: Organisation, today: dt.date | None = None) -> Agenda:
    """The organisation's contracts to-do, late items first; as sponsor and as provider alike."""
    today = today or timezone.localdate()
    org = organisation
    agenda = Agenda()
    milestones = (
        Milestone.objects.for_party(org)
        .filter(work_order__status=WorkOrderStatus.ACTIVE)
        .filter(
            Q(status__in=(MilestoneStatus.PLANNED, MilestoneStatus.REJECTED), due_date__lte=today + SOON)
            | Q(status=MilestoneStatus.REPORTED)
        )
        .select_related("work_order__provider", "work_order__organisation")
        .order_by("due_date", "id")
    )
    for m in milestones:
        wo = m.work_order
        mine = wo.provider_id == org.pk
        who = wo.organisation.name if mine else wo.provider.name
        url = _wo_url(org, wo.pk, f"milestone-{m.pk}")
        if m.status == MilestoneStatus.REPORTED:
            if not mine:
                agenda.items.append(
                    AgendaItem("accept", f"Accept or reject “{m.name}”", f"{wo.reference} · {who}", url, m.due_date)
                )
        elif m.due_date < today:
            days = (today - m.due_date).days
            agenda.items.append(
                AgendaItem("late", f"“{m.name}” is {days} days late", f"{wo.reference} · {who}", url, m.due_date)
            )
        elif mine:
            agenda.items.append(AgendaItem("report", f"Report “{m.name}”", f"{wo.reference} · {who}", url, m.due_date))
    # Accepted milestones with something left to invoice: the provider's invoices to send.
    accepted = list(
        Milestone.objects.for_counterparty(org)
        .filter(status=MilestoneStatus.ACCEPTED)
        .select_related("work_order__organisation")
        .order_by("decided_at", "id")
    )
    invoiced: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        InvoiceLine.objects.for_counterparty(org)
        .filter(milestone_id__in=[m.pk for m in accepted], invoice__status__in=INVOICED_STATUSES)
        .values("milestone_id")
        .annotate(s=Sum("amount"))
    ):
        invoiced[row["milestone_id"]] = row["s"]
    for m in accepted:
        open_ = m.amount - invoiced[m.pk]
        if open_ > 0:
            wo = m.work_order
            agenda.items.append(
                AgendaItem(
                    "invoice",
                    f"Invoice “{m.name}”: {wo.currency} {money_display(open_, wo.currency)}",
                    f"{wo.reference} · {wo.organisation.name}",
                    _wo_url(org, wo.pk, "invoices"),
                )
            )
    for inv in (
        Invoice.objects.for_party(org)
        .filter(status__in=(InvoiceStatus.SUBMITTED, InvoiceStatus.DISPUTED))
        .select_related("work_order__organisation", "work_order__provider")
        .order_by("due_date", "id")
    ):
        wo = inv.work_order
        amount = f"{inv.currency} {money_display(inv.total, inv.currency)}"
        url = _wo_url(org, wo.pk, f"invoice-{inv.pk}")
        if wo.organisation_id == org.pk and inv.status == InvoiceStatus.SUBMITTED:
            agenda.items.append(
                AgendaItem(
                    "approve",
                    f"Invoice {inv.number}: {amount}",
                    f"{wo.reference} · {wo.provider.name}",
                    url,
                    inv.due_date,
                )
            )
        elif wo.provider_id == org.pk and inv.status == InvoiceStatus.DISPUTED:
            agenda.items.append(
                AgendaItem("dispute", f"Invoice {inv.number} is disputed", inv.dispute_reason[:120], url, inv.due_date)
            )
    _signatures(agenda, org)
    agenda.items.sort(key=lambda i: (not i.late, i.due or dt.date.max))
    return agenda


def _signatures(agenda: Agenda, org: Organisation) -> None:
    """Work orders, change orders and agreements waiting for this organisation's signature."""
    waiting = WorkOrder.objects.for_party(org).filter(
        Q(organisation=org, status=WorkOrderStatus.PROVIDER_SIGNED) | Q(provider=org, status=WorkOrderStatus.SENT)
    )
    for wo in waiting.select_related("organisation", "provider"):
        other = wo.provider.name if wo.organisation_id == org.pk else wo.organisation.name
        agenda.items.append(
            AgendaItem("sign", f"Sign work order {wo.reference}", f"{wo.title} · {other}", _wo_url(org, wo.pk))
        )
    proposed = (
        ChangeOrder.objects.for_party(org)
        .filter(status=ChangeOrderStatus.PROPOSED)
        .exclude(proposed_by_organisation=org)
        .select_related("work_order", "proposed_by_organisation")
    )
    for co in proposed:
        agenda.items.append(
            AgendaItem(
                "sign",
                f"Sign or reject {co.code} on {co.work_order.reference}",
                f"{co.title} · proposed by {co.proposed_by_organisation.name}",
                _wo_url(org, co.work_order_id, f"change-order-{co.pk}"),
            )
        )
    agreements = MasterAgreement.objects.for_party(org).filter(
        Q(organisation=org, status=AgreementStatus.PROVIDER_SIGNED) | Q(provider=org, status=AgreementStatus.SENT)
    )
    for a in agreements.select_related("organisation", "provider"):
        other = a.provider.name if a.organisation_id == org.pk else a.organisation.name
        agenda.items.append(
            AgendaItem(
                "sign",
                f"Sign master agreement {a.reference}",
                f"{a.title} · {other}",
                reverse("contracts:agreement_detail", kwargs={"org": org.slug, "agreement_id": a.pk}),
            )
        )
