"""Master agreement pages (list and new, the record with its document versions and signatures, each step) and
the sponsor's contract settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cxo.contracts import selectors
from cxo.contracts.forms import AgreementForm, DocumentForm, PolicyForm, SignForm
from cxo.contracts.models import MasterAgreement
from cxo.contracts.selectors.agreements import agreement_providers
from cxo.contracts.services import agreements as services
from cxo.contracts.views.common import SIGN_AGAIN, reason_of
from cxo.core.access import OrgRequest, found, requires
from cxo.core.documents import document_data_from_upload
from cxo.core.errors import ServiceError
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission
from cxo.core.steps import post_step
from cxo.sourcing.views.common import flash_error

SIGN = Permission.SIGN_CONTRACT


@requires(write=SIGN)
@rate_limited("upload", methods=("POST",))
def agreement_list(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    providers = agreement_providers(sponsor=org) if org.is_sponsor else []
    form = AgreementForm(request.POST or None, request.FILES or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.pop("document")
        provider = next(p for p in selectors.provider_choices(sponsor=org) if p.pk == data["provider"])
        try:
            agreement = services.agreement_create(
                actor=request.user,
                organisation=org,
                provider=provider,
                title=data["title"],
                currency=data["currency"],
                effective_date=data["effective_date"],
                expiry_date=data["expiry_date"],
                payment_terms_days=data["payment_terms_days"],
                terms_summary=data["terms_summary"],
            )
            if upload:
                services.agreement_document_add(
                    actor=request.user, organisation=org, agreement=agreement, data=document_data_from_upload(upload)
                )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, f"{agreement.reference} drafted.")
            return redirect("contracts:agreement_detail", org=org.slug, agreement_id=agreement.pk)
    return render(
        request,
        "contracts/agreement_list.html",
        {
            "organisation": org,
            "agreements": selectors.agreement_list(organisation=org),
            "form": form if providers else None,
            "policy": selectors.contract_policy_get(organisation=org) if org.is_sponsor else None,
        },
    )


def agreement_detail(request: OrgRequest, agreement_id: int) -> HttpResponse:
    org = request.organisation
    agreement = found(selectors.agreement_get, organisation=org, agreement_id=agreement_id)
    return render(
        request,
        "contracts/agreement_detail.html",
        {
            "organisation": org,
            "agreement": agreement,
            "verbs": selectors.agreement_actions(agreement=agreement, membership=request.membership),
            "sign_form": SignForm(meaning=services.AGREEMENT_MEANING),
            "document_form": DocumentForm(),
        },
    )


def _agreement(request: OrgRequest, agreement_id: int) -> MasterAgreement:
    org = request.organisation
    agreement: MasterAgreement = found(selectors.agreement_get, organisation=org, agreement_id=agreement_id)
    return agreement


def _page(request: OrgRequest, agreement_id: int) -> str:
    return reverse(
        "contracts:agreement_detail", kwargs={"org": request.organisation.slug, "agreement_id": agreement_id}
    )


@require_POST
@requires(write=SIGN)
@rate_limited("upload")
def agreement_document_add(request: OrgRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    upload = request.FILES.get("document")
    if upload is None:
        messages.error(request, "Choose the document to attach.")
        return redirect(_page(request, agreement.pk))
    return post_step(
        request,
        lambda: services.agreement_document_add(
            actor=request.user,
            organisation=request.organisation,
            agreement=agreement,
            data=document_data_from_upload(upload),
        ),
        done="Document attached.",
        back=_page(request, agreement.pk),
    )


@require_POST
@requires(write=SIGN)
def agreement_send(request: OrgRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    return post_step(
        request,
        lambda: services.agreement_send(actor=request.user, organisation=request.organisation, agreement=agreement),
        done=f"Sent to {agreement.provider.name} for signature.",
        back=_page(request, agreement.pk),
    )


@require_POST
@requires(write=SIGN)
def agreement_sign(request: OrgRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    form = SignForm(request.POST)
    return post_step(
        request,
        lambda: services.agreement_sign(
            actor=request.user,
            organisation=request.organisation,
            agreement=agreement,
            password=form.cleaned_data["password"],
            meaning=form.cleaned_data["meaning"],
        ),
        done="Signed.",
        back=_page(request, agreement.pk),
        form=form,
        invalid=SIGN_AGAIN,
    )


@require_POST
@requires(write=SIGN)
def agreement_terminate(request: OrgRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    reason = reason_of(request)
    return post_step(
        request,
        lambda: services.agreement_terminate(
            actor=request.user, organisation=request.organisation, agreement=agreement, reason=reason
        ),
        done="Terminated.",
        back=_page(request, agreement.pk),
    )


@requires(write=SIGN)
def contract_settings(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    policy = selectors.contract_policy_get(organisation=org)
    form = PolicyForm(request.POST or None, initial={"require_agreement": policy.require_agreement})
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_policy_set(
                actor=request.user, organisation=org, require_agreement=form.cleaned_data["require_agreement"]
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, "Contract settings saved.")
            return redirect("contracts:agreement_list", org=org.slug)
    return render(request, "contracts/contract_settings.html", {"organisation": org, "form": form})
