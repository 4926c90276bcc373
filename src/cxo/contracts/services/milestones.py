"""Milestones: the provider reports one done with its evidence; the sponsor accepts it (it may then be invoiced)
or rejects it with a reason, and the provider reports it again."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from cxo.contracts.models import ContractDocument, DocumentKind, Milestone
from cxo.contracts.services.common import audit_work_order, notify, record_side, work_order_url
from cxo.contracts.states import MILESTONE
from cxo.core.documents import DocumentData, document_fill
from cxo.core.errors import ServiceError
from cxo.core.models import Organisation, User
from cxo.core.money import money_display
from cxo.core.roles import Permission


def _locked(actor: User, organisation: Organisation, milestone: Milestone, verb: str) -> tuple[Milestone, str, str]:
    work_order = milestone.work_order
    side = record_side(
        actor=actor,
        organisation=organisation,
        record=work_order,
        permission=MILESTONE.transitions[verb].permission,
        what="milestone",
    )
    locked = (
        Milestone.objects.for_organisation(work_order.organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("work_order__organisation", "work_order__provider")
        .get(pk=milestone.pk)
    )
    old, new = MILESTONE.apply(locked, verb, side=side)
    return locked, old, new


@transaction.atomic
def milestone_report(
    *,
    actor: User,
    organisation: Organisation,
    milestone: Milestone,
    note: str,
    evidence: Sequence[DocumentData],
) -> Milestone:
    """The provider reports the milestone done, with at least one document as evidence (kept with its checksum)."""
    if not evidence:
        raise ServiceError(
            "Attach the evidence that the milestone is done (a report, a certificate …).", field="evidence"
        )
    milestone, old, new = _locked(actor, organisation, milestone, "report")
    work_order = milestone.work_order
    round_ = ContractDocument.objects.for_organisation(work_order.organisation).filter(milestone=milestone).count()
    for n, data in enumerate(evidence, start=1):
        document = ContractDocument(
            organisation=work_order.organisation,
            provider=work_order.provider,
            kind=DocumentKind.EVIDENCE,
            milestone=milestone,
            version=round_ + n,
            uploaded_by=actor,
        )
        document_fill(document, data, field="evidence")
        document.save()
    milestone.reported_at = timezone.now()
    milestone.reported_by = actor
    milestone.report_note = note.strip()
    milestone.save()
    audit_work_order(
        actor=actor,
        work_order=work_order,
        action="milestone.report",
        obj=milestone,
        changes={"status": [old, new], "evidence": [None, [d.name for d in evidence]]},
        reason=milestone.report_note,
    )
    notify(
        organisation=work_order.organisation,
        permission=Permission.MANAGE_EXECUTION,
        title=f"{work_order.provider.name} reported “{milestone.name}” done ({work_order.reference})",
        body="Review the evidence and accept or reject the milestone.",
        url=work_order_url(work_order, work_order.organisation, f"milestone-{milestone.pk}"),
    )
    return milestone


@transaction.atomic
def milestone_accept(*, actor: User, organisation: Organisation, milestone: Milestone) -> Milestone:
    """The sponsor accepts the reported milestone: its amount is earned and may be invoiced."""
    milestone, old, new = _locked(actor, organisation, milestone, "accept")
    milestone.decided_at = timezone.now()
    milestone.decided_by = actor
    milestone.decision_reason = ""
    milestone.save()
    work_order = milestone.work_order
    audit_work_order(
        actor=actor, work_order=work_order, action="milestone.accept", obj=milestone, changes={"status": [old, new]}
    )
    cur = work_order.currency
    notify(
        organisation=work_order.provider,
        permission=Permission.MANAGE_FINANCE,
        title=f"“{milestone.name}” accepted: {cur} {money_display(milestone.amount, cur)} to invoice",
        body=f"{work_order.organisation.name} accepted the milestone of {work_order.reference}.",
        url=work_order_url(work_order, work_order.provider, f"milestone-{milestone.pk}"),
    )
    return milestone


@transaction.atomic
def milestone_reject(*, actor: User, organisation: Organisation, milestone: Milestone, reason: str) -> Milestone:
    """The sponsor rejects the reported milestone, saying why; the provider can report it again."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the milestone is rejected.", field="reason")
    milestone, old, new = _locked(actor, organisation, milestone, "reject")
    milestone.decided_at = timezone.now()
    milestone.decided_by = actor
    milestone.decision_reason = reason
    milestone.save()
    work_order = milestone.work_order
    audit_work_order(
        actor=actor,
        work_order=work_order,
        action="milestone.reject",
        obj=milestone,
        changes={"status": [old, new]},
        reason=reason,
    )
    notify(
        organisation=work_order.provider,
        permission=Permission.MANAGE_EXECUTION,
        title=f"“{milestone.name}” was not accepted ({work_order.reference})",
        body=reason,
        url=work_order_url(work_order, work_order.provider, f"milestone-{milestone.pk}"),
    )
    return milestone
