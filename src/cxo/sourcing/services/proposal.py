"""Proposals: a provider fills the bid grid and submits; each revision is a new version, until the deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxo.core.bounds import records_check
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import User
from cxo.core.signatures import content_sha256
from cxo.sourcing.models import (
    InvitationStatus,
    Proposal,
    ProposalAnswer,
    ProposalLine,
    ProposalMilestone,
    ProposalVersion,
    RfpInvitation,
    RfpStatus,
)
from cxo.sourcing.services.access import responder_require
from cxo.sourcing.services.documents import DocumentData, document_copy, document_store
from cxo.sourcing.services.invitation import audit_both
from cxo.sourcing.services.notify import sponsor_notify
from cxo.sourcing.services.rfp import rfp_lock

CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineData:
    line_item_id: int
    unit_price: Decimal | None
    quantity: Decimal | None = None
    assumption: str = ""


@dataclass(frozen=True)
class MilestoneData:
    name: str
    due_date: dt.date


@dataclass
class ProposalData:
    lines: list[LineData]
    assumptions: str = ""
    exceptions: str = ""
    timeline_summary: str = ""
    milestones: list[MilestoneData] = field(default_factory=list)
    answers: dict[int, str] = field(default_factory=dict)
    note: str = ""
    documents: list[DocumentData] = field(default_factory=list)
    keep_documents: bool = True


def _deadline_text(deadline: dt.datetime) -> str:
    return f"{timezone.localtime(deadline, dt.UTC):%d %b %Y %H:%M} UTC"


def proposal_submission_refusal(*, invitation: RfpInvitation, now: dt.datetime | None = None) -> str | None:
    """Why the invited provider cannot submit or revise a proposal now, or None if it can (the RFP's state, its
    deadline, a decline). The service refuses with this message; pages ask it before offering the form."""
    rfp = invitation.rfp
    now = now or timezone.now()
    if rfp.status in (RfpStatus.CLOSED, RfpStatus.AWARDED):
        return f"This RFP is {rfp.get_status_display().lower()}: proposals can no longer be submitted or revised."
    if rfp.status != RfpStatus.ISSUED:
        return f"This RFP is {rfp.get_status_display().lower()}: it takes no proposals."
    if rfp.response_deadline is not None and rfp.response_deadline <= now:
        return (
            f"The response deadline ({_deadline_text(rfp.response_deadline)}) has passed: "
            "proposals can no longer be submitted or revised."
        )
    if invitation.status == InvitationStatus.DECLINED:
        return "You declined this invitation, so you cannot submit a proposal."
    return None


def _submission_guard(*, invitation: RfpInvitation, now: dt.datetime) -> None:
    refusal = proposal_submission_refusal(invitation=invitation, now=now)
    if refusal:
        raise Conflict(refusal)


def _clean_lines(
    *, invitation: RfpInvitation, data: ProposalData
) -> list[tuple[Any, LineData, Decimal, Decimal | None]]:
    items = {li.pk: li for li in invitation.rfp.line_items.all()}
    seen: set[int] = set()
    out = []
    for line in data.lines:
        item = items.get(line.line_item_id)
        if item is None:
            raise ServiceError(f"Line {line.line_item_id} is not in this RFP's bid grid.", field="lines")
        if item.pk in seen:
            raise ServiceError(f"Line '{item.description}' is priced twice.", field="lines")
        seen.add(item.pk)
        label = f"line {item.position + 1} ('{item.description}')"
        price = line.unit_price
        if price is not None:
            if price < 0:
                raise ServiceError(f"The unit price of {label} cannot be negative.", field="lines")
            if price != price.quantize(CENT):
                raise ServiceError(f"The unit price of {label} has more than two decimal places.", field="lines")
            if item.assumption_prompt and not line.assumption.strip():
                raise ServiceError(f"State your assumption for {label}: {item.assumption_prompt}.", field="lines")
        quantity = line.quantity if line.quantity is not None else item.quantity
        if quantity <= 0:
            raise ServiceError(f"The quantity of {label} must be more than zero.", field="lines")
        amount = (price * quantity).quantize(CENT, rounding=ROUND_HALF_UP) if price is not None else None
        out.append((item, line, quantity, amount))
    if not any(amount is not None for *_, amount in out):
        raise ServiceError("Price at least one line of the bid grid.", field="lines")
    return out


def proposal_version_content(version: ProposalVersion) -> dict[str, Any]:
    """The version as canonical data: what its checksum covers and what an award signature is bound to."""
    proposal = version.proposal
    return {
        "rfp": proposal.rfp.reference,
        "sponsor": proposal.organisation_id,
        "provider": proposal.provider_id,
        "version": version.number,
        "currency": version.currency,
        "total": str(version.total),
        "lines": [
            {
                "line_item": ln.line_item_id,
                "description": ln.line_item.description,
                "unit": ln.line_item.unit,
                "quantity": str(ln.quantity),
                "unit_price": None if ln.unit_price is None else str(ln.unit_price),
                "amount": None if ln.amount is None else str(ln.amount),
                "assumption": ln.assumption,
            }
            for ln in version.lines.select_related("line_item").order_by("line_item__position", "line_item_id")
        ],
        "assumptions": version.assumptions,
        "exceptions": version.exceptions,
        "timeline_summary": version.timeline_summary,
        "milestones": [{"name": m.name, "due_date": m.due_date.isoformat()} for m in version.milestones.all()],
        "answers": [{"question": a.question_id, "text": a.text} for a in version.answers.all()],
        "documents": [{"name": d.name, "sha256": d.sha256} for d in version.documents.order_by("name", "sha256")],
    }


@transaction.atomic
def proposal_submit(*, actor: User, invitation: RfpInvitation, data: ProposalData) -> ProposalVersion:
    """Submit a proposal, or a revision of it: a new version; earlier versions are kept unchanged.

    Refused after the response deadline, once the RFP is closed, for a declined invitation, and for
    negative unit prices. Line amounts and the total are computed here (Decimal, to the cent).
    """
    responder_require(actor=actor, invitation=invitation)
    rfp = rfp_lock(rfp=invitation.rfp)
    if rfp.status == RfpStatus.DRAFT:
        raise NotFound("No such invitation.")
    invitation = (
        RfpInvitation.objects.for_counterparty(invitation.provider).select_related("provider").get(pk=invitation.pk)
    )
    invitation.rfp = rfp
    now = timezone.now()
    _submission_guard(invitation=invitation, now=now)
    lines = _clean_lines(invitation=invitation, data=data)
    question_ids = set(rfp.questions.values_list("pk", flat=True))
    unknown = set(data.answers) - question_ids
    if unknown:
        raise ServiceError("An answer refers to a question that is not in this RFP.", field="answers")
    for m in data.milestones:
        if not m.name.strip():
            raise ServiceError("Every milestone of the timeline needs a name.", field="milestones")

    if invitation.status == InvitationStatus.INVITED:
        invitation.status, invitation.responded_by, invitation.responded_at = InvitationStatus.ACCEPTED, actor, now
        invitation.save(update_fields=["status", "responded_by", "responded_at"])
    proposal = Proposal.objects.for_counterparty(invitation.provider).select_for_update().filter(rfp=rfp).first()
    created = proposal is None
    if proposal is None:
        proposal = Proposal.objects.create(
            organisation=rfp.organisation, rfp=rfp, provider=invitation.provider, invitation=invitation
        )
    previous = proposal.current_version
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=(previous.number + 1) if previous else 1,
        submitted_by=actor,
        submitted_at=now,
        currency=rfp.currency,
        total=sum((amount for *_, amount in lines if amount is not None), Decimal("0.00")),
        assumptions=data.assumptions.strip(),
        exceptions=data.exceptions.strip(),
        timeline_summary=data.timeline_summary.strip(),
        note=data.note.strip()[:255],
        content_sha256="",
    )
    ProposalLine.objects.bulk_create(
        records_check(
            ProposalLine(
                version=version,
                line_item=item,
                unit_price=line.unit_price,
                quantity=quantity,
                amount=amount,
                assumption=line.assumption.strip(),
            )
            for item, line, quantity, amount in lines
        )
    )
    ProposalAnswer.objects.bulk_create(
        records_check(
            ProposalAnswer(version=version, question_id=qid, text=text.strip())
            for qid, text in sorted(data.answers.items())
        )
    )
    ProposalMilestone.objects.bulk_create(
        records_check(
            ProposalMilestone(version=version, position=i, name=m.name.strip(), due_date=m.due_date)
            for i, m in enumerate(sorted(data.milestones, key=lambda m: m.due_date))
        )
    )
    if previous is not None and data.keep_documents:
        for doc in previous.documents.all():
            document_copy(document=doc, proposal_version=version)
    for doc_data in data.documents:
        document_store(actor=actor, rfp=rfp, data=doc_data, provider=invitation.provider, proposal_version=version)
    version.content_sha256 = content_sha256(proposal_version_content(version))
    version.save(update_fields=["content_sha256"])
    proposal.current_version = version
    proposal.updated_at = now
    proposal.save(update_fields=["current_version", "updated_at"])
    audit_both(
        actor=actor,
        sponsor=rfp.organisation,
        provider=invitation.provider,
        action="proposal.submit" if created else "proposal.revise",
        obj=proposal,
        changes={
            "version": [previous.number if previous else None, version.number],
            "total": [str(previous.total) if previous else None, str(version.total)],
            "content_sha256": [previous.content_sha256 if previous else None, version.content_sha256],
        },
        reason=version.note,
    )
    provider = invitation.provider.name
    total = f"{version.currency} {version.total:,.2f}"
    sponsor_notify(
        rfp=rfp,
        title=f"{provider} submitted a proposal to {rfp.reference}"
        if created
        else f"{provider} revised its proposal to {rfp.reference} (version {version.number})",
        body=f"Total {total}." + (f" What changed: {version.note}" if version.note else ""),
        url=reverse("sourcing:proposal_detail", kwargs={"org": rfp.organisation.slug, "proposal_id": proposal.pk}),
    )
    return version
