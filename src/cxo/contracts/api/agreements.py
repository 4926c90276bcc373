"""Master agreements and the sponsor's contract settings through the API."""

from __future__ import annotations

from django.db.models import QuerySet

from cxo.contracts import selectors
from cxo.contracts.api import org_api
from cxo.contracts.models import ContractPolicy, MasterAgreement
from cxo.contracts.schemas import (
    ContractDocumentIn,
    MasterAgreementIn,
    MasterAgreementOut,
    PolicyIn,
    PolicyOut,
    ReasonIn,
    SignIn,
)
from cxo.contracts.services import agreements as services
from cxo.core.access import OrgRequest
from cxo.core.documents import document_data_from_base64
from cxo.core.errors import ServiceError
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission

SIGN = Permission.SIGN_CONTRACT


def _get(request: OrgRequest, agreement_id: int) -> MasterAgreement:
    return selectors.agreement_get(organisation=request.organisation, agreement_id=agreement_id)


@org_api.get("/agreements", response=list[MasterAgreementOut])
def agreement_list(request: OrgRequest) -> QuerySet[MasterAgreement]:
    """The master agreements the organisation is a party to (a provider sees them once sent)."""
    return selectors.agreement_list(organisation=request.organisation).prefetch_related("documents")


@org_api.post("/agreements", response={201: MasterAgreementOut}, permission=SIGN)
def agreement_create(request: OrgRequest, payload: MasterAgreementIn) -> tuple[int, MasterAgreement]:
    """Draft a master agreement with a provider the sponsor deals with (by its slug)."""
    provider = next(
        (p for p in selectors.provider_choices(sponsor=request.organisation) if p.slug == payload.provider), None
    )
    if provider is None:
        raise ServiceError("Name a provider you have invited to an RFP or placed a work order with.", field="provider")
    agreement = services.agreement_create(
        actor=request.user,
        organisation=request.organisation,
        provider=provider,
        title=payload.title,
        currency=payload.currency,
        effective_date=payload.effective_date,
        expiry_date=payload.expiry_date,
        payment_terms_days=payload.payment_terms_days,
        terms_summary=payload.terms_summary,
        reference=payload.reference,
    )
    return 201, _get(request, agreement.pk)


@org_api.get("/agreements/{agreement_id}", response=MasterAgreementOut)
def agreement_get(request: OrgRequest, agreement_id: int) -> MasterAgreement:
    """A master agreement with its document versions and signatures; ``in_force`` is as of today."""
    return _get(request, agreement_id)


@org_api.post("/agreements/{agreement_id}/documents", response={201: MasterAgreementOut}, permission=SIGN)
@rate_limited("upload")
def agreement_document_add(
    request: OrgRequest, agreement_id: int, payload: ContractDocumentIn
) -> tuple[int, MasterAgreement]:
    """Attach the next version of the draft agreement's document (base64), kept with its SHA-256."""
    services.agreement_document_add(
        actor=request.user,
        organisation=request.organisation,
        agreement=_get(request, agreement_id),
        data=document_data_from_base64(
            name=payload.name,
            content_base64=payload.content_base64,
            content_type=payload.content_type,
            field="document",
        ),
    )
    return 201, _get(request, agreement_id)


@org_api.post("/agreements/{agreement_id}/send", response=MasterAgreementOut, permission=SIGN)
def agreement_send(request: OrgRequest, agreement_id: int) -> MasterAgreement:
    """Send the draft to the provider for signature."""
    services.agreement_send(
        actor=request.user, organisation=request.organisation, agreement=_get(request, agreement_id)
    )
    return _get(request, agreement_id)


@org_api.post("/agreements/{agreement_id}/sign", response=MasterAgreementOut, permission=SIGN)
def agreement_sign(request: OrgRequest, agreement_id: int, payload: SignIn) -> MasterAgreement:
    """E-sign for the caller's side: the provider first, then the sponsor."""
    services.agreement_sign(
        actor=request.user,
        organisation=request.organisation,
        agreement=_get(request, agreement_id),
        password=payload.password,
        meaning=payload.meaning or services.AGREEMENT_MEANING,
    )
    return _get(request, agreement_id)


@org_api.post("/agreements/{agreement_id}/terminate", response=MasterAgreementOut, permission=SIGN)
def agreement_terminate(request: OrgRequest, agreement_id: int, payload: ReasonIn) -> MasterAgreement:
    """End a signed agreement from today, with the reason."""
    services.agreement_terminate(
        actor=request.user,
        organisation=request.organisation,
        agreement=_get(request, agreement_id),
        reason=payload.reason,
    )
    return _get(request, agreement_id)


@org_api.get("/contract-settings", response=PolicyOut)
def contract_settings_get(request: OrgRequest) -> ContractPolicy:
    """The sponsor's contract settings."""
    return selectors.contract_policy_get(organisation=request.organisation)


@org_api.put("/contract-settings", response=PolicyOut, permission=SIGN)
def contract_settings_set(request: OrgRequest, payload: PolicyIn) -> ContractPolicy:
    """Whether a work order may be signed only under a master agreement in force."""
    return services.contract_policy_set(
        actor=request.user, organisation=request.organisation, require_agreement=payload.require_agreement
    )
