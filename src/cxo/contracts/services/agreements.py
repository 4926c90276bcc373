"""Master agreements (drafted by the sponsor with their document versions, sent, signed by the provider then the
sponsor, terminated) and the sponsor's contract policy."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxo.contracts.content import agreement_content
from cxo.contracts.models import AgreementStatus, ContractDocument, ContractPolicy, DocumentKind, MasterAgreement
from cxo.contracts.services.common import notify, party_side, password_given, record_side
from cxo.contracts.states import AGREEMENT
from cxo.core.audit import audit_record
from cxo.core.documents import DocumentData, document_fill
from cxo.core.errors import ServiceError
from cxo.core.models import Organisation, User
from cxo.core.money import currency_check
from cxo.core.roles import OrganisationType, Permission
from cxo.core.signatures import signature_reauthenticate, signature_sign
from cxo.sourcing.services.invitation import audit_both

AGREEMENT_MEANING = "master agreement agreed"


def _url(agreement: MasterAgreement, organisation: Organisation) -> str:
    return reverse("contracts:agreement_detail", kwargs={"org": organisation.slug, "agreement_id": agreement.pk})


def _sponsor_side(actor: User, organisation: Organisation, agreement: MasterAgreement) -> None:
    side = record_side(
        actor=actor,
        organisation=organisation,
        record=agreement,
        permission=Permission.SIGN_CONTRACT,
        what="master agreement",
    )
    if side != "sponsor":
        raise ServiceError("Only the sponsor drafts and changes a master agreement.")


def _audit(actor: User, agreement: MasterAgreement, action: str, changes: dict[str, object], reason: str = "") -> None:
    if agreement.sent_at is None:
        audit_record(
            actor=actor,
            organisation=agreement.organisation,
            action=action,
            obj=agreement,
            changes=changes,
            reason=reason,
        )
    else:
        audit_both(
            actor=actor,
            sponsor=agreement.organisation,
            provider=agreement.provider,
            action=action,
            obj=agreement,
            changes=changes,
            reason=reason,
        )


def _dates(effective_date: dt.date | None, expiry_date: dt.date | None) -> dt.date:
    if effective_date is None:
        raise ServiceError("Give the date the agreement takes effect.", field="effective_date")
    if expiry_date is not None and expiry_date < effective_date:
        raise ServiceError("The agreement expires before it takes effect.", field="expiry_date")
    return effective_date


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    organisation: Organisation,
    provider: Organisation,
    title: str,
    currency: str,
    effective_date: dt.date | None,
    expiry_date: dt.date | None = None,
    payment_terms_days: int = 30,
    terms_summary: str = "",
    reference: str = "",
) -> MasterAgreement:
    """Draft a master agreement with a provider (the sponsor's, with the right to sign contracts)."""
    party_side(
        actor=actor,
        organisation=organisation,
        sponsor_id=organisation.pk,
        provider_id=provider.pk,
        permission=Permission.SIGN_CONTRACT,
        what="organisation",
    )
    if not organisation.is_sponsor or provider.type != OrganisationType.PROVIDER:
        raise ServiceError("A master agreement is between a sponsor and a provider.", field="provider")
    title = title.strip()
    if not title:
        raise ServiceError("Give the agreement a title.", field="title")
    if not 0 <= payment_terms_days <= 365:
        raise ServiceError("Payment terms are between 0 and 365 days.", field="payment_terms_days")
    reference = reference.strip() or _next_reference(organisation)
    if MasterAgreement.objects.for_organisation(organisation).filter(reference=reference).exists():
        raise ServiceError(f"An agreement {reference} already exists.", field="reference")
    agreement = MasterAgreement.objects.create(
        organisation=organisation,
        provider=provider,
        reference=reference,
        title=title,
        terms_summary=terms_summary.strip(),
        currency=currency_check(currency),
        payment_terms_days=payment_terms_days,
        effective_date=_dates(effective_date, expiry_date),
        expiry_date=expiry_date,
    )
    _audit(actor, agreement, "agreement.create", {"provider": [None, provider.name], "title": [None, title]})
    return agreement


def _next_reference(organisation: Organisation) -> str:
    count = MasterAgreement.objects.for_organisation(organisation).count()
    return f"MSA-{timezone.localdate():%Y}-{count + 1:03d}"


@transaction.atomic
def agreement_document_add(
    *, actor: User, organisation: Organisation, agreement: MasterAgreement, data: DocumentData
) -> ContractDocument:
    """Attach the next version of the agreement's document (while it is a draft), kept with its checksum."""
    _sponsor_side(actor, organisation, agreement)
    if agreement.status != AgreementStatus.DRAFT:
        raise ServiceError("The agreement is sent: its documents can no longer change.")
    version = agreement.documents.count() + 1
    document = ContractDocument(
        organisation=agreement.organisation,
        provider=agreement.provider,
        kind=DocumentKind.AGREEMENT,
        agreement=agreement,
        version=version,
        uploaded_by=actor,
    )
    document_fill(document, data, field="document")
    document.save()
    _audit(actor, agreement, "agreement.document", {"document": [None, f"{document.name} v{version}"]})
    return document


@transaction.atomic
def agreement_send(*, actor: User, organisation: Organisation, agreement: MasterAgreement) -> MasterAgreement:
    """Send the draft to the provider for signature; from now on the provider sees it and its documents."""
    _sponsor_side(actor, organisation, agreement)
    agreement = _lock(agreement)
    old, new = AGREEMENT.apply(agreement, "send", side="sponsor")
    agreement.sent_at = timezone.now()
    agreement.content_sha256 = ""
    agreement.save()
    _audit(actor, agreement, "agreement.send", {"status": [old, new]})
    notify(
        organisation=agreement.provider,
        permission=Permission.SIGN_CONTRACT,
        title=f"{agreement.organisation.name} sent you master agreement {agreement.reference} to sign",
        body=agreement.title,
        url=_url(agreement, agreement.provider),
    )
    return agreement


def _lock(agreement: MasterAgreement) -> MasterAgreement:
    return (
        MasterAgreement.objects.for_organisation(agreement.organisation)
        .select_for_update(of=("self",))  # this row only: PostgreSQL locks no nullable join
        .select_related("organisation", "provider", "provider_signature")
        .get(pk=agreement.pk)
    )


def agreement_sign(
    *,
    actor: User,
    organisation: Organisation,
    agreement: MasterAgreement,
    password: str,
    meaning: str = AGREEMENT_MEANING,
) -> MasterAgreement:
    """Sign the agreement for ``organisation``: the provider first, then the sponsor; both signatures are bound to
    its terms and the checksum of every document version."""
    side = record_side(
        actor=actor,
        organisation=organisation,
        record=agreement,
        permission=Permission.SIGN_CONTRACT,
        what="master agreement",
    )
    password_given(password)
    reauthentication = signature_reauthenticate(user=actor, password=password, organisation=organisation)
    with transaction.atomic():
        agreement = _lock(agreement)
        old, new = AGREEMENT.apply(agreement, f"{side}_sign", side=side)
        signature = signature_sign(
            user=actor,
            reauthentication=reauthentication,
            meaning=meaning,
            content=agreement_content(agreement),
            organisation=organisation,
            obj=agreement,
        )
        agreement.content_sha256 = signature.content_sha256
        if side == "provider":
            agreement.provider_signature = signature
        else:
            agreement.sponsor_signature = signature
            agreement.signed_at = signature.signed_at
        agreement.save()
        _audit(
            actor,
            agreement,
            "agreement.sign",
            {"status": [old, new], "content_sha256": [None, signature.content_sha256]},
        )
        party = agreement.organisation if side == "provider" else agreement.provider
        notify(
            organisation=party,
            permission=Permission.SIGN_CONTRACT,
            title=f"{organisation.name} signed master agreement {agreement.reference}",
            url=_url(agreement, party),
        )
    return agreement


@transaction.atomic
def agreement_terminate(
    *, actor: User, organisation: Organisation, agreement: MasterAgreement, reason: str, on: dt.date | None = None
) -> MasterAgreement:
    """End a signed agreement from ``on`` (default today), with the reason."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give the reason.", field="reason")
    _sponsor_side(actor, organisation, agreement)
    agreement = _lock(agreement)
    old, new = AGREEMENT.apply(agreement, "terminate", side="sponsor")
    agreement.terminated_on = on or timezone.localdate()
    agreement.termination_reason = reason
    agreement.save()
    _audit(actor, agreement, "agreement.terminate", {"status": [old, new]}, reason=reason)
    notify(
        organisation=agreement.provider,
        permission=Permission.SIGN_CONTRACT,
        title=f"Master agreement {agreement.reference} ends on {agreement.terminated_on:%d %b %Y}",
        body=reason,
        url=_url(agreement, agreement.provider),
    )
    return agreement


@transaction.atomic
def contract_policy_set(*, actor: User, organisation: Organisation, require_agreement: bool) -> ContractPolicy:
    """Whether the sponsor's work orders may be signed only under a master agreement in force."""
    party_side(
        actor=actor,
        organisation=organisation,
        sponsor_id=organisation.pk,
        provider_id=organisation.pk,
        permission=Permission.SIGN_CONTRACT,
        what="organisation",
    )
    if not organisation.is_sponsor:
        raise ServiceError("Contract settings are a sponsor's.")
    policy = ContractPolicy.objects.for_organisation(organisation).first() or ContractPolicy(organisation=organisation)
    before = policy.require_agreement if policy.pk else None
    policy.require_agreement = require_agreement
    policy.updated_at = timezone.now()
    policy.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action="contract_policy.update",
        obj=policy,
        changes={"require_agreement": [before, require_agreement]},
    )
    return policy
