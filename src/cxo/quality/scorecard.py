"""Scorecards from data, not opinions: per provider (and site), over a period, from what CXO holds.

Each measure is scored 0-100 from records in the period; a measure with no records in the period has
**no data** (it is left out, never counted as zero). The overall score is the weighted mean of the
measures that have data, the weights renormalised over them; with none, the scorecard has no data.

==============================  ======  ==========================================================
measure                         weight  score
==============================  ======  ==========================================================
RFP response rate               10      invitations answered (accepted, declined or bid) / invited
Proposal timeliness             10      proposals first submitted by the deadline / submitted
Audit findings                  25      mean over audits of 100 - 40·critical - 15·major - 3·minor (≥ 0)
CAPAs on time                   20      CAPA steps done on time / steps done in the period or due in
                                        it and still open (proposals by the response date, actions
                                        by theirs)
Changes notified in advance     10      notifications sent on or before the change / notifications
FDA compliance record           25      100 - 50 per OAI inspection, warning letter, other action or
                                        Class I recall - 10 per Class II recall - 5 per VAI (≥ 0);
                                        no data without an inspection or event in the period
==============================  ======  ==========================================================

RFP measures are the provider's as a whole (invitations go to organisations); the others can be read
for one site. ``docs/quality.md`` states the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min, Q

from cxo.core.models import Organisation
from cxo.quality.models import Audit, AuditStatus, Capa, CapaAction, ChangeAssessment, FindingClass
from cxo.registry.compliance import compliance_event_list
from cxo.registry.models import ComplianceKind, Site
from cxo.sourcing.models import InvitationStatus, Proposal, RfpInvitation

WEIGHTS = {"response": 10, "timeliness": 10, "findings": 25, "capas": 20, "changes": 10, "compliance": 25}
NAMES = {
    "response": "RFP response rate",
    "timeliness": "Proposal timeliness",
    "findings": "Audit findings",
    "capas": "CAPAs on time",
    "changes": "Changes notified in advance",
    "compliance": "FDA compliance record",
}
PENALTY: dict[str, int] = {FindingClass.CRITICAL: 40, FindingClass.MAJOR: 15, FindingClass.MINOR: 3}
ONE = Decimal("0.1")


def _score(value: Decimal | int | float) -> Decimal:
    return Decimal(str(value)).quantize(ONE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Measure:
    key: str
    score: Decimal | None  # None: no data in the period
    basis: str  # the numbers behind it, in words

    @property
    def name(self) -> str:
        return NAMES[self.key]

    @property
    def weight(self) -> int:
        return WEIGHTS[self.key]


@dataclass
class Scorecard:
    provider: Organisation
    site: Site | None
    start: dt.date
    end: dt.date
    measures: list[Measure] = field(default_factory=list)

    @property
    def overall(self) -> Decimal | None:
        scored = [m for m in self.measures if m.score is not None]
        weight = sum(m.weight for m in scored)
        if not weight:
            return None
        return _score(sum(m.score * m.weight for m in scored if m.score is not None) / weight)

    @property
    def formula(self) -> str:
        scored = [m for m in self.measures if m.score is not None]
        if not scored:
            return "No measure has data in this period."
        terms = " + ".join(f"{m.weight} x {m.score}" for m in scored)
        return f"({terms}) / {sum(m.weight for m in scored)} = {self.overall}"


def _in(day: dt.date | dt.datetime | None, start: dt.date, end: dt.date) -> bool:
    if day is None:
        return False
    d = day.date() if isinstance(day, dt.datetime) else day
    return start <= d <= end


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _ratio(key: str, good: int, total: int, noun: str, outcome: str) -> Measure:
    """``good`` of ``total`` ``noun`` ``outcome`` ("3 of 4 invitations answered"); none: no data, not zero."""
    if not total:
        return Measure(key, None, f"No {noun} in the period")
    return Measure(key, _score(Decimal(good) * 100 / total), f"{good} of {total} {noun} {outcome}")


def _rfp_measures(sponsor: Organisation, provider: Organisation, start: dt.date, end: dt.date) -> list[Measure]:
    invitations = [
        i
        for i in RfpInvitation.objects.for_organisation(sponsor).filter(provider=provider).select_related("rfp")
        if _in(i.rfp.issued_at, start, end)
    ]
    proposals = {
        p.invitation_id: p
        for p in Proposal.objects.for_organisation(sponsor)
        .filter(provider=provider)
        .select_related("rfp")
        .annotate(first_at=Min("versions__submitted_at"))
    }
    answered = sum(1 for i in invitations if i.status != InvitationStatus.INVITED or i.pk in proposals)
    bids = [proposals[i.pk] for i in invitations if i.pk in proposals]
    on_time = 0
    for p in bids:
        first_at = getattr(p, "first_at", None)  # annotated: the first version's submission
        deadline = p.rfp.response_deadline
        on_time += deadline is None or (first_at is not None and first_at <= deadline)
    return [
        _ratio("response", answered, len(invitations), "invitations", "answered"),
        _ratio("timeliness", on_time, len(bids), "proposals", "on time"),
    ]


def _findings_measure(sponsor: Organisation, sites: Sequence[Site], start: dt.date, end: dt.date) -> Measure:
    audits = (
        Audit.objects.for_organisation(sponsor)
        .filter(
            site__in=sites, status__in=[AuditStatus.REPORT_ISSUED, AuditStatus.CLOSED], conducted_on__range=(start, end)
        )
        .prefetch_related("findings")
    )
    scores: list[int] = []
    counts: dict[str, int] = dict.fromkeys(PENALTY, 0)
    for audit in audits:
        penalty = 0
        for finding in audit.findings.all():
            counts[finding.classification] += 1
            penalty += PENALTY[finding.classification]
        scores.append(max(0, 100 - penalty))
    if not scores:
        return Measure("findings", None, "No audit reported in the period")
    found = ", ".join(f"{n} {c}" for c, n in counts.items())
    return Measure(
        "findings", _score(Decimal(sum(scores)) / len(scores)), f"{_count(len(scores), 'audit', 'audits')}: {found}"
    )


def _capa_measure(
    sponsor: Organisation, sites: Sequence[Site], start: dt.date, end: dt.date, today: dt.date
) -> Measure:
    """CAPA steps whose outcome the period shows: those done in it (on time or not), and those due in it that
    are still not done once their date has passed."""
    good = total = 0
    capas = Capa.objects.for_organisation(sponsor).filter(finding__site__in=sites).select_related("finding")
    for capa in capas:
        due = capa.finding.response_due
        proposed = capa.proposed_at.date() if capa.proposed_at else None
        if due and (_in(proposed, start, end) or (proposed is None and _in(due, start, end) and due < today)):
            total += 1
            good += bool(proposed and proposed <= due)
    actions = CapaAction.objects.for_organisation(sponsor).filter(
        Q(completed_on__range=(start, end))
        | Q(completed_on__isnull=True, due_on__range=(start, end), due_on__lt=today),
        capa__finding__site__in=sites,
    )
    for action in actions:
        total += 1
        good += bool(action.completed_on and action.completed_on <= action.due_on)
    return _ratio("capas", good, total, "CAPA steps due or done", "on time")


def _change_measure(
    sponsor: Organisation, provider: Organisation, sites: Sequence[Site] | None, start: dt.date, end: dt.date
) -> Measure:
    rows = ChangeAssessment.objects.for_organisation(sponsor).filter(provider=provider).select_related("notification")
    if sites is not None:
        rows = rows.filter(notification__site__in=sites)
    notes = [a.notification for a in rows if _in(a.notification.sent_at, start, end)]
    return _ratio(
        "changes", sum(1 for n in notes if n.notified_before_change), len(notes), "change notifications", "in advance"
    )


def _compliance_measure(sites: Sequence[Site], start: dt.date, end: dt.date) -> Measure:
    K = ComplianceKind
    events = [
        e
        for e in compliance_event_list(
            sites=list(sites), kinds=(K.INSPECTION, K.WARNING_LETTER, K.ACTION, K.RECALL), since=start
        )
        if e.occurred_on and e.occurred_on <= end
    ]
    if not events:
        return Measure("compliance", None, "No FDA inspection or action on record in the period")
    serious = sum(
        1
        for e in events
        if (e.kind == K.INSPECTION and e.classification == "OAI")
        or e.kind in (K.WARNING_LETTER, K.ACTION)
        or (e.kind == K.RECALL and e.classification == "Class I")
    )
    class2 = sum(1 for e in events if e.kind == K.RECALL and e.classification == "Class II")
    vai = sum(1 for e in events if e.kind == K.INSPECTION and e.classification == "VAI")
    inspections = sum(1 for e in events if e.kind == K.INSPECTION)
    score = max(0, 100 - 50 * serious - 10 * class2 - 5 * vai)
    basis = (
        f"{_count(inspections, 'inspection record', 'inspection records')}, "
        f"{serious} serious (OAI, warning letter, action, Class I), "
        f"{class2} Class II, {vai} VAI"
    )
    return Measure("compliance", _score(score), basis)


def scorecard(
    *,
    sponsor: Organisation,
    provider: Organisation,
    start: dt.date,
    end: dt.date,
    site: Site | None = None,
    today: dt.date | None = None,
) -> Scorecard:
    """The provider's (or one of its sites') scorecard for ``sponsor`` over ``start`` … ``end``."""
    today = today or dt.date.today()
    sites = [site] if site is not None else list(Site.objects.filter(organisation=provider))
    card = Scorecard(provider=provider, site=site, start=start, end=end)
    card.measures = [
        *_rfp_measures(sponsor, provider, start, end),
        _findings_measure(sponsor, sites, start, end),
        _capa_measure(sponsor, sites, start, end, today),
        _change_measure(sponsor, provider, [site] if site else None, start, end),
        _compliance_measure(sites, start, end),
    ]
    return card
