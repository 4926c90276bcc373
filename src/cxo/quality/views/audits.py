"""Audit pages: the risk-based plan, the list (planning a new audit), and one audit from schedule to report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.errors import ServiceError
from cxo.core.roles import Permission
from cxo.quality import exports
from cxo.quality.content import checklist_templates, finding_classes
from cxo.quality.forms import (
    AuditPlanForm,
    ConductForm,
    FindingForm,
    ReasonForm,
    ScheduleForm,
    SummaryForm,
    checklist_choices,
)
from cxo.quality.models import Audit, AuditKind, AuditStatus
from cxo.quality.selectors.asl import site_for_listing
from cxo.quality.selectors.audits import audit_get, audit_plan
from cxo.quality.selectors.audits import audit_list as audits_of
from cxo.quality.services import audit as services
from cxo.quality.states import AUDIT
from cxo.quality.views.common import act, back, can, members, refused, sponsor_only

A = AuditStatus


def audit_plan_page(request: OrgRequest) -> HttpResponse:
    """Audits due and overdue per listed site, from its risk level and its last audit."""
    sponsor_only(request)
    return render(
        request,
        "quality/plan.html",
        {"organisation": request.organisation, "plan": audit_plan(organisation=request.organisation)},
    )


@requires(write=Permission.MANAGE_QUALITY)
def audit_list(request: OrgRequest) -> HttpResponse:
    """The sponsor's audits; POST plans a new one (its checklist copied from a template)."""
    sponsor_only(request)
    org = request.organisation
    initial = {"site": request.GET.get("site", ""), "kind": request.GET.get("kind", AuditKind.ROUTINE)}
    form = AuditPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            audit = services.audit_plan(
                actor=request.user,
                organisation=org,
                site=site_for_listing(site_id=d["site"]),
                services=list(d["services"]),
                kind=d["kind"],
                planned_for=d["planned_for"],
                checklist=d.get("checklist") or "",
                scope=d.get("scope") or "",
            )
        except ServiceError as exc:
            refused(request, exc, form)
        else:
            messages.success(request, f"{audit.reference} planned for {audit.planned_for:%d %b %Y}.")
            return back(request, "quality:audit_detail", audit_id=audit.pk)
    status = request.GET.get("status", "")
    return render(
        request,
        "quality/audit_list.html",
        {
            "organisation": org,
            "audits": audits_of(organisation=org, status=status),
            "status": status,
            "statuses": A.choices,
            "form": form,
            "can_manage": can(request, Permission.MANAGE_QUALITY),
        },
    )


def audit_detail(request: OrgRequest, audit_id: int) -> HttpResponse:
    sponsor_only(request)
    org = request.organisation
    audit = found(audit_get, organisation=org, audit_id=audit_id)
    items = list(audit.checklist_items.all())
    return render(
        request,
        "quality/audit.html",
        {
            "organisation": org,
            "audit": audit,
            "items": items,
            "findings": list(audit.findings.all()),
            "targets": AUDIT.targets(audit.status),
            "steps": _steps(audit.status),
            "editable": audit.status in services.EDITABLE,
            "schedule_form": ScheduleForm(
                members=members(request),
                initial={
                    "lead_auditor": str(request.user.pk),
                    "starts_on": audit.planned_for,
                    "ends_on": audit.planned_for,
                },
            ),
            "conduct_form": ConductForm(initial={"conducted_on": audit.ends_on}),
            "finding_form": FindingForm(items=[(i.pk, f"{i.clause} — {i.question[:70]}") for i in items]),
            "summary_form": SummaryForm(),
            "cancel_form": ReasonForm(),
            "results": checklist_choices(),
            "template": checklist_templates().get(audit.checklist),
            "classes": finding_classes(),
            "can_manage": can(request, Permission.MANAGE_QUALITY),
        },
    )


_COURSE = [A.PLANNED, A.SCHEDULED, A.CONDUCTED, A.REPORT_ISSUED, A.CLOSED]


def _steps(status: str) -> list[tuple[str, str]]:
    """The audit's course as (label, "done" | "current" | ""): a cancelled audit shows where it stopped."""
    if status == A.CANCELLED:
        return [(str(A.PLANNED.label), "done"), (str(A.CANCELLED.label), "current bad")]
    at = _COURSE.index(A(status))
    return [(str(s.label), "done" if i < at else "current" if i == at else "") for i, s in enumerate(_COURSE)]


def audit_report_pdf(request: OrgRequest, audit_id: int) -> HttpResponse:
    sponsor_only(request)
    audit = found(audit_get, organisation=request.organisation, audit_id=audit_id)
    response = HttpResponse(exports.audit_report_pdf(audit=audit), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{audit.reference}-report.pdf"'
    return response


def _audit(request: OrgRequest, audit_id: int) -> Audit:
    sponsor_only(request)
    audit: Audit = found(audit_get, organisation=request.organisation, audit_id=audit_id)
    return audit


def _on_audit(
    request: OrgRequest,
    audit: Audit,
    form: Any,
    do: Callable[[dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
) -> HttpResponse:
    """A step on the audit from its page, back to its page."""
    return act(request, form, do, done=done, to="quality:audit_detail", audit_id=audit.pk)


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def audit_schedule(request: OrgRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    team = {str(u.pk): u for u in members(request)}
    return _on_audit(
        request,
        audit,
        ScheduleForm(request.POST, members=list(team.values())),
        lambda d: services.audit_schedule(
            actor=request.user,
            audit=audit,
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            lead_auditor=team[d["lead_auditor"]],
            auditors=[team[pk] for pk in d.get("auditors") or []],
        ),
        done=f"{audit.reference} scheduled.",
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def audit_checklist(request: OrgRequest, audit_id: int) -> HttpResponse:
    """Record the checklist's results and observations (the lines posted, as result_<id> and observation_<id>)."""
    audit = _audit(request, audit_id)
    results = [
        services.ItemResult(item.pk, request.POST[f"result_{item.pk}"], request.POST.get(f"observation_{item.pk}", ""))
        for item in audit.checklist_items.all()
        if f"result_{item.pk}" in request.POST
    ]
    return _on_audit(
        request,
        audit,
        None,
        lambda d: services.audit_checklist_record(actor=request.user, audit=audit, results=results),
        done=lambda changed: f"Checklist saved ({len(changed)} line{'s' * (len(changed) != 1)} changed).",
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def finding_add(request: OrgRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    return _on_audit(
        request,
        audit,
        FindingForm(request.POST, items=[(i.pk, "") for i in audit.checklist_items.all()]),
        lambda d: services.finding_add(
            actor=request.user,
            audit=audit,
            classification=d["classification"],
            title=d["title"],
            description=d["description"],
            clause=d.get("clause") or "",
            checklist_item_id=d.get("checklist_item"),
        ),
        done=lambda finding: f"{finding.get_classification_display()} finding {finding.label} recorded.",
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def audit_conduct(request: OrgRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    return _on_audit(
        request,
        audit,
        ConductForm(request.POST),
        lambda d: services.audit_conduct(actor=request.user, audit=audit, conducted_on=d["conducted_on"]),
        done=f"{audit.reference} recorded as conducted.",
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def audit_report(request: OrgRequest, audit_id: int) -> HttpResponse:
    """Issue the report: the findings go to the provider, each with its CAPA to answer."""
    audit = _audit(request, audit_id)
    return _on_audit(
        request,
        audit,
        SummaryForm(request.POST),
        lambda d: services.audit_report_issue(actor=request.user, audit=audit, summary=d["summary"]),
        done=f"Report of {audit.reference} issued; the findings are with {audit.provider.name}.",
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def audit_close(request: OrgRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    return _on_audit(
        request,
        audit,
        None,
        lambda d: services.audit_close(actor=request.user, audit=audit),
        done=f"{audit.reference} closed.",
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def audit_cancel(request: OrgRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    return _on_audit(
        request,
        audit,
        ReasonForm(request.POST),
        lambda d: services.audit_cancel(actor=request.user, audit=audit, reason=d["reason"]),
        done=f"{audit.reference} cancelled.",
    )
