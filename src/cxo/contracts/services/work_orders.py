"""Work orders: drafted from an award, edited by the sponsor, sent, returned or countersigned by the provider,
signed by the sponsor (the original baseline), activated, completed, terminated early or cancelled."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cxo.contracts.content import work_order_content
from cxo.contracts.models import (
    Baseline,
    BudgetLine,
    MasterAgreement,
    Milestone,
    WorkOrder,
    WorkOrderStatus,
)
from cxo.contracts.services.common import (
    audit_work_order,
    notify,
    other_party,
    password_given,
    record_side,
    work_order_url,
)
from cxo.contracts.services.terms import TermsInput, terms_apply, terms_build
from cxo.contracts.states import WORK_ORDER, Side
from cxo.core.audit import diff, snapshot
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.money import ZERO, money_display, money_round, money_str
from cxo.core.roles import Permission
from cxo.core.signatures import signature_reauthenticate, signature_sign
from cxo.registry.models import Site, Term
from cxo.sourcing.models import Award

WORK_ORDER_MEANING = "work order agreed"
EDITABLE = ("title", "agreement", "site", "service", "time_and_materials", "scope", "start_date", "end_date")


def _lock(work_order: WorkOrder, organisation: Organisation) -> WorkOrder:
    """The row locked, as ``organisation`` may see it: a draft is not the provider's (NotFound)."""
    locked = (
        WorkOrder.objects.for_party(organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("organisation", "provider", "agreement", "site", "service", "provider_signature")
        .filter(pk=work_order.pk)
        .first()
    )
    if locked is None:
        raise NotFound("No such work order.")
    return locked


def _side(actor: User, organisation: Organisation, work_order: WorkOrder, verb: str) -> Side:
    return record_side(
        actor=actor,
        organisation=organisation,
        record=work_order,
        permission=WORK_ORDER.transitions[verb].permission,
        what="work order",
    )


def work_order_reference(rfp_reference: str) -> str:
    """The work order's reference from its RFP's: RFP-2026-001 gives WO-2026-001 (any other, WO-<it>)."""
    return "WO-" + rfp_reference.removeprefix("RFP-")


def _even_shares(count: int) -> list[Decimal]:
    """Percentages of the budget for ``count`` milestones: equal, the last taking what rounding leaves."""
    if count == 0:
        return []
    share = (Decimal(100) / count).quantize(Decimal("0.001"))
    return [share] * (count - 1) + [Decimal(100) - share * (count - 1)]


@transaction.atomic
def work_order_create_from_award(*, actor: User, award: Award) -> WorkOrder:
    """A draft work order for the awarded provider: budget lines from the priced bid grid, milestones from its
    timeline (paying equal shares of the budget until the sponsor edits them), the programme and service of the
    RFP's need. Runs in the award's transaction."""
    version = award.version
    rfp = award.rfp
    cur = version.currency
    lines = list(version.lines.select_related("line_item").filter(unit_price__isnull=False))
    need = rfp.need
    service_codes = (need.criteria or {}).get("services") or []
    service = Term.objects.filter(code=service_codes[0]).first() if service_codes else None
    proposed = list(version.milestones.all())
    work_order = WorkOrder.objects.create(
        organisation=award.organisation,
        provider=award.proposal.provider,
        award=award,
        programme=need.programme,
        service=service,
        reference=work_order_reference(rfp.reference),
        title=rfp.title,
        scope=rfp.scope,
        currency=cur,
        budget_total=ZERO,
        end_date=max((m.due_date for m in proposed), default=None),
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            work_order=work_order,
            key=f"L{i + 1}",
            position=i,
            description=ln.line_item.description,
            unit=ln.line_item.unit,
            quantity=ln.quantity,
            unit_price=money_round(ln.unit_price or ZERO, cur),
            amount=money_round(ln.amount or ZERO, cur),
        )
        for i, ln in enumerate(lines)
    )
    total = sum((money_round(ln.amount or ZERO, cur) for ln in lines), ZERO)
    shares = _even_shares(len(proposed))
    amounts = [money_round(total * share / 100, cur) for share in shares]
    if amounts:  # the last share takes what rounding leaves: together they pay the budget
        amounts[-1] = total - sum(amounts[:-1], ZERO)
    Milestone.objects.bulk_create(
        Milestone(
            work_order=work_order,
            key=f"M{i + 1}",
            position=i,
            name=m.name,
            due_date=m.due_date,
            percent=share,
            amount=amount,
        )
        for i, (m, share, amount) in enumerate(zip(proposed, shares, amounts, strict=True))
    )
    work_order.budget_total = total
    work_order.save(update_fields=["budget_total"])
    changes = {"budget_total": [None, money_str(total, cur)], "provider": [None, work_order.provider.name]}
    audit_work_order(actor=actor, work_order=work_order, action="work_order.create", changes=changes)
    return work_order


@transaction.atomic
def work_order_update(
    *,
    actor: User,
    organisation: Organisation,
    work_order: WorkOrder,
    terms: TermsInput,
    title: str | None = None,
    agreement_id: int | None = None,
    site_id: int | None = None,
    time_and_materials: bool | None = None,
) -> WorkOrder:
    """Edit the draft (the sponsor only): title, agreement, site, time and materials, and its terms."""
    side = record_side(
        actor=actor,
        organisation=organisation,
        record=work_order,
        permission=Permission.MANAGE_EXECUTION,
        what="work order",
    )
    work_order = _lock(work_order, organisation)
    if side != "sponsor":
        raise ServiceError("Only the sponsor edits a work order; propose a change order once it is active.")
    if work_order.status != WorkOrderStatus.DRAFT:
        raise ServiceError(
            f"The work order is {work_order.get_status_display().lower()}: only a draft is edited "
            "(an active one changes through a change order)."
        )
    cur = work_order.currency
    before = {**snapshot(work_order, EDITABLE), "budget_total": money_str(work_order.budget_total, cur)}
    if title is not None:
        if not title.strip():
            raise ServiceError("Give the work order a title.", field="title")
        work_order.title = title.strip()
    if agreement_id is not None:
        work_order.agreement = _agreement_for(work_order, agreement_id)
    if site_id is not None:
        work_order.site = _site_for(work_order, site_id)
    if time_and_materials is not None:
        work_order.time_and_materials = time_and_materials
    terms_apply(work_order=work_order, terms=terms_build(work_order=work_order, data=terms))
    work_order.save()
    after = {**snapshot(work_order, EDITABLE), "budget_total": money_str(work_order.budget_total, cur)}
    audit_work_order(actor=actor, work_order=work_order, action="work_order.update", changes=diff(before, after))
    return work_order


def _agreement_for(work_order: WorkOrder, agreement_id: int) -> MasterAgreement | None:
    """0 clears it; else one of the sponsor's agreements with this provider, in the work order's currency."""
    if agreement_id == 0:
        return None
    agreement = (
        MasterAgreement.objects.for_organisation(work_order.organisation)
        .filter(pk=agreement_id, provider=work_order.provider)
        .first()
    )
    if agreement is None:
        raise ServiceError("No such master agreement with this provider.", field="agreement")
    return agreement


def _site_for(work_order: WorkOrder, site_id: int) -> Site | None:
    if site_id == 0:
        return None
    site = Site.objects.filter(pk=site_id, organisation=work_order.provider).first()
    if site is None:
        raise ServiceError(f"No such site of {work_order.provider.name}.", field="site")
    return site


def _step(
    *, actor: User, organisation: Organisation, work_order: WorkOrder, verb: str, reason: str = ""
) -> tuple[WorkOrder, Side, str, str]:
    side = _side(actor, organisation, work_order, verb)
    work_order = _lock(work_order, organisation)
    old, new = WORK_ORDER.apply(work_order, verb, side=side)
    return work_order, side, old, new


@transaction.atomic
def work_order_send(*, actor: User, organisation: Organisation, work_order: WorkOrder) -> WorkOrder:
    """Send the draft to the provider, who sees it from now on and countersigns or returns it."""
    work_order, _, old, new = _step(actor=actor, organisation=organisation, work_order=work_order, verb="send")
    work_order.sent_at = timezone.now()
    work_order.return_comment = ""
    work_order.save()
    audit_work_order(actor=actor, work_order=work_order, action="work_order.send", changes={"status": [old, new]})
    cur = work_order.currency
    notify(
        organisation=work_order.provider,
        permission=Permission.SIGN_CONTRACT,
        title=f"{work_order.organisation.name} sent you work order {work_order.reference} to sign",
        body=f"“{work_order.title}”, {cur} {money_display(work_order.budget_total, cur)}.",
        url=work_order_url(work_order, work_order.provider),
    )
    return work_order


@transaction.atomic
def work_order_return(*, actor: User, organisation: Organisation, work_order: WorkOrder, comment: str) -> WorkOrder:
    """The provider sends the work order back to the sponsor's draft, saying what should change."""
    comment = comment.strip()
    if not comment:
        raise ServiceError("Say what should change before returning the work order.", field="comment")
    work_order, _, old, new = _step(actor=actor, organisation=organisation, work_order=work_order, verb="return")
    work_order.return_comment = comment
    work_order.save()
    audit_work_order(
        actor=actor, work_order=work_order, action="work_order.return", changes={"status": [old, new]}, reason=comment
    )
    notify(
        organisation=work_order.organisation,
        permission=Permission.MANAGE_EXECUTION,
        title=f"{work_order.provider.name} returned work order {work_order.reference}",
        body=comment,
        url=work_order_url(work_order, work_order.organisation),
    )
    return work_order


def work_order_sign(
    *,
    actor: User,
    organisation: Organisation,
    work_order: WorkOrder,
    password: str,
    meaning: str = WORK_ORDER_MEANING,
) -> WorkOrder:
    """Sign the work order for ``organisation``: the provider countersigns what was sent, then the sponsor signs,
    which makes its terms the original baseline. The password is checked first (outside the transaction, so a
    wrong one stays in the audit trail); both signatures are bound to the same content hash."""
    verb = "provider_sign" if organisation.pk == work_order.provider_id else "sponsor_sign"
    _side(actor, organisation, work_order, verb)
    password_given(password)
    reauthentication = signature_reauthenticate(user=actor, password=password, organisation=organisation)
    with transaction.atomic():
        work_order, side, old, new = _step(actor=actor, organisation=organisation, work_order=work_order, verb=verb)
        content = work_order_content(work_order)
        signature = signature_sign(
            user=actor,
            reauthentication=reauthentication,
            meaning=meaning,
            content=content,
            organisation=organisation,
            obj=work_order,
        )
        work_order.content_sha256 = signature.content_sha256
        if side == "provider":
            work_order.provider_signature = signature
        else:
            work_order.sponsor_signature = signature
            work_order.signed_at = signature.signed_at
            work_order.baseline_number = 0
            Baseline.objects.create(
                work_order=work_order,
                number=0,
                label="Original (signed by both)",
                total=work_order.budget_total,
                content=content,
                content_sha256=signature.content_sha256,
            )
        work_order.save()
        audit_work_order(
            actor=actor,
            work_order=work_order,
            action="work_order.sign",
            changes={"status": [old, new], "content_sha256": [None, signature.content_sha256]},
        )
        party = other_party(work_order, side)
        notify(
            organisation=party,
            permission=Permission.MANAGE_EXECUTION,
            title=f"{organisation.name} signed work order {work_order.reference}",
            body="It is signed by both: activate it to start the work." if side == "sponsor" else "Sign it to agree.",
            url=work_order_url(work_order, party),
        )
    return work_order


@transaction.atomic
def work_order_activate(*, actor: User, organisation: Organisation, work_order: WorkOrder) -> WorkOrder:
    """Start the work: refused while the agreement is not in force or quality refuses the site (when on record)."""
    work_order, _, old, new = _step(actor=actor, organisation=organisation, work_order=work_order, verb="activate")
    work_order.activated_at = timezone.now()
    work_order.save()
    audit_work_order(actor=actor, work_order=work_order, action="work_order.activate", changes={"status": [old, new]})
    notify(
        organisation=work_order.provider,
        permission=Permission.MANAGE_EXECUTION,
        title=f"Work order {work_order.reference} is active",
        body="Report each milestone with its evidence as it is done.",
        url=work_order_url(work_order, work_order.provider),
    )
    return work_order


@transaction.atomic
def work_order_complete(*, actor: User, organisation: Organisation, work_order: WorkOrder) -> WorkOrder:
    """Close the work order once every milestone is accepted."""
    work_order, _, old, new = _step(actor=actor, organisation=organisation, work_order=work_order, verb="complete")
    work_order.completed_at = timezone.now()
    work_order.save()
    audit_work_order(actor=actor, work_order=work_order, action="work_order.complete", changes={"status": [old, new]})
    return work_order


def _close(*, actor: User, organisation: Organisation, work_order: WorkOrder, verb: str, reason: str) -> WorkOrder:
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give the reason.", field="reason")
    work_order, _, old, new = _step(actor=actor, organisation=organisation, work_order=work_order, verb=verb)
    work_order.closed_at = timezone.now()
    work_order.closed_reason = reason
    work_order.save()
    audit_work_order(
        actor=actor, work_order=work_order, action=f"work_order.{verb}", changes={"status": [old, new]}, reason=reason
    )
    if work_order.sent_at is not None:
        notify(
            organisation=work_order.provider,
            permission=Permission.MANAGE_EXECUTION,
            title=f"Work order {work_order.reference} was {WORK_ORDER.past[verb]}",
            body=reason,
            url=work_order_url(work_order, work_order.provider),
        )
    return work_order


@transaction.atomic
def work_order_terminate(*, actor: User, organisation: Organisation, work_order: WorkOrder, reason: str) -> WorkOrder:
    """End a signed or active work order early, with the reason."""
    return _close(actor=actor, organisation=organisation, work_order=work_order, verb="terminate", reason=reason)


@transaction.atomic
def work_order_cancel(*, actor: User, organisation: Organisation, work_order: WorkOrder, reason: str) -> WorkOrder:
    """Drop a work order before it is signed by both, with the reason."""
    return _close(actor=actor, organisation=organisation, work_order=work_order, verb="cancel", reason=reason)
