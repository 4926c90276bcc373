"""Change orders: the proposed terms and their difference from the baseline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from cxo.contracts.models import (
    ChangeOrder,
)
from cxo.contracts.schemas.common import AMOUNT, ContractSignatureOut
from cxo.contracts.schemas.terms import TermsIn
from cxo.core.bounds import Column


class _ChangeOrderFields(Schema):
    id: int
    work_order_id: int
    number: int
    code: str
    title: str
    reason: str
    status: str
    proposed_by: str
    base_number: int
    total_after: str = Field(description=AMOUNT)
    decision_reason: str
    sponsor_signature: ContractSignatureOut | None
    provider_signature: ContractSignatureOut | None


class ChangeOrderOut(_ChangeOrderFields):
    @staticmethod
    def resolve_proposed_by(obj: ChangeOrder) -> str:
        return obj.proposed_by_organisation.name

    @staticmethod
    def resolve_total_after(obj: ChangeOrder) -> str:
        return str(obj.proposed["total"])


class DiffRowOut(Schema):
    kind: str
    key: str
    change: str
    fields: list[str]
    before: dict[str, str] | None
    after: dict[str, str] | None


class ChangeOrderDetailOut(_ChangeOrderFields):
    total_before: str = Field(description=AMOUNT)
    lines: list[DiffRowOut]
    milestones: list[DiffRowOut]
    scope_before: str
    scope_after: str
    end_date_before: dt.date | None
    end_date_after: dt.date | None


class ChangeOrderIn(TermsIn):
    title: Annotated[str, Column(ChangeOrder, "title")] = ""
    reason: str = ""
