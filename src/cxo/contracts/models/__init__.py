"""Contracts and execution: master agreements, work orders with their budget, milestones and baselines, change
orders, invoices, and the documents of each. Every row is the sponsor's and fails closed; the provider named on
a record is its party (``docs/contracts.md``)."""

from cxo.contracts.models.agreement import AgreementStatus, ContractPolicy, MasterAgreement
from cxo.contracts.models.change import ChangeOrder, ChangeOrderStatus
from cxo.contracts.models.document import ContractDocument, DocumentKind
from cxo.contracts.models.invoice import Invoice, InvoiceLine, InvoiceStatus
from cxo.contracts.models.work_order import (
    Baseline,
    BudgetLine,
    Milestone,
    MilestoneStatus,
    WorkOrder,
    WorkOrderStatus,
)

__all__ = [
    "AgreementStatus",
    "Baseline",
    "BudgetLine",
    "ChangeOrder",
    "ChangeOrderStatus",
    "ContractDocument",
    "ContractPolicy",
    "DocumentKind",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "MasterAgreement",
    "Milestone",
    "MilestoneStatus",
    "WorkOrder",
    "WorkOrderStatus",
]
