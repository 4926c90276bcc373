"""API schemas for contracts: separate input and output shapes. Amounts go out as strings to the currency's minor
units (``"1234.50"``, ``"1235"`` for JPY) and come in as decimals; the server computes every total.

One module per record; this package re-exports them all so callers import from ``cxo.contracts.schemas``."""

from cxo.contracts.schemas.agreements import MasterAgreementIn, MasterAgreementOut, PolicyIn, PolicyOut
from cxo.contracts.schemas.change_orders import ChangeOrderDetailOut, ChangeOrderIn, ChangeOrderOut, DiffRowOut
from cxo.contracts.schemas.common import AMOUNT, ContractDocumentIn, ContractDocumentOut, ContractSignatureOut, amount
from cxo.contracts.schemas.invoices import InvoiceIn, InvoiceLineIn, InvoiceLineOut, InvoiceOut, PayIn, ResubmitIn
from cxo.contracts.schemas.money import (
    AccrualRowOut,
    AccrualsOut,
    AccrualTotalOut,
    FiguresOut,
    LateItemOut,
    MoneyOut,
    MoneyRowOut,
    PointOut,
    ProgrammeViewOut,
    TimelineRowOut,
)
from cxo.contracts.schemas.terms import TermLineIn, TermLineOut, TermMilestoneIn, TermMilestoneOut, TermsIn, TermsOut
from cxo.contracts.schemas.work_orders import (
    BaselineOut,
    BudgetLineOut,
    CommentIn,
    QualityCheckOut,
    ReasonIn,
    ReportIn,
    SignIn,
    WorkOrderMilestoneOut,
    WorkOrderOut,
    WorkOrderSummaryOut,
    WorkOrderUpdateIn,
)

__all__ = [
    "AMOUNT",
    "AccrualRowOut",
    "AccrualTotalOut",
    "AccrualsOut",
    "BaselineOut",
    "BudgetLineOut",
    "ChangeOrderDetailOut",
    "ChangeOrderIn",
    "ChangeOrderOut",
    "CommentIn",
    "ContractDocumentIn",
    "ContractDocumentOut",
    "ContractSignatureOut",
    "DiffRowOut",
    "FiguresOut",
    "InvoiceIn",
    "InvoiceLineIn",
    "InvoiceLineOut",
    "InvoiceOut",
    "LateItemOut",
    "MasterAgreementIn",
    "MasterAgreementOut",
    "MoneyOut",
    "MoneyRowOut",
    "PayIn",
    "PointOut",
    "PolicyIn",
    "PolicyOut",
    "ProgrammeViewOut",
    "QualityCheckOut",
    "ReasonIn",
    "ReportIn",
    "ResubmitIn",
    "SignIn",
    "TermLineIn",
    "TermLineOut",
    "TermMilestoneIn",
    "TermMilestoneOut",
    "TermsIn",
    "TermsOut",
    "TimelineRowOut",
    "WorkOrderMilestoneOut",
    "WorkOrderOut",
    "WorkOrderSummaryOut",
    "WorkOrderUpdateIn",
    "amount",
]
