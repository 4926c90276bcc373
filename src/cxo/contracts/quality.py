"""What quality says about a work order: is the site approved for the service, is a quality agreement in force?

Activation asks :func:`quality_on_record`, which asks ``cxo.quality``'s selectors (``qualification_status_for``,
``quality_agreement_in_force``). Each answer is *not on record* — and does not stop activation — while CXO has
nothing to check against: the quality app is not installed, the sponsor keeps no approved supplier list in CXO
(no qualification at all), or records no quality agreements in CXO (none with any provider), or the work order
names no site or service. Once the sponsor keeps them, a site not approved for the service, or no agreement
with the provider in force on the day (covering the site), refuses activation with quality's own words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.apps import apps

from cxo.core.models import Organisation
from cxo.registry.models import Site, Term

Standing = Literal["ok", "refused", "not_on_record"]
NOT_ON_RECORD = "not on record"


@dataclass(frozen=True)
class QualityCheck:
    """One question asked of quality: ``standing`` ok (activation may go on), refused (it may not) or not on
    record (quality has nothing to say); ``label`` says it in words."""

    subject: str  # "Site approval" | "Quality agreement"
    standing: Standing
    label: str

    @property
    def refused(self) -> bool:
        return self.standing == "refused"


def quality_installed() -> bool:
    return apps.is_installed("cxo.quality")


def quality_on_record(
    *, sponsor: Organisation, provider: Organisation, site: Site | None, service: Term | None, on: dt.date
) -> list[QualityCheck]:
    """The site's approval for the service and the quality agreement in force on ``on``, as quality records them."""
    if not quality_installed():
        return [
            QualityCheck("Site approval", "not_on_record", NOT_ON_RECORD),
            QualityCheck("Quality agreement", "not_on_record", NOT_ON_RECORD),
        ]
    return [
        _site_approval(sponsor=sponsor, site=site, service=service, on=on),
        _quality_agreement(sponsor=sponsor, provider=provider, site=site, on=on),
    ]


def _site_approval(*, sponsor: Organisation, site: Site | None, service: Term | None, on: dt.date) -> QualityCheck:
    from cxo.quality.models import Qualification
    from cxo.quality.selectors import qualification_status_for

    if site is None or service is None or not Qualification.objects.for_organisation(sponsor).exists():
        return QualityCheck("Site approval", "not_on_record", NOT_ON_RECORD)
    answer = qualification_status_for(sponsor=sponsor, site=site, service=service, on=on)
    label = f"{answer.label} (conditions: {answer.conditions})" if answer.conditions else answer.label
    return QualityCheck("Site approval", "ok" if answer.approved else "refused", label)


def _quality_agreement(
    *, sponsor: Organisation, provider: Organisation, site: Site | None, on: dt.date
) -> QualityCheck:
    from cxo.quality.models import QualityAgreement
    from cxo.quality.selectors import quality_agreement_in_force

    if not QualityAgreement.objects.for_organisation(sponsor).exists():
        return QualityCheck("Quality agreement", "not_on_record", NOT_ON_RECORD)
    version = quality_agreement_in_force(sponsor=sponsor, provider=provider, site=site, on=on)
    if version is None:
        covering = f" covering {site.name}" if site is not None else ""
        return QualityCheck(
            "Quality agreement", "refused", f"none with {provider.name}{covering} in force on {on:%d %b %Y}"
        )
    return QualityCheck(
        "Quality agreement", "ok", f"{version.agreement.reference} in force until {version.expires_on:%d %b %Y}"
    )
