"""Sourcing reads, always scoped.

Sponsor side: everything the sponsor owns (``for_organisation``). Provider side: what the models
declare the provider a party to (``for_counterparty``): RFPs it is invited to once issued, its own
proposals and questions, and answers the sponsor published to all invitees — never another
provider's anything. What a provider reads of a row it may see is redacted here too (a published
question comes without its asker), so pages and the API show the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from cxo.core.errors import NotFound
from cxo.core.models import Membership, Organisation
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can
from cxo.sourcing.models import (
    Award,
    Clarification,
    ClarificationVisibility,
    Document,
    EvaluationCriterion,
    InvitationStatus,
    Need,
    Programme,
    Proposal,
    ProposalVersion,
    Rfp,
    RfpInvitation,
    RfpLineItem,
    RfpQuestion,
    RfpStatus,
)

# --- sponsor side ------------------------------------------------------------------------------


def programme_list(*, organisation: Organisation) -> QuerySet[Programme]:
    return (
        Programme.objects.for_organisation(organisation)
        .select_related("modality", "dosage_form", "route")
        .annotate(need_count=Count("needs", distinct=True), rfp_count=Count("needs__rfps", distinct=True))
        .order_by("name")
    )


def programme_get(*, organisation: Organisation, programme_id: int) -> Programme:
    programme = (
        Programme.objects.for_organisation(organisation)
        .select_related("modality", "dosage_form", "route")
        .prefetch_related("team")
        .filter(pk=programme_id)
        .first()
    )
    if programme is None:
        raise NotFound("No such programme.")
    return programme


def need_list(*, organisation: Organisation, programme: Programme | None = None) -> QuerySet[Need]:
    qs = Need.objects.for_organisation(organisation).select_related("programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.annotate(rfp_count=Count("rfps")).order_by("programme__name", "title")


def need_get(*, organisation: Organisation, need_id: int) -> Need:
    need = Need.objects.for_organisation(organisation).select_related("programme").filter(pk=need_id).first()
    if need is None:
        raise NotFound("No such need.")
    return need


def need_criteria_rows(*, need: Need) -> list[tuple[str, str]]:
    """The need's criteria as (label, value) lines in words: each field's label (``NEED_FIELDS``), terms by
    their names, countries by name and code, evidence kinds by what they are."""
    from cxo.matching.need import EVIDENCE, FLAG, NEED_FIELDS, evidence_choices
    from cxo.registry.terms import term_resolver

    criteria = need.criteria or {}
    resolver = term_resolver()
    evidence = dict(evidence_choices())
    rows = []
    for f in NEED_FIELDS:
        value = criteria.get(f.name)
        if not value:
            continue
        values = value if isinstance(value, list) else [value]
        if f.kind == FLAG:
            text = "Yes"
        elif f.kind == EVIDENCE:
            text = ", ".join(evidence.get(str(v), str(v)) for v in values)
        elif f.is_term:
            text = ", ".join(resolver.label(f.kind, str(v)) for v in values)
        else:
            text = ", ".join(str(v) for v in values)
        rows.append((f.label, text))
    return rows


def rfp_list(*, organisation: Organisation, status: str = "", need: Need | None = None) -> QuerySet[Rfp]:
    qs = (
        Rfp.objects.for_organisation(organisation)
        .select_related("need", "need__programme")
        .annotate(
            invitation_count=Count("invitations", distinct=True),
            proposal_count=Count("proposals", filter=Q(proposals__current_version__isnull=False), distinct=True),
        )
    )
    if status:
        qs = qs.filter(status=status)
    if need is not None:
        qs = qs.filter(need=need)
    return qs.order_by("-created_at", "-id")


def rfp_get(*, organisation: Organisation, rfp_id: int) -> Rfp:
    rfp = (
        Rfp.objects.for_organisation(organisation)
        .select_related("need", "need__programme", "organisation")
        .prefetch_related("line_items", "questions", "criteria")
        .filter(pk=rfp_id)
        .first()
    )
    if rfp is None:
        raise NotFound("No such RFP.")
    return rfp


def award_get(*, rfp: Rfp) -> Award | None:
    """The RFP's award with its signature, the awarded proposal's provider and version; None before the award."""
    return (
        Award.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp)
        .select_related("signature", "proposal__provider", "version")
        .first()
    )


def invitation_list(*, rfp: Rfp) -> QuerySet[RfpInvitation]:
    return (
        RfpInvitation.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp)
        .select_related("provider", "invited_by", "responded_by")
        .order_by("provider__name")
    )


def clarification_list(*, rfp: Rfp) -> QuerySet[Clarification]:
    """All of an RFP's questions, with who asked (sponsor side)."""
    return (
        Clarification.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp)
        .select_related("provider", "asked_by", "answered_by")
        .order_by("asked_at", "id")
    )


def clarification_get(*, organisation: Organisation, clarification_id: int) -> Clarification:
    clarification = (
        Clarification.objects.for_organisation(organisation)
        .select_related("rfp", "provider")
        .filter(pk=clarification_id)
        .first()
    )
    if clarification is None:
        raise NotFound("No such question.")
    return clarification


def _version_prefetch() -> list[Any]:
    return [
        Prefetch("current_version__lines", to_attr="line_list"),
        "current_version__milestones",
        "current_version__answers",
        "current_version__documents",
    ]


def proposal_list(*, rfp: Rfp) -> QuerySet[Proposal]:
    """The RFP's proposals that have a submitted version (sponsor side)."""
    return (
        Proposal.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp, current_version__isnull=False)
        .select_related("provider", "current_version", "current_version__submitted_by")
        .order_by("provider__name")
    )


def proposal_get(*, organisation: Organisation, proposal_id: int) -> Proposal:
    proposal = (
        Proposal.objects.for_organisation(organisation)
        .select_related("provider", "rfp", "current_version")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


def version_list(*, proposal: Proposal) -> QuerySet[ProposalVersion]:
    return (
        proposal.versions.select_related("submitted_by")
        .prefetch_related("lines__line_item", "milestones", "answers__question", "documents")
        .order_by("-number")
    )


def document_get_for_sponsor(*, organisation: Organisation, document_id: int) -> Document:
    document = Document.objects.for_organisation(organisation).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document


# --- provider side ------------------------------------------------------------------------------


def _held(invitations: QuerySet[RfpInvitation], membership: Membership) -> QuerySet[RfpInvitation]:
    """All of the provider's invitations for a member who may VIEW it; for a guest bidder, only those it holds."""
    if membership_can(membership=membership, permission=Permission.VIEW):
        return invitations
    return invitations.filter(guest=membership.user)


def inbox_list(*, membership: Membership) -> QuerySet[RfpInvitation]:
    """The invitations of the member's provider to issued (or later) RFPs, newest first; drafts are not shown.
    A guest bidder gets only the invitations it holds."""
    provider = membership.organisation
    return _held(
        RfpInvitation.objects.for_counterparty(provider)
        .select_related("rfp", "organisation", "proposal", "proposal__current_version")
        .order_by("-rfp__issued_at", "-id"),
        membership,
    )


def inbox_invitation_get(*, membership: Membership, rfp_id: int) -> RfpInvitation:
    """The provider's invitation to RFP ``rfp_id``; NotFound if it was not invited (or the RFP is a draft), or
    if the caller is a guest bidder of another invitation."""
    invitation = (
        _held(RfpInvitation.objects.for_counterparty(membership.organisation), membership)
        .select_related("rfp", "rfp__organisation", "rfp__need", "organisation", "provider")
        .filter(rfp_id=rfp_id)
        .first()
    )
    if invitation is None:
        raise NotFound("No such RFP.")
    return invitation


@dataclass(frozen=True)
class InboxClarification:
    """A clarification as a provider may read it: its own question with the answer it got, or a question the
    sponsor published to every invitee — then without who asked or when."""

    id: int
    question: str
    answer: str
    visibility: str
    mine: bool
    asked_at: dt.datetime | None
    answered_at: dt.datetime | None

    @property
    def published(self) -> bool:
        return self.visibility == ClarificationVisibility.PUBLISHED


def inbox_clarification(*, clarification: Clarification, provider: Organisation) -> InboxClarification:
    """What ``provider`` may read of a clarification it can see (its own, or one published to all invitees)."""
    mine = clarification.provider_id == provider.pk
    answered = mine or clarification.visibility == ClarificationVisibility.PUBLISHED
    return InboxClarification(
        id=clarification.pk,
        question=clarification.question,
        answer=clarification.answer if answered else "",
        visibility=clarification.visibility,
        mine=mine,
        asked_at=clarification.asked_at if mine else None,
        answered_at=clarification.answered_at if answered else None,
    )


def inbox_clarification_list(*, invitation: RfpInvitation) -> list[InboxClarification]:
    """The provider's own questions, and the questions the sponsor published to all invitees (without the asker)."""
    provider = invitation.provider
    rows = (
        Clarification.objects.for_counterparty(provider)
        .filter(rfp_id=invitation.rfp_id)
        .only("pk", "question", "answer", "visibility", "provider_id", "asked_at", "answered_at")
        .order_by("asked_at", "id")
    )
    return [inbox_clarification(clarification=c, provider=provider) for c in rows]


def inbox_proposal_get(*, invitation: RfpInvitation) -> Proposal | None:
    """The provider's own proposal to the RFP, if any."""
    return (
        Proposal.objects.for_counterparty(invitation.provider)
        .filter(rfp_id=invitation.rfp_id)
        .select_related("current_version")
        .first()
    )


def inbox_rfp_documents(*, invitation: RfpInvitation) -> QuerySet[Document]:
    """The RFP's own attachments (not other providers' documents)."""
    return (
        Document.objects.for_counterparty(invitation.provider)
        .filter(rfp_id=invitation.rfp_id, proposal_version__isnull=True)
        .order_by("name")
    )


def inbox_document_get(*, membership: Membership, document_id: int) -> Document:
    """A document the member's provider may download: an attachment of an RFP it is invited to, or one of its own
    (for a guest bidder: of the invitations it holds)."""
    provider = membership.organisation
    documents = Document.objects.for_counterparty(provider)
    if not membership_can(membership=membership, permission=Permission.VIEW):
        documents = documents.filter(
            rfp__in=_held(RfpInvitation.objects.for_counterparty(provider), membership).values("rfp")
        )
    document = documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document


@dataclass(frozen=True)
class InboxRfp:
    """An RFP as an invited provider reads it: the RFP's own terms, its sponsor, the provider's invitation and the
    RFP's attachments — never the other invitees or their proposals."""

    id: int
    reference: str
    title: str
    need_id: int
    status: str
    scope: str
    deliverables: str
    timeline: str
    currency: str
    response_deadline: dt.datetime | None
    issued_at: dt.datetime | None
    closed_at: dt.datetime | None
    awarded_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str
    line_items: list[RfpLineItem]
    questions: list[RfpQuestion]
    criteria: list[EvaluationCriterion]
    sponsor: str
    invitation_status: str
    outcome: str
    documents: list[Document]


def inbox_rfp_view(*, invitation: RfpInvitation) -> InboxRfp:
    """The RFP of one of the provider's invitations, as the provider may read it."""
    rfp = invitation.rfp
    return InboxRfp(
        id=rfp.pk,
        reference=rfp.reference,
        title=rfp.title,
        need_id=rfp.need_id,
        status=rfp.status,
        scope=rfp.scope,
        deliverables=rfp.deliverables,
        timeline=rfp.timeline,
        currency=rfp.currency,
        response_deadline=rfp.response_deadline,
        issued_at=rfp.issued_at,
        closed_at=rfp.closed_at,
        awarded_at=rfp.awarded_at,
        cancelled_at=rfp.cancelled_at,
        cancel_reason=rfp.cancel_reason,
        line_items=list(rfp.line_items.all()),
        questions=list(rfp.questions.all()),
        criteria=list(rfp.criteria.all()),
        sponsor=rfp.organisation.name,
        invitation_status=invitation.status,
        outcome=invitation.outcome,
        documents=list(inbox_rfp_documents(invitation=invitation)),
    )


# --- the home page's sections (registered in cxo.sourcing.home) ----------------------------------------

HOME_ROWS = 6  # each section lists the first few; its "See all" link has the rest


def home_open_rfps(membership: Membership) -> list[Rfp]:
    """The sponsor's RFPs still open: issued ones by deadline (soonest first), then drafts not yet issued."""
    rfps = rfp_list(organisation=membership.organisation).filter(status__in=[RfpStatus.ISSUED, RfpStatus.DRAFT])
    issued_first = Case(When(status=RfpStatus.ISSUED, then=0), default=1)
    return list(rfps.order_by(issued_first, F("response_deadline").asc(nulls_last=True), "-id")[:HOME_ROWS])


def home_proposals_received(membership: Membership) -> list[ProposalVersion]:
    """Each proposal received on an RFP not yet decided, as its current version, the latest submitted first (a
    revision replaces the version it revises: the list names each bidder once per RFP)."""
    return list(
        ProposalVersion.objects.for_organisation(membership.organisation)
        .filter(proposal__rfp__status__in=[RfpStatus.ISSUED, RfpStatus.CLOSED], proposal__current_version=F("pk"))
        .select_related("proposal__provider", "proposal__rfp")
        .order_by("-submitted_at", "-id")[:HOME_ROWS]
    )


def home_questions_to_answer(membership: Membership) -> list[Clarification]:
    """Bidders' questions without an answer on RFPs still taking them, oldest first."""
    return list(
        Clarification.objects.for_organisation(membership.organisation)
        .filter(answered_at__isnull=True, rfp__status__in=[RfpStatus.ISSUED, RfpStatus.CLOSED])
        .select_related("rfp", "provider")
        .order_by("asked_at", "id")[:HOME_ROWS]
    )


def home_awards_to_sign(membership: Membership) -> list[Rfp]:
    """Closed RFPs with proposals in and no award yet, longest waiting first."""
    organisation = membership.organisation
    received = Proposal.objects.for_organisation(organisation).filter(rfp=OuterRef("pk"), current_version__isnull=False)
    rfps = rfp_list(organisation=organisation).filter(Exists(received), status=RfpStatus.CLOSED)
    return list(rfps.order_by("closed_at", "id")[:HOME_ROWS])


def home_new_invitations(membership: Membership) -> list[RfpInvitation]:
    """RFPs the provider is invited to and has not answered yet, newest first (a guest bidder: those it holds)."""
    return list(
        inbox_list(membership=membership).filter(status=InvitationStatus.INVITED, rfp__status=RfpStatus.ISSUED)[
            :HOME_ROWS
        ]
    )


def home_deadlines(membership: Membership) -> list[RfpInvitation]:
    """The provider's open bids by deadline, soonest first (declined ones left out), with its proposal if any."""
    return list(
        inbox_list(membership=membership)
        .filter(rfp__status=RfpStatus.ISSUED, rfp__response_deadline__gt=timezone.now())
        .exclude(status=InvitationStatus.DECLINED)
        .order_by("rfp__response_deadline", "id")[:HOME_ROWS]
    )


@dataclass(frozen=True)
class AnsweredQuestion:
    """An answer the provider may read, with the RFP it is about."""

    rfp: Rfp
    clarification: InboxClarification


def home_questions_answered(membership: Membership) -> list[AnsweredQuestion]:
    """Answers to the provider's own questions and those published to all invitees, newest first."""
    provider = membership.organisation
    rows = (
        Clarification.objects.for_counterparty(provider)
        .filter(answered_at__isnull=False)
        .select_related("rfp")
        .order_by("-answered_at", "-id")[:HOME_ROWS]
    )
    return [AnsweredQuestion(c.rfp, inbox_clarification(clarification=c, provider=provider)) for c in rows]
