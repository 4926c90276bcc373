"""CAPAs: actions, evidence, assessment and effectiveness; the provider's view of its findings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.quality.models import CapaAction, CapaEvidence
from cxo.quality.schemas.common import LONG, QualitySignatureOut


class CapaActionIn(Schema):
    kind: str = Field(description="corrective or preventive")
    description: str = Field(max_length=LONG)
    due_on: dt.date
    owner: Annotated[str, Column(CapaAction, "owner")] = ""


class CapaProposalIn(Schema):
    root_cause: str = Field("", max_length=LONG, description="Required")
    actions: list[CapaActionIn] = Field(default_factory=list, description="At least one corrective action")


class CapaEvidenceIn(Schema):
    name: Annotated[str, Column(CapaEvidence, "name")]
    content_base64: str = Field(description="The file, base64-encoded (at most 25 MB decoded)")
    content_type: str = "application/octet-stream"


class CapaCompletionIn(Schema):
    completed_on: dt.date | None = Field(None, description="Required")
    note: str = Field("", max_length=LONG)
    documents: list[CapaEvidenceIn] = Field(
        default_factory=list, description="At least one document showing the action was implemented"
    )


class CapaAssessIn(Schema):
    accept: bool | None = Field(None, description="true to accept, false to return (required)")
    comment: str = Field("", max_length=LONG, description="Required when returning the proposal")


class CapaEffectivenessIn(Schema):
    effective: bool | None = Field(None, description="Required")
    notes: str = Field("", max_length=LONG, description="How effectiveness was checked (required)")


class CapaEvidenceOut(Schema):
    id: int
    action_id: int
    name: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class CapaActionOut(Schema):
    id: int
    position: int
    kind: str
    description: str
    owner: str
    due_on: dt.date
    completed_on: dt.date | None
    completion_note: str


class CapaOut(Schema):
    id: int
    status: str
    sponsor: str
    provider: str
    finding: str = Field(description="The finding's label, e.g. AUD-2026-004-F2")
    finding_title: str
    classification: str
    clause: str
    site: str
    root_cause: str
    revision: int
    sponsor_comment: str
    due_on: dt.date | None = Field(description="When the next step is due (the proposal, then the first open action)")
    overdue: bool
    effectiveness_checked_on: dt.date | None
    effectiveness_notes: str
    actions: list[CapaActionOut]
    evidence: list[CapaEvidenceOut]
    closure_signature: QualitySignatureOut | None


class ProviderFindingOut(Schema):
    finding: str
    sponsor: str
    audit_reference: str
    site: str
    audit_ended_on: dt.date | None
    classification: str
    title: str
    description: str
    clause: str
    response_due: dt.date | None
    capa: CapaOut
