"""API schemas for contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from cxo.contracts.models import WorkOrder


class BudgetLineOut(Schema):
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class WorkOrderMilestoneOut(Schema):
    name: str
    due_date: dt.date


class WorkOrderSummaryOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    sponsor: str
    provider: str
    rfp_id: int | None
    currency: str
    budget_total: Decimal
    created_at: dt.datetime

    @staticmethod
    def resolve_sponsor(obj: WorkOrder) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_provider(obj: WorkOrder) -> str:
        return obj.provider.name

    @staticmethod
    def resolve_rfp_id(obj: WorkOrder) -> int | None:
        return obj.award.rfp_id if obj.award is not None else None


class WorkOrderOut(WorkOrderSummaryOut):
    budget_lines: list[BudgetLineOut]
    milestones: list[WorkOrderMilestoneOut]

    @staticmethod
    def resolve_budget_lines(obj: WorkOrder) -> list[object]:
        return list(obj.budget_lines.all())

    @staticmethod
    def resolve_milestones(obj: WorkOrder) -> list[object]:
        return list(obj.milestones.all())
