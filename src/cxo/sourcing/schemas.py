"""API schemas for sourcing: separate input and output shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.matching.need import NEED_FIELDS
from cxo.sourcing.models import (
    Document,
    EvaluationCriterion,
    Need,
    Programme,
    ProposalLine,
    ProposalMilestone,
    ProposalVersion,
    Rfp,
    RfpInvitation,
    RfpLineItem,
)


def _related(obj: Any, name: str) -> list[Any]:
    """A related list from a model (its manager) or from a selector's read-out (a list already)."""
    value = getattr(obj, name)
    return list(value) if isinstance(value, list) else list(value.all())


class ProgrammeIn(Schema):
    name: Annotated[str, Column(Programme, "name")] = ""
    code: Annotated[str, Column(Programme, "code")] = ""
    stage: str = Field(
        "preclinical", description="discovery, preclinical, phase_1, phase_2, phase_3, filing, commercial"
    )
    indication: Annotated[str, Column(Programme, "indication")] = ""
    modality: str | None = Field(None, description="Taxonomy code of a modality term")
    dosage_form: str | None = Field(None, description="Taxonomy code of a dosage form (CDISC) term")
    route: str | None = Field(None, description="Taxonomy code of a route term")
    description: str = ""
    source: Annotated[str, Column(Programme, "source")] = Field(
        "", description="Where the facts come from, e.g. an NCT id"
    )
    team: list[str] | None = Field(None, description="Usernames of members; omitted keeps the team")


class ProgrammeOut(Schema):
    id: int
    name: str
    code: str
    stage: str
    indication: str
    modality: str | None
    dosage_form: str | None
    route: str | None
    description: str
    source: str
    team: list[str]
    created_at: dt.datetime

    @staticmethod
    def resolve_modality(obj: Any) -> str | None:
        return obj.modality.code if obj.modality_id else None

    @staticmethod
    def resolve_dosage_form(obj: Any) -> str | None:
        return obj.dosage_form.code if obj.dosage_form_id else None

    @staticmethod
    def resolve_route(obj: Any) -> str | None:
        return obj.route.code if obj.route_id else None

    @staticmethod
    def resolve_team(obj: Any) -> list[str]:
        return sorted(u.username for u in obj.team.all())


class NeedIn(Schema):
    title: Annotated[str, Column(Need, "title")] = ""
    criteria: dict[str, Any] = Field(
        default_factory=dict,
        description="The matching need (as POST /match takes it, words or codes; stored as codes): "
        f"{', '.join(f.name for f in NEED_FIELDS)}. At least one service.",
    )
    description: str = ""
    quantity: Annotated[Decimal, Column(Need, "quantity")] | None = None
    unit: Annotated[str, Column(Need, "unit")] = ""
    start_by: dt.date | None = None
    finish_by: dt.date | None = None


class NeedOut(Schema):
    id: int
    programme_id: int
    title: str
    criteria: dict[str, Any]
    description: str
    quantity: Decimal | None
    unit: str
    start_by: dt.date | None
    finish_by: dt.date | None


class NeedMatchOut(Schema):
    """A provider matching a need, in short (POST /match answers the whole MatchOut of cxo.matching)."""

    organisation_id: int
    organisation_slug: str
    organisation_name: str
    score: int
    site_name: str
    country: str


class LineItemIn(Schema):
    description: Annotated[str, Column(RfpLineItem, "description")]
    unit: Annotated[str, Column(RfpLineItem, "unit")]
    quantity: Annotated[Decimal, Column(RfpLineItem, "quantity")]
    assumption_prompt: Annotated[str, Column(RfpLineItem, "assumption_prompt")] = Field(
        "", description="The assumption each bidder must state for this line"
    )


# Outputs carry no column bounds: a row stored before the checks existed must still be readable.
class LineItemOut(Schema):
    id: int
    position: int
    description: str
    unit: str
    quantity: Decimal
    assumption_prompt: str


class CriterionIn(Schema):
    name: Annotated[str, Column(EvaluationCriterion, "name")]
    weight: Annotated[int, Column(EvaluationCriterion, "weight")] = Field(
        ..., description="Percent; an RFP's weights add up to 100 before it is issued"
    )
    description: Annotated[str, Column(EvaluationCriterion, "description")] = ""


class CriterionOut(Schema):
    id: int
    name: str
    weight: int
    description: str


class QuestionOut(Schema):
    id: int
    text: str


class RfpIn(Schema):
    title: Annotated[str, Column(Rfp, "title")] = ""
    scope: str = ""
    deliverables: str = ""
    timeline: str = ""
    currency: Annotated[str, Column(Rfp, "currency")] = "USD"
    response_deadline: dt.datetime | None = None
    line_items: list[LineItemIn] | None = Field(
        None, description="The bid grid; omitted: defaults (create) or unchanged"
    )
    questions: list[str] | None = None
    criteria: list[CriterionIn] | None = None


class RfpCreateIn(RfpIn):
    need_id: int | None = Field(None, description="The need the RFP is built from (required)")
    reference: Annotated[str, Column(Rfp, "reference")] = ""


class DocumentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime


class RfpOut(Schema):
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
    line_items: list[LineItemOut]
    questions: list[QuestionOut]
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_line_items(obj: Any) -> list[Any]:
        return _related(obj, "line_items")

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return _related(obj, "questions")

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return _related(obj, "criteria")


class InboxRfpOut(RfpOut):
    sponsor: str
    invitation_status: str
    outcome: str
    documents: list[DocumentOut]


class CancelIn(Schema):
    reason: str = ""


class InvitationIn(Schema):
    provider: str | None = Field(None, description="Provider organisation id or slug")
    email: Annotated[str, Column(RfpInvitation, "email")] = Field(
        "", description="Only for a provider with no users on CXO yet: it is invited to claim itself"
    )
    shortlist_id: int | None = Field(None, description="Invite every provider on this shortlist instead")


class InvitationOut(Schema):
    id: int
    provider_id: int
    provider_name: str
    email: str
    source: str
    status: str
    decline_reason: str
    outcome: str
    invited_at: dt.datetime

    @staticmethod
    def resolve_provider_name(obj: Any) -> str:
        return str(obj.provider.name)


class InvitationsOut(Schema):
    invited: list[InvitationOut]
    skipped: list[str]


class DeclineIn(Schema):
    reason: str = ""


class QuestionIn(Schema):
    question: str = ""


class AnswerIn(Schema):
    answer: str = ""
    publish: bool = Field(False, description="Publish to all invitees (the asker is not named)")


class ClarificationOut(Schema):
    id: int
    question: str
    answer: str
    visibility: str
    asked_at: dt.datetime
    answered_at: dt.datetime | None
    provider_name: str
    asked_by: str

    @staticmethod
    def resolve_provider_name(obj: Any) -> str:
        return str(obj.provider.name)

    @staticmethod
    def resolve_asked_by(obj: Any) -> str:
        return obj.asked_by.username if obj.asked_by_id else ""


class InboxClarificationOut(Schema):
    """A clarification as a bidder sees it: who asked is shown only for its own questions."""

    id: int
    question: str
    answer: str
    visibility: str
    mine: bool


class ProposalLineIn(Schema):
    line_item_id: int
    unit_price: Annotated[Decimal, Column(ProposalLine, "unit_price")] | None = Field(
        None, description="In the RFP's currency; null: not quoted"
    )
    quantity: Annotated[Decimal, Column(ProposalLine, "quantity")] | None = Field(
        None, description="Defaults to the RFP's quantity"
    )
    assumption: str = ""


class MilestoneIn(Schema):
    name: Annotated[str, Column(ProposalMilestone, "name")]
    due_date: dt.date


class DocumentIn(Schema):
    name: Annotated[str, Column(Document, "name")]
    content_base64: str
    content_type: Annotated[str, Column(Document, "content_type")] = "application/octet-stream"


class ProposalIn(Schema):
    lines: list[ProposalLineIn] = Field(default_factory=list)
    assumptions: str = ""
    exceptions: str = ""
    timeline_summary: str = ""
    milestones: list[MilestoneIn] = Field(default_factory=list)
    answers: dict[int, str] = Field(default_factory=dict, description="Question id -> answer")
    note: Annotated[str, Column(ProposalVersion, "note")] = Field("", description="What changed in this revision")
    documents: list[DocumentIn] = Field(default_factory=list)
    keep_documents: bool = True


class ProposalLineOut(Schema):
    line_item_id: int
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal | None
    assumption: str

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return str(obj.line_item.description)

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.line_item.unit)


class MilestoneOut(Schema):
    name: str
    due_date: dt.date


class ProposalVersionOut(Schema):
    id: int
    number: int
    submitted_at: dt.datetime
    submitted_by: str
    currency: str
    total: Decimal
    assumptions: str
    exceptions: str
    timeline_summary: str
    note: str
    content_sha256: str
    lines: list[ProposalLineOut]
    milestones: list[MilestoneOut]
    documents: list[DocumentOut]
    answers: dict[int, str]

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str:
        return obj.submitted_by.username if obj.submitted_by_id else ""

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.select_related("line_item"))

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_answers(obj: Any) -> dict[int, str]:
        return {a.question_id: a.text for a in obj.answers.all()}


class ProposalOut(Schema):
    id: int
    rfp_id: int
    provider_id: int
    provider_name: str
    status: str
    versions: list[ProposalVersionOut]

    @staticmethod
    def resolve_provider_name(obj: Any) -> str:
        return str(obj.provider.name)

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(obj.versions.order_by("number"))
