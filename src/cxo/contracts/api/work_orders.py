"""Work orders through the API: list, read (with what the caller may do), edit the draft, and every step."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cxo.contracts import selectors
from cxo.contracts.api import org_api
from cxo.contracts.api.convert import terms_input, terms_out
from cxo.contracts.models import WorkOrder
from cxo.contracts.schemas import (
    CommentIn,
    ReasonIn,
    SignIn,
    TermsOut,
    WorkOrderOut,
    WorkOrderSummaryOut,
    WorkOrderUpdateIn,
)
from cxo.contracts.services import work_orders as services
from cxo.core.access import OrgRequest
from cxo.core.roles import Permission

EXE, SIGN = Permission.MANAGE_EXECUTION, Permission.SIGN_CONTRACT


def _get(request: OrgRequest, work_order_id: int) -> WorkOrder:
    return selectors.work_order_get(organisation=request.organisation, work_order_id=work_order_id)


def _out(request: OrgRequest, work_order_id: int) -> WorkOrder:
    return selectors.work_order_for_viewer(membership=request.membership, work_order_id=work_order_id)


@org_api.get("/work-orders", response=list[WorkOrderSummaryOut])
def work_order_list(
    request: OrgRequest, rfp_id: int | None = None, programme_id: int | None = None, status: str | None = None
) -> QuerySet[WorkOrder]:
    """Work orders the organisation placed or received (a provider sees them once sent), newest first; filter by
    the RFP whose award drafted it, the programme, or the status."""
    return selectors.work_order_list(
        organisation=request.organisation, rfp_id=rfp_id, programme_id=programme_id, status=status
    )


@org_api.get("/work-orders/{work_order_id}", response=WorkOrderOut)
def work_order_get(request: OrgRequest, work_order_id: int) -> WorkOrder:
    """A work order with its budget lines, milestones, baselines, change orders, invoices, signatures, what quality
    says, and the steps the caller may take now."""
    return _out(request, work_order_id)


@org_api.get("/work-orders/{work_order_id}/baselines/{number}", response=TermsOut)
def work_order_baseline(request: OrgRequest, work_order_id: int, number: int) -> dict[str, Any]:
    """The work order's terms (lines, milestones, total) as of one baseline: 0 is the original signed by both."""
    wo = _get(request, work_order_id)
    return terms_out(selectors.baseline_view(work_order=wo, number=number), wo.currency)


@org_api.put("/work-orders/{work_order_id}", response=WorkOrderOut, permission=EXE)
def work_order_update(request: OrgRequest, work_order_id: int, payload: WorkOrderUpdateIn) -> WorkOrder:
    """Edit the sponsor's draft: title, agreement, site, time and materials, scope, dates, lines and milestones
    (a list left out is kept). Amounts are computed by the server."""
    wo = _get(request, work_order_id)
    services.work_order_update(
        actor=request.user,
        organisation=request.organisation,
        work_order=wo,
        terms=terms_input(wo, payload),
        title=payload.title,
        agreement_id=payload.agreement_id,
        site_id=payload.site_id,
        time_and_materials=payload.time_and_materials,
    )
    return _out(request, work_order_id)


@org_api.post("/work-orders/{work_order_id}/send", response=WorkOrderOut, permission=EXE)
def work_order_send(request: OrgRequest, work_order_id: int) -> WorkOrder:
    """Send the draft to the provider (who sees it from now on)."""
    services.work_order_send(
        actor=request.user, organisation=request.organisation, work_order=_get(request, work_order_id)
    )
    return _out(request, work_order_id)


@org_api.post("/work-orders/{work_order_id}/return", response=WorkOrderOut, permission=EXE)
def work_order_return(request: OrgRequest, work_order_id: int, payload: CommentIn) -> WorkOrder:
    """The provider returns the work order to the sponsor's draft with its comments."""
    services.work_order_return(
        actor=request.user,
        organisation=request.organisation,
        work_order=_get(request, work_order_id),
        comment=payload.comment,
    )
    return _out(request, work_order_id)


@org_api.post("/work-orders/{work_order_id}/sign", response=WorkOrderOut, permission=SIGN)
def work_order_sign(request: OrgRequest, work_order_id: int, payload: SignIn) -> WorkOrder:
    """E-sign for the caller's side (password re-entered, a meaning): the provider first, then the sponsor, whose
    signature makes the terms the original baseline."""
    services.work_order_sign(
        actor=request.user,
        organisation=request.organisation,
        work_order=_get(request, work_order_id),
        password=payload.password,
        meaning=payload.meaning or services.WORK_ORDER_MEANING,
    )
    return _out(request, work_order_id)


@org_api.post("/work-orders/{work_order_id}/activate", response=WorkOrderOut, permission=EXE)
def work_order_activate(request: OrgRequest, work_order_id: int) -> WorkOrder:
    """Start the work; refused with the reason while the agreement is not in force or quality refuses the site."""
    services.work_order_activate(
        actor=request.user, organisation=request.organisation, work_order=_get(request, work_order_id)
    )
    return _out(request, work_order_id)


@org_api.post("/work-orders/{work_order_id}/complete", response=WorkOrderOut, permission=EXE)
def work_order_complete(request: OrgRequest, work_order_id: int) -> WorkOrder:
    """Close the work order once every milestone is accepted."""
    services.work_order_complete(
        actor=request.user, organisation=request.organisation, work_order=_get(request, work_order_id)
    )
    return _out(request, work_order_id)


@org_api.post("/work-orders/{work_order_id}/terminate", response=WorkOrderOut, permission=SIGN)
def work_order_terminate(request: OrgRequest, work_order_id: int, payload: ReasonIn) -> WorkOrder:
    """End a signed or active work order early, with the reason."""
    services.work_order_terminate(
        actor=request.user,
        organisation=request.organisation,
        work_order=_get(request, work_order_id),
        reason=payload.reason,
    )
    return _out(request, work_order_id)


@org_api.post("/work-orders/{work_order_id}/cancel", response=WorkOrderOut, permission=EXE)
def work_order_cancel(request: OrgRequest, work_order_id: int, payload: ReasonIn) -> WorkOrder:
    """Drop a work order before both have signed, with the reason."""
    services.work_order_cancel(
        actor=request.user,
        organisation=request.organisation,
        work_order=_get(request, work_order_id),
        reason=payload.reason,
    )
    return _out(request, work_order_id)
