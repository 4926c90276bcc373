"""Scorecards, the quality policy, the home page's counts and the reference content."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


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
