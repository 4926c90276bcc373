"""API schemas for contracts: separate input and output shapes. Amounts go out as strings to the currency's minor
units (``"1234.50"``, ``"1235"`` for JPY) and come in as decimals; the server computes every total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema

from cxo.contracts.models import (
    BudgetLine,
    ChangeOrder,
    ContractDocument,
    Invoice,
    InvoiceLine,
    MasterAgreement,
    Milestone,
    WorkOrder,
)
from cxo.core.bounds import Column
from cxo.core.models import Signature
from cxo.core.money import money_str


def amount(value: Decimal, currency: str) -> str:
    return money_str(value, currency)


AMOUNT = "An amount in the record's currency, as a string to its minor units (ISO 4217)."


# --- out ---------------------------------------------------------------------------------------------------------


class ContractSignatureOut(Schema):
    signer: str
    signer_name: str
    meaning: str
    signed_at: dt.datetime
    content_sha256: str

    @staticmethod
    def resolve_signer(obj: Signature) -> str:
        return obj.signer_username


class ContractDocumentOut(Schema):
    id: int
    name: str
    version: int
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime


class BudgetLineOut(Schema):
    id: int
    key: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: str = Field(description=AMOUNT)
    amount: str = Field(description=AMOUNT)

    @staticmethod
    def resolve_unit_price(obj: Any) -> str:
        return amount(obj.unit_price, obj.work_order.currency)

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return amount(obj.amount, obj.work_order.currency)


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

    @staticmethod
    def resolve_amount(obj: Milestone) -> str:
        return amount(obj.amount, obj.work_order.currency)

    @staticmethod
    def resolve_late(obj: Milestone) -> bool:
        return obj.work_order.status == "active" and obj.is_late_on(timezone.localdate())

    @staticmethod
    def resolve_evidence(obj: Milestone) -> list[ContractDocument]:
        return list(obj.documents.all())


class InvoiceLineOut(Schema):
    milestone_id: int | None
    budget_line_id: int | None
    description: str
    quantity: Decimal
    unit_price: str = Field(description=AMOUNT)
    amount: str = Field(description=AMOUNT)

    @staticmethod
    def resolve_unit_price(obj: InvoiceLine) -> str:
        return amount(obj.unit_price, obj.invoice.currency)

    @staticmethod
    def resolve_amount(obj: InvoiceLine) -> str:
        return amount(obj.amount, obj.invoice.currency)


class InvoiceOut(Schema):
    id: int
    work_order_id: int
    number: str
    issue_date: dt.date
    due_date: dt.date
    currency: str
    total: str = Field(description=AMOUNT)
    status: str
    revision: int
    note: str
    dispute_reason: str
    answer: str
    paid_on: dt.date | None
    payment_reference: str
    lines: list[InvoiceLineOut]
    documents: list[ContractDocumentOut]

    @staticmethod
    def resolve_total(obj: Invoice) -> str:
        return amount(obj.total, obj.currency)

    @staticmethod
    def resolve_lines(obj: Invoice) -> list[InvoiceLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_documents(obj: Invoice) -> list[ContractDocument]:
        return list(obj.documents.all())


class BaselineOut(Schema):
    number: int
    label: str
    total: str = Field(description=AMOUNT)
    content_sha256: str
    created_at: dt.datetime

    @staticmethod
    def resolve_total(obj: Any) -> str:
        return amount(obj.total, obj.work_order.currency)


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

    @staticmethod
    def resolve_budget_total(obj: WorkOrder) -> str:
        return amount(obj.budget_total, obj.currency)


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


# --- in ----------------------------------------------------------------------------------------------------------


class ContractDocumentIn(Schema):
    name: Annotated[str, Column(ContractDocument, "name")] = ""
    content_base64: str = ""
    content_type: str = "application/octet-stream"


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


class ChangeOrderIn(TermsIn):
    title: Annotated[str, Column(ChangeOrder, "title")] = ""
    reason: str = ""


class InvoiceLineIn(Schema):
    milestone_id: int | None = None
    budget_line_id: int | None = None
    quantity: Annotated[Decimal, Column(InvoiceLine, "quantity")] | None = Field(
        None, description="For a time-and-materials line"
    )
    amount: Annotated[Decimal, Column(InvoiceLine, "amount")] | None = Field(
        None, description="For a milestone: default what is left to invoice on it"
    )
    description: Annotated[str, Column(InvoiceLine, "description")] = ""


class InvoiceIn(Schema):
    number: Annotated[str, Column(Invoice, "number")] = ""
    issue_date: dt.date | None = None
    note: str = ""
    lines: list[InvoiceLineIn] = Field(default_factory=list)
    document: ContractDocumentIn | None = None


class ResubmitIn(Schema):
    answer: str = ""
    lines: list[InvoiceLineIn] | None = None
    document: ContractDocumentIn | None = None


class PayIn(Schema):
    paid_on: dt.date | None = None
    reference: Annotated[str, Column(Invoice, "payment_reference")] = ""


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
