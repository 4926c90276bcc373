"""Change orders and invoices: the forms that make them, their pages, and the invoice steps."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cxo.contracts import selectors
from cxo.contracts.forms import (
    ChangeOrderForm,
    InvoiceForm,
    LineFormSet,
    MilestoneFormSet,
    PayForm,
    ResubmitForm,
    SignForm,
    terms_from,
    terms_initial,
)
from cxo.contracts.models import Invoice
from cxo.contracts.selectors.invoicing import Invoiceable, invoiceable_for
from cxo.contracts.services import invoices as invoice_services
from cxo.contracts.services.change_orders import CHANGE_ORDER_MEANING, change_order_create
from cxo.contracts.services.invoices import InvoiceLineInput
from cxo.contracts.services.terms import terms_input_of
from cxo.contracts.views.common import reason_of, work_order_page
from cxo.core.access import OrgRequest, found, requires
from cxo.core.documents import document_data_from_upload
from cxo.core.errors import ServiceError
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission
from cxo.core.steps import post_step
from cxo.sourcing.views.common import flash_error

FIN = Permission.MANAGE_FINANCE


@requires(write=Permission.MANAGE_EXECUTION)
def change_order_new(request: OrgRequest, work_order_id: int) -> HttpResponse:
    org = request.organisation
    wo = found(selectors.work_order_get, organisation=org, work_order_id=work_order_id)
    initial_lines, initial_milestones = terms_initial(terms_input_of(wo))
    data = request.POST if request.method == "POST" else None
    form = ChangeOrderForm(data, initial={"scope": wo.scope, "start_date": wo.start_date, "end_date": wo.end_date})
    lines = LineFormSet(data, prefix="lines", initial=initial_lines)
    milestones = MilestoneFormSet(data, prefix="ms", initial=initial_milestones)
    if request.method == "POST" and form.is_valid() and lines.is_valid() and milestones.is_valid():
        try:
            co = change_order_create(
                actor=request.user,
                organisation=org,
                work_order=wo,
                title=form.cleaned_data["title"],
                reason=form.cleaned_data["reason"],
                terms=terms_from(form, lines, milestones),
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, f"{co.code} drafted: check the difference, then sign it to propose it.")
            return redirect("contracts:change_order_detail", org=org.slug, change_order_id=co.pk)
    return render(
        request,
        "contracts/change_order_form.html",
        {"organisation": org, "wo": wo, "form": form, "lines": lines, "milestones": milestones},
    )


def change_order_detail(request: OrgRequest, change_order_id: int) -> HttpResponse:
    org = request.organisation
    co = found(selectors.change_order_get, organisation=org, change_order_id=change_order_id)
    wo = found(selectors.work_order_get, organisation=org, work_order_id=co.work_order_id)
    actions = selectors.work_order_actions(work_order=wo, membership=request.membership)
    return render(
        request,
        "contracts/change_order_detail.html",
        {
            "organisation": org,
            "wo": wo,
            "co": co,
            "diff": selectors.change_order_diff(change_order=co),
            "verbs": actions.change_orders.get(co.pk, []),
            "sign_form": SignForm(meaning=CHANGE_ORDER_MEANING),
        },
    )


# --- invoices ----------------------------------------------------------------------------------------------


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "").strip()) if raw.strip() else None
    except InvalidOperation:
        return Decimal(-1)  # refused by the service with the line's name


def _invoice_lines(request: OrgRequest, invoiceable: list[Invoiceable]) -> list[InvoiceLineInput]:
    """The rows ticked on the invoice form: accepted milestones (with their amount) and time-and-materials lines."""
    posted = request.POST
    out = []
    for row in invoiceable:
        if row.kind == "milestone" and posted.get(f"m-{row.pk}"):
            out.append(InvoiceLineInput(milestone_id=row.pk, amount=_amount(posted.get(f"m-{row.pk}-amount", ""))))
        if row.kind == "line" and posted.get(f"b-{row.pk}-quantity", "").strip():
            out.append(InvoiceLineInput(budget_line_id=row.pk, quantity=_amount(posted[f"b-{row.pk}-quantity"])))
    return out


@requires(write=FIN)
@rate_limited("upload", methods=("POST",))
def invoice_new(request: OrgRequest, work_order_id: int) -> HttpResponse:
    org = request.organisation
    wo = found(selectors.work_order_get, organisation=org, work_order_id=work_order_id)
    invoiceable = invoiceable_for(work_order=wo)
    form = InvoiceForm(request.POST or None, request.FILES or None, initial={"issue_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("document")
        try:
            invoice = invoice_services.invoice_submit(
                actor=request.user,
                organisation=org,
                work_order=wo,
                number=form.cleaned_data["number"],
                issue_date=form.cleaned_data["issue_date"],
                lines=_invoice_lines(request, invoiceable),
                note=form.cleaned_data["note"],
                document=document_data_from_upload(upload) if upload else None,
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, f"Invoice {invoice.number} submitted to {wo.organisation.name}.")
            return redirect(work_order_page(request, wo.pk, f"invoice-{invoice.pk}"))
    return render(
        request,
        "contracts/invoice_form.html",
        {"organisation": org, "wo": wo, "form": form, "invoiceable": invoiceable, "posted": request.POST},
    )


def _invoice(request: OrgRequest, invoice_id: int) -> Invoice:
    invoice: Invoice = found(selectors.invoice_get, organisation=request.organisation, invoice_id=invoice_id)
    return invoice


def _back(request: OrgRequest, invoice: Invoice) -> str:
    return work_order_page(request, invoice.work_order_id, f"invoice-{invoice.pk}")


def _with_reason(request: OrgRequest, inv: Invoice, service: Callable[..., Any], *, done: str) -> HttpResponse:
    """A step on the invoice that carries the POSTed reason (dispute, withdraw)."""
    reason = reason_of(request)
    return post_step(
        request,
        lambda: service(actor=request.user, organisation=request.organisation, invoice=inv, reason=reason),
        done=done,
        back=_back(request, inv),
    )


@require_POST
@requires(write=FIN)
def invoice_approve(request: OrgRequest, invoice_id: int) -> HttpResponse:
    inv = _invoice(request, invoice_id)
    return post_step(
        request,
        lambda: invoice_services.invoice_approve(actor=request.user, organisation=request.organisation, invoice=inv),
        done=f"Invoice {inv.number} approved for payment.",
        back=_back(request, inv),
    )


@require_POST
@requires(write=FIN)
def invoice_dispute(request: OrgRequest, invoice_id: int) -> HttpResponse:
    inv = _invoice(request, invoice_id)
    return _with_reason(
        request, inv, invoice_services.invoice_dispute, done=f"Invoice {inv.number} disputed; the provider is told why."
    )


@require_POST
@requires(write=FIN)
@rate_limited("upload")
def invoice_resubmit(request: OrgRequest, invoice_id: int) -> HttpResponse:
    inv = _invoice(request, invoice_id)
    form = ResubmitForm(request.POST, request.FILES)
    form.is_valid()
    upload = form.cleaned_data.get("document")
    return post_step(
        request,
        lambda: invoice_services.invoice_resubmit(
            actor=request.user,
            organisation=request.organisation,
            invoice=inv,
            answer=form.data.get("answer", ""),
            document=document_data_from_upload(upload) if upload else None,
        ),
        done=f"Invoice {inv.number} resubmitted with your answer.",
        back=_back(request, inv),
    )


@require_POST
@requires(write=FIN)
def invoice_pay(request: OrgRequest, invoice_id: int) -> HttpResponse:
    inv = _invoice(request, invoice_id)
    form = PayForm(request.POST)
    form.is_valid()
    return post_step(
        request,
        lambda: invoice_services.invoice_pay(
            actor=request.user,
            organisation=request.organisation,
            invoice=inv,
            paid_on=form.cleaned_data.get("paid_on"),
            reference=form.cleaned_data.get("reference") or "",
        ),
        done=f"Invoice {inv.number} marked paid.",
        back=_back(request, inv),
    )


@require_POST
@requires(write=FIN)
def invoice_withdraw(request: OrgRequest, invoice_id: int) -> HttpResponse:
    inv = _invoice(request, invoice_id)
    return _with_reason(request, inv, invoice_services.invoice_withdraw, done=f"Invoice {inv.number} withdrawn.")
