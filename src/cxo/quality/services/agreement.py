"""Quality agreements: the sponsor drafts a version with the sections FDA's guidance lists, both parties e-sign
it (bound to the SHA-256 of its text and dates), and a newly signed version supersedes the one before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.roles import OrganisationType, Permission
from cxo.core.selectors import membership_get
from cxo.core.signatures import Reauthentication
from cxo.quality.content import agreement_sections
from cxo.quality.models import AgreementVersionStatus, QualityAgreement, QualityAgreementVersion
from cxo.quality.services.common import member_require, next_reference, quality_notify, reauthenticate, sign, text
from cxo.quality.states import AGREEMENT_VERSION
from cxo.registry.models import Site

V = AgreementVersionStatus
SIGN_MEANING = "quality agreement approved"


def _sponsor(actor: User, organisation: Organisation) -> None:
    member_require(
        actor=actor,
        organisation=organisation,
        permission=Permission.MANAGE_QUALITY,
        what="quality agreement",
        sponsor=True,
    )


def _sections(values: Mapping[str, str]) -> dict[str, str]:
    known = {s.code: s for s in agreement_sections()}
    unknown = set(values) - set(known)
    if unknown:
        raise ServiceError(f"Unknown section: {', '.join(sorted(unknown))}.", field="sections")
    return {
        code: text(values.get(code, ""), field="sections", label=f"The section “{known[code].name}”") for code in known
    }


def _dates(effective_on: dt.date, expires_on: dt.date) -> None:
    if expires_on <= effective_on:
        raise ServiceError("A version must expire after it takes effect.", field="expires_on")


def _sites(provider: Organisation, sites: Sequence[Site]) -> list[Site]:
    strangers = [s.name for s in sites if s.organisation_id != provider.pk]
    if strangers:
        raise ServiceError(f"Not sites of {provider.name}: {', '.join(strangers)}.", field="sites")
    return list(sites)


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    organisation: Organisation,
    provider: Organisation,
    title: str,
    sites: Sequence[Site],
    sections: Mapping[str, str],
    effective_on: dt.date,
    expires_on: dt.date,
) -> QualityAgreement:
    """A new agreement with ``provider`` for ``sites``, and its first version as a draft."""
    _sponsor(actor, organisation)
    if provider.type != OrganisationType.PROVIDER:
        raise ServiceError("A quality agreement is made with a provider.", field="provider")
    _dates(effective_on, expires_on)
    agreement = QualityAgreement.objects.create(
        organisation=organisation,
        provider=provider,
        reference=next_reference(QualityAgreement.objects.for_organisation(organisation), "QA"),
        title=text(title, field="title", label="The title", required=True, limit=200),
        created_by=actor,
    )
    agreement.sites.set(_sites(provider, sites))
    version = QualityAgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        sections=_sections(sections),
        effective_on=effective_on,
        expires_on=expires_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="quality_agreement.create",
        obj=agreement,
        changes={
            "provider": [None, provider.name],
            "sites": [None, [s.name for s in sites]],
            "version": [None, version.number],
        },
    )
    return agreement


@transaction.atomic
def agreement_version_create(
    *,
    actor: User,
    agreement: QualityAgreement,
    effective_on: dt.date,
    expires_on: dt.date,
    sections: Mapping[str, str] | None = None,
) -> QualityAgreementVersion:
    """A new draft version (its sections copied from the latest unless given); one draft at a time."""
    _sponsor(actor, agreement.organisation)
    if agreement.versions.filter(status=V.DRAFT).exists():
        raise Conflict("This agreement already has a draft version: edit or sign that one.")
    _dates(effective_on, expires_on)
    latest = agreement.versions.order_by("-number").first()
    version = QualityAgreementVersion.objects.create(
        agreement=agreement,
        number=(latest.number if latest else 0) + 1,
        sections=_sections(sections if sections is not None else (latest.sections if latest else {})),
        effective_on=effective_on,
        expires_on=expires_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action="quality_agreement.version",
        obj=agreement,
        changes={"version": [latest.number if latest else None, version.number]},
    )
    return version


@transaction.atomic
def agreement_version_update(
    *,
    actor: User,
    version: QualityAgreementVersion,
    sections: Mapping[str, str] | None = None,
    effective_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> QualityAgreementVersion:
    """Edit a draft: its sections (those given) and dates. A version anyone has signed is never edited."""
    agreement = version.agreement
    _sponsor(actor, agreement.organisation)
    if version.status != V.DRAFT:
        raise Conflict(
            f"Version {version.number} is {AGREEMENT_VERSION.label(version.status)}: a signed version is never "
            "edited (draft a new version instead)."
        )
    before_sections: dict[str, str] = dict(version.sections)
    before: dict[str, Any] = {"effective_on": version.effective_on, "expires_on": version.expires_on}
    if sections is not None:
        version.sections = _sections({**version.sections, **sections})
    version.effective_on = effective_on or version.effective_on
    version.expires_on = expires_on or version.expires_on
    _dates(version.effective_on, version.expires_on)
    version.save()
    changed = [k for k in before_sections if before_sections[k] != version.sections.get(k)]
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action="quality_agreement.edit",
        obj=agreement,
        changes={
            "version": [None, version.number],
            **({"sections": [None, changed]} if changed else {}),
            **{
                k: [before[k], getattr(version, k)]
                for k in ("effective_on", "expires_on")
                if before[k] != getattr(version, k)
            },
        },
    )
    return version


def agreement_version_content(version: QualityAgreementVersion) -> dict[str, Any]:
    """What both parties sign: the parties, the sites, the version's sections and dates."""
    agreement = version.agreement
    return {
        "record": "quality.agreement_version",
        "agreement": agreement.reference,
        "sponsor": agreement.organisation.name,
        "provider": agreement.provider.name,
        "sites": sorted(f"{s.name} ({s.fei or s.duns or s.pk})" for s in agreement.sites.all()),
        "version": version.number,
        "effective_on": version.effective_on,
        "expires_on": version.expires_on,
        "sections": version.sections,
    }


def _side(actor: User, agreement: QualityAgreement) -> Organisation:
    """The party the actor signs for (NotFound if neither)."""
    for organisation in (agreement.organisation, agreement.provider):
        if membership_get(user=actor, organisation=organisation) is not None:
            member_require(
                actor=actor, organisation=organisation, permission=Permission.SIGN_QUALITY, what="quality agreement"
            )
            return organisation
    raise NotFound("No such quality agreement.")


def _sign_guard(version: QualityAgreementVersion, side: Organisation, today: dt.date) -> None:
    if version.expires_on < today:
        raise Conflict(
            f"Version {version.number} expired on {version.expires_on:%d %b %Y}: it cannot be signed. "
            "Draft a new version with new dates."
        )
    sponsor_side = side.pk == version.agreement.organisation_id
    if (version.sponsor_signature_id if sponsor_side else version.provider_signature_id) is not None:
        raise Conflict(f"{side.name} has already signed version {version.number}.")
    empty = [s.name for s in agreement_sections() if not version.sections.get(s.code, "").strip()]
    if empty:
        raise Conflict(f"Every section must be written before signing; empty: {', '.join(empty)}.")


def agreement_version_sign(
    *, actor: User, version: QualityAgreementVersion, password: str, meaning: str = SIGN_MEANING
) -> QualityAgreementVersion:
    """One party's electronic signature on a version. The second signature puts it in force (from its effective
    date) and supersedes the version signed before. Refused for a version that has expired."""
    side = _side(actor, version.agreement)
    AGREEMENT_VERSION.check(version.status, V.SIGNING if version.status == V.DRAFT else V.SIGNED, signed=True)
    _sign_guard(version, side, timezone.localdate())
    if not password:
        raise ServiceError("Re-enter your password to sign.", field="password")
    reauthentication = reauthenticate(actor=actor, password=password, organisation=side)
    return _signed(actor=actor, version=version, side=side, reauthentication=reauthentication, meaning=meaning)


@transaction.atomic
def _signed(
    *,
    actor: User,
    version: QualityAgreementVersion,
    side: Organisation,
    reauthentication: Reauthentication,
    meaning: str,
) -> QualityAgreementVersion:
    agreement = version.agreement
    version = agreement.versions.select_for_update().get(pk=version.pk)
    _sign_guard(version, side, timezone.localdate())
    content = agreement_version_content(version)
    signature = sign(
        actor=actor, reauthentication=reauthentication, meaning=meaning, content=content, organisation=side, obj=version
    )
    if version.content_sha256 and version.content_sha256 != signature.content_sha256:
        raise Conflict("The version changed since the other party signed it: it cannot be signed.")
    version.content_sha256 = signature.content_sha256
    if side.pk == agreement.organisation_id:
        version.sponsor_signature = signature
    else:
        version.provider_signature = signature
    old = version.status
    to = V.SIGNED if version.sponsor_signature_id and version.provider_signature_id else V.SIGNING
    AGREEMENT_VERSION.check(old, to, signed=True)
    version.status = to
    version.save()
    superseded = []
    if to == V.SIGNED:
        for earlier in agreement.versions.filter(status=V.SIGNED).exclude(pk=version.pk):
            AGREEMENT_VERSION.check(earlier.status, V.SUPERSEDED)
            earlier.status = V.SUPERSEDED
            earlier.save(update_fields=["status"])
            superseded.append(earlier.number)
    changes = {
        "version": [None, version.number],
        "status": [old, to],
        "signed_for": [None, side.name],
        "content_sha256": [None, signature.content_sha256],
        **({"superseded": [None, superseded]} if superseded else {}),
    }
    for organisation in (agreement.organisation, agreement.provider):
        audit_record(
            actor=actor, organisation=organisation, action="quality_agreement.sign", obj=agreement, changes=changes
        )
    other = agreement.provider if side.pk == agreement.organisation_id else agreement.organisation
    quality_notify(
        organisation=other,
        title=f"{side.name} signed {agreement.reference} version {version.number}"
        + (" — now signed by both" if to == V.SIGNED else ""),
        body=f"{agreement.title}: in force {version.effective_on:%d %b %Y} to {version.expires_on:%d %b %Y}."
        if to == V.SIGNED
        else f"{agreement.title}: your signature is awaited.",
        url=reverse("quality:agreement_detail", kwargs={"org": other.slug, "agreement_id": agreement.pk}),
    )
    return version
