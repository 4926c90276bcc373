"""What the sponsor knows of a set of sites, gathered once for a page, the plan, the watch or an export:
their public FDA record, its own audits, open findings and CAPAs, and the quality agreements in force.

A constant number of queries for any number of sites; then :meth:`Oversight.risk` and the rest are lookups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Max, Min, Q
from django.utils import timezone

from cxo.core.models import Organisation
from cxo.quality.models import (
    AgreementVersionStatus,
    Audit,
    AuditStatus,
    Capa,
    CapaStatus,
    FindingClass,
    Qualification,
    QualificationStatus,
    QualityAgreement,
    QualityPolicy,
)
from cxo.quality.record import PublicSignals, public_signals, registration_lapse
from cxo.quality.rules import RecordSignals, Risk, audit_due_on, risk_assess
from cxo.quality.selectors.policy import policy_get
from cxo.registry.models import Site
from cxo.registry.registration import RegistrationSource, registration_source

CONDUCTED = (AuditStatus.CONDUCTED, AuditStatus.REPORT_ISSUED, AuditStatus.CLOSED)
AWAITING_PROVIDER = (CapaStatus.AWAITING, CapaStatus.RETURNED)


@dataclass
class CapaStats:
    """A site's open findings (by class) and overdue CAPAs, from the sponsor's own audits."""

    open: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    overdue: int = 0
    overdue_critical: int = 0

    @property
    def open_total(self) -> int:
        return sum(self.open.values())


def effective_status_of(status: str, valid_until: dt.date | None, today: dt.date) -> str:
    """The state as of ``today``: an approval whose validity has ended is expired even before the watch records it."""
    approved = status in (QualificationStatus.APPROVED, QualificationStatus.CONDITIONAL)
    if approved and valid_until is not None and valid_until < today:
        return QualificationStatus.EXPIRED
    return status


def effective_status(qualification: Qualification, today: dt.date) -> str:
    """:func:`effective_status_of` a qualification."""
    return effective_status_of(qualification.status, qualification.valid_until, today)


@dataclass
class Oversight:
    organisation: Organisation
    today: dt.date
    policy: QualityPolicy
    registration: RegistrationSource
    public: dict[int, PublicSignals]
    last_audit: dict[int, dt.date]
    capas: dict[int, CapaStats]
    agreements: set[tuple[int, int | None]]  # (provider id, site id); None: every site of the provider
    sites: dict[int, Site]

    def signals(self, site_id: int) -> RecordSignals:
        public = self.public.get(site_id, PublicSignals())
        stats = self.capas.get(site_id, CapaStats())
        site = self.sites.get(site_id)
        return RecordSignals(
            inspected=public.inspected,
            latest_outcome=public.latest_outcome,
            recent_oai_on=public.recent_oai_on,
            recent_warning_letter_on=public.recent_warning_letter_on,
            recent_action_on=public.recent_action_on,
            recent_class1_on=public.recent_class1_on,
            recent_class2_on=public.recent_class2_on,
            registration_lapsed=registration_lapse(site, self.registration) if site else "",
            open_critical=stats.open[FindingClass.CRITICAL],
            open_major=stats.open[FindingClass.MAJOR],
            overdue_capas=stats.overdue,
        )

    def risk(self, site_id: int, service_code: str) -> Risk:
        return risk_assess(service_code, self.signals(site_id), self.policy.criticality)

    def agreement_in_force(self, provider_id: int, site_id: int) -> bool:
        return (provider_id, site_id) in self.agreements or (provider_id, None) in self.agreements

    def audit_due(self, site_id: int, level: str, listed_on: dt.date) -> dt.date:
        return audit_due_on(
            last_audit_on=self.last_audit.get(site_id), listed_on=listed_on, level=level, policy=self.policy
        )


def _capa_stats(organisation: Organisation, site_ids: Sequence[int], today: dt.date) -> dict[int, CapaStats]:
    stats: dict[int, CapaStats] = defaultdict(CapaStats)
    rows = (
        Capa.objects.for_organisation(organisation)
        .filter(finding__site_id__in=site_ids)
        .exclude(status=CapaStatus.CLOSED)
        .annotate(first_open_due=Min("actions__due_on", filter=Q(actions__completed_on__isnull=True)))
        .values_list("finding__site_id", "finding__classification", "status", "finding__response_due", "first_open_due")
    )
    for site_id, classification, status, response_due, first_open_due in rows:
        entry = stats[site_id]
        entry.open[classification] += 1
        late = (status in AWAITING_PROVIDER and response_due is not None and response_due < today) or (
            status == CapaStatus.ACCEPTED and first_open_due is not None and first_open_due < today
        )
        if late:
            entry.overdue += 1
            entry.overdue_critical += classification == FindingClass.CRITICAL
    return dict(stats)


def _agreements(organisation: Organisation, provider_ids: Iterable[int], today: dt.date) -> set[tuple[int, int | None]]:
    rows = (
        QualityAgreement.objects.for_organisation(organisation)
        .filter(
            provider_id__in=list(provider_ids),
            versions__status=AgreementVersionStatus.SIGNED,
            versions__effective_on__lte=today,
            versions__expires_on__gte=today,
        )
        .values_list("provider_id", "sites__id")
        .distinct()
    )
    return {(provider_id, site_id) for provider_id, site_id in rows}


def oversight_for(*, organisation: Organisation, sites: Sequence[Site], today: dt.date | None = None) -> Oversight:
    """Everything the risk, the plan and the list need about ``sites`` for the sponsor, as of ``today``."""
    today = today or timezone.localdate()
    site_ids = [s.pk for s in sites]
    last_audit = dict(
        Audit.objects.for_organisation(organisation)
        .filter(site_id__in=site_ids, status__in=CONDUCTED, conducted_on__isnull=False)
        .values("site_id")
        .annotate(last=Max("conducted_on"))
        .values_list("site_id", "last")
    )
    return Oversight(
        organisation=organisation,
        today=today,
        policy=policy_get(organisation=organisation),
        registration=registration_source(today=today),
        public=public_signals(sites=sites, today=today),
        last_audit=last_audit,
        capas=_capa_stats(organisation, site_ids, today),
        agreements=_agreements(organisation, {s.organisation_id for s in sites}, today),
        sites={s.pk: s for s in sites},
    )
