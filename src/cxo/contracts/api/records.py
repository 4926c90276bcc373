"""Milestones, change orders and invoices through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import FileResponse

from cxo.contracts import selectors
from cxo.contracts.api import org_api
from cxo.contracts.api.convert import change_order_out, invoice_lines, terms_input
from cxo.contracts.models import Invoice, Milestone
from cxo.contracts.schemas import (
    ChangeOrderDetailOut,
    ChangeOrderIn,
    ContractDocumentIn,
    InvoiceIn,
    InvoiceOut,
    PayIn,
    ReasonIn,
    ReportIn,
    ResubmitIn,
    SignIn,
    WorkOrderMilestoneOut,
)
from cxo.contracts.services import change_orders as co_services
from cxo.contracts.services import invoices as invoice_services
from cxo.contracts.services import milestones as milestone_services
from cxo.core.access import OrgRequest
from cxo.core.documents import DocumentData, document_data_from_base64, document_response
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission

EXE, SIGN, FIN = Permission.MANAGE_EXECUTION, Permission.SIGN_CONTRACT, Permission.MANAGE_FINANCE


def _document(d: ContractDocumentIn | None, field: str) -> DocumentData | None:
    if d is None:
        return None
    return document_data_from_base64(
        name=d.name, content_base64=d.content_base64, content_type=d.content_type, field=field
    )


def _milestone(request: OrgRequest, milestone_id: int) -> Milestone:
    return selectors.milestone_get(organisation=request.organisation, milestone_id=milestone_id)


@org_api.post("/milestones/{milestone_id}/report", response=WorkOrderMilestoneOut, permission=EXE)
@rate_limited("upload")
def milestone_report(request: OrgRequest, milestone_id: int, payload: ReportIn) -> Milestone:
    """The provider reports the milestone done, with at least one evidence document (base64)."""
    evidence = [_document(d, "evidence") for d in payload.evidence]
    return milestone_services.milestone_report(
        actor=request.user,
        organisation=request.organisation,
        milestone=_milestone(request, milestone_id),
        note=payload.note,
        evidence=[d for d in evidence if d is not None],
    )


@org_api.post("/milestones/{milestone_id}/accept", response=WorkOrderMilestoneOut, permission=EXE)
def milestone_accept(request: OrgRequest, milestone_id: int) -> Milestone:
    """The sponsor accepts the reported milestone: it may then be invoiced."""
    return milestone_services.milestone_accept(
        actor=request.user, organisation=request.organisation, milestone=_milestone(request, milestone_id)
    )


@org_api.post("/milestones/{milestone_id}/reject", response=WorkOrderMilestoneOut, permission=EXE)
def milestone_reject(request: OrgRequest, milestone_id: int, payload: ReasonIn) -> Milestone:
    """The sponsor rejects the reported milestone, with the reason."""
    return milestone_services.milestone_reject(
        actor=request.user,
        organisation=request.organisation,
        milestone=_milestone(request, milestone_id),
        reason=payload.reason,
    )


def _change_order(request: OrgRequest, change_order_id: int) -> dict[str, Any]:
    co = selectors.change_order_get(organisation=request.organisation, change_order_id=change_order_id)
    return change_order_out(co, selectors.change_order_diff(change_order=co))


def _change_order_step(
    request: OrgRequest, change_order_id: int, service: Callable[..., Any], **fields: Any
) -> dict[str, Any]:
    """One step on the caller's change order; the answer is the change order as it now stands."""
    change_order = selectors.change_order_get(organisation=request.organisation, change_order_id=change_order_id)
    service(actor=request.user, organisation=request.organisation, change_order=change_order, **fields)
    return _change_order(request, change_order_id)


@org_api.get("/change-orders/{change_order_id}", response=ChangeOrderDetailOut)
def change_order_get(request: OrgRequest, change_order_id: int) -> dict[str, Any]:
    """A change order with its line-by-line difference from the baseline it changes."""
    return _change_order(request, change_order_id)


@org_api.post("/work-orders/{work_order_id}/change-orders", response={201: ChangeOrderDetailOut}, permission=EXE)
def change_order_create(request: OrgRequest, work_order_id: int, payload: ChangeOrderIn) -> tuple[int, dict[str, Any]]:
    """Draft a change of an active work order (either party): the whole new terms, a list left out is kept."""
    wo = selectors.work_order_get(organisation=request.organisation, work_order_id=work_order_id)
    co = co_services.change_order_create(
        actor=request.user,
        organisation=request.organisation,
        work_order=wo,
        title=payload.title,
        reason=payload.reason,
        terms=terms_input(wo, payload),
    )
    return 201, _change_order(request, co.pk)


@org_api.post("/change-orders/{change_order_id}/sign", response=ChangeOrderDetailOut, permission=SIGN)
def change_order_sign(request: OrgRequest, change_order_id: int, payload: SignIn) -> dict[str, Any]:
    """E-sign: the proposer's signature proposes it, the other party's executes it (the next baseline)."""
    return _change_order_step(
        request,
        change_order_id,
        co_services.change_order_sign,
        password=payload.password,
        meaning=payload.meaning or co_services.CHANGE_ORDER_MEANING,
    )


@org_api.post("/change-orders/{change_order_id}/reject", response=ChangeOrderDetailOut, permission=EXE)
def change_order_reject(request: OrgRequest, change_order_id: int, payload: ReasonIn) -> dict[str, Any]:
    """The other party refuses the proposed change, with the reason."""
    return _change_order_step(request, change_order_id, co_services.change_order_reject, reason=payload.reason)


@org_api.post("/change-orders/{change_order_id}/withdraw", response=ChangeOrderDetailOut, permission=EXE)
def change_order_withdraw(request: OrgRequest, change_order_id: int, payload: ReasonIn) -> dict[str, Any]:
    """The proposer takes its change order back."""
    return _change_order_step(request, change_order_id, co_services.change_order_withdraw, reason=payload.reason)


def _invoice(request: OrgRequest, invoice_id: int) -> Invoice:
    return selectors.invoice_get(organisation=request.organisation, invoice_id=invoice_id)


def _invoice_step(request: OrgRequest, invoice_id: int, service: Callable[..., Any], **fields: Any) -> Invoice:
    """One step on the caller's invoice; the answer is the invoice as it now stands."""
    service(actor=request.user, organisation=request.organisation, invoice=_invoice(request, invoice_id), **fields)
    return _invoice(request, invoice_id)


@org_api.get("/invoices/{invoice_id}", response=InvoiceOut)
def invoice_get(request: OrgRequest, invoice_id: int) -> Invoice:
    """An invoice with its lines and documents."""
    return _invoice(request, invoice_id)


@org_api.post("/work-orders/{work_order_id}/invoices", response={201: InvoiceOut}, permission=FIN)
@rate_limited("upload")
def invoice_submit(request: OrgRequest, work_order_id: int, payload: InvoiceIn) -> tuple[int, Invoice]:
    """The provider invoices accepted milestones (or time and materials). A line above what was accepted or what
    the budget holds is refused (409) with the figures; the total is computed by the server."""
    invoice = invoice_services.invoice_submit(
        actor=request.user,
        organisation=request.organisation,
        work_order=selectors.work_order_get(organisation=request.organisation, work_order_id=work_order_id),
        number=payload.number,
        issue_date=payload.issue_date,
        lines=invoice_lines(payload.lines),
        note=payload.note,
        document=_document(payload.document, "document"),
    )
    return 201, _invoice(request, invoice.pk)


@org_api.post("/invoices/{invoice_id}/approve", response=InvoiceOut, permission=FIN)
def invoice_approve(request: OrgRequest, invoice_id: int) -> Invoice:
    """The sponsor approves the invoice for payment."""
    return _invoice_step(request, invoice_id, invoice_services.invoice_approve)


@org_api.post("/invoices/{invoice_id}/dispute", response=InvoiceOut, permission=FIN)
def invoice_dispute(request: OrgRequest, invoice_id: int, payload: ReasonIn) -> Invoice:
    """The sponsor disputes the invoice, with the reason."""
    return _invoice_step(request, invoice_id, invoice_services.invoice_dispute, reason=payload.reason)


@org_api.post("/invoices/{invoice_id}/resubmit", response=InvoiceOut, permission=FIN)
@rate_limited("upload")
def invoice_resubmit(request: OrgRequest, invoice_id: int, payload: ResubmitIn) -> Invoice:
    """The provider answers the dispute and resubmits (with amended lines if given)."""
    return _invoice_step(
        request,
        invoice_id,
        invoice_services.invoice_resubmit,
        answer=payload.answer,
        lines=invoice_lines(payload.lines) if payload.lines is not None else None,
        document=_document(payload.document, "document"),
    )


@org_api.post("/invoices/{invoice_id}/pay", response=InvoiceOut, permission=FIN)
def invoice_pay(request: OrgRequest, invoice_id: int, payload: PayIn) -> Invoice:
    """The sponsor records the approved invoice as paid."""
    return _invoice_step(
        request, invoice_id, invoice_services.invoice_pay, paid_on=payload.paid_on, reference=payload.reference
    )


@org_api.post("/invoices/{invoice_id}/withdraw", response=InvoiceOut, permission=FIN)
def invoice_withdraw(request: OrgRequest, invoice_id: int, payload: ReasonIn) -> Invoice:
    """The provider withdraws a submitted or disputed invoice."""
    return _invoice_step(request, invoice_id, invoice_services.invoice_withdraw, reason=payload.reason)


@org_api.get("/contract-documents/{document_id}")
def contract_document(request: OrgRequest, document_id: int) -> FileResponse:
    """Download a contract document (an agreement version, milestone evidence, an invoice); its SHA-256 is in the
    ``X-Content-SHA256`` header."""
    return document_response(
        selectors.contract_document_get(organisation=request.organisation, document_id=document_id)
    )
