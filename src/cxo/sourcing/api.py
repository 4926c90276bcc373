"""Sourcing API. Sponsor side under /organisations/{slug}/…; the provider's side under /organisations/{slug}/inbox/….

Each operation declares its permission on its decorator; the organisation router resolves the caller's
membership of ``slug`` (others get 404) and checks it (403) before the operation calls one selector or
service. A provider reaches only RFPs it is invited to, its own proposal and questions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cxo.core.access import OrganisationRouter, OrgRequest
from cxo.core.documents import DocumentData, document_data_from_base64
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission
from cxo.core.selectors import member_list
from cxo.sourcing import comparison, selectors
from cxo.sourcing.comparison import Comparison, EvaluationResult
from cxo.sourcing.evaluation_schemas import AwardIn, AwardOut, ComparisonOut, EvaluationOut, ScoresIn
from cxo.sourcing.models import (
    Award,
    Clarification,
    Need,
    Programme,
    Proposal,
    ProposalVersion,
    Rfp,
    RfpInvitation,
)
from cxo.sourcing.providers import ProviderMatch, need_match, provider_get
from cxo.sourcing.schemas import (
    AnswerIn,
    CancelIn,
    ClarificationOut,
    DeclineIn,
    InboxClarificationOut,
    InboxRfpOut,
    InvitationIn,
    InvitationOut,
    InvitationsOut,
    NeedIn,
    NeedMatchOut,
    NeedOut,
    ProgrammeIn,
    ProgrammeOut,
    ProposalIn,
    ProposalOut,
    ProposalVersionOut,
    QuestionIn,
    RfpCreateIn,
    RfpIn,
    RfpOut,
)
from cxo.sourcing.selectors import InboxClarification, InboxRfp
from cxo.sourcing.services import award as award_services
from cxo.sourcing.services import clarification as clarification_services
from cxo.sourcing.services import evaluation as evaluation_services
from cxo.sourcing.services import invitation as invitation_services
from cxo.sourcing.services import programme as programme_services
from cxo.sourcing.services import proposal as proposal_services
from cxo.sourcing.services import rfp as rfp_services
from cxo.sourcing.services.evaluation import ScoreData
from cxo.sourcing.services.invitation import Invitations
from cxo.sourcing.services.proposal import LineData, MilestoneData, ProposalData
from cxo.sourcing.services.rfp import CriterionData, LineItemData

org_api = OrganisationRouter(tags=["sourcing"])
inbox_api = OrganisationRouter(tags=["sourcing: provider inbox"])


def _team(organisation: Organisation, usernames: list[str] | None) -> list[User] | None:
    if usernames is None:
        return None
    members = {m.user.username: m.user for m in member_list(organisation=organisation)}
    missing = [u for u in usernames if u not in members]
    if missing:
        raise ServiceError(f"Not members of {organisation.name}: {', '.join(missing)}.", field="team")
    return [members[u] for u in usernames]


# --- programmes and needs ------------------------------------------------------------------------


@org_api.get("/programmes", response=list[ProgrammeOut])
def programme_list(request: OrgRequest) -> QuerySet[Programme]:
    """The sponsor's programmes (drug assets)."""
    org = request.organisation
    return selectors.programme_list(organisation=org).prefetch_related("team")


@org_api.post("/programmes", response={201: ProgrammeOut}, permission=Permission.MANAGE_SOURCING)
def programme_create(request: OrgRequest, payload: ProgrammeIn) -> tuple[int, Programme]:
    """Create a programme: name and code, modality, indication, dosage form and route, lifecycle stage, team."""
    org = request.organisation
    data = payload.dict()
    data["team"] = _team(org, payload.team)
    return 201, programme_services.programme_create(actor=request.user, organisation=org, **data)


@org_api.get("/programmes/{programme_id}", response=ProgrammeOut)
def programme_get(request: OrgRequest, programme_id: int) -> Programme:
    return selectors.programme_get(organisation=request.organisation, programme_id=programme_id)


@org_api.put("/programmes/{programme_id}", response=ProgrammeOut, permission=Permission.MANAGE_SOURCING)
def programme_update(request: OrgRequest, programme_id: int, payload: ProgrammeIn) -> Programme:
    """Replace a programme's facts (e.g. move it to the next lifecycle stage)."""
    org = request.organisation
    programme = selectors.programme_get(organisation=org, programme_id=programme_id)
    data = payload.dict()
    data["team"] = _team(org, payload.team)
    return programme_services.programme_update(actor=request.user, programme=programme, **data)


@org_api.get("/programmes/{programme_id}/needs", response=list[NeedOut])
def need_list(request: OrgRequest, programme_id: int) -> QuerySet[Need]:
    org = request.organisation
    programme = selectors.programme_get(organisation=org, programme_id=programme_id)
    return selectors.need_list(organisation=org, programme=programme)


@org_api.post("/programmes/{programme_id}/needs", response={201: NeedOut}, permission=Permission.MANAGE_SOURCING)
def need_create(request: OrgRequest, programme_id: int, payload: NeedIn) -> tuple[int, Need]:
    """Add an outsourcing need: the matching criteria, quantity or scale, timeline."""
    org = request.organisation
    programme = selectors.programme_get(organisation=org, programme_id=programme_id)
    return 201, programme_services.need_create(actor=request.user, programme=programme, **payload.dict())


@org_api.get("/needs/{need_id}", response=NeedOut)
def need_get(request: OrgRequest, need_id: int) -> Need:
    return selectors.need_get(organisation=request.organisation, need_id=need_id)


@org_api.put("/needs/{need_id}", response=NeedOut, permission=Permission.MANAGE_SOURCING)
def need_update(request: OrgRequest, need_id: int, payload: NeedIn) -> Need:
    org = request.organisation
    need = selectors.need_get(organisation=org, need_id=need_id)
    return programme_services.need_update(actor=request.user, need=need, **payload.dict())


@org_api.get("/needs/{need_id}/matches", response=list[NeedMatchOut])
@rate_limited("match")
def need_matches(request: OrgRequest, need_id: int, limit: int = 25) -> list[ProviderMatch]:
    """Providers ranked for the need by the matching engine (one row per organisation, best first)."""
    need = selectors.need_get(organisation=request.organisation, need_id=need_id)
    return need_match(need=need, limit=max(1, min(limit, 100)))


# --- RFPs ------------------------------------------------------------------------------------------


def _rfp_kwargs(payload: RfpIn) -> dict[str, Any]:
    return {
        "scope": payload.scope,
        "deliverables": payload.deliverables,
        "timeline": payload.timeline,
        "currency": payload.currency,
        "response_deadline": payload.response_deadline,
        "line_items": None
        if payload.line_items is None
        else [LineItemData(li.description, li.unit, li.quantity, li.assumption_prompt) for li in payload.line_items],
        "questions": payload.questions,
        "criteria": None
        if payload.criteria is None
        else [CriterionData(c.name, c.weight, c.description) for c in payload.criteria],
    }


@org_api.get("/rfps", response=list[RfpOut])
def rfp_list(request: OrgRequest, status: str = "") -> QuerySet[Rfp]:
    """The sponsor's RFPs, newest first; ``status`` filters (draft, issued, closed, awarded, cancelled)."""
    org = request.organisation
    return selectors.rfp_list(organisation=org, status=status).prefetch_related("line_items", "questions", "criteria")


@org_api.post("/rfps", response={201: RfpOut}, permission=Permission.MANAGE_SOURCING)
def rfp_create(request: OrgRequest, payload: RfpCreateIn) -> tuple[int, Rfp]:
    """Start a draft RFP from a need. Without a bid grid or criteria, defaults built from the need are used."""
    org = request.organisation
    if payload.need_id is None:
        raise ServiceError("Say which need the RFP is for (need_id).", field="need_id")
    need = selectors.need_get(organisation=org, need_id=payload.need_id)
    return 201, rfp_services.rfp_create(
        actor=request.user, need=need, title=payload.title, reference=payload.reference, **_rfp_kwargs(payload)
    )


@org_api.get("/rfps/{rfp_id}", response=RfpOut)
def rfp_get(request: OrgRequest, rfp_id: int) -> Rfp:
    return selectors.rfp_get(organisation=request.organisation, rfp_id=rfp_id)


@org_api.put("/rfps/{rfp_id}", response=RfpOut, permission=Permission.MANAGE_SOURCING)
def rfp_update(request: OrgRequest, rfp_id: int, payload: RfpIn) -> Rfp:
    """Edit a draft RFP; given lists replace the bid grid, questions or criteria."""
    org = request.organisation
    rfp = selectors.rfp_get(organisation=org, rfp_id=rfp_id)
    rfp_services.rfp_update(actor=request.user, rfp=rfp, title=payload.title or rfp.title, **_rfp_kwargs(payload))
    return selectors.rfp_get(organisation=org, rfp_id=rfp_id)


@org_api.post("/rfps/{rfp_id}/issue", response=RfpOut, permission=Permission.MANAGE_SOURCING)
def rfp_issue(request: OrgRequest, rfp_id: int) -> Rfp:
    """Issue the RFP (draft → issued): invitations go out. Needs an invitation, a bid grid, weights adding to 100
    and a future deadline; otherwise 409/400 with the reason."""
    org = request.organisation
    rfp = selectors.rfp_get(organisation=org, rfp_id=rfp_id)
    return rfp_services.rfp_issue(actor=request.user, rfp=rfp)


@org_api.post("/rfps/{rfp_id}/close", response=RfpOut, permission=Permission.MANAGE_SOURCING)
def rfp_close(request: OrgRequest, rfp_id: int) -> Rfp:
    """Close bidding (issued → closed): no proposal or revision is accepted after this."""
    org = request.organisation
    return rfp_services.rfp_close(actor=request.user, rfp=selectors.rfp_get(organisation=org, rfp_id=rfp_id))


@org_api.post("/rfps/{rfp_id}/cancel", response=RfpOut, permission=Permission.MANAGE_SOURCING)
def rfp_cancel(request: OrgRequest, rfp_id: int, payload: CancelIn) -> Rfp:
    """Cancel the RFP with a reason; invited providers are told."""
    org = request.organisation
    rfp = selectors.rfp_get(organisation=org, rfp_id=rfp_id)
    return rfp_services.rfp_cancel(actor=request.user, rfp=rfp, reason=payload.reason)


@org_api.get("/rfps/{rfp_id}/invitations", response=list[InvitationOut])
def invitation_list(request: OrgRequest, rfp_id: int) -> QuerySet[RfpInvitation]:
    rfp = selectors.rfp_get(organisation=request.organisation, rfp_id=rfp_id)
    return selectors.invitation_list(rfp=rfp)


@org_api.post("/rfps/{rfp_id}/invitations", response={201: InvitationsOut}, permission=Permission.MANAGE_SOURCING)
def invitation_create(request: OrgRequest, rfp_id: int, payload: InvitationIn) -> tuple[int, Invitations]:
    """Invite a provider from the directory (``provider``, plus ``email`` if it has no users yet), or every
    provider on a shortlist (``shortlist_id``)."""
    from cxo.matching.selectors import shortlist_get

    org = request.organisation
    rfp = selectors.rfp_get(organisation=org, rfp_id=rfp_id)
    if payload.shortlist_id is not None:
        shortlist = shortlist_get(organisation=org, shortlist_id=payload.shortlist_id)
        return 201, invitation_services.invitation_create_from_shortlist(
            actor=request.user, rfp=rfp, shortlist=shortlist
        )
    ref = (payload.provider or "").strip()
    if not ref:
        raise ServiceError("Give a provider (id or slug) or a shortlist_id.", field="provider")
    provider = provider_get(ref=ref)
    invitation = invitation_services.invitation_create(
        actor=request.user, rfp=rfp, provider=provider, email=payload.email
    )
    return 201, Invitations(invited=[invitation])


@org_api.get("/rfps/{rfp_id}/questions", response=list[ClarificationOut])
def clarification_list(request: OrgRequest, rfp_id: int) -> QuerySet[Clarification]:
    """Bidders' clarification questions, with who asked (the sponsor's view)."""
    rfp = selectors.rfp_get(organisation=request.organisation, rfp_id=rfp_id)
    return selectors.clarification_list(rfp=rfp)


@org_api.post("/questions/{clarification_id}/answer", response=ClarificationOut, permission=Permission.MANAGE_SOURCING)
def clarification_answer(request: OrgRequest, clarification_id: int, payload: AnswerIn) -> Clarification:
    """Answer privately to the asker, or publish to every invitee without naming the asker."""
    org = request.organisation
    clarification = selectors.clarification_get(organisation=org, clarification_id=clarification_id)
    return clarification_services.clarification_answer(
        actor=request.user, clarification=clarification, answer=payload.answer, publish=payload.publish
    )


@org_api.get("/rfps/{rfp_id}/proposals", response=list[ProposalOut])
def proposal_list(request: OrgRequest, rfp_id: int) -> QuerySet[Proposal]:
    """Proposals received, every version of each."""
    rfp = selectors.rfp_get(organisation=request.organisation, rfp_id=rfp_id)
    return selectors.proposal_list(rfp=rfp)


@org_api.get("/proposals/{proposal_id}", response=ProposalOut)
def proposal_get(request: OrgRequest, proposal_id: int) -> Proposal:
    return selectors.proposal_get(organisation=request.organisation, proposal_id=proposal_id)


@org_api.get("/rfps/{rfp_id}/comparison", response=ComparisonOut)
def rfp_comparison(request: OrgRequest, rfp_id: int) -> Comparison:
    """Current proposals side by side per bid-grid line: lowest and highest marked, missing and changed lines
    flagged, totals and completion dates."""
    rfp = selectors.rfp_get(organisation=request.organisation, rfp_id=rfp_id)
    return comparison.rfp_comparison(rfp=rfp)


@org_api.put("/proposals/{proposal_id}/scores", response=list[EvaluationOut], permission=Permission.EVALUATE)
def proposal_score(request: OrgRequest, proposal_id: int, payload: ScoresIn) -> list[EvaluationResult]:
    """Record your own scores (0-10) of a proposal per criterion; returns the RFP's weighted evaluation."""
    org = request.organisation
    proposal = selectors.proposal_get(organisation=org, proposal_id=proposal_id)
    evaluation_services.score_set(
        actor=request.user,
        proposal=proposal,
        scores=[ScoreData(s.criterion_id, s.score, s.comment) for s in payload.scores],
    )
    return comparison.rfp_evaluation(rfp=proposal.rfp)


@org_api.get("/rfps/{rfp_id}/evaluation", response=list[EvaluationOut])
def rfp_evaluation(request: OrgRequest, rfp_id: int) -> list[EvaluationResult]:
    """Each proposal's weighted score per evaluator and their mean."""
    return comparison.rfp_evaluation(rfp=selectors.rfp_get(organisation=request.organisation, rfp_id=rfp_id))


@org_api.post("/rfps/{rfp_id}/award", response=AwardOut, permission=Permission.SIGN_AWARD)
def rfp_award(request: OrgRequest, rfp_id: int, payload: AwardIn) -> Award:
    """Award a closed RFP with your electronic signature: your password, the meaning ("award approved"); bound to
    the SHA-256 of the proposal's current version. Creates a draft work order; every invitee is told."""
    org = request.organisation
    rfp = selectors.rfp_get(organisation=org, rfp_id=rfp_id)
    if payload.proposal_id is None:
        raise ServiceError("Say which proposal to award (proposal_id).", field="proposal_id")
    proposal = selectors.proposal_get(organisation=org, proposal_id=payload.proposal_id)
    award = award_services.award_sign(
        actor=request.user,
        rfp=rfp,
        proposal=proposal,
        password=payload.password,
        meaning=payload.meaning,
        rationale=payload.rationale,
    )
    return award


# --- provider inbox ----------------------------------------------------------------------------------


@inbox_api.get("/inbox", response=list[InboxRfpOut], permission=Permission.READ_INVITATIONS)
def inbox(request: OrgRequest) -> list[InboxRfp]:
    """RFPs this provider is invited to (issued or later), each with the provider's own invitation status."""
    return [selectors.inbox_rfp_view(invitation=i) for i in selectors.inbox_list(membership=request.membership)]


@inbox_api.get("/inbox/{rfp_id}", response=InboxRfpOut, permission=Permission.READ_INVITATIONS)
def inbox_rfp(request: OrgRequest, rfp_id: int) -> InboxRfp:
    """One RFP the provider is invited to; 404 for any other."""
    invitation = selectors.inbox_invitation_get(membership=request.membership, rfp_id=rfp_id)
    return selectors.inbox_rfp_view(invitation=invitation)


@inbox_api.post("/inbox/{rfp_id}/accept", response=InvitationOut, permission=Permission.RESPOND)
def inbox_accept(request: OrgRequest, rfp_id: int) -> RfpInvitation:
    invitation = selectors.inbox_invitation_get(membership=request.membership, rfp_id=rfp_id)
    return invitation_services.invitation_accept(actor=request.user, invitation=invitation)


@inbox_api.post("/inbox/{rfp_id}/decline", response=InvitationOut, permission=Permission.RESPOND)
def inbox_decline(request: OrgRequest, rfp_id: int, payload: DeclineIn) -> RfpInvitation:
    """Decline with a reason (the sponsor sees it)."""
    invitation = selectors.inbox_invitation_get(membership=request.membership, rfp_id=rfp_id)
    return invitation_services.invitation_decline(actor=request.user, invitation=invitation, reason=payload.reason)


@inbox_api.get(
    "/inbox/{rfp_id}/questions", response=list[InboxClarificationOut], permission=Permission.READ_INVITATIONS
)
def inbox_questions(request: OrgRequest, rfp_id: int) -> list[InboxClarification]:
    """Your own questions, and those the sponsor published to all invitees (without the asker)."""
    invitation = selectors.inbox_invitation_get(membership=request.membership, rfp_id=rfp_id)
    return selectors.inbox_clarification_list(invitation=invitation)


@inbox_api.post("/inbox/{rfp_id}/questions", response={201: InboxClarificationOut}, permission=Permission.RESPOND)
def inbox_ask(request: OrgRequest, rfp_id: int, payload: QuestionIn) -> tuple[int, InboxClarification]:
    """Ask the sponsor a clarification question."""
    invitation = selectors.inbox_invitation_get(membership=request.membership, rfp_id=rfp_id)
    c = clarification_services.clarification_ask(actor=request.user, invitation=invitation, question=payload.question)
    return 201, selectors.inbox_clarification(clarification=c, provider=request.organisation)


@inbox_api.get("/inbox/{rfp_id}/proposal", response=ProposalOut, permission=Permission.READ_INVITATIONS)
def inbox_proposal(request: OrgRequest, rfp_id: int) -> Proposal:
    """Your own proposal to the RFP, every version."""
    invitation = selectors.inbox_invitation_get(membership=request.membership, rfp_id=rfp_id)
    proposal = selectors.inbox_proposal_get(invitation=invitation)
    if proposal is None:
        raise NotFound("You have not submitted a proposal to this RFP.")
    return proposal


def _documents(payload: ProposalIn) -> list[DocumentData]:
    return [
        document_data_from_base64(
            name=d.name, content_base64=d.content_base64, content_type=d.content_type, field="documents"
        )
        for d in payload.documents
    ]


@inbox_api.post("/inbox/{rfp_id}/proposal", response={201: ProposalVersionOut}, permission=Permission.RESPOND)
@rate_limited("upload")
def inbox_proposal_submit(request: OrgRequest, rfp_id: int, payload: ProposalIn) -> tuple[int, ProposalVersion]:
    """Submit the proposal, or a revision (a new version; earlier ones are kept). Unit prices per bid-grid line;
    amounts and the total are computed by the server. Refused after the deadline or once the RFP is closed."""
    invitation = selectors.inbox_invitation_get(membership=request.membership, rfp_id=rfp_id)
    data = ProposalData(
        lines=[LineData(ln.line_item_id, ln.unit_price, ln.quantity, ln.assumption) for ln in payload.lines],
        assumptions=payload.assumptions,
        exceptions=payload.exceptions,
        timeline_summary=payload.timeline_summary,
        milestones=[MilestoneData(m.name, m.due_date) for m in payload.milestones],
        answers=payload.answers,
        note=payload.note,
        documents=_documents(payload),
        keep_documents=payload.keep_documents,
    )
    return 201, proposal_services.proposal_submit(actor=request.user, invitation=invitation, data=data)
