"""API schemas for sourcing's evaluation: scores, the comparison and the e-signed award (input and output)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.core.models import Signature


class ScoreIn(Schema):
    criterion_id: int
    score: int = Field(..., description="0 (poor) to 10 (excellent)")
    comment: str = ""


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(default_factory=list)


class EvaluationOut(Schema):
    proposal_id: int
    provider_name: str
    by_evaluator: dict[str, Decimal]
    weighted: Decimal | None = Field(None, description="Mean of the evaluators' weighted scores (0-10)")


class ComparisonCellOut(Schema):
    proposal_id: int
    unit_price: Decimal | None
    quantity: Decimal | None
    amount: Decimal | None
    lowest: bool
    highest: bool
    missing: bool
    quantity_changed: bool
    changed: bool
    previous_unit_price: Decimal | None


class ComparisonRowOut(Schema):
    line_item_id: int
    description: str
    unit: str
    quantity: Decimal
    cells: list[ComparisonCellOut]


class ComparisonTotalOut(Schema):
    proposal_id: int
    provider_name: str
    version: int
    total: Decimal
    lowest: bool
    highest: bool
    completion: dt.date | None


class ComparisonOut(Schema):
    currency: str
    rows: list[ComparisonRowOut]
    totals: list[ComparisonTotalOut]


class AwardIn(Schema):
    proposal_id: int | None = Field(None, description="The proposal to award (required)")
    password: str = Field("", description="The signer's password, re-entered (electronic signature)")
    meaning: Annotated[str, Column(Signature, "meaning")] = "award approved"
    rationale: str = ""


class SignatureOut(Schema):
    signer: str
    signer_name: str
    meaning: str
    signed_at: dt.datetime
    content_sha256: str

    @staticmethod
    def resolve_signer(obj: Any) -> str:
        return str(obj.signer_username)


class RecordLinkOut(Schema):
    """A record another app made from this one (an award's work order): its kind, a label, its page and API."""

    rel: str
    label: str
    url: str
    api_url: str


class AwardOut(Schema):
    rfp_id: int
    proposal_id: int
    provider_name: str
    version: int
    signature: SignatureOut
    links: list[RecordLinkOut]

    @staticmethod
    def resolve_provider_name(obj: Any) -> str:
        return str(obj.proposal.provider.name)

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return int(obj.version.number)

    @staticmethod
    def resolve_links(obj: Any) -> list[Any]:
        from cxo.core.links import record_links

        return record_links(obj, organisation=obj.organisation)
