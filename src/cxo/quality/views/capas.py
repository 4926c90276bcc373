"""CAPA pages, sponsor side: the list (overdue flagged), one CAPA with its assessment, effectiveness check and
e-signed closure; and the evidence documents, which both parties download."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.roles import Permission
from cxo.quality.forms import AssessCapaForm, EffectivenessForm, SignatureForm
from cxo.quality.models import Capa, CapaStatus
from cxo.quality.selectors.capas import capa_due_on, capa_evidence_get, capa_get, capa_overdue
from cxo.quality.selectors.capas import capa_list as capas_of
from cxo.quality.services import capa as services
from cxo.quality.states import CAPA
from cxo.quality.views.common import act, can, sponsor_only


def capa_list(request: OrgRequest) -> HttpResponse:
    sponsor_only(request)
    org = request.organisation
    status = request.GET.get("status", "")
    open_only = status == "" and request.GET.get("all") != "1"
    today = timezone.localdate()
    capas = [
        {"capa": c, "due_on": capa_due_on(c), "overdue": capa_overdue(c, today)}
        for c in capas_of(organisation=org, status=status, open_only=open_only)
    ]
    return render(
        request,
        "quality/capa_list.html",
        {"organisation": org, "capas": capas, "status": status, "statuses": CapaStatus.choices, "open_only": open_only},
    )


def _capa(request: OrgRequest, capa_id: int) -> Capa:
    sponsor_only(request)
    capa: Capa = found(capa_get, organisation=request.organisation, capa_id=capa_id)
    return capa


def capa_detail(request: OrgRequest, capa_id: int) -> HttpResponse:
    capa = _capa(request, capa_id)
    targets = CAPA.targets(capa.status)
    return render(
        request,
        "quality/capa.html",
        {
            "organisation": request.organisation,
            "capa": capa,
            "finding": capa.finding,
            "actions": list(capa.actions.all()),
            "evidence": list(capa.evidence.all()),
            "due_on": capa_due_on(capa),
            "overdue": capa_overdue(capa),
            "can_assess": capa.status == CapaStatus.PROPOSED,
            "can_check": CapaStatus.EFFECTIVE in targets and not any(a.is_open for a in capa.actions.all()),
            "can_close": CapaStatus.CLOSED in targets,
            "assess_form": AssessCapaForm(),
            "effectiveness_form": EffectivenessForm(),
            "close_form": SignatureForm(initial={"meaning": services.CLOSE_MEANING}),
            "can_manage": can(request, Permission.MANAGE_QUALITY),
            "can_sign": can(request, Permission.SIGN_QUALITY),
            "today": timezone.localdate(),
        },
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def capa_assess(request: OrgRequest, capa_id: int) -> HttpResponse:
    """Accept the provider's proposal, or return it with the reason."""
    capa = _capa(request, capa_id)
    return act(
        request,
        AssessCapaForm(request.POST),
        lambda d: services.capa_assess(actor=request.user, capa=capa, accept=d["accept"], comment=d["comment"]),
        done=lambda done: f"CAPA {done.get_status_display().lower()}.",
        to="quality:capa_detail",
        capa_id=capa.pk,
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def capa_effectiveness(request: OrgRequest, capa_id: int) -> HttpResponse:
    capa = _capa(request, capa_id)
    return act(
        request,
        EffectivenessForm(request.POST),
        lambda d: services.capa_effectiveness(
            actor=request.user, capa=capa, effective=d["effective"], notes=d["notes"]
        ),
        done=lambda done: f"Effectiveness recorded: {done.get_status_display().lower()}.",
        to="quality:capa_detail",
        capa_id=capa.pk,
    )


@require_POST
@requires(write=Permission.SIGN_QUALITY)
def capa_close(request: OrgRequest, capa_id: int) -> HttpResponse:
    """Close the CAPA with the signer's electronic signature."""
    capa = _capa(request, capa_id)
    return act(
        request,
        SignatureForm(request.POST),
        lambda d: services.capa_close(actor=request.user, capa=capa, password=d["password"], meaning=d["meaning"]),
        done=f"CAPA for {capa.finding} closed and signed.",
        to="quality:capa_detail",
        capa_id=capa.pk,
    )


def evidence_download(request: OrgRequest, evidence_id: int) -> FileResponse:
    """An evidence document, for the sponsor and the provider of its CAPA alike."""
    evidence = found(capa_evidence_get, organisation=request.organisation, evidence_id=evidence_id)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)
