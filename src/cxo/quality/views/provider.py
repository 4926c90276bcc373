"""The provider's quality pages: the findings sponsors addressed to it and their CAPAs (propose, implement), and
its change notifications with each sponsor's decision."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.errors import ServiceError
from cxo.core.roles import Permission
from cxo.core.steps import form_errors
from cxo.quality.forms import ActionCompleteForm, ChangeNotifyForm, ProposalForm
from cxo.quality.models import CapaStatus
from cxo.quality.selectors.capas import (
    AWAITING_PROVIDER,
    ProviderFinding,
    capa_due_on,
    provider_capa_get,
    provider_finding_list,
)
from cxo.quality.selectors.changes import provider_notification_get, provider_notification_list, provider_sites
from cxo.quality.services import capa as capa_services
from cxo.quality.services import change as change_services
from cxo.quality.views.common import back, can, provider_only, refused


def finding_list(request: OrgRequest) -> HttpResponse:
    provider_only(request)
    findings = provider_finding_list(provider=request.organisation)
    return render(
        request,
        "quality/provider_findings.html",
        {
            "organisation": request.organisation,
            "open": [f for f in findings if f.capa.status != CapaStatus.CLOSED],
            "closed": [f for f in findings if f.capa.status == CapaStatus.CLOSED],
        },
    )


def _finding(request: OrgRequest, capa_id: int) -> ProviderFinding:
    provider_only(request)
    finding: ProviderFinding = found(provider_capa_get, provider=request.organisation, capa_id=capa_id)
    return finding


@requires(write=Permission.MANAGE_QUALITY)
def capa_detail(request: OrgRequest, capa_id: int) -> HttpResponse:
    """A finding addressed to the provider and its CAPA; POST proposes the root cause and actions."""
    finding = _finding(request, capa_id)
    capa = finding.capa
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        actions = [
            capa_services.ActionData(
                kind=d[f"kind_{i}"] or "corrective",
                description=d[f"description_{i}"],
                due_on=d[f"due_on_{i}"],
                owner=d[f"owner_{i}"],
            )
            for i in range(ProposalForm.ROWS)
            if d.get(f"description_{i}")
        ]
        try:
            capa_services.capa_propose(actor=request.user, capa=capa, root_cause=d["root_cause"], actions=actions)
        except ServiceError as exc:
            refused(request, exc, form)
        else:
            messages.success(request, f"CAPA proposed to {finding.sponsor}.")
            return back(request, "quality:provider_capa", capa_id=capa.pk)
    return render(
        request,
        "quality/provider_capa.html",
        {
            "organisation": request.organisation,
            "finding": finding,
            "capa": capa,
            "actions": list(capa.actions.all()),
            "evidence": list(capa.evidence.all()),
            "due_on": capa_due_on(capa),
            "form": form,
            "can_propose": capa.status in AWAITING_PROVIDER and can(request, Permission.MANAGE_QUALITY),
            "can_complete": capa.status == CapaStatus.ACCEPTED and can(request, Permission.MANAGE_QUALITY),
            "complete_form": ActionCompleteForm(initial={"completed_on": timezone.localdate()}),
            "today": timezone.localdate(),
        },
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def action_complete(request: OrgRequest, capa_id: int, action_id: int) -> HttpResponse:
    """Record an action as done, with its evidence documents (stored with their SHA-256)."""
    finding = _finding(request, capa_id)
    action = finding.capa.actions.filter(pk=action_id).first()
    form = ActionCompleteForm(request.POST)
    if action is None:
        messages.error(request, "No such action in this CAPA.")
    elif not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        documents = [
            capa_services.EvidenceFile(f.name or "evidence", f.read(), f.content_type or "application/octet-stream")
            for f in request.FILES.getlist("documents")
        ]
        try:
            capa_services.capa_action_complete(
                actor=request.user,
                action=action,
                completed_on=form.cleaned_data["completed_on"],
                note=form.cleaned_data["note"],
                documents=documents,
            )
        except ServiceError as exc:
            refused(request, exc)
        else:
            messages.success(request, "Action recorded as done.")
    return back(request, "quality:provider_capa", capa_id=capa_id)


def _sites(request: OrgRequest) -> list[tuple[int, str]]:
    return list(provider_sites(provider=request.organisation).values_list("pk", "name"))


@requires(write=Permission.MANAGE_QUALITY)
def notification_list(request: OrgRequest) -> HttpResponse:
    """The provider's change notifications with the sponsors' decisions; POST notifies a new change."""
    provider_only(request)
    sites = _sites(request)
    form = ChangeNotifyForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        site = provider_sites(provider=request.organisation).filter(pk=d["site"]).first()
        try:
            if site is None:
                raise ServiceError("Choose one of your sites.", field="site")
            notification = change_services.change_notify(
                actor=request.user,
                provider=request.organisation,
                site=site,
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                planned_on=d["planned_on"],
            )
        except ServiceError as exc:
            refused(request, exc, form)
        else:
            messages.success(request, f"{notification.reference} sent to the sponsors that list {site.name}.")
            return back(request, "quality:provider_change", notification_id=notification.pk)
    return render(
        request,
        "quality/provider_changes.html",
        {
            "organisation": request.organisation,
            "notifications": provider_notification_list(provider=request.organisation),
            "form": form,
            "has_sites": bool(sites),
            "can_notify": can(request, Permission.MANAGE_QUALITY),
        },
    )


def notification_detail(request: OrgRequest, notification_id: int) -> HttpResponse:
    provider_only(request)
    item = found(provider_notification_get, provider=request.organisation, notification_id=notification_id)
    return render(request, "quality/provider_change.html", {"organisation": request.organisation, "item": item})
