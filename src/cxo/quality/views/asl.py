"""The approved supplier list: the list (filtered, exported), adding a site and service, and one qualification's
page with its decisions (e-signed), review and requalification."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.errors import ServiceError
from cxo.core.roles import Permission
from cxo.quality import exports
from cxo.quality.forms import DecisionForm, QualificationAddForm, ReasonForm, StartForm
from cxo.quality.models import Qualification, QualificationKind, QualificationStatus, RiskLevel
from cxo.quality.selectors.asl import (
    AslFilters,
    asl,
    asl_row,
    listed_providers,
    qualification_get,
    site_for_listing,
)
from cxo.quality.services import qualification as services
from cxo.quality.states import QUALIFICATION
from cxo.quality.views.common import act, back, can, refused, sponsor_only
from cxo.registry.models import Term, Vocabulary
from cxo.registry.selectors import site_search as registry_site_search

S = QualificationStatus
PAGE_SIZE = 50


def _options(choices: list[tuple[int, str]], selected: int | None) -> SafeString:
    """<option>s of a filter built in Python: a list of a thousand providers costs a template loop too much."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, mark_safe(" selected") if pk == selected else "", name) for pk, name in choices),
    )


def _without_page(request: OrgRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filters(request: OrgRequest) -> AslFilters:
    get = request.GET
    provider = get.get("provider", "")
    return AslFilters(
        status=get.get("status", "") if get.get("status", "") in S.values else "",
        provider_id=int(provider) if provider.isdigit() else None,
        service=get.get("service", "").strip()[:64],
        risk=get.get("risk", "") if get.get("risk", "") in RiskLevel.values else "",
        q=get.get("q", "").strip()[:100],
    )


@requires(write=Permission.MANAGE_QUALITY)
def asl_page(request: OrgRequest) -> HttpResponse:
    """The approved supplier list, filtered by state, risk, provider, service or text; POST adds a site and service."""
    sponsor_only(request)
    org = request.organisation
    form = QualificationAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            q = services.qualification_create(
                actor=request.user,
                organisation=org,
                site=site_for_listing(site_id=form.cleaned_data["site"]),
                service=form.cleaned_data["service"],
                kind=form.cleaned_data["kind"],
            )
        except ServiceError as exc:
            refused(request, exc, form)
        else:
            messages.success(request, f"{q.site.name} is in qualification for {q.service.name}.")
            return back(request, "quality:qualification_detail", qualification_id=q.pk)
    filters = _filters(request)
    page = request.GET.get("page", "1")
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    result = asl(organisation=org, filters=filters, page=number, page_size=PAGE_SIZE)
    return render(
        request,
        "quality/asl.html",
        {
            "organisation": org,
            "asl": result,
            "filters": filters,
            "form": form,
            "statuses": S.choices,
            "risks": RiskLevel.choices,
            "provider_options": _options(listed_providers(organisation=org), filters.provider_id),
            "services": Term.objects.filter(vocabulary=Vocabulary.SERVICE).order_by("code"),
            "can_manage": can(request, Permission.MANAGE_QUALITY),
            "query": request.GET.urlencode(),
            "filter_query": _without_page(request),
            "shows_validity": (S.APPROVED, S.CONDITIONAL, S.UNDER_REVIEW, S.EXPIRED),
        },
    )


def _download(body: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def asl_xlsx(request: OrgRequest) -> HttpResponse:
    """The list as an inspector gets it, as a workbook (the page's filters apply)."""
    sponsor_only(request)
    result = asl(organisation=request.organisation, filters=_filters(request))
    name = f"asl-{request.organisation.slug}-{result.today:%Y%m%d}.xlsx"
    return _download(
        exports.asl_xlsx(organisation=request.organisation, asl=result),
        name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def asl_pdf(request: OrgRequest) -> HttpResponse:
    """The list as a PDF, with each decision's electronic signature."""
    sponsor_only(request)
    result = asl(organisation=request.organisation, filters=_filters(request))
    name = f"asl-{request.organisation.slug}-{result.today:%Y%m%d}.pdf"
    return _download(exports.asl_pdf(organisation=request.organisation, asl=result), name, "application/pdf")


def site_search(request: OrgRequest) -> HttpResponse:
    """Registry sites by name, FEI or DUNS, to pick one for the list or an audit (an HTMX fragment)."""
    sponsor_only(request)
    q = request.GET.get("q", "").strip()[:100]
    hits = registry_site_search(q=q, page_size=15).hits if len(q) >= 2 else []
    return render(
        request, "quality/_site_choices.html", {"hits": hits, "q": q, "field": request.GET.get("field", "site")}
    )


def qualification_detail(request: OrgRequest, qualification_id: int) -> HttpResponse:
    sponsor_only(request)
    org = request.organisation
    q = found(qualification_get, organisation=org, qualification_id=qualification_id)
    allowed = QUALIFICATION.targets(q.status)
    decisions: list[str] = [d for d, _ in DecisionForm.DECISIONS if d in allowed]
    return render(
        request,
        "quality/qualification.html",
        {
            "organisation": org,
            "q": q,
            "row": asl_row(organisation=org, qualification=q),
            "events": q.events.all(),
            "decision_form": DecisionForm(allowed=decisions) if decisions else None,
            "can_start": S.IN_QUALIFICATION in allowed,
            "can_review": S.UNDER_REVIEW in allowed,
            # a first start keeps the kind it was listed with; a requalification is periodic unless said otherwise
            "start_form": StartForm(
                initial={"kind": q.kind if q.status == S.NOT_STARTED else QualificationKind.PERIODIC}
            ),
            "review_form": ReasonForm(),
            "can_manage": can(request, Permission.MANAGE_QUALITY),
            "can_sign": can(request, Permission.SIGN_QUALITY),
            "audits": q.audits.order_by("-planned_for"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def qualification_decide(request: OrgRequest, qualification_id: int) -> HttpResponse:
    """Approve, approve with conditions, disqualify (e-signed), or decide not to approve."""
    q = _qualification(request, qualification_id)
    return act(
        request,
        DecisionForm(request.POST, allowed=QUALIFICATION.targets(q.status)),
        lambda d: services.qualification_decide(
            actor=request.user,
            qualification=q,
            decision=d["decision"],
            reason=d["reason"],
            password=d.get("password") or "",
            meaning=d.get("meaning") or "",
            conditions=d.get("conditions") or "",
            conditions_due=d.get("conditions_due"),
        ),
        done=lambda done: f"{done.site.name} · {done.service.name}: {done.get_status_display().lower()}.",
        to="quality:qualification_detail",
        qualification_id=q.pk,
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def qualification_start(request: OrgRequest, qualification_id: int) -> HttpResponse:
    q = _qualification(request, qualification_id)
    return act(
        request,
        StartForm(request.POST),
        lambda d: services.qualification_start(
            actor=request.user, qualification=q, kind=d.get("kind") or "", reason=d.get("reason") or ""
        ),
        done="Qualification started.",
        to="quality:qualification_detail",
        qualification_id=q.pk,
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def qualification_review(request: OrgRequest, qualification_id: int) -> HttpResponse:
    q = _qualification(request, qualification_id)
    return act(
        request,
        ReasonForm(request.POST),
        lambda d: services.qualification_review(actor=request.user, qualification=q, reason=d["reason"]),
        done="Put under review.",
        to="quality:qualification_detail",
        qualification_id=q.pk,
    )


def _qualification(request: OrgRequest, qualification_id: int) -> Qualification:
    sponsor_only(request)
    q: Qualification = found(qualification_get, organisation=request.organisation, qualification_id=qualification_id)
    return q
