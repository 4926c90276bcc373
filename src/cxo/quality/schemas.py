"""API schemas of the quality app: separate input and output shapes, described for the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.core.errors import ServiceError
from cxo.core.models import Signature
from cxo.core.schemas import Message
from cxo.quality.models import CapaAction, CapaEvidence, ChangeNotification, Finding, QualityAgreement

# Every write may answer with one of these (as {"detail": message}); reads 404 for what the caller may not see.
ERRORS: dict[int, type[Schema]] = {400: Message, 403: Message, 404: Message, 409: Message}
LONG = 20_000
T = TypeVar("T")


class QualitySignatureOut(Schema):
    signer_name: str
    signer_username: str
    meaning: str
    signed_at: dt.datetime
    content_sha256: str = Field(description="SHA-256 of the canonical JSON of the signed content")


def required(value: T | None, *, field: str, label: str) -> T:
    """A field the API marks required (it defaults to None so a refusal comes before validation)."""
    if value is None:
        raise ServiceError(f"{label} is required.", field=field)
    return value


def signature_out(signature: Signature | None) -> dict[str, Any] | None:
    if signature is None:
        return None
    return {
        "signer_name": signature.signer_name,
        "signer_username": signature.signer_username,
        "meaning": signature.meaning,
        "signed_at": signature.signed_at,
        "content_sha256": signature.content_sha256,
    }


class QualitySignIn(Schema):
    password: str = Field("", description="The signer's password, re-entered (required)")
    meaning: Annotated[str, Column(Signature, "meaning")] = Field(
        "", description="What the signature means (a default per record when empty)"
    )


class QualityReasonIn(Schema):
    reason: str = Field("", max_length=LONG, description="Required")


# --- the approved supplier list -------------------------------------------------------------------------


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


# --- audits -----------------------------------------------------------------------------------------------


class AuditIn(Schema):
    site_id: int | None = Field(None, description="The registry site (required)")
    services: list[str] = Field(
        default_factory=list, description="Service codes the audit covers (at least one; the first picks the checklist)"
    )
    kind: str = Field("routine", description="initial, routine, for_cause or remote")
    planned_for: dt.date | None = None
    checklist: str = Field("", description="A checklist template code (GET /quality/content); empty: by service")
    scope: str = Field("", max_length=LONG)


class AuditScheduleIn(Schema):
    starts_on: dt.date | None = Field(None, description="Required")
    ends_on: dt.date | None = Field(None, description="Required")
    lead_auditor: str = Field("", description="Username of a member of the sponsor (required)")
    auditors: list[str] = Field(default_factory=list, description="Usernames of other auditors")


class AuditChecklistResultIn(Schema):
    item_id: int
    result: str = Field(description="not_assessed, satisfactory, observation, deficiency or not_applicable")
    observation: str = Field("", max_length=LONG)


class AuditChecklistIn(Schema):
    results: list[AuditChecklistResultIn] = Field(default_factory=list)


class FindingIn(Schema):
    classification: str = Field("", description="critical, major or minor (EU GMP definitions: GET /quality/content)")
    title: Annotated[str, Column(Finding, "title")] = Field("", description="Required")
    description: str = Field("", max_length=LONG, description="Required")
    clause: Annotated[str, Column(Finding, "clause")] = Field(
        "", description="The clause it departs from; empty: the checklist line's"
    )
    checklist_item_id: int | None = None


class AuditConductIn(Schema):
    conducted_on: dt.date | None = Field(None, description="The audit's last day (required)")


class AuditReportIn(Schema):
    summary: str = Field("", max_length=LONG, description="The report's conclusion (required)")


class AuditChecklistItemOut(Schema):
    id: int
    section: str
    clause: str
    question: str
    result: str
    observation: str


class FindingOut(Schema):
    id: int
    number: int
    classification: str
    title: str
    description: str
    clause: str
    response_due: dt.date | None
    issued_at: dt.datetime | None
    capa_id: int | None
    capa_status: str | None


class AuditSummaryOut(Schema):
    id: int
    reference: str
    site: QualitySiteOut
    services: list[str]
    kind: str
    status: str
    planned_for: dt.date | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    conducted_on: dt.date | None
    proposed_by_watch: bool
    reason: str


class AuditOut(AuditSummaryOut):
    checklist: str
    scope: str
    lead_auditor: str | None
    auditors: list[str]
    summary: str
    report_issued_at: dt.datetime | None
    closed_at: dt.datetime | None
    qualification_id: int | None
    checklist_items: list[AuditChecklistItemOut]
    findings: list[FindingOut]


class AuditPlanRowOut(Schema):
    site: QualitySiteOut
    services: list[str]
    risk: str
    last_audit_on: dt.date | None
    due_on: dt.date
    planned_audit: str | None = Field(description="The reference of the audit already planned, if any")


class AuditPlanOut(Schema):
    today: dt.date
    overdue: list[AuditPlanRowOut]
    due_soon: list[AuditPlanRowOut] = Field(description="Due within 90 days")
    later: list[AuditPlanRowOut]


# --- CAPAs ----------------------------------------------------------------------------------------------


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


# --- agreements ------------------------------------------------------------------------------------------


class QualityAgreementIn(Schema):
    provider_id: int | None = Field(None, description="A provider on the sponsor's list (required)")
    title: Annotated[str, Column(QualityAgreement, "title")] = Field("", description="Required")
    site_ids: list[int] = Field(default_factory=list, description="Sites covered; none: every site of the provider")
    sections: dict[str, str] = Field(default_factory=dict, description="Section code → text (GET /quality/content)")
    effective_on: dt.date | None = Field(None, description="Required")
    expires_on: dt.date | None = Field(None, description="Required")


class AgreementVersionIn(Schema):
    sections: dict[str, str] | None = Field(None, description="Sections to change; omitted keeps (or copies) them")
    effective_on: dt.date | None = None
    expires_on: dt.date | None = None


class AgreementVersionOut(Schema):
    number: int
    status: str
    effective_on: dt.date
    expires_on: dt.date
    in_force: bool
    sections: dict[str, str]
    content_sha256: str
    sponsor_signature: QualitySignatureOut | None
    provider_signature: QualitySignatureOut | None


class QualityAgreementOut(Schema):
    id: int
    reference: str
    title: str
    sponsor: str
    provider: str
    sites: list[QualitySiteOut]
    in_force: int | None = Field(description="The number of the version in force today")
    versions: list[AgreementVersionOut]


# --- change notifications --------------------------------------------------------------------------------


class ChangeNotifyIn(Schema):
    site_id: int | None = Field(None, description="One of the provider's sites (required)")
    kind: str = Field(
        "", description="site, process, equipment, raw_material_supplier, analytical_method, subcontractor (required)"
    )
    title: Annotated[str, Column(ChangeNotification, "title")] = Field("", description="Required")
    description: str = Field("", max_length=LONG, description="Required")
    planned_on: dt.date | None = Field(None, description="When the change takes effect (required)")


class ChangeAssessIn(Schema):
    impact: str = Field("", description="none, minor or major (required)")
    us_category: str = Field("", description="pas, cbe30, cbe0, annual_report or none")
    eu_variation: str = Field("", description="IA, IA-IN, IB, II or none")
    notes: str = Field("", max_length=LONG, description="The sponsor's own notes (never shown to the provider)")


class ChangeDecideIn(Schema):
    decision: str = Field("", description="approved or rejected (required)")
    comment: str = Field("", max_length=LONG, description="What the provider is told (required to reject)")


class ChangeNotificationOut(Schema):
    id: int
    reference: str
    site: str
    kind: str
    title: str
    description: str
    planned_on: dt.date
    sent_at: dt.datetime
    notified_before_change: bool


class ChangeAssessmentOut(Schema):
    id: int
    provider: str
    notification: ChangeNotificationOut
    received_at: dt.datetime
    impact: str
    us_category: str
    eu_variation: str
    assessment: str
    decision: str
    decision_comment: str
    decided_at: dt.datetime | None


class SponsorDecisionOut(Schema):
    sponsor: str
    decision: str
    comment: str
    decided_at: dt.datetime | None


class ProviderNotificationOut(Schema):
    notification: ChangeNotificationOut
    decisions: list[SponsorDecisionOut]


# --- scorecards, policy, home, content -------------------------------------------------------------------


class ScorecardMeasureOut(Schema):
    key: str
    name: str
    weight: int
    score: Decimal | None = Field(description="0-100; null when the period has no data for it")
    basis: str


class ScorecardOut(Schema):
    provider_id: int
    provider: str
    site: str | None
    start: dt.date
    end: dt.date
    overall: Decimal | None = Field(description="Weighted mean over the measures with data; null when none has")
    formula: str
    measures: list[ScorecardMeasureOut]


class QualityPolicyIn(Schema):
    approval_validity_months: int | None = None
    interval_high_months: int | None = None
    interval_medium_months: int | None = None
    interval_low_months: int | None = None
    finding_response_days: int | None = None
    critical_response_days: int | None = None
    agreement_reminder_days: int | None = None
    award_rule: str | None = Field(None, description="justify or block")
    criticality: dict[str, str] | None = Field(None, description="Service code → high, medium or low")


class QualityPolicyOut(Schema):
    approval_validity_months: int
    interval_high_months: int
    interval_medium_months: int
    interval_low_months: int
    finding_response_days: int
    critical_response_days: int
    agreement_reminder_days: int
    award_rule: str
    criticality: dict[str, str]


class QualityCountsOut(Schema):
    capas_overdue: int
    audits_overdue: int
    audits_due_soon: int
    changes_to_assess: int
    under_review: int
    agreements_expiring: int
    agreements_to_sign: int
    findings_to_answer: int


class RegulatoryChoiceOut(Schema):
    code: str
    name: str
    reference: str
    definition: str


class ChecklistTemplateLineOut(Schema):
    section: str
    clause: str
    question: str


class ChecklistTemplateOut(Schema):
    code: str
    name: str
    source: str
    items: list[ChecklistTemplateLineOut]


class QualityContentOut(Schema):
    checklists: list[ChecklistTemplateOut]
    finding_classes: list[RegulatoryChoiceOut]
    agreement_sections: list[RegulatoryChoiceOut]
    us_filing_categories: list[RegulatoryChoiceOut]
    eu_variation_types: list[RegulatoryChoiceOut]
