"""Work order pages: the list (with what needs the viewer), the record, the sponsor's draft editor, the PDF."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cxo.contracts import selectors
from cxo.contracts.exports import work_order_pdf
from cxo.contracts.forms import (
    LineFormSet,
    MilestoneFormSet,
    SignForm,
    WorkOrderForm,
    terms_from,
    terms_initial,
)
from cxo.contracts.models import WorkOrderStatus
from cxo.contracts.selectors.agenda import agenda_for
from cxo.contracts.selectors.money import Figures, money_view
from cxo.contracts.services.terms import terms_input_of
from cxo.contracts.services.work_orders import WORK_ORDER_MEANING, work_order_update
from cxo.contracts.views.common import work_order_page
from cxo.core.access import OrgRequest, found, requires
from cxo.core.documents import document_response
from cxo.core.errors import ServiceError
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission
from cxo.sourcing.views.common import flash_error

STEPS = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("provider_signed", "Signed by provider"),
    ("signed", "Signed by both"),
    ("active", "Active"),
    ("completed", "Completed"),
]


def work_order_list(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    status = request.GET.get("status") or None
    return render(
        request,
        "contracts/work_order_list.html",
        {
            "organisation": org,
            "work_orders": selectors.work_order_list(organisation=org, status=status),
            "agenda": agenda_for(organisation=org),
            "statuses": WorkOrderStatus.choices,
            "status": status or "",
        },
    )


def _figures_list(f: Figures) -> list[tuple[str, Decimal]]:
    return [
        ("Budget", f.budget),
        ("Committed", f.committed),
        ("Accepted", f.accepted),
        ("Invoiced", f.invoiced),
        ("Paid", f.paid),
        ("Remaining", f.remaining),
        ("Accrued this month", f.accrued),
    ]


def _baseline_number(request: OrgRequest) -> int | None:
    raw = request.GET.get("baseline", "")
    return int(raw) if raw.isdigit() else None


def work_order_detail(request: OrgRequest, work_order_id: int) -> HttpResponse:
    org = request.organisation
    wo = found(selectors.work_order_get, organisation=org, work_order_id=work_order_id)
    baseline = found(selectors.baseline_view, work_order=wo, number=_baseline_number(request))
    actions = selectors.work_order_actions(work_order=wo, membership=request.membership)
    figures = money_view(organisation=org, work_order_id=wo.pk)
    order = [k for k, _ in STEPS]
    # Only the sponsor reaches the RFP the work order came from; the provider has it in its inbox.
    rfp_url = (
        reverse("sourcing:rfp_detail", kwargs={"org": org.slug, "rfp_id": wo.award.rfp_id})
        if wo.award_id and wo.organisation_id == org.pk
        else ""
    )
    return render(
        request,
        "contracts/work_order_detail.html",
        {
            "organisation": org,
            "wo": wo,
            "is_sponsor": wo.organisation_id == org.pk,
            "baseline": baseline,
            "actions": actions,
            "figures": figures.rows[0].figures if figures.rows else None,
            "figures_list": _figures_list(figures.rows[0].figures) if figures.rows else [],
            "milestone_rows": [(m, actions.milestones.get(m.pk, [])) for m in wo.milestones.all()],
            "invoice_rows": [(inv, actions.invoices.get(inv.pk, [])) for inv in wo.invoices.all()],
            "signatures": [(wo.provider.name, wo.provider_signature), (wo.organisation.name, wo.sponsor_signature)],
            "checks": selectors.work_order_checks(work_order=wo),
            "steps": STEPS,
            "done": order[: order.index(wo.status)] if wo.status in order else [],
            "today": timezone.localdate(),
            "sign_form": SignForm(meaning=WORK_ORDER_MEANING),
            "rfp_url": rfp_url,
        },
    )


@requires(write=Permission.MANAGE_EXECUTION)
def work_order_edit(request: OrgRequest, work_order_id: int) -> HttpResponse:
    org = request.organisation
    wo = found(selectors.work_order_get, organisation=org, work_order_id=work_order_id)
    agreements, sites = selectors.work_order_choices(work_order=wo)
    initial_lines, initial_milestones = terms_initial(terms_input_of(wo))
    data = request.POST if request.method == "POST" else None
    form = WorkOrderForm(
        data,
        agreements=agreements,
        sites=sites,
        initial={
            "title": wo.title,
            "agreement": wo.agreement_id or 0,
            "site": wo.site_id or 0,
            "time_and_materials": wo.time_and_materials,
            "scope": wo.scope,
            "start_date": wo.start_date,
            "end_date": wo.end_date,
        },
    )
    lines = LineFormSet(data, prefix="lines", initial=initial_lines)
    milestones = MilestoneFormSet(data, prefix="ms", initial=initial_milestones)
    if request.method == "POST" and form.is_valid() and lines.is_valid() and milestones.is_valid():
        try:
            work_order_update(
                actor=request.user,
                organisation=org,
                work_order=wo,
                terms=terms_from(form, lines, milestones),
                title=form.cleaned_data["title"],
                agreement_id=form.cleaned_data["agreement"] or 0,
                site_id=form.cleaned_data["site"] or 0,
                time_and_materials=form.cleaned_data["time_and_materials"],
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            return redirect(work_order_page(request, wo.pk))
    return render(
        request,
        "contracts/work_order_edit.html",
        {"organisation": org, "wo": wo, "form": form, "lines": lines, "milestones": milestones},
    )


@rate_limited("export")
def work_order_pdf_download(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = found(selectors.work_order_get, organisation=request.organisation, work_order_id=work_order_id)
    response = HttpResponse(work_order_pdf(work_order=wo), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{wo.reference}.pdf"'
    return response


def contract_document(request: OrgRequest, document_id: int) -> HttpResponseBase:
    document = found(selectors.contract_document_get, organisation=request.organisation, document_id=document_id)
    return document_response(document)
