"""Invoices: the provider submits one against accepted milestones (or time-and-materials lines); the sponsor
approves it, disputes it with a reason (the provider answers and resubmits, or withdraws it), and marks it paid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cxo.contracts.limits import Invoiced, invoice_lines_check
from cxo.contracts.models import (
    ContractDocument,
    DocumentKind,
    Invoice,
    InvoiceLine,
    WorkOrder,
    WorkOrderStatus,
)
from cxo.contracts.services.common import audit_work_order, notify, record_side, work_order_url
from cxo.contracts.states import INVOICE
from cxo.core.documents import DocumentData, document_fill
from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.money import money_display, money_parse, money_round
from cxo.core.roles import Permission

DEFAULT_PAYMENT_DAYS = 30
INVOICEABLE = (WorkOrderStatus.ACTIVE, WorkOrderStatus.COMPLETED, WorkOrderStatus.TERMINATED)


@dataclass
class InvoiceLineInput:
    """An accepted milestone (``amount`` defaults to what is left to invoice on it), or a budget line invoiced as
    time and materials (``quantity`` at the line's unit price)."""

    milestone_id: int | None = None
    budget_line_id: int | None = None
    quantity: Decimal | None = None
    amount: Decimal | None = None
    description: str = ""


def _lines(work_order: WorkOrder, data: Sequence[InvoiceLineInput], invoice: Invoice | None) -> list[InvoiceLine]:
    cur = work_order.currency
    milestones = {m.pk: m for m in work_order.milestones.all()}
    budget = {b.pk: b for b in work_order.budget_lines.all()}
    done = Invoiced(work_order, exclude_invoice=invoice)
    out: list[InvoiceLine] = []
    for n, x in enumerate(data, start=1):
        if x.milestone_id is not None:
            m = milestones.get(x.milestone_id)
            if m is None:
                raise ServiceError(f"Line {n}: there is no such milestone on this work order.", field="lines")
            amount = (
                m.amount - done.by_milestone[m.pk]
                if x.amount is None
                else money_parse(x.amount, cur, label=f"Line {n} amount", field="lines")
            )
            out.append(
                InvoiceLine(
                    position=n - 1,
                    milestone=m,
                    description=x.description.strip() or m.name,
                    quantity=Decimal(1),
                    unit_price=amount,
                    amount=amount,
                )
            )
        elif x.budget_line_id is not None:
            b = budget.get(x.budget_line_id)
            if b is None:
                raise ServiceError(f"Line {n}: there is no such budget line on this work order.", field="lines")
            if x.quantity is None or x.quantity <= 0:
                raise ServiceError(f"Line {n} ({b.description}): give the quantity invoiced.", field="lines")
            out.append(
                InvoiceLine(
                    position=n - 1,
                    budget_line=b,
                    description=x.description.strip() or b.description,
                    quantity=x.quantity,
                    unit_price=b.unit_price,
                    amount=money_round(x.quantity * b.unit_price, cur),
                )
            )
        else:
            raise ServiceError(f"Line {n}: name the accepted milestone or the budget line it invoices.", field="lines")
    invoice_lines_check(work_order=work_order, lines=out, exclude_invoice=invoice)
    return out


def _attach(invoice: Invoice, document: DocumentData | None, actor: User) -> None:
    if document is None:
        return
    work_order = invoice.work_order
    version = ContractDocument.objects.for_organisation(work_order.organisation).filter(invoice=invoice).count() + 1
    row = ContractDocument(
        organisation=work_order.organisation,
        provider=work_order.provider,
        kind=DocumentKind.INVOICE,
        invoice=invoice,
        version=version,
        uploaded_by=actor,
    )
    document_fill(row, document, field="document")
    row.save()


def _lock_work_order(work_order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.for_organisation(work_order.organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("organisation", "provider", "agreement")
        .get(pk=work_order.pk)
    )


@transaction.atomic
def invoice_submit(
    *,
    actor: User,
    organisation: Organisation,
    work_order: WorkOrder,
    number: str,
    issue_date: dt.date | None,
    lines: Sequence[InvoiceLineInput],
    note: str = "",
    document: DocumentData | None = None,
) -> Invoice:
    """The provider invoices accepted milestones (or time and materials). A line above what was accepted or what
    the budget holds, or an invoice past the budget, is refused with the figures; the total is the server's."""
    side = record_side(
        actor=actor,
        organisation=organisation,
        record=work_order,
        permission=Permission.MANAGE_FINANCE,
        what="work order",
    )
    if side != "provider":
        raise Conflict("Only the provider may submit an invoice.")
    work_order = _lock_work_order(work_order)  # one invoice at a time per work order: limits are checked under it
    if work_order.status not in INVOICEABLE:
        raise Conflict(f"The work order is {work_order.get_status_display().lower()}: nothing can be invoiced yet.")
    number = number.strip()
    if not number:
        raise ServiceError("Give the invoice its number.", field="number")
    if work_order.invoices.filter(number=number).exists():
        raise ServiceError(f"Invoice {number} is already on this work order.", field="number")
    issue_date = issue_date or timezone.localdate()
    rows = _lines(work_order, lines, None)
    days = work_order.agreement.payment_terms_days if work_order.agreement else DEFAULT_PAYMENT_DAYS
    invoice = Invoice.objects.create(
        work_order=work_order,
        number=number,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=days),
        currency=work_order.currency,
        total=sum((r.amount for r in rows), Decimal(0)),
        note=note.strip(),
        submitted_by=actor,
    )
    for r in rows:
        r.invoice = invoice
    InvoiceLine.objects.bulk_create(rows)
    _attach(invoice, document, actor)
    cur = invoice.currency
    audit_work_order(
        actor=actor,
        work_order=work_order,
        action="invoice.submit",
        obj=invoice,
        changes={"total": [None, str(invoice.total)], "lines": [None, [r.description for r in rows]]},
    )
    notify(
        organisation=work_order.organisation,
        permission=Permission.MANAGE_FINANCE,
        title=f"Invoice {number} from {work_order.provider.name}: {cur} {money_display(invoice.total, cur)}",
        body=f"On work order {work_order.reference}, due {invoice.due_date:%d %b %Y}.",
        url=work_order_url(work_order, work_order.organisation, f"invoice-{invoice.pk}"),
    )
    return invoice


def _step(*, actor: User, organisation: Organisation, invoice: Invoice, verb: str) -> tuple[Invoice, str, str]:
    work_order = invoice.work_order
    side = record_side(
        actor=actor,
        organisation=organisation,
        record=work_order,
        permission=INVOICE.transitions[verb].permission,
        what="invoice",
    )
    _lock_work_order(work_order)
    locked = (
        Invoice.objects.for_organisation(work_order.organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("work_order__organisation", "work_order__provider", "work_order__agreement")
        .get(pk=invoice.pk)
    )
    old, new = INVOICE.apply(locked, verb, side=side)
    return locked, old, new


def _audit(actor: User, invoice: Invoice, verb: str, changes: dict[str, object], reason: str = "") -> None:
    audit_work_order(
        actor=actor,
        work_order=invoice.work_order,
        action=f"invoice.{verb}",
        obj=invoice,
        changes=changes,
        reason=reason,
    )


def _tell(invoice: Invoice, *, to_sponsor: bool, title: str, body: str = "") -> None:
    work_order = invoice.work_order
    party = work_order.organisation if to_sponsor else work_order.provider
    notify(
        organisation=party,
        permission=Permission.MANAGE_FINANCE,
        title=title,
        body=body,
        url=work_order_url(work_order, party, f"invoice-{invoice.pk}"),
    )


@transaction.atomic
def invoice_approve(*, actor: User, organisation: Organisation, invoice: Invoice) -> Invoice:
    """The sponsor approves the invoice for payment (its lines are checked against the limits again)."""
    invoice, old, new = _step(actor=actor, organisation=organisation, invoice=invoice, verb="approve")
    invoice.approved_at = timezone.now()
    invoice.save()
    _audit(actor, invoice, "approve", {"status": [old, new]})
    _tell(invoice, to_sponsor=False, title=f"Invoice {invoice.number} approved for payment")
    return invoice


@transaction.atomic
def invoice_dispute(*, actor: User, organisation: Organisation, invoice: Invoice, reason: str) -> Invoice:
    """The sponsor disputes the invoice, saying why; the provider answers and resubmits, or withdraws it."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say what is disputed.", field="reason")
    invoice, old, new = _step(actor=actor, organisation=organisation, invoice=invoice, verb="dispute")
    invoice.dispute_reason = reason
    invoice.save()
    _audit(actor, invoice, "dispute", {"status": [old, new]}, reason=reason)
    _tell(invoice, to_sponsor=False, title=f"Invoice {invoice.number} is disputed", body=reason)
    return invoice


@transaction.atomic
def invoice_resubmit(
    *,
    actor: User,
    organisation: Organisation,
    invoice: Invoice,
    answer: str,
    lines: Sequence[InvoiceLineInput] | None = None,
    document: DocumentData | None = None,
) -> Invoice:
    """The provider answers the dispute and submits the invoice again, with amended lines if given."""
    answer = answer.strip()
    if not answer:
        raise ServiceError("Answer the dispute before resubmitting.", field="answer")
    invoice, old, new = _step(actor=actor, organisation=organisation, invoice=invoice, verb="resubmit")
    work_order = invoice.work_order
    before = str(invoice.total)
    if lines:
        rows = _lines(work_order, lines, invoice)
        invoice.lines.all().delete()
        for r in rows:
            r.invoice = invoice
        InvoiceLine.objects.bulk_create(rows)
        invoice.total = sum((r.amount for r in rows), Decimal(0))
    invoice.answer = answer
    invoice.revision += 1
    invoice.submitted_at = timezone.now()
    invoice.save()
    _attach(invoice, document, actor)
    audit_work_order(
        actor=actor,
        work_order=work_order,
        action="invoice.resubmit",
        obj=invoice,
        changes={"status": [old, new], "total": [before, str(invoice.total)], "revision": [None, invoice.revision]},
        reason=answer,
    )
    _tell(
        invoice,
        to_sponsor=True,
        title=f"Invoice {invoice.number} resubmitted by {work_order.provider.name}",
        body=answer,
    )
    return invoice


@transaction.atomic
def invoice_pay(
    *, actor: User, organisation: Organisation, invoice: Invoice, paid_on: dt.date | None = None, reference: str = ""
) -> Invoice:
    """The sponsor records the approved invoice as paid (on a date, with its payment reference)."""
    invoice, old, new = _step(actor=actor, organisation=organisation, invoice=invoice, verb="pay")
    invoice.paid_on = paid_on or timezone.localdate()
    if invoice.paid_on < invoice.issue_date:
        raise ServiceError("The payment date is before the invoice date.", field="paid_on")
    invoice.payment_reference = reference.strip()[:100]
    invoice.save()
    _audit(actor, invoice, "pay", {"status": [old, new], "paid_on": [None, invoice.paid_on.isoformat()]})
    _tell(invoice, to_sponsor=False, title=f"Invoice {invoice.number} paid on {invoice.paid_on:%d %b %Y}")
    return invoice


@transaction.atomic
def invoice_withdraw(*, actor: User, organisation: Organisation, invoice: Invoice, reason: str = "") -> Invoice:
    """The provider withdraws a submitted or disputed invoice (its amounts may be invoiced again)."""
    invoice, old, new = _step(actor=actor, organisation=organisation, invoice=invoice, verb="withdraw")
    invoice.save()
    _audit(actor, invoice, "withdraw", {"status": [old, new]}, reason=reason.strip())
    _tell(invoice, to_sponsor=True, title=f"Invoice {invoice.number} withdrawn by {invoice.work_order.provider.name}")
    return invoice
