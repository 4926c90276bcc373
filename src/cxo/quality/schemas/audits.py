"""Audits: scheduling, checklists, findings, reports and the audit plan."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.quality.models import Finding
from cxo.quality.schemas.common import LONG
from cxo.quality.schemas.suppliers import QualitySiteOut


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
