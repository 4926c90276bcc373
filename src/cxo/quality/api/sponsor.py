"""The sponsor's quality API, part one: the approved supplier list (with its exports), qualifications, the audit
plan and audits. Every operation names its permission; the router resolves the membership before it runs."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from cxo.core.access import OrgRequest
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.core.selectors import member_list
from cxo.quality import exports
from cxo.quality.api.outputs import asl_row_out, audit_out, audit_summary_out, plan_out, qualification_out
from cxo.quality.api.routers import org_api, sponsor_only
from cxo.quality.schemas import (
    ERRORS,
    AslRowOut,
    AuditChecklistIn,
    AuditConductIn,
    AuditIn,
    AuditOut,
    AuditPlanOut,
    AuditReportIn,
    AuditScheduleIn,
    AuditSummaryOut,
    FindingIn,
    QualificationDecisionIn,
    QualificationIn,
    QualificationOut,
    QualificationStartIn,
    QualityReasonIn,
    required,
)
from cxo.quality.selectors.asl import AslFilters, asl, qualification_get, site_for_listing
from cxo.quality.selectors.audits import audit_get, audit_list, audit_plan
from cxo.quality.selectors.oversight import effective_status
from cxo.quality.services import audit as audit_services
from cxo.quality.services import qualification as qualification_services
from cxo.registry.models import Term, Vocabulary

MANAGE = Permission.MANAGE_QUALITY


def _services(codes: list[str]) -> list[Term]:
    terms = {t.code: t for t in Term.objects.filter(vocabulary=Vocabulary.SERVICE, code__in=codes)}
    missing = [c for c in codes if c not in terms]
    if missing:
        raise ServiceError(f"Not service codes of the taxonomy: {', '.join(missing)}.", field="services")
    return [terms[c] for c in codes]


def _qualification(request: OrgRequest, qualification_id: int) -> dict[str, Any]:
    q = qualification_get(organisation=request.organisation, qualification_id=qualification_id)
    return qualification_out(q, effective_status(q, timezone.localdate()))


# --- the approved supplier list -----------------------------------------------------------------------------


@org_api.get("/quality/asl", response=list[AslRowOut])
def asl_list(
    request: OrgRequest,
    status: str = "",
    provider_id: int | None = None,
    service: str = "",
    risk: str = "",
    q: str = "",
) -> list[dict[str, Any]]:
    """The approved supplier list as of today: per site and service its state, risk (and why), agreement in force,
    open findings, overdue CAPAs, audit due, open issues and latest signed decision. ``service`` matches that
    service and those under it."""
    sponsor_only(request)
    filters = AslFilters(status=status, provider_id=provider_id, service=service, risk=risk, q=q)
    return [asl_row_out(r) for r in asl(organisation=request.organisation, filters=filters).rows]


@org_api.get("/quality/asl/export", response={200: None, **ERRORS})
def asl_export(
    request: OrgRequest, format: str = "xlsx", status: str = "", provider_id: int | None = None, service: str = ""
) -> HttpResponse:
    """The list as XLSX (``format=xlsx``) or as PDF with each decision's electronic signature (``format=pdf``)."""
    sponsor_only(request)
    if format not in ("xlsx", "pdf"):
        raise ServiceError("The format is xlsx or pdf.", field="format")
    result = asl(
        organisation=request.organisation, filters=AslFilters(status=status, provider_id=provider_id, service=service)
    )
    if format == "pdf":
        body, kind = exports.asl_pdf(organisation=request.organisation, asl=result), "application/pdf"
    else:
        body = exports.asl_xlsx(organisation=request.organisation, asl=result)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = (
        f'attachment; filename="asl-{request.organisation.slug}-{result.today:%Y%m%d}.{format}"'
    )
    return response


@org_api.post("/quality/qualifications", permission=MANAGE, response={201: QualificationOut, **ERRORS})
def qualification_create(request: OrgRequest, payload: QualificationIn) -> tuple[int, dict[str, Any]]:
    """Put a registry site on the list for a service (in qualification at once, unless ``start`` is false)."""
    sponsor_only(request)
    if not payload.service:
        raise ServiceError("The service is required.", field="service")
    [service] = _services([payload.service])
    q = qualification_services.qualification_create(
        actor=request.user,
        organisation=request.organisation,
        site=site_for_listing(site_id=required(payload.site_id, field="site_id", label="The site")),
        service=service,
        kind=payload.kind,
        start=payload.start,
        notes=payload.notes,
    )
    return 201, _qualification(request, q.pk)


@org_api.get("/quality/qualifications/{qualification_id}", response={200: QualificationOut, 404: ERRORS[404]})
def qualification_detail(request: OrgRequest, qualification_id: int) -> dict[str, Any]:
    """One qualification with its whole history (each move, who or what made it, why, and its signature)."""
    sponsor_only(request)
    return _qualification(request, qualification_id)


@org_api.post(
    "/quality/qualifications/{qualification_id}/start", permission=MANAGE, response={200: QualificationOut, **ERRORS}
)
def qualification_start(request: OrgRequest, qualification_id: int, payload: QualificationStartIn) -> dict[str, Any]:
    """Start qualifying, or requalify a site that is not approved, disqualified or expired."""
    sponsor_only(request)
    q = qualification_get(organisation=request.organisation, qualification_id=qualification_id)
    qualification_services.qualification_start(
        actor=request.user, qualification=q, kind=payload.kind, reason=payload.reason
    )
    return _qualification(request, q.pk)


@org_api.post(
    "/quality/qualifications/{qualification_id}/decision", permission=MANAGE, response={200: QualificationOut, **ERRORS}
)
def qualification_decide(
    request: OrgRequest, qualification_id: int, payload: QualificationDecisionIn
) -> dict[str, Any]:
    """Approve, approve with conditions or disqualify — each e-signed (``password``; a role that signs quality
    decisions) — or decide not to approve. An approval holds for the sponsor's validity period."""
    sponsor_only(request)
    q = qualification_get(organisation=request.organisation, qualification_id=qualification_id)
    qualification_services.qualification_decide(
        actor=request.user,
        qualification=q,
        decision=payload.decision,
        reason=payload.reason,
        password=payload.password,
        meaning=payload.meaning,
        conditions=payload.conditions,
        conditions_due=payload.conditions_due,
    )
    return _qualification(request, q.pk)


@org_api.post(
    "/quality/qualifications/{qualification_id}/review", permission=MANAGE, response={200: QualificationOut, **ERRORS}
)
def qualification_review(request: OrgRequest, qualification_id: int, payload: QualityReasonIn) -> dict[str, Any]:
    """Put an approved or conditional qualification under review, with the reason."""
    sponsor_only(request)
    q = qualification_get(organisation=request.organisation, qualification_id=qualification_id)
    qualification_services.qualification_review(actor=request.user, qualification=q, reason=payload.reason)
    return _qualification(request, q.pk)


# --- the audit plan and audits ------------------------------------------------------------------------------


@org_api.get("/quality/plan", response=AuditPlanOut)
def plan(request: OrgRequest) -> dict[str, Any]:
    """Audits due per listed site: the interval of its risk level after its last audit (at once if never)."""
    sponsor_only(request)
    return plan_out(audit_plan(organisation=request.organisation))


@org_api.get("/quality/audits", response=list[AuditSummaryOut])
def audits(request: OrgRequest, status: str = "", site_id: int | None = None) -> list[dict[str, Any]]:
    sponsor_only(request)
    return [audit_summary_out(a) for a in audit_list(organisation=request.organisation, status=status, site_id=site_id)]


def _audit(request: OrgRequest, audit_id: int) -> Any:
    sponsor_only(request)
    return audit_get(organisation=request.organisation, audit_id=audit_id)


@org_api.post("/quality/audits", permission=MANAGE, response={201: AuditOut, **ERRORS})
def audit_create(request: OrgRequest, payload: AuditIn) -> tuple[int, dict[str, Any]]:
    """Plan an audit of a site; its checklist is copied from the template (by default the first service's)."""
    sponsor_only(request)
    audit = audit_services.audit_plan(
        actor=request.user,
        organisation=request.organisation,
        site=site_for_listing(site_id=required(payload.site_id, field="site_id", label="The site")),
        services=_services(payload.services),
        kind=payload.kind,
        planned_for=payload.planned_for,
        checklist=payload.checklist,
        scope=payload.scope,
    )
    return 201, audit_out(_audit(request, audit.pk))


@org_api.get("/quality/audits/{audit_id}", response={200: AuditOut, 404: ERRORS[404]})
def audit_detail(request: OrgRequest, audit_id: int) -> dict[str, Any]:
    """An audit with its checklist (results, observations) and findings (with their CAPA's state)."""
    return audit_out(_audit(request, audit_id))


@org_api.get("/quality/audits/{audit_id}/report.pdf", response={200: None, 404: ERRORS[404]})
def audit_report_pdf(request: OrgRequest, audit_id: int) -> HttpResponse:
    """The audit's report as PDF."""
    audit = _audit(request, audit_id)
    response = HttpResponse(exports.audit_report_pdf(audit=audit), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{audit.reference}-report.pdf"'
    return response


def _member(request: OrgRequest, username: str) -> User:
    for m in member_list(organisation=request.organisation):
        if m.user.get_username() == username:
            return m.user
    raise NotFound(f"{username} is not a member of {request.organisation.name}.", field="auditors")


@org_api.post("/quality/audits/{audit_id}/schedule", permission=MANAGE, response={200: AuditOut, **ERRORS})
def audit_schedule(request: OrgRequest, audit_id: int, payload: AuditScheduleIn) -> dict[str, Any]:
    audit = _audit(request, audit_id)
    if not payload.lead_auditor:
        raise ServiceError("The lead auditor is required.", field="lead_auditor")
    audit_services.audit_schedule(
        actor=request.user,
        audit=audit,
        starts_on=required(payload.starts_on, field="starts_on", label="The first day"),
        ends_on=required(payload.ends_on, field="ends_on", label="The last day"),
        lead_auditor=_member(request, payload.lead_auditor),
        auditors=[_member(request, u) for u in payload.auditors],
    )
    return audit_out(_audit(request, audit_id))


@org_api.post("/quality/audits/{audit_id}/checklist", permission=MANAGE, response={200: AuditOut, **ERRORS})
def audit_checklist(request: OrgRequest, audit_id: int, payload: AuditChecklistIn) -> dict[str, Any]:
    """Record results and observations against checklist lines (until the report is issued)."""
    audit = _audit(request, audit_id)
    results = [audit_services.ItemResult(r.item_id, r.result, r.observation) for r in payload.results]
    audit_services.audit_checklist_record(actor=request.user, audit=audit, results=results)
    return audit_out(_audit(request, audit_id))


@org_api.post("/quality/audits/{audit_id}/findings", permission=MANAGE, response={201: AuditOut, **ERRORS})
def finding_create(request: OrgRequest, audit_id: int, payload: FindingIn) -> tuple[int, dict[str, Any]]:
    """Record a finding, classified critical / major / minor against the clause it departs from."""
    audit = _audit(request, audit_id)
    audit_services.finding_add(
        actor=request.user,
        audit=audit,
        classification=payload.classification,
        title=payload.title,
        description=payload.description,
        clause=payload.clause,
        checklist_item_id=payload.checklist_item_id,
    )
    return 201, audit_out(_audit(request, audit_id))


@org_api.post("/quality/audits/{audit_id}/conduct", permission=MANAGE, response={200: AuditOut, **ERRORS})
def audit_conduct(request: OrgRequest, audit_id: int, payload: AuditConductIn) -> dict[str, Any]:
    audit = _audit(request, audit_id)
    conducted_on = required(payload.conducted_on, field="conducted_on", label="The audit's last day")
    audit_services.audit_conduct(actor=request.user, audit=audit, conducted_on=conducted_on)
    return audit_out(_audit(request, audit_id))


@org_api.post("/quality/audits/{audit_id}/report", permission=MANAGE, response={200: AuditOut, **ERRORS})
def audit_report(request: OrgRequest, audit_id: int, payload: AuditReportIn) -> dict[str, Any]:
    """Issue the report: the findings are addressed to the provider, each with a CAPA to propose."""
    audit = _audit(request, audit_id)
    audit_services.audit_report_issue(actor=request.user, audit=audit, summary=payload.summary)
    return audit_out(_audit(request, audit_id))


@org_api.post("/quality/audits/{audit_id}/close", permission=MANAGE, response={200: AuditOut, **ERRORS})
def audit_close(request: OrgRequest, audit_id: int) -> dict[str, Any]:
    """Close the audit once every finding's CAPA is closed."""
    audit_services.audit_close(actor=request.user, audit=_audit(request, audit_id))
    return audit_out(_audit(request, audit_id))


@org_api.post("/quality/audits/{audit_id}/cancel", permission=MANAGE, response={200: AuditOut, **ERRORS})
def audit_cancel(request: OrgRequest, audit_id: int, payload: QualityReasonIn) -> dict[str, Any]:
    audit_services.audit_cancel(actor=request.user, audit=_audit(request, audit_id), reason=payload.reason)
    return audit_out(_audit(request, audit_id))
