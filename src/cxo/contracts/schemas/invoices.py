"""Invoices and their lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from cxo.contracts.models import (
    ContractDocument,
    Invoice,
    InvoiceLine,
)
from cxo.contracts.schemas.common import AMOUNT, ContractDocumentIn, ContractDocumentOut, amount_resolver
from cxo.core.bounds import Column


class InvoiceLineOut(Schema):
    milestone_id: int | None
    budget_line_id: int | None
    description: str
    quantity: Decimal
    unit_price: str = Field(description=AMOUNT)
    amount: str = Field(description=AMOUNT)

    resolve_unit_price = amount_resolver("unit_price", "invoice.currency")
    resolve_amount = amount_resolver("amount", "invoice.currency")


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

    resolve_total = amount_resolver("total", "currency")

    @staticmethod
    def resolve_lines(obj: Invoice) -> list[InvoiceLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_documents(obj: Invoice) -> list[ContractDocument]:
        return list(obj.documents.all())


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
