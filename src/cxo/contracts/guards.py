"""The guards of the contracts state machines (``cxo.contracts.states``): what must hold before a step.

Each raises a Conflict (or a ServiceError naming the field) with the reason in words; none changes anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from cxo.contracts.content import agreement_content, terms_read, work_order_content
from cxo.contracts.limits import invoice_lines_check, terms_check
from cxo.contracts.models import ContractPolicy, InvoiceLine, MilestoneStatus, WorkOrderStatus
from cxo.contracts.quality import quality_on_record
from cxo.core.errors import Conflict, ServiceError
from cxo.core.money import ZERO, money_display
from cxo.core.signatures import signature_matches

if TYPE_CHECKING:
    from cxo.contracts.models import ChangeOrder, Invoice, MasterAgreement, Milestone, WorkOrder


def policy_requires_agreement(work_order: WorkOrder) -> bool:
    policy = ContractPolicy.objects.for_organisation(work_order.organisation).first()
    return True if policy is None else policy.require_agreement


def work_order_sendable(work_order: WorkOrder) -> None:
    lines = list(work_order.budget_lines.all())
    if not lines:
        raise Conflict("Add at least one budget line before sending the work order.")
    cur = work_order.currency
    total = sum((b.amount for b in lines), ZERO)
    if total <= 0:
        raise Conflict("The work order's budget is zero: price its lines before sending it.")
    milestones = list(work_order.milestones.all())
    scheduled = sum((m.amount for m in milestones), ZERO)
    if scheduled > total:
        raise Conflict(
            f"The milestones pay {cur} {money_display(scheduled, cur)}, more than the budget of "
            f"{cur} {money_display(total, cur)}."
        )
    if work_order.start_date and work_order.end_date and work_order.end_date < work_order.start_date:
        raise ServiceError("The end date is before the start date.", field="end_date")


def _agreement_in_force(work_order: WorkOrder, *, doing: str) -> None:
    """The agreement the work order names must be in force today; the sponsor's policy may require one."""
    agreement = work_order.agreement
    if agreement is None:
        if policy_requires_agreement(work_order):
            raise Conflict(
                f"{work_order.organisation.name} requires a master agreement in force to {doing} a work order: "
                "choose the one with this provider (or change the contract settings)."
            )
        return
    if not agreement.in_force:
        raise Conflict(f"The master agreement {agreement.reference} is not in force ({agreement.standing.lower()}).")


def work_order_signable(work_order: WorkOrder) -> None:
    _agreement_in_force(work_order, doing="sign")


def work_order_countersignable(work_order: WorkOrder) -> None:
    _agreement_in_force(work_order, doing="sign")
    signature = work_order.provider_signature
    if signature is None or not signature_matches(signature=signature, content=work_order_content(work_order)):
        raise Conflict("The work order changed after the provider signed it: send it again for signature.")


def work_order_activatable(work_order: WorkOrder) -> None:
    _agreement_in_force(work_order, doing="activate")
    refusals = [
        f"{check.subject}: {check.label}"
        for check in quality_on_record(
            sponsor=work_order.organisation,
            provider=work_order.provider,
            site=work_order.site,
            service=work_order.service,
            on=timezone.localdate(),
        )
        if check.refused
    ]
    if refusals:
        raise Conflict("The work order cannot be activated: " + "; ".join(refusals) + ".")


def work_order_completable(work_order: WorkOrder) -> None:
    open_ = [m.name for m in work_order.milestones.all() if m.status != MilestoneStatus.ACCEPTED]
    if open_:
        raise Conflict(f"Accept every milestone before completing the work order (open: {', '.join(open_)}).")


def work_active(milestone: Milestone) -> None:
    if milestone.work_order.status != WorkOrderStatus.ACTIVE:
        state = milestone.work_order.get_status_display().lower()
        raise Conflict(f"Milestones are reported and accepted while the work order is active (it is {state}).")


def change_order_applicable(change_order: ChangeOrder) -> None:
    work_order = change_order.work_order
    if work_order.status != WorkOrderStatus.ACTIVE:
        raise Conflict("A change order applies to an active work order.")
    if change_order.base_number != work_order.baseline_number:
        raise Conflict(
            f"The work order's baseline changed since this change order was drafted (it changes baseline "
            f"{change_order.base_number}, the current one is {work_order.baseline_number}): draft it again."
        )
    terms_check(work_order=work_order, terms=terms_read(change_order.proposed))


def invoice_within_limits(invoice: Invoice) -> None:
    lines = list(InvoiceLine.objects.for_organisation(invoice.work_order.organisation).filter(invoice=invoice))
    invoice_lines_check(work_order=invoice.work_order, lines=lines, exclude_invoice=invoice)


def agreement_sendable(agreement: MasterAgreement) -> None:
    if not agreement.documents.exists():
        raise Conflict("Attach the agreement's document before sending it for signature.")


def agreement_countersignable(agreement: MasterAgreement) -> None:
    signature = agreement.provider_signature
    if signature is None or not signature_matches(signature=signature, content=agreement_content(agreement)):
        raise Conflict("The agreement changed after the provider signed it.")
