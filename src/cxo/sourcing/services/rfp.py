"""RFPs: create from a need, edit while draft, issue, close, cancel. Status changes go through ``states``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from cxo.core.audit import audit_record, diff, snapshot
from cxo.core.bounds import records_check
from cxo.core.errors import ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.sourcing.models import (
    Document,
    EvaluationCriterion,
    InvitationOutcome,
    Need,
    Rfp,
    RfpInvitation,
    RfpLineItem,
    RfpQuestion,
    RfpStatus,
)
from cxo.sourcing.services.access import member_require
from cxo.sourcing.services.documents import DocumentData, document_store
from cxo.sourcing.states import rfp_require, rfp_transition

if TYPE_CHECKING:
    from cxo.matching.models import Shortlist

RFP_FIELDS = ("reference", "title", "scope", "deliverables", "timeline", "currency", "response_deadline")

DEFAULT_CRITERIA = [
    ("Price", 35, "Total cost of the bid grid and how clear the assumptions are"),
    ("Technical capability", 30, "Relevant experience, equipment and capacity for this work"),
    ("Quality and compliance", 20, "Regulatory record, quality system, inspection history"),
    ("Timeline", 15, "Proposed schedule against the programme's timeline"),
]


@dataclass(frozen=True)
class LineItemData:
    description: str
    unit: str
    quantity: Decimal
    assumption_prompt: str = ""


@dataclass(frozen=True)
class CriterionData:
    name: str
    weight: int
    description: str = ""


def _next_reference(*, need: Need) -> str:
    year = timezone.now().year
    n = Rfp.objects.for_organisation(need.organisation).filter(reference__startswith=f"RFP-{year}-").count() + 1
    while Rfp.objects.for_organisation(need.organisation).filter(reference=f"RFP-{year}-{n:03d}").exists():
        n += 1
    return f"RFP-{year}-{n:03d}"


def _default_lines(need: Need) -> list[LineItemData]:
    quantity = need.quantity or Decimal("1")
    unit = need.unit or "lot"
    return [
        LineItemData(
            "Project set-up and management", "month", Decimal("6"), "Assumed project team and reporting cadence"
        ),
        LineItemData(need.title, unit, quantity, "Assumed batch size, yield or sample size"),
        LineItemData(
            "Release testing and documentation",
            "batch" if unit in ("batch", "batches") else "lot",
            quantity if unit in ("batch", "batches") else Decimal("1"),
        ),
    ]


def _clean_lines(lines: list[LineItemData]) -> list[LineItemData]:
    for i, line in enumerate(lines, start=1):
        if not line.description.strip():
            raise ServiceError(f"Line {i} of the bid grid needs a description.", field="line_items")
        if not line.unit.strip():
            raise ServiceError(f"Line {i} ('{line.description}') needs a unit.", field="line_items")
        if line.quantity is None or line.quantity <= 0:
            raise ServiceError(f"Line {i} ('{line.description}') needs a quantity above zero.", field="line_items")
    return lines


def _clean_criteria(criteria: list[CriterionData]) -> list[CriterionData]:
    for c in criteria:
        if not c.name.strip():
            raise ServiceError("Every evaluation criterion needs a name.", field="criteria")
        if c.weight < 0 or c.weight > 100:
            raise ServiceError(f"The weight of '{c.name}' must be between 0 and 100.", field="criteria")
    names = [c.name.strip().lower() for c in criteria]
    if len(set(names)) != len(names):
        raise ServiceError("Two evaluation criteria have the same name.", field="criteria")
    return criteria


def _set_children(
    *,
    rfp: Rfp,
    line_items: list[LineItemData] | None,
    questions: list[str] | None,
    criteria: list[CriterionData] | None,
) -> dict[str, list[object]]:
    changes: dict[str, list[object]] = {}
    if line_items is not None:
        before = [f"{li.description} ({li.quantity} {li.unit})" for li in rfp.line_items.all()]
        rfp.line_items.all().delete()
        RfpLineItem.objects.bulk_create(
            records_check(
                [
                    RfpLineItem(
                        rfp=rfp,
                        position=i,
                        description=li.description.strip(),
                        unit=li.unit.strip(),
                        quantity=li.quantity,
                        assumption_prompt=li.assumption_prompt.strip(),
                    )
                    for i, li in enumerate(_clean_lines(line_items))
                ],
                label="Line",
            )
        )
        after = [f"{li.description.strip()} ({li.quantity} {li.unit.strip()})" for li in line_items]
        if before != after:
            changes["line_items"] = [before, after]
    if questions is not None:
        before_q = list(rfp.questions.values_list("text", flat=True))
        rfp.questions.all().delete()
        clean = [q.strip() for q in questions if q.strip()]
        RfpQuestion.objects.bulk_create(
            records_check(RfpQuestion(rfp=rfp, position=i, text=q) for i, q in enumerate(clean))
        )
        if before_q != clean:
            changes["questions"] = [before_q, clean]
    if criteria is not None:
        before_c = [f"{c.name} {c.weight}" for c in rfp.criteria.all()]
        rfp.criteria.all().delete()
        EvaluationCriterion.objects.bulk_create(
            records_check(
                EvaluationCriterion(
                    rfp=rfp, position=i, name=c.name.strip(), weight=c.weight, description=c.description.strip()
                )
                for i, c in enumerate(_clean_criteria(criteria))
            )
        )
        after_c = [f"{c.name.strip()} {c.weight}" for c in criteria]
        if before_c != after_c:
            changes["criteria"] = [before_c, after_c]
    return changes


def _clean_header(*, title: str, currency: str, response_deadline: dt.datetime | None) -> tuple[str, str]:
    title = title.strip()
    if not title:
        raise ServiceError("Give the RFP a title.", field="title")
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ServiceError("The currency is a three-letter ISO code, e.g. USD or EUR.", field="currency")
    if response_deadline is not None and timezone.is_naive(response_deadline):
        raise ServiceError("The response deadline needs a time zone.", field="response_deadline")
    return title, currency


@transaction.atomic
def rfp_create(
    *,
    actor: User,
    need: Need,
    title: str = "",
    reference: str = "",
    scope: str = "",
    deliverables: str = "",
    timeline: str = "",
    currency: str = "USD",
    response_deadline: dt.datetime | None = None,
    line_items: list[LineItemData] | None = None,
    questions: list[str] | None = None,
    criteria: list[CriterionData] | None = None,
) -> Rfp:
    """Start a draft RFP from a need. Without a bid grid or criteria, sensible defaults from the need are used."""
    member_require(actor=actor, organisation=need.organisation, permission=Permission.MANAGE_SOURCING, what="need")
    title, currency = _clean_header(title=title or need.title, currency=currency, response_deadline=response_deadline)
    reference = reference.strip() or _next_reference(need=need)
    if Rfp.objects.for_organisation(need.organisation).filter(reference=reference).exists():
        raise ServiceError(f"Another RFP already has the reference {reference}.", field="reference")
    rfp = Rfp.objects.create(
        organisation=need.organisation,
        need=need,
        reference=reference,
        title=title,
        scope=scope or need.description,
        deliverables=deliverables,
        timeline=timeline or _need_timeline(need),
        currency=currency,
        response_deadline=response_deadline,
        created_by=actor,
    )
    _set_children(
        rfp=rfp,
        line_items=line_items if line_items else _default_lines(need),
        questions=questions if questions is not None else [],
        criteria=criteria if criteria else [CriterionData(n, w, d) for n, w, d in DEFAULT_CRITERIA],
    )
    audit_record(
        actor=actor,
        organisation=rfp.organisation,
        action="rfp.create",
        obj=rfp,
        changes=diff({}, snapshot(rfp, RFP_FIELDS)),
    )
    return rfp


RESPONSE_DAYS = 21  # the deadline a started RFP proposes; the sponsor edits it before issuing


@dataclass(frozen=True)
class RfpStarted:
    """What :func:`rfp_start` made: the draft, the shortlist of the chosen matches, who was invited, who not and why."""

    rfp: Rfp
    shortlist: Shortlist | None = None
    invited: list[RfpInvitation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@transaction.atomic
def rfp_start(*, actor: User, need: Need, provider_ids: Collection[int] = ()) -> RfpStarted:
    """Start a draft RFP from a need with the providers chosen among its matches.

    The chosen matches become a shortlist of the sponsor and are invited to the draft. One
    transaction: if any step is refused, nothing of the others is kept.
    """
    from cxo.sourcing.providers import need_match, need_shortlist
    from cxo.sourcing.services.invitation import invitation_create_from_shortlist

    member_require(actor=actor, organisation=need.organisation, permission=Permission.MANAGE_SOURCING, what="need")
    chosen = [m for m in need_match(need=need, limit=50) if m.organisation.pk in provider_ids] if provider_ids else []
    shortlist = need_shortlist(actor=actor, need=need, matches=chosen) if chosen else None
    rfp = rfp_create(actor=actor, need=need, response_deadline=timezone.now() + dt.timedelta(days=RESPONSE_DAYS))
    if shortlist is None:
        return RfpStarted(rfp=rfp)
    made = invitation_create_from_shortlist(actor=actor, rfp=rfp, shortlist=shortlist)
    return RfpStarted(rfp=rfp, shortlist=shortlist, invited=made.invited, skipped=made.skipped)


def _need_timeline(need: Need) -> str:
    if need.start_by and need.finish_by:
        return f"Start by {need.start_by:%d %b %Y}; complete by {need.finish_by:%d %b %Y}."
    if need.finish_by:
        return f"Complete by {need.finish_by:%d %b %Y}."
    return ""


def rfp_lock(*, rfp: Rfp) -> Rfp:
    """Re-read the RFP with its row locked until the transaction ends (serialises issue, close, award)."""
    return (
        Rfp.objects.for_organisation(rfp.organisation)
        .select_for_update()
        .select_related("organisation", "need")
        .get(pk=rfp.pk)
    )


@transaction.atomic
def rfp_update(
    *,
    actor: User,
    rfp: Rfp,
    title: str,
    scope: str = "",
    deliverables: str = "",
    timeline: str = "",
    currency: str = "USD",
    response_deadline: dt.datetime | None = None,
    line_items: list[LineItemData] | None = None,
    questions: list[str] | None = None,
    criteria: list[CriterionData] | None = None,
) -> Rfp:
    """Edit a draft RFP. Lists given replace the RFP's bid grid, questions or criteria; None leaves them."""
    member_require(actor=actor, organisation=rfp.organisation, permission=Permission.MANAGE_SOURCING)
    rfp = rfp_lock(rfp=rfp)
    rfp_require(rfp, RfpStatus.DRAFT, doing="edit the RFP")
    title, currency = _clean_header(title=title, currency=currency, response_deadline=response_deadline)
    before = snapshot(rfp, RFP_FIELDS)
    rfp.title, rfp.scope, rfp.deliverables, rfp.timeline = title, scope, deliverables, timeline
    rfp.currency, rfp.response_deadline, rfp.updated_at = currency, response_deadline, timezone.now()
    rfp.save()
    changes: dict[str, object] = {**diff(before, snapshot(rfp, RFP_FIELDS))}
    changes.update(_set_children(rfp=rfp, line_items=line_items, questions=questions, criteria=criteria))
    if changes:
        audit_record(actor=actor, organisation=rfp.organisation, action="rfp.update", obj=rfp, changes=changes)
    return rfp


def _rfp_move(*, actor: User, rfp: Rfp, status: str, action: str) -> Rfp:
    """Move the locked RFP to ``status`` (as its state machine allows) and audit it; the caller is atomic."""
    member_require(actor=actor, organisation=rfp.organisation, permission=Permission.MANAGE_SOURCING)
    rfp = rfp_lock(rfp=rfp)
    old, new = rfp_transition(rfp, status)
    rfp.save()
    audit_record(actor=actor, organisation=rfp.organisation, action=action, obj=rfp, changes={"status": [old, new]})
    return rfp


@transaction.atomic
def rfp_issue(*, actor: User, rfp: Rfp) -> Rfp:
    """Issue the RFP: its invitations go out. Needs an invitation, a bid grid, weighted criteria, a future deadline."""
    from cxo.sourcing.services.invitation import invitation_send

    rfp = _rfp_move(actor=actor, rfp=rfp, status=RfpStatus.ISSUED, action="rfp.issue")
    for invitation in rfp.invitations.select_related("provider"):
        invitation_send(invitation=invitation, rfp=rfp)
    return rfp


@transaction.atomic
def rfp_close(*, actor: User, rfp: Rfp) -> Rfp:
    """Close bidding: no proposal is accepted or revised after this."""
    return _rfp_move(actor=actor, rfp=rfp, status=RfpStatus.CLOSED, action="rfp.close")


@transaction.atomic
def rfp_cancel(*, actor: User, rfp: Rfp, reason: str) -> Rfp:
    """Cancel the RFP with a reason; invited providers are told."""
    from cxo.sourcing.services.notify import invitees_notify

    member_require(actor=actor, organisation=rfp.organisation, permission=Permission.MANAGE_SOURCING)
    if not reason.strip():
        raise ServiceError("Say why the RFP is cancelled.", field="reason")
    rfp = rfp_lock(rfp=rfp)
    was_issued = rfp.status != RfpStatus.DRAFT
    old, new = rfp_transition(rfp, RfpStatus.CANCELLED)
    rfp.cancel_reason = reason.strip()
    rfp.save()
    audit_record(
        actor=actor,
        organisation=rfp.organisation,
        action="rfp.cancel",
        obj=rfp,
        changes={"status": [old, new]},
        reason=reason,
    )
    RfpInvitation.objects.for_organisation(rfp.organisation).filter(rfp=rfp).update(outcome=InvitationOutcome.CANCELLED)
    if was_issued:
        invitees_notify(
            rfp=rfp,
            title=f"{rfp.organisation.name} cancelled {rfp.reference}",
            body=f"The RFP “{rfp.title}” was cancelled. Reason: {rfp.cancel_reason}",
        )
    return rfp


@transaction.atomic
def rfp_document_add(*, actor: User, rfp: Rfp, data: DocumentData) -> Document:
    """Attach a document to the RFP (draft or issued); invitees can download it. Stored with its SHA-256."""
    member_require(actor=actor, organisation=rfp.organisation, permission=Permission.MANAGE_SOURCING)
    rfp_require(rfp, RfpStatus.DRAFT, RfpStatus.ISSUED, doing="attach documents")
    document = document_store(actor=actor, rfp=rfp, data=data)
    audit_record(
        actor=actor,
        organisation=rfp.organisation,
        action="rfp.attach",
        obj=document,
        changes={"name": [None, document.name], "sha256": [None, document.sha256], "size": [None, document.size]},
    )
    return document
