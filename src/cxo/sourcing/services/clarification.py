"""Clarification questions: a bidder asks; the sponsor answers privately or publishes to all invitees."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.sourcing.models import Clarification, ClarificationVisibility, InvitationStatus, RfpInvitation, RfpStatus
from cxo.sourcing.services.access import member_require, responder_require
from cxo.sourcing.services.invitation import audit_both
from cxo.sourcing.services.notify import invitees_notify, provider_notify, sponsor_notify
from cxo.sourcing.states import rfp_require


def clarification_ask_refusal(*, invitation: RfpInvitation) -> str | None:
    """Why the invited provider cannot ask a question now, or None if it can; pages ask it before offering the form."""
    rfp = invitation.rfp
    if rfp.status != RfpStatus.ISSUED:
        return f"You cannot ask a question: the RFP is {rfp.get_status_display().lower()}."
    if rfp.deadline_passed:
        return "The response deadline has passed: questions are closed."
    if invitation.status == InvitationStatus.DECLINED:
        return "You declined this invitation."
    return None


@transaction.atomic
def clarification_ask(*, actor: User, invitation: RfpInvitation, question: str) -> Clarification:
    """Ask the sponsor a question about the RFP. Other bidders never learn who asked."""
    responder_require(actor=actor, invitation=invitation)
    rfp = invitation.rfp
    refusal = clarification_ask_refusal(invitation=invitation)
    if refusal:
        raise Conflict(refusal)
    question = question.strip()
    if not question:
        raise ServiceError("Write your question.", field="question")
    clarification = Clarification.objects.create(
        organisation=rfp.organisation, rfp=rfp, provider=invitation.provider, asked_by=actor, question=question
    )
    audit_both(
        actor=actor,
        sponsor=rfp.organisation,
        provider=invitation.provider,
        action="clarification.ask",
        obj=clarification,
        changes={"question": [None, question]},
    )
    sponsor_notify(rfp=rfp, title=f"{invitation.provider.name} asked a question on {rfp.reference}", body=question)
    return clarification


@transaction.atomic
def clarification_answer(*, actor: User, clarification: Clarification, answer: str, publish: bool) -> Clarification:
    """Answer a question: privately to the asker, or published (without the asker's name) to every invitee."""
    member_require(actor=actor, organisation=clarification.organisation, permission=Permission.MANAGE_SOURCING)
    rfp = clarification.rfp
    rfp_require(rfp, RfpStatus.ISSUED, RfpStatus.CLOSED, doing="answer questions")
    answer = answer.strip()
    if not answer:
        raise ServiceError("Write the answer.", field="answer")
    old = {"answer": clarification.answer, "visibility": clarification.visibility}
    clarification.answer = answer
    clarification.visibility = ClarificationVisibility.PUBLISHED if publish else ClarificationVisibility.PRIVATE
    clarification.answered_by, clarification.answered_at = actor, timezone.now()
    clarification.save(update_fields=["answer", "visibility", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        organisation=rfp.organisation,
        action="clarification.answer",
        obj=clarification,
        changes={k: [old[k], getattr(clarification, k)] for k in old if old[k] != getattr(clarification, k)},
    )
    title = f"{rfp.reference}: a clarification was answered"
    if publish:
        invitees_notify(rfp=rfp, title=title, body=f"Q: {clarification.question}\n\nA: {answer}", exclude_declined=True)
    else:
        invitation = RfpInvitation.objects.for_organisation(rfp.organisation).get(
            rfp=rfp, provider=clarification.provider
        )
        provider_notify(invitation=invitation, title=title, body=f"Q: {clarification.question}\n\nA: {answer}")
    return clarification
