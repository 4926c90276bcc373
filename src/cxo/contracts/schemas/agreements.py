"""Master agreements and the sponsor's agreement policy."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from cxo.contracts.models import (
    MasterAgreement,
)
from cxo.contracts.schemas.common import ContractDocumentOut, ContractSignatureOut
from cxo.core.bounds import Column


class MasterAgreementOut(Schema):
    id: int
    reference: str
    title: str
    sponsor: str
    provider: str
    currency: str
    payment_terms_days: int
    effective_date: dt.date
    expiry_date: dt.date | None
    terminated_on: dt.date | None
    status: str
    standing: str
    in_force: bool
    terms_summary: str
    content_sha256: str
    provider_signature: ContractSignatureOut | None
    sponsor_signature: ContractSignatureOut | None
    documents: list[ContractDocumentOut]

    @staticmethod
    def resolve_sponsor(obj: MasterAgreement) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_provider(obj: MasterAgreement) -> str:
        return obj.provider.name

    @staticmethod
    def resolve_documents(obj: MasterAgreement) -> list[Any]:
        return list(obj.documents.all())


class PolicyOut(Schema):
    require_agreement: bool


class MasterAgreementIn(Schema):
    provider: str = Field("", description="The provider's slug")
    title: Annotated[str, Column(MasterAgreement, "title")] = ""
    currency: Annotated[str, Column(MasterAgreement, "currency")] = ""
    effective_date: dt.date | None = None
    expiry_date: dt.date | None = None
    payment_terms_days: Annotated[int, Column(MasterAgreement, "payment_terms_days")] = 30
    terms_summary: str = ""
    reference: Annotated[str, Column(MasterAgreement, "reference")] = ""


class PolicyIn(Schema):
    require_agreement: bool = True
