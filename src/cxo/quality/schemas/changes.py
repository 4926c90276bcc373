"""Change notifications: the provider's notice, the assessment and the sponsor's decision."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.quality.models import ChangeNotification
from cxo.quality.schemas.common import LONG


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
