"""The approved supplier list and site qualification."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.core.models import Signature
from cxo.quality.schemas.common import LONG, QualitySignatureOut


class QualitySiteOut(Schema):
    id: int
    name: str
    fei: str
    duns: str | None
    country: str
    provider_id: int
    provider: str


class QualityRiskOut(Schema):
    level: str = Field(description="high, medium or low")
    criticality: str = Field(description="The service's criticality: high, medium or low")
    band: str = Field(description="The site's compliance band: poor, fair or good")
    reasons: list[str]
    explanation: str


class AslRowOut(Schema):
    qualification_id: int
    site: QualitySiteOut
    service: str = Field(description="Service code of the taxonomy")
    service_name: str
    status: str = Field(description="The state as of today (an approval past its validity reads expired)")
    kind: str
    approved_on: dt.date | None
    valid_until: dt.date | None
    conditions: str
    risk: QualityRiskOut
    agreement_in_force: bool
    open_findings: int
    capas_overdue: int
    last_audit_on: dt.date | None
    audit_due_on: dt.date | None
    issues: list[str]
    signature: QualitySignatureOut | None = Field(description="The latest signed decision")


class QualificationIn(Schema):
    site_id: int | None = Field(None, description="The registry site (required)")
    service: str = Field("", description="Service code of the taxonomy, e.g. svc.mfg.drug_product (required)")
    kind: str = Field("initial", description="initial, periodic or for_cause")
    start: bool = Field(True, description="Start qualifying at once (else: not started)")
    notes: str = Field("", max_length=LONG)


class QualificationStartIn(Schema):
    kind: str = Field("", description="initial, periodic or for_cause (default: periodic when requalifying)")
    reason: str = Field("", max_length=LONG)


class QualificationDecisionIn(Schema):
    decision: str = Field("", description="approved, conditional, not_approved or disqualified (required)")
    reason: str = Field("", max_length=LONG, description="Required")
    password: str = Field("", description="Required for approved, conditional and disqualified (e-signed)")
    meaning: Annotated[str, Column(Signature, "meaning")] = ""
    conditions: str = Field("", max_length=LONG, description="Required for conditional")
    conditions_due: dt.date | None = None


class QualificationEventOut(Schema):
    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    kind: str
    reason: str
    evidence: list[dict[str, Any]]
    valid_until: dt.date | None
    signature: QualitySignatureOut | None


class QualificationOut(Schema):
    id: int
    site: QualitySiteOut
    service: str
    service_name: str
    status: str
    kind: str
    approved_on: dt.date | None
    valid_until: dt.date | None
    conditions: str
    conditions_due: dt.date | None
    review_reason: str
    review_evidence: list[dict[str, Any]]
    history: list[QualificationEventOut]
