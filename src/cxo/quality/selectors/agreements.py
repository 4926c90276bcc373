"""Quality agreements: both parties see the agreements between them (the sponsor's with every provider, the
provider's with every sponsor), their versions, and which version is in force today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from cxo.core.errors import NotFound
from cxo.core.models import Organisation
from cxo.quality.models import AgreementVersionStatus, QualityAgreement, QualityAgreementVersion

EXPIRING_DAYS = 90


def agreement_list(*, organisation: Organisation) -> QuerySet[QualityAgreement]:
    """The agreements ``organisation`` is a party to (as sponsor or as provider), with versions and sites."""
    return (
        QualityAgreement.objects.for_party(organisation)
        .select_related("organisation", "provider")
        .prefetch_related("versions", "sites")
        .order_by("provider__name", "organisation__name", "reference")
    )


def agreement_get(*, organisation: Organisation, agreement_id: int) -> QualityAgreement:
    """One agreement ``organisation`` is a party to, with its versions (newest first), their signatures and sites."""
    agreement = (
        QualityAgreement.objects.for_party(organisation)
        .select_related("organisation", "provider")
        .prefetch_related("versions__sponsor_signature", "versions__provider_signature", "sites")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        raise NotFound("No such quality agreement.")
    return agreement


def version_get(*, organisation: Organisation, agreement_id: int, number: int) -> QualityAgreementVersion:
    agreement = agreement_get(organisation=organisation, agreement_id=agreement_id)
    version = next((v for v in agreement.versions.all() if v.number == number), None)
    if version is None:
        raise NotFound("No such version.")
    return version


@dataclass(frozen=True)
class AgreementState:
    """An agreement as of a day: the version in force (if any), the newest version, and how soon it expires."""

    agreement: QualityAgreement
    in_force: QualityAgreementVersion | None
    latest: QualityAgreementVersion | None
    today: dt.date

    @property
    def days_left(self) -> int | None:
        return (self.in_force.expires_on - self.today).days if self.in_force else None

    @property
    def expiring(self) -> bool:
        return self.days_left is not None and self.days_left <= EXPIRING_DAYS

    @property
    def awaiting_signature(self) -> bool:
        return self.latest is not None and self.latest.status in (
            AgreementVersionStatus.DRAFT,
            AgreementVersionStatus.SIGNING,
        )


def agreement_state(agreement: QualityAgreement, today: dt.date | None = None) -> AgreementState:
    today = today or timezone.localdate()
    versions = sorted(agreement.versions.all(), key=lambda v: -v.number)
    in_force = next((v for v in versions if v.in_force_on(today)), None)
    return AgreementState(agreement=agreement, in_force=in_force, latest=versions[0] if versions else None, today=today)


def agreement_states(*, organisation: Organisation, today: dt.date | None = None) -> list[AgreementState]:
    return [agreement_state(a, today) for a in agreement_list(organisation=organisation)]
