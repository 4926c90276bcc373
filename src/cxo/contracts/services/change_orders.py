"""Change orders: drafted by either party against the current baseline, signed by the proposer (proposed), then
by the other party (executed: the work order takes the new terms and the next baseline is written)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cxo.contracts.content import change_order_content, terms_diff, terms_read, work_order_content
from cxo.contracts.limits import terms_check
from cxo.contracts.models import Baseline, ChangeOrder, ChangeOrderStatus, WorkOrder, WorkOrderStatus
from cxo.contracts.services.common import (
    audit_work_order,
    notify,
    password_given,
    record_side,
    work_order_url,
)
from cxo.contracts.services.terms import TermsInput, terms_apply, terms_build
from cxo.contracts.states import CHANGE_ORDER, Side
from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.roles import Permission
from cxo.core.signatures import content_sha256, signature_matches, signature_reauthenticate, signature_sign

CHANGE_ORDER_MEANING = "change order agreed"


def _party(actor: User, organisation: Organisation, work_order: WorkOrder, permission: Permission) -> str:
    return record_side(
        actor=actor, organisation=organisation, record=work_order, permission=permission, what="work order"
    )


def _role(change_order: ChangeOrder, organisation: Organisation) -> Side:
    return "proposer" if change_order.proposed_by_organisation_id == organisation.pk else "counterparty"


@transaction.atomic
def change_order_create(
    *, actor: User, organisation: Organisation, work_order: WorkOrder, title: str, reason: str, terms: TermsInput
) -> ChangeOrder:
    """Draft a change of the active work order's terms (either party); nothing changes until both have signed."""
    _party(actor, organisation, work_order, Permission.MANAGE_EXECUTION)
    work_order = (
        WorkOrder.objects.for_organisation(work_order.organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("organisation", "provider")
        .get(pk=work_order.pk)
    )
    if work_order.status != WorkOrderStatus.ACTIVE:
        raise Conflict("A change order applies to an active work order.")
    title, reason = title.strip(), reason.strip()
    if not title:
        raise ServiceError("Give the change order a title.", field="title")
    if not reason:
        raise ServiceError("Give the reason for the change.", field="reason")
    proposed = terms_build(work_order=work_order, data=terms)
    terms_check(work_order=work_order, terms=terms_read(proposed))
    number = work_order.change_orders.count() + 1
    change_order = ChangeOrder.objects.create(
        work_order=work_order,
        number=number,
        title=title,
        reason=reason,
        proposed_by_organisation=organisation,
        created_by=actor,
        base_number=work_order.baseline_number or 0,
        proposed=proposed,
    )
    base = work_order.baselines.filter(number=change_order.base_number).first()
    if base is not None and terms_diff(terms_read(base.content), terms_read(proposed)).is_empty:
        raise ServiceError("The change order changes nothing: change a line, a milestone, the scope or the dates.")
    # A draft is the proposer's alone: it goes to the proposer's trail; both trails have every step from proposal on.
    audit_record(
        actor=actor,
        organisation=organisation,
        action="change_order.create",
        obj=change_order,
        changes={"total": [str(work_order.budget_total), proposed["total"]]},
        reason=reason,
    )
    return change_order


def _lock(change_order: ChangeOrder) -> ChangeOrder:
    return (
        ChangeOrder.objects.for_organisation(change_order.work_order.organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("work_order__organisation", "work_order__provider", "proposed_by_organisation")
        .get(pk=change_order.pk)
    )


def _base_sha256(change_order: ChangeOrder) -> str:
    base = change_order.work_order.baselines.filter(number=change_order.base_number).first()
    return base.content_sha256 if base is not None else ""


def change_order_sign(
    *,
    actor: User,
    organisation: Organisation,
    change_order: ChangeOrder,
    password: str,
    meaning: str = CHANGE_ORDER_MEANING,
) -> ChangeOrder:
    """Sign the change order for ``organisation``: the proposer's signature proposes it, the other party's executes
    it (the new terms apply and become the next baseline). Both are bound to the same content hash."""
    verb = "propose" if _role(change_order, organisation) == "proposer" else "execute"
    _party(actor, organisation, change_order.work_order, Permission.SIGN_CONTRACT)
    password_given(password)
    reauthentication = signature_reauthenticate(user=actor, password=password, organisation=organisation)
    with transaction.atomic():
        change_order = _lock(change_order)
        work_order = change_order.work_order
        if change_order.status == ChangeOrderStatus.DRAFT and verb == "execute":
            raise Conflict("The change order is still a draft of the other party: it signs it first.")
        old, new = CHANGE_ORDER.apply(change_order, verb, side=_role(change_order, organisation))
        content = change_order_content(change_order, base_sha256=_base_sha256(change_order))
        if verb == "execute":
            first = change_order.sponsor_signature or change_order.provider_signature
            if first is None or not signature_matches(signature=first, content=content):
                raise Conflict("The change order changed after it was proposed: it cannot be signed.")
        signature = signature_sign(
            user=actor,
            reauthentication=reauthentication,
            meaning=meaning,
            content=content,
            organisation=organisation,
            obj=change_order,
        )
        change_order.content_sha256 = signature.content_sha256
        if organisation.pk == work_order.organisation_id:
            change_order.sponsor_signature = signature
        else:
            change_order.provider_signature = signature
        if verb == "propose":
            change_order.proposed_at = timezone.now()
        else:
            change_order.decided_at = timezone.now()
            _execute(change_order)
        change_order.save()
        audit_work_order(
            actor=actor,
            work_order=work_order,
            action=f"change_order.{verb}",
            obj=change_order,
            changes={"status": [old, new], "content_sha256": [None, signature.content_sha256]},
        )
        party = work_order.provider if organisation.pk == work_order.organisation_id else work_order.organisation
        notify(
            organisation=party,
            permission=Permission.SIGN_CONTRACT,
            title=(
                f"{organisation.name} proposes {change_order.code} on {work_order.reference}: sign or reject it"
                if verb == "propose"
                else f"{change_order.code} on {work_order.reference} is signed by both and applies"
            ),
            body=change_order.reason,
            url=work_order_url(work_order, party, f"change-order-{change_order.pk}"),
        )
    return change_order


def _execute(change_order: ChangeOrder) -> None:
    work_order = (
        WorkOrder.objects.for_organisation(change_order.work_order.organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("organisation", "provider", "agreement", "site", "service")
        .get(pk=change_order.work_order_id)
    )
    terms_apply(work_order=work_order, terms=change_order.proposed)
    work_order.baseline_number = (work_order.baseline_number or 0) + 1
    work_order.save()
    content = work_order_content(work_order)
    Baseline.objects.create(
        work_order=work_order,
        number=work_order.baseline_number,
        label=f"{change_order.code} {change_order.title}",
        change_order=change_order,
        total=work_order.budget_total,
        content=content,
        content_sha256=content_sha256(content),
    )
    change_order.work_order = work_order


def _decide(
    *, actor: User, organisation: Organisation, change_order: ChangeOrder, verb: str, reason: str
) -> ChangeOrder:
    reason = reason.strip()
    if verb == "reject" and not reason:
        raise ServiceError("Say why the change order is rejected.", field="reason")
    _party(actor, organisation, change_order.work_order, CHANGE_ORDER.transitions[verb].permission)
    change_order = _lock(change_order)
    if change_order.status == ChangeOrderStatus.DRAFT and _role(change_order, organisation) != "proposer":
        raise NotFound("No such change order.")
    old, new = CHANGE_ORDER.apply(change_order, verb, side=_role(change_order, organisation))
    change_order.decided_at = timezone.now()
    change_order.decision_reason = reason
    change_order.save()
    work_order = change_order.work_order
    audit_work_order(
        actor=actor,
        work_order=work_order,
        action=f"change_order.{verb}",
        obj=change_order,
        changes={"status": [old, new]},
        reason=reason,
    )
    if old != ChangeOrderStatus.DRAFT:
        party = work_order.provider if organisation.pk == work_order.organisation_id else work_order.organisation
        notify(
            organisation=party,
            permission=Permission.MANAGE_EXECUTION,
            title=f"{change_order.code} on {work_order.reference} was {CHANGE_ORDER.past[verb]}",
            body=reason,
            url=work_order_url(work_order, party, f"change-order-{change_order.pk}"),
        )
    return change_order


@transaction.atomic
def change_order_reject(
    *, actor: User, organisation: Organisation, change_order: ChangeOrder, reason: str
) -> ChangeOrder:
    """The other party refuses the proposed change, saying why."""
    return _decide(actor=actor, organisation=organisation, change_order=change_order, verb="reject", reason=reason)


@transaction.atomic
def change_order_withdraw(
    *, actor: User, organisation: Organisation, change_order: ChangeOrder, reason: str = ""
) -> ChangeOrder:
    """The proposer takes its change order back before the other party signs it."""
    return _decide(actor=actor, organisation=organisation, change_order=change_order, verb="withdraw", reason=reason)
