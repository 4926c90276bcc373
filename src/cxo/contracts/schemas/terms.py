"""A work order's terms (scope, dates, budget lines, milestones), as a baseline shows them and a draft or change
order proposes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from cxo.contracts.models import (
    BudgetLine,
    Milestone,
)
from cxo.contracts.schemas.common import AMOUNT
from cxo.core.bounds import Column


class TermLineOut(Schema):
    key: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: str
    amount: str


class TermMilestoneOut(Schema):
    key: str
    name: str
    due_date: dt.date
    amount: str
    percent: Decimal | None
    acceptance_criteria: str


class TermsOut(Schema):
    number: int | None = Field(description="The baseline (null: the unsigned draft)")
    label: str
    total: str = Field(description=AMOUNT)
    scope: str
    start_date: dt.date | None
    end_date: dt.date | None
    lines: list[TermLineOut]
    milestones: list[TermMilestoneOut]


class TermLineIn(Schema):
    key: Annotated[str, Column(BudgetLine, "key")] = Field(
        "", description="An existing line's key (L1 …); empty for a new line"
    )
    description: Annotated[str, Column(BudgetLine, "description")] = ""
    unit: Annotated[str, Column(BudgetLine, "unit")] = ""
    quantity: Annotated[Decimal, Column(BudgetLine, "quantity")] = Decimal(0)
    unit_price: Annotated[Decimal, Column(BudgetLine, "unit_price")] = Decimal(0)


class TermMilestoneIn(Schema):
    key: Annotated[str, Column(Milestone, "key")] = Field(
        "", description="An existing milestone's key (M1 …); empty for a new one"
    )
    name: Annotated[str, Column(Milestone, "name")] = ""
    due_date: dt.date | None = None
    amount: Annotated[Decimal, Column(Milestone, "amount")] | None = Field(
        None, description="The payment; or give percent"
    )
    percent: Annotated[Decimal, Column(Milestone, "percent")] | None = Field(
        None, description="The payment as a share of the budget"
    )
    acceptance_criteria: str = ""


class TermsIn(Schema):
    """The whole new terms; a list left out keeps the current one."""

    scope: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    lines: list[TermLineIn] | None = None
    milestones: list[TermMilestoneIn] | None = None
