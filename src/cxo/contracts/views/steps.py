"""The steps of a work order and of its milestones, change orders and invoices: each a POST with the permission
its state machine names (``cxo.contracts.states``), which runs one service and goes back to the work order."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from cxo.contracts import selectors
from cxo.contracts.forms import CommentForm, ReportForm, SignForm
from cxo.contracts.models import ChangeOrder, Milestone, WorkOrder
from cxo.contracts.services import change_orders as co_services
from cxo.contracts.services import milestones as milestone_services
from cxo.contracts.services import work_orders as wo_services
from cxo.contracts.views.common import SIGN_AGAIN, reason_of, work_order_page
from cxo.core.access import OrgRequest, found, requires
from cxo.core.documents import document_data_from_upload
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission
from cxo.core.steps import post_step

EXE, SIGN = Permission.MANAGE_EXECUTION, Permission.SIGN_CONTRACT


def _wo(request: OrgRequest, work_order_id: int) -> WorkOrder:
    wo: WorkOrder = found(selectors.work_order_get, organisation=request.organisation, work_order_id=work_order_id)
    return wo


@require_POST
@requires(write=EXE)
def work_order_send(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = _wo(request, work_order_id)
    return post_step(
        request,
        lambda: wo_services.work_order_send(actor=request.user, organisation=request.organisation, work_order=wo),
        done=f"Sent to {wo.provider.name} for signature.",
        back=work_order_page(request, wo.pk),
    )


@require_POST
@requires(write=EXE)
def work_order_return(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = _wo(request, work_order_id)
    comment = CommentForm(request.POST).data.get("comment", "")
    return post_step(
        request,
        lambda: wo_services.work_order_return(
            actor=request.user, organisation=request.organisation, work_order=wo, comment=comment
        ),
        done=f"Returned to {wo.organisation.name} with your comments.",
        back=work_order_page(request, wo.pk),
    )


@require_POST
@requires(write=SIGN)
def work_order_sign(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = _wo(request, work_order_id)
    form = SignForm(request.POST)
    return post_step(
        request,
        lambda: wo_services.work_order_sign(
            actor=request.user,
            organisation=request.organisation,
            work_order=wo,
            password=form.cleaned_data["password"],
            meaning=form.cleaned_data["meaning"],
        ),
        done="Signed: your signature is bound to the work order's content.",
        back=work_order_page(request, wo.pk),
        form=form,
        invalid=SIGN_AGAIN,
        invalid_back=work_order_page(request, wo.pk, "sign"),
    )


@require_POST
@requires(write=EXE)
def work_order_activate(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = _wo(request, work_order_id)
    return post_step(
        request,
        lambda: wo_services.work_order_activate(actor=request.user, organisation=request.organisation, work_order=wo),
        done="Active: the provider reports its milestones from now on.",
        back=work_order_page(request, wo.pk),
    )


@require_POST
@requires(write=EXE)
def work_order_complete(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = _wo(request, work_order_id)
    return post_step(
        request,
        lambda: wo_services.work_order_complete(actor=request.user, organisation=request.organisation, work_order=wo),
        done="Completed.",
        back=work_order_page(request, wo.pk),
    )


@require_POST
@requires(write=SIGN)
def work_order_terminate(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = _wo(request, work_order_id)
    reason = reason_of(request)
    return post_step(
        request,
        lambda: wo_services.work_order_terminate(
            actor=request.user, organisation=request.organisation, work_order=wo, reason=reason
        ),
        done="Terminated early.",
        back=work_order_page(request, wo.pk),
    )


@require_POST
@requires(write=EXE)
def work_order_cancel(request: OrgRequest, work_order_id: int) -> HttpResponse:
    wo = _wo(request, work_order_id)
    reason = reason_of(request)
    return post_step(
        request,
        lambda: wo_services.work_order_cancel(
            actor=request.user, organisation=request.organisation, work_order=wo, reason=reason
        ),
        done="Cancelled.",
        back=work_order_page(request, wo.pk),
    )


# --- milestones --------------------------------------------------------------------------------------------


def _milestone(request: OrgRequest, milestone_id: int) -> Milestone:
    m: Milestone = found(selectors.milestone_get, organisation=request.organisation, milestone_id=milestone_id)
    return m


@require_POST
@requires(write=EXE)
@rate_limited("upload")
def milestone_report(request: OrgRequest, milestone_id: int) -> HttpResponse:
    milestone = _milestone(request, milestone_id)
    note = ReportForm(request.POST).data.get("note", "")
    evidence = [document_data_from_upload(f) for f in request.FILES.getlist("evidence")]
    return post_step(
        request,
        lambda: milestone_services.milestone_report(
            actor=request.user, organisation=request.organisation, milestone=milestone, note=note, evidence=evidence
        ),
        done=f"“{milestone.name}” reported done; the sponsor is told.",
        back=work_order_page(request, milestone.work_order_id, f"milestone-{milestone.pk}"),
    )


@require_POST
@requires(write=EXE)
def milestone_accept(request: OrgRequest, milestone_id: int) -> HttpResponse:
    milestone = _milestone(request, milestone_id)
    return post_step(
        request,
        lambda: milestone_services.milestone_accept(
            actor=request.user, organisation=request.organisation, milestone=milestone
        ),
        done=f"“{milestone.name}” accepted: it may be invoiced.",
        back=work_order_page(request, milestone.work_order_id, f"milestone-{milestone.pk}"),
    )


@require_POST
@requires(write=EXE)
def milestone_reject(request: OrgRequest, milestone_id: int) -> HttpResponse:
    milestone = _milestone(request, milestone_id)
    reason = reason_of(request)
    return post_step(
        request,
        lambda: milestone_services.milestone_reject(
            actor=request.user, organisation=request.organisation, milestone=milestone, reason=reason
        ),
        done=f"“{milestone.name}” rejected; the provider is told why.",
        back=work_order_page(request, milestone.work_order_id, f"milestone-{milestone.pk}"),
    )


# --- change orders -------------------------------------------------------------------------------------------


def _change_order(request: OrgRequest, change_order_id: int) -> ChangeOrder:
    org = request.organisation
    co: ChangeOrder = found(selectors.change_order_get, organisation=org, change_order_id=change_order_id)
    return co


def _back_to(request: OrgRequest, change_order_id: int, work_order_id: int) -> str:
    return reverse(
        "contracts:change_order_detail", kwargs={"org": request.organisation.slug, "change_order_id": change_order_id}
    )


@require_POST
@requires(write=SIGN)
def change_order_sign(request: OrgRequest, change_order_id: int) -> HttpResponse:
    co = _change_order(request, change_order_id)
    form = SignForm(request.POST)
    back = _back_to(request, co.pk, co.work_order_id)
    return post_step(
        request,
        lambda: co_services.change_order_sign(
            actor=request.user,
            organisation=request.organisation,
            change_order=co,
            password=form.cleaned_data["password"],
            meaning=form.cleaned_data["meaning"],
        ),
        done=f"{co.code} signed.",
        back=back,
        form=form,
        invalid=SIGN_AGAIN,
    )


@require_POST
@requires(write=EXE)
def change_order_reject(request: OrgRequest, change_order_id: int) -> HttpResponse:
    co = _change_order(request, change_order_id)
    reason = reason_of(request)
    return post_step(
        request,
        lambda: co_services.change_order_reject(
            actor=request.user, organisation=request.organisation, change_order=co, reason=reason
        ),
        done=f"{co.code} rejected.",
        back=_back_to(request, co.pk, co.work_order_id),
    )


@require_POST
@requires(write=EXE)
def change_order_withdraw(request: OrgRequest, change_order_id: int) -> HttpResponse:
    co = _change_order(request, change_order_id)
    reason = reason_of(request)
    return post_step(
        request,
        lambda: co_services.change_order_withdraw(
            actor=request.user, organisation=request.organisation, change_order=co, reason=reason
        ),
        done=f"{co.code} withdrawn.",
        back=work_order_page(request, co.work_order_id, "change-orders"),
    )
