"""What the quality home (and a persona dashboard) counts: for a sponsor, CAPAs overdue, audits due, changes to
assess, qualifications under review, agreements expiring; for a provider, findings to answer and its side of
the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cxo.core.models import Organisation
from cxo.quality.models import QualificationStatus
from cxo.quality.selectors.agreements import agreement_states
from cxo.quality.selectors.asl import AslFilters, qualification_list
from cxo.quality.selectors.audits import audit_plan
from cxo.quality.selectors.capas import AWAITING_PROVIDER, capa_list, capa_overdue, provider_finding_list
from cxo.quality.selectors.changes import assessment_list


@dataclass(frozen=True)
class QualityCounts:
    """The numbers a quality user acts on first (zero is a number here: each is a count of open work)."""

    capas_overdue: int = 0
    audits_overdue: int = 0
    audits_due_soon: int = 0
    changes_to_assess: int = 0
    under_review: int = 0
    agreements_expiring: int = 0
    agreements_to_sign: int = 0
    findings_to_answer: int = 0


def quality_counts(*, organisation: Organisation, today: dt.date | None = None) -> QualityCounts:
    """The organisation's open quality work as counts (sponsor or provider side)."""
    today = today or timezone.localdate()
    agreements = agreement_states(organisation=organisation, today=today)
    expiring = sum(1 for a in agreements if a.expiring)
    to_sign = sum(1 for a in agreements if a.awaiting_signature)
    if not organisation.is_sponsor:
        findings = provider_finding_list(provider=organisation, open_only=True)
        return QualityCounts(
            capas_overdue=sum(1 for f in findings if f.overdue),
            findings_to_answer=sum(1 for f in findings if f.capa.status in AWAITING_PROVIDER),
            agreements_expiring=expiring,
            agreements_to_sign=to_sign,
        )
    plan = audit_plan(organisation=organisation, today=today)
    return QualityCounts(
        capas_overdue=sum(1 for c in capa_list(organisation=organisation, open_only=True) if capa_overdue(c, today)),
        audits_overdue=sum(1 for r in plan.overdue if r.upcoming is None),
        audits_due_soon=len(plan.due_soon),
        changes_to_assess=assessment_list(organisation=organisation, pending_only=True).count(),
        under_review=qualification_list(
            organisation=organisation, filters=AslFilters(status=QualificationStatus.UNDER_REVIEW), today=today
        ).count(),
        agreements_expiring=expiring,
        agreements_to_sign=to_sign,
    )
