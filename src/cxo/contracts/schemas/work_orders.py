"""Work orders with their budget lines, milestones, baselines and quality checks; the inputs of their steps
(sign, reason, comment, report)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema

from cxo.contracts.models import (
    ContractDocument,
    Milestone,
    WorkOrder,
)
from cxo.contracts.schemas.change_orders import ChangeOrderOut
from cxo.contracts.schemas.common import (
    AMOUNT,
    ContractDocumentIn,
    ContractDocumentOut,
    ContractSignatureOut,
    amount_resolver,
)
from cxo.contracts.schemas.invoices import InvoiceOut
from cxo.contracts.schemas.terms import TermsIn
from cxo.core.bounds import Column


class BudgetLineOut(Schema):
    id: int
    key: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: str = Field(description=AMOUNT)
    amount: str = Field(description=AMOUNT)

    resolve_unit_price = amount_resolver("unit_price", "work_order.currency")
    resolve_amount = amount_resolver("amount", "work_order.currency")


class WorkOrderMilestoneOut(Schema):
    id: int
    key: str
    name: str
    due_date: dt.date
    amount: str = Field(description=AMOUNT)
    percent: Decimal | None
    acceptance_criteria: str
    status: str
    late: bool
    reported_at: dt.datetime | None
    report_note: str
    decided_at: dt.datetime | None
    decision_reason: str
    evidence: list[ContractDocumentOut]

    resolve_amount = amount_resolver("amount", "work_order.currency")

    @staticmethod
    def resolve_late(obj: Milestone) -> bool:
        return obj.work_order.status == "active" and obj.is_late_on(timezone.localdate())

    @staticmethod
    def resolve_evidence(obj: Milestone) -> list[ContractDocument]:
        return list(obj.documents.all())


class BaselineOut(Schema):
    number: int
    label: str
    total: str = Field(description=AMOUNT)
    content_sha256: str
    created_at: dt.datetime

    resolve_total = amount_resolver("total", "work_order.currency")


class QualityCheckOut(Schema):
    subject: str
    standing: str = Field(description="ok, refused or not_on_record")
    label: str


class WorkOrderSummaryOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    sponsor: str
    provider: str
    rfp_id: int | None
    programme_id: int | None
    currency: str
    budget_total: str = Field(description=AMOUNT)
    baseline_number: int | None
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

    resolve_budget_total = amount_resolver("budget_total", "currency")


class WorkOrderOut(WorkOrderSummaryOut):
    scope: str
    start_date: dt.date | None
    end_date: dt.date | None
    agreement: str | None = Field(description="The master agreement's reference")
    site: str | None
    service: str | None
    time_and_materials: bool
    return_comment: str
    content_sha256: str
    provider_signature: ContractSignatureOut | None
    sponsor_signature: ContractSignatureOut | None
    budget_lines: list[BudgetLineOut]
    milestones: list[WorkOrderMilestoneOut]
    baselines: list[BaselineOut]
    change_orders: list[ChangeOrderOut]
    invoices: list[InvoiceOut]
    quality: list[QualityCheckOut] = Field(description="What quality says of the site and provider today")
    actions: list[str] = Field(description="The steps the caller's side and role may take now")

    @staticmethod
    def resolve_agreement(obj: WorkOrder) -> str | None:
        return obj.agreement.reference if obj.agreement else None

    @staticmethod
    def resolve_site(obj: WorkOrder) -> str | None:
        return obj.site.name if obj.site else None

    @staticmethod
    def resolve_service(obj: WorkOrder) -> str | None:
        return obj.service.code if obj.service else None

    @staticmethod
    def resolve_budget_lines(obj: WorkOrder) -> list[Any]:
        return list(obj.budget_lines.all())

    @staticmethod
    def resolve_milestones(obj: WorkOrder) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_baselines(obj: WorkOrder) -> list[Any]:
        return list(obj.baselines.all())

    @staticmethod
    def resolve_change_orders(obj: WorkOrder) -> list[Any]:
        return list(obj.change_orders.all())

    @staticmethod
    def resolve_invoices(obj: WorkOrder) -> list[Any]:
        return list(obj.invoices.all())

    @staticmethod
    def resolve_quality(obj: WorkOrder) -> list[Any]:
        return list(getattr(obj, "quality_checks", []))

    @staticmethod
    def resolve_actions(obj: WorkOrder) -> list[str]:
        return list(getattr(obj, "viewer_actions", []))


class WorkOrderUpdateIn(TermsIn):
    title: Annotated[str, Column(WorkOrder, "title")] | None = None
    agreement_id: int | None = Field(None, description="A master agreement with the provider; 0 clears it")
    site_id: int | None = Field(None, description="One of the provider's registry sites; 0 clears it")
    time_and_materials: bool | None = None


class SignIn(Schema):
    password: str = ""
    meaning: str = ""


class ReasonIn(Schema):
    reason: str = ""


class CommentIn(Schema):
    comment: str = ""


class ReportIn(Schema):
    note: str = ""
    evidence: list[ContractDocumentIn] = Field(default_factory=list)
