"""Work orders and their milestones, change orders, invoices, baselines and documents: reads.

The sponsor sees the work orders it placed, the provider those it received once sent (the work order's
parties); child rows are reached through them. A change order's draft is seen only by the party drafting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cxo.contracts.content import Terms, TermsDiff, terms_diff, terms_read, work_order_terms
from cxo.contracts.models import (
    Baseline,
    ChangeOrder,
    ChangeOrderStatus,
    ContractDocument,
    Invoice,
    InvoiceLine,
    MasterAgreement,
    Milestone,
    WorkOrder,
)
from cxo.contracts.quality import QualityCheck, quality_on_record
from cxo.contracts.states import CHANGE_ORDER, INVOICE, MILESTONE, WORK_ORDER, Side
from cxo.core.errors import NotFound
from cxo.core.models import Membership, Organisation
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can
from cxo.registry.models import Site


def work_order_list(
    *,
    organisation: Organisation,
    rfp_id: int | None = None,
    programme_id: int | None = None,
    status: str | None = None,
) -> QuerySet[WorkOrder]:
    """Work orders the organisation placed (sponsor) or received (provider), newest first, filtered."""
    qs = WorkOrder.objects.for_party(organisation).select_related("organisation", "provider", "award__rfp", "programme")
    if rfp_id is not None:
        qs = qs.filter(award__rfp_id=rfp_id)
    if programme_id is not None:
        qs = qs.filter(programme_id=programme_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def _invoice_lines(organisation: Organisation) -> QuerySet[InvoiceLine]:
    return InvoiceLine.objects.for_party(organisation).select_related("milestone", "invoice")


def _visible_change_orders(organisation: Organisation) -> QuerySet[ChangeOrder]:
    """Change orders of the organisation's work orders, less the other party's drafts."""
    return (
        ChangeOrder.objects.for_party(organisation)
        .exclude(Q(status=ChangeOrderStatus.DRAFT) & ~Q(proposed_by_organisation=organisation))
        .select_related("proposed_by_organisation", "sponsor_signature", "provider_signature", "created_by")
    )


def work_order_get(*, organisation: Organisation, work_order_id: int) -> WorkOrder:
    """One of the organisation's work orders with everything its page shows: budget lines, milestones and their
    evidence, change orders (redacted), invoices with their lines and documents, baselines, signatures."""
    invoices = (
        Invoice.objects.for_party(organisation)
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.for_party(organisation).select_related("milestone"))
        )
        .prefetch_related(Prefetch("documents", queryset=ContractDocument.objects.for_party(organisation)))
    )
    work_order = (
        work_order_list(organisation=organisation)
        .select_related(
            "award__signature",
            "award__version",
            "agreement",
            "site",
            "service",
            "provider_signature",
            "sponsor_signature",
        )
        .prefetch_related(
            "budget_lines",
            Prefetch(
                "milestones",
                queryset=Milestone.objects.for_party(organisation).prefetch_related(
                    Prefetch("documents", queryset=ContractDocument.objects.for_party(organisation))
                ),
            ),
            Prefetch("change_orders", queryset=_visible_change_orders(organisation)),
            Prefetch("invoices", queryset=invoices),
            "baselines",
        )
        .filter(pk=work_order_id)
        .first()
    )
    if work_order is None:
        raise NotFound("No such work order.")
    return work_order


def milestone_get(*, organisation: Organisation, milestone_id: int) -> Milestone:
    milestone = (
        Milestone.objects.for_party(organisation)
        .select_related("work_order__organisation", "work_order__provider")
        .filter(pk=milestone_id)
        .first()
    )
    if milestone is None:
        raise NotFound("No such milestone.")
    return milestone


def change_order_get(*, organisation: Organisation, change_order_id: int) -> ChangeOrder:
    """A change order of one of the organisation's work orders (the other party's draft is not found)."""
    change_order = (
        _visible_change_orders(organisation)
        .select_related("work_order__organisation", "work_order__provider")
        .filter(pk=change_order_id)
        .first()
    )
    if change_order is None:
        raise NotFound("No such change order.")
    return change_order


def invoice_get(*, organisation: Organisation, invoice_id: int) -> Invoice:
    invoice = (
        Invoice.objects.for_party(organisation)
        .select_related("work_order__organisation", "work_order__provider", "work_order__agreement")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.for_party(organisation).select_related("milestone"))
        )
        .prefetch_related(Prefetch("documents", queryset=ContractDocument.objects.for_party(organisation)))
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def contract_document_get(*, organisation: Organisation, document_id: int) -> ContractDocument:
    document = ContractDocument.objects.for_party(organisation).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document


# --- baselines and diffs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineView:
    """The work order's terms as of one baseline (``number`` None: the live draft, not yet signed)."""

    number: int | None
    label: str
    terms: Terms
    numbers: list[int]  # every baseline there is, to choose from

    @property
    def total(self) -> Decimal:
        return self.terms.total


def baseline_view(*, work_order: WorkOrder, number: int | None = None) -> BaselineView:
    """The terms as of baseline ``number`` (default: the current one); the live terms while it is a draft.
    NotFound for a baseline it does not have."""
    baselines: list[Baseline] = list(work_order.baselines.all())
    numbers = [b.number for b in baselines]
    if not baselines:
        if number is not None:
            raise NotFound("The work order has no baselines yet: it is signed by both first.")
        return BaselineView(None, "Not signed yet (the current draft)", terms_read(work_order_terms(work_order)), [])
    wanted = work_order.baseline_number if number is None else number
    chosen = next((b for b in baselines if b.number == wanted), None)
    if chosen is None:
        raise NotFound(f"No baseline {number} on this work order.")
    return BaselineView(chosen.number, chosen.label, terms_read(chosen.content), numbers)


def change_order_diff(*, change_order: ChangeOrder) -> TermsDiff:
    """The change order's terms side by side with the baseline it changes."""
    base = change_order.work_order.baselines.filter(number=change_order.base_number).first()
    before = terms_read(base.content) if base is not None else terms_read(work_order_terms(change_order.work_order))
    return terms_diff(before, terms_read(change_order.proposed))


# --- what the viewer may do now --------------------------------------------------------------------------


@dataclass
class Actions:
    """The steps the viewer's side and role may take now, for the page to offer (and nothing else)."""

    work_order: list[str] = field(default_factory=list)
    milestones: dict[int, list[str]] = field(default_factory=dict)
    change_orders: dict[int, list[str]] = field(default_factory=dict)
    invoices: dict[int, list[str]] = field(default_factory=dict)
    edit: bool = False
    propose_change: bool = False
    invoice: bool = False


def work_order_actions(*, work_order: WorkOrder, membership: Membership) -> Actions:
    """What ``membership``'s organisation may do on the work order now: its state machines and its role decide."""

    def allows(permission: Permission) -> bool:
        return membership_can(membership=membership, permission=permission)

    wo_side: Side = "sponsor" if membership.organisation_id == work_order.organisation_id else "provider"
    side = wo_side
    verbs = WORK_ORDER.actions(work_order, side=wo_side, allows=allows)
    # One "sign" step for whichever side signs next.
    verbs = ["sign" if v in ("provider_sign", "sponsor_sign") else v for v in verbs]
    active = work_order.status == "active"
    out = Actions(
        work_order=verbs,
        edit=side == "sponsor" and work_order.status == "draft" and allows(Permission.MANAGE_EXECUTION),
        propose_change=active and allows(Permission.MANAGE_EXECUTION),
        invoice=side == "provider"
        and work_order.status in ("active", "completed", "terminated")
        and allows(Permission.MANAGE_FINANCE),
    )
    for m in work_order.milestones.all():
        out.milestones[m.pk] = MILESTONE.actions(m, side=wo_side, allows=allows) if active else []
    for co in work_order.change_orders.all():
        role: Side = "proposer" if co.proposed_by_organisation_id == membership.organisation_id else "counterparty"
        co_verbs = CHANGE_ORDER.actions(co, side=role, allows=allows) if active else []
        out.change_orders[co.pk] = ["sign" if v in ("propose", "execute") else v for v in co_verbs]
    for inv in work_order.invoices.all():
        out.invoices[inv.pk] = INVOICE.actions(inv, side=wo_side, allows=allows)
    return out


# --- what activation will ask -----------------------------------------------------------------------------


def work_order_checks(*, work_order: WorkOrder) -> list[QualityCheck]:
    """What quality says of the work order's site and provider today (``not on record`` until quality has rows)."""
    return quality_on_record(
        sponsor=work_order.organisation,
        provider=work_order.provider,
        site=work_order.site,
        service=work_order.service,
        on=timezone.localdate(),
    )


def work_order_choices(*, work_order: WorkOrder) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """For the draft editor: the sponsor's agreements with the provider, and the provider's registry sites."""
    agreements = [
        (a.pk, f"{a.reference} {a.title} ({a.standing.lower()})")
        for a in MasterAgreement.objects.for_organisation(work_order.organisation)
        .filter(provider=work_order.provider)
        .order_by("-effective_date")
    ]
    sites = [
        (site.pk, f"{site.name} ({site.country})" if site.country else site.name)
        for site in Site.objects.filter(organisation=work_order.provider).order_by("name")[:500]
    ]
    return agreements, sites


def work_order_for_viewer(*, membership: Membership, work_order_id: int) -> WorkOrder:
    """:func:`work_order_get` for the API, with what the caller may do (``viewer_actions``) and what quality says
    (``quality_checks``) set on it."""
    work_order = work_order_get(organisation=membership.organisation, work_order_id=work_order_id)
    actions = work_order_actions(work_order=work_order, membership=membership)
    work_order.viewer_actions = actions.work_order  # type: ignore[attr-defined]  # read by WorkOrderOut
    work_order.quality_checks = work_order_checks(work_order=work_order)  # type: ignore[attr-defined]  # the same
    return work_order
