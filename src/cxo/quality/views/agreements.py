"""Quality agreement pages, for both parties: the list, one agreement with its versions and each party's signature;
the sponsor drafts and edits versions, each side signs for itself."""

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
from cxo.quality.content import agreement_sections
from cxo.quality.forms import AgreementForm, SignatureForm, VersionForm
from cxo.quality.models import AgreementVersionStatus, QualityAgreement
from cxo.quality.rules import add_months
from cxo.quality.selectors.agreements import agreement_get, agreement_state, agreement_states, version_get
from cxo.quality.selectors.asl import listed_sites
from cxo.quality.services import agreement as services
from cxo.quality.views.common import act, back, can, refused, sponsor_only

V = AgreementVersionStatus


@requires(write=Permission.MANAGE_QUALITY)
def agreement_list(request: OrgRequest) -> HttpResponse:
    """The agreements the organisation is a party to; a sponsor POSTs a new one (its first version a draft)."""
    org = request.organisation
    today = timezone.localdate()
    sites = listed_sites(organisation=org) if org.is_sponsor else []
    providers = sorted({(s.organisation_id, s.organisation.name) for s in sites}, key=lambda p: p[1])
    form = AgreementForm(
        request.POST or None,
        sites=[(s.pk, f"{s.organisation.name} · {s.name}") for s in sites],
        initial={"effective_on": today, "expires_on": add_months(today, 36)},
    )
    if request.method == "POST":
        sponsor_only(request)
        if form.is_valid():
            d = form.cleaned_data
            by_id = {s.pk: s for s in sites}
            provider = next((s.organisation for s in sites if s.organisation_id == d["provider"]), None)
            try:
                if provider is None:
                    raise ServiceError("Choose a provider on your approved supplier list.", field="provider")
                agreement = services.agreement_create(
                    actor=request.user,
                    organisation=org,
                    provider=provider,
                    title=d["title"],
                    sites=[by_id[int(pk)] for pk in d.get("sites") or [] if int(pk) in by_id],
                    sections={},
                    effective_on=d["effective_on"],
                    expires_on=d["expires_on"],
                )
            except ServiceError as exc:
                refused(request, exc, form)
            else:
                messages.success(request, f"{agreement.reference} drafted: write its sections, then sign it.")
                return back(request, "quality:agreement_version_edit", agreement_id=agreement.pk, number=1)
    return render(
        request,
        "quality/agreement_list.html",
        {
            "organisation": org,
            "states": agreement_states(organisation=org, today=today),
            "form": form,
            "providers": providers,
            "can_create": org.is_sponsor and can(request, Permission.MANAGE_QUALITY),
        },
    )


def _agreement(request: OrgRequest, agreement_id: int) -> QualityAgreement:
    agreement: QualityAgreement = found(agreement_get, organisation=request.organisation, agreement_id=agreement_id)
    return agreement


def agreement_detail(request: OrgRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    org = request.organisation
    sponsor_side = org.pk == agreement.organisation_id
    state = agreement_state(agreement)
    versions = sorted(agreement.versions.all(), key=lambda v: -v.number)
    sections = agreement_sections()

    def signed_by_us(v: object) -> bool:
        return bool(getattr(v, "sponsor_signature_id" if sponsor_side else "provider_signature_id"))

    return render(
        request,
        "quality/agreement.html",
        {
            "organisation": org,
            "agreement": agreement,
            "state": state,
            "versions": [
                {
                    "version": v,
                    "sections": [(s, v.sections.get(s.code, "")) for s in sections],
                    "can_sign": v.status in (V.DRAFT, V.SIGNING) and not signed_by_us(v),
                }
                for v in versions
            ],
            "sponsor_side": sponsor_side,
            "sign_form": SignatureForm(initial={"meaning": services.SIGN_MEANING}),
            "can_sign": can(request, Permission.SIGN_QUALITY),
            "can_manage": sponsor_side and can(request, Permission.MANAGE_QUALITY),
            "has_draft": any(v.status == V.DRAFT for v in versions),
            "today": timezone.localdate(),
        },
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def agreement_version_new(request: OrgRequest, agreement_id: int) -> HttpResponse:
    """A new draft version, its sections copied from the latest."""
    sponsor_only(request)
    agreement = _agreement(request, agreement_id)
    today = timezone.localdate()
    try:
        version = services.agreement_version_create(
            actor=request.user, agreement=agreement, effective_on=today, expires_on=add_months(today, 36)
        )
    except ServiceError as exc:
        refused(request, exc)
        return back(request, "quality:agreement_detail", agreement_id=agreement.pk)
    return back(request, "quality:agreement_version_edit", agreement_id=agreement.pk, number=version.number)


@requires(write=Permission.MANAGE_QUALITY)
def agreement_version_edit(request: OrgRequest, agreement_id: int, number: int) -> HttpResponse:
    """Edit a draft version's sections and dates (the sections FDA's guidance lists, with prompts)."""
    sponsor_only(request)
    version = found(version_get, organisation=request.organisation, agreement_id=agreement_id, number=number)
    initial = {"effective_on": version.effective_on, "expires_on": version.expires_on}
    initial.update({f"section_{code}": text for code, text in version.sections.items()})
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, form_errors(form))
        else:
            try:
                services.agreement_version_update(
                    actor=request.user,
                    version=version,
                    sections=form.sections(),
                    effective_on=form.cleaned_data["effective_on"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except ServiceError as exc:
                refused(request, exc, form)
            else:
                messages.success(request, f"Version {version.number} saved.")
                return back(request, "quality:agreement_detail", agreement_id=agreement_id)
    return render(
        request,
        "quality/agreement_edit.html",
        {
            "organisation": request.organisation,
            "agreement": version.agreement,
            "version": version,
            "form": form,
            "editable": version.status == V.DRAFT,
        },
    )


@require_POST
@requires(write=Permission.SIGN_QUALITY)
def agreement_version_sign(request: OrgRequest, agreement_id: int, number: int) -> HttpResponse:
    """Sign a version for the viewer's organisation (sponsor or provider)."""
    version = found(version_get, organisation=request.organisation, agreement_id=agreement_id, number=number)
    return act(
        request,
        SignatureForm(request.POST),
        lambda d: services.agreement_version_sign(
            actor=request.user, version=version, password=d["password"], meaning=d["meaning"]
        ),
        done=lambda v: f"Version {v.number} signed: {v.get_status_display().lower()}.",
        to="quality:agreement_detail",
        agreement_id=agreement_id,
    )
