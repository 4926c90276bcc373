"""Money across work orders: figures, accruals and the programme view."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class FiguresOut(Schema):
    currency: str
    budget: str
    committed: str
    accepted: str
    invoiced: str
    paid: str
    remaining: str
    accrued: str


class MoneyRowOut(Schema):
    work_order_id: int
    reference: str
    title: str
    provider: str
    status: str
    late_milestones: int
    figures: FiguresOut


class MoneyOut(Schema):
    month: str = Field(description="YYYY-MM of the accruals")
    rows: list[MoneyRowOut]
    totals: list[FiguresOut] = Field(description="Per currency; amounts in different currencies are never added")


class AccrualRowOut(Schema):
    work_order_id: int
    work_order: str
    provider: str
    milestone_id: int
    milestone: str
    accepted_on: dt.date
    currency: str
    accepted: str
    invoiced: str
    accrued: str


class AccrualTotalOut(Schema):
    currency: str
    accrued: str


class AccrualsOut(Schema):
    month: str
    month_end: dt.date
    rows: list[AccrualRowOut]
    totals: list[AccrualTotalOut]


class PointOut(Schema):
    day: dt.date
    label: str
    tone: str


class TimelineRowOut(Schema):
    kind: str
    label: str
    detail: str
    start: dt.date | None
    end: dt.date | None
    tone: str
    late: bool
    points: list[PointOut]


class LateItemOut(Schema):
    what: str
    detail: str
    due: dt.date


class ProgrammeViewOut(Schema):
    programme_id: int
    programme: str
    late: list[LateItemOut]
    rows: list[TimelineRowOut]
    money: MoneyOut
