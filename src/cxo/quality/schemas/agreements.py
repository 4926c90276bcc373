"""Quality agreements and their versions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.quality.models import QualityAgreement
from cxo.quality.schemas.common import QualitySignatureOut
from cxo.quality.schemas.suppliers import QualitySiteOut


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
