"""The watch: qualifications that follow the public record (``cxo quality watch``, daily and after each import).

For every approved or conditionally approved qualification of every sponsor (or of the sites an import
touched) it checks, as of ``today``:

1. **validity** — an approval past its ``valid_until`` is *expired*;
2. **the public record** — an OAI inspection, a warning letter or other compliance action, or a Class I
   recall at the site (by FEI) dated after the approval;
3. **registration** — the site's FDA registration expired or absent, where the service expects one
   (``data/risk.json``; not when the newest DECRS file is itself out of date);
4. **the sponsor's own audits** — a critical finding at the site whose CAPA is past its due date.

Any of 2-4 puts the qualification *under review* (an audit event naming the evidence), tells the sponsor's
quality users with the evidence, and proposes a for-cause audit. Evidence a previous review already named
is not raised again, so re-approving after a review sticks and running the watch twice changes nothing the
second time. Agreement versions nearing expiry get their reminder here too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType
from cxo.quality.models import (
    APPROVED_STATES,
    AgreementVersionStatus,
    AuditKind,
    Capa,
    CapaStatus,
    FindingClass,
    Qualification,
    QualificationEvent,
    QualificationStatus,
    QualityAgreementVersion,
)
from cxo.quality.record import evidence_of, registration_lapse, triggers_since
from cxo.quality.rules import service_rule
from cxo.quality.selectors.capas import capa_due_on
from cxo.quality.selectors.policy import policy_get
from cxo.quality.services.audit import audit_plan
from cxo.quality.services.common import quality_notify
from cxo.quality.services.qualification import qualification_expire, qualification_review
from cxo.registry.models import ImportRun, Site
from cxo.registry.registration import registration_source

WATCH = "quality watch"
FOR_CAUSE_WITHIN_DAYS = 30  # the proposed for-cause audit is planned this many days ahead


@dataclass
class WatchResult:
    today: dt.date
    checked: int = 0
    reviewed: list[tuple[Qualification, list[dict[str, Any]]]] = field(default_factory=list)
    expired: list[Qualification] = field(default_factory=list)
    reminders: int = 0

    def lines(self) -> list[str]:
        out = [
            f"Quality watch as of {self.today:%d %b %Y}: {self.checked} approved qualification"
            f"{'s' if self.checked != 1 else ''} checked, {len(self.reviewed)} put under review, "
            f"{len(self.expired)} expired, {self.reminders} agreement reminder{'s' if self.reminders != 1 else ''}."
        ]
        for q, evidence in self.reviewed:
            out.append(f"  under review: {q.organisation.name} · {q.site.name} · {q.service.name}")
            out += [f"    {e['label']}" for e in evidence]
        for q in self.expired:
            out.append(f"  expired: {q.organisation.name} · {q.site.name} · {q.service.name}")
        return out


def _sponsors() -> QuerySet[Organisation]:
    return Organisation.objects.filter(type=OrganisationType.SPONSOR)


def _evidence_key(evidence: dict[str, Any]) -> str:
    return f"{evidence.get('kind')}:{evidence.get('source')}:{evidence.get('source_ref')}"


def _named_before(qualification_ids: list[int], sponsors: QuerySet[Organisation]) -> dict[int, set[str]]:
    """The evidence each qualification's earlier reviews named (so the watch never raises it twice)."""
    named: dict[int, set[str]] = defaultdict(set)
    events = (
        QualificationEvent.objects.for_organisations(sponsors)
        .filter(qualification_id__in=qualification_ids, to_status=QualificationStatus.UNDER_REVIEW)
        .values_list("qualification_id", "evidence")
    )
    for qid, evidence in events:
        named[qid].update(_evidence_key(e) for e in evidence or [])
    return named


def _late_criticals(
    sponsors: QuerySet[Organisation], site_ids: list[int], today: dt.date
) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """(sponsor, site) → the critical findings whose CAPA is past its due date, as evidence."""
    out: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    capas = (
        Capa.objects.for_organisations(sponsors)
        .filter(finding__site_id__in=site_ids, finding__classification=FindingClass.CRITICAL)
        .exclude(status=CapaStatus.CLOSED)
        .select_related("finding__audit")
        .prefetch_related("actions")
    )
    for capa in capas:
        due = capa_due_on(capa)
        if due is not None and due < today:
            finding = capa.finding
            out[(capa.organisation_id, finding.site_id)].append(
                {
                    "kind": "finding",
                    "label": f"Critical finding {finding.audit.reference}-{finding.label} ({finding.clause}) "
                    f"open beyond its due date {due:%d %b %Y}",
                    "source": "audit",
                    "source_ref": f"{finding.audit.reference}-{finding.label}",
                    "occurred_on": due.isoformat(),
                }
            )
    return out


def _evidence(
    q: Qualification,
    triggers: dict[int, list[Any]],
    lapse: str,
    criticals: dict[tuple[int, int], list[dict[str, Any]]],
    named: set[str],
    criticality: dict[str, str],
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for event in triggers.get(q.site_id, ()):
        if event.occurred_on and q.approved_on and event.occurred_on > q.approved_on:
            found.append(evidence_of(event))
    if lapse and service_rule(q.service.code, criticality).registration:
        found.append(
            {"kind": "registration", "label": lapse, "source": "decrs", "source_ref": str(q.site.registration_expiry)}
        )
    found += criticals.get((q.organisation_id, q.site_id), [])
    return [e for e in found if _evidence_key(e) not in named]


def _review(q: Qualification, evidence: list[dict[str, Any]], today: dt.date) -> None:
    reason = "The watch found " + "; ".join(e["label"] for e in evidence) + "."
    with transaction.atomic():
        qualification_review(actor=None, qualification=q, reason=reason, evidence=evidence, actor_label=WATCH)
        audit = audit_plan(
            actor=None,
            organisation=q.organisation,
            site=q.site,
            services=[q.service],
            kind=AuditKind.FOR_CAUSE,
            planned_for=today + dt.timedelta(days=FOR_CAUSE_WITHIN_DAYS),
            reason=reason,
            qualification=q,
            actor_label=WATCH,
        )
        quality_notify(
            organisation=q.organisation,
            title=f"Under review: {q.site.name} for {q.service.name}",
            body=f"{reason} A for-cause audit ({audit.reference}) is proposed for {audit.planned_for:%d %b %Y}.",
            url=reverse("quality:qualification_detail", kwargs={"org": q.organisation.slug, "qualification_id": q.pk}),
        )


def _remind(sponsors: QuerySet[Organisation], today: dt.date) -> int:
    """Tell both parties once when a signed agreement version comes within the sponsor's reminder days of expiry."""
    sent = 0
    versions = (
        QualityAgreementVersion.objects.for_organisations(sponsors)
        .filter(status=AgreementVersionStatus.SIGNED, reminded_at__isnull=True, expires_on__gte=today)
        .select_related("agreement__organisation", "agreement__provider")
    )
    for version in versions:
        agreement = version.agreement
        days = policy_get(organisation=agreement.organisation).agreement_reminder_days
        if (version.expires_on - today).days > days:
            continue
        with transaction.atomic():
            version.reminded_at = timezone.now()
            version.save(update_fields=["reminded_at"])
            for org in (agreement.organisation, agreement.provider):
                audit_record(
                    actor=None,
                    organisation=org,
                    action="quality_agreement.reminder",
                    obj=agreement,
                    changes={"expires_on": [None, version.expires_on], "version": [None, version.number]},
                    actor_label=WATCH,
                )
                quality_notify(
                    organisation=org,
                    title=f"{agreement.reference} expires on {version.expires_on:%d %b %Y}",
                    body=f"{agreement.title} (version {version.number}, between {agreement.organisation.name} and "
                    f"{agreement.provider.name}) expires in {(version.expires_on - today).days} days: "
                    "agree a new version.",
                    url=reverse("quality:agreement_detail", kwargs={"org": org.slug, "agreement_id": agreement.pk}),
                )
        sent += 1
    return sent


def quality_watch(*, today: dt.date | None = None, sites: Sequence[Site] | None = None) -> WatchResult:
    """Run the watch's checks for every sponsor's approved qualifications (or only those at ``sites``)."""
    today = today or timezone.localdate()
    sponsors = _sponsors()
    result = WatchResult(today=today)
    qs = (
        Qualification.objects.for_organisations(sponsors)
        .filter(status__in=list(APPROVED_STATES))
        .select_related("organisation", "site", "provider", "service")
    )
    if sites is not None:
        qs = qs.filter(site__in=[s.pk for s in sites])
    qualifications = list(qs)
    result.checked = len(qualifications)
    active: list[Qualification] = []
    for q in qualifications:
        if q.valid_until is not None and q.valid_until < today:
            qualification_expire(qualification=q, actor_label=WATCH)
            result.expired.append(q)
        else:
            active.append(q)
    watched_sites = list({q.site_id: q.site for q in active}.values())
    dates = [q.approved_on for q in active if q.approved_on]
    triggers = triggers_since(sites=watched_sites, since=min(dates)) if dates else {}
    source = registration_source(today=today)
    lapses = {s.pk: registration_lapse(s, source) for s in watched_sites}
    criticals = _late_criticals(sponsors, [s.pk for s in watched_sites], today)
    named = _named_before([q.pk for q in active], sponsors)
    policies = {
        q.organisation_id: policy_get(organisation=q.organisation)
        for q in {q.organisation_id: q for q in active}.values()
    }
    for q in active:
        overrides = policies[q.organisation_id].criticality
        evidence = _evidence(q, triggers, lapses.get(q.site_id, ""), criticals, named.get(q.pk, set()), overrides)
        if evidence:
            _review(q, evidence, today)
            result.reviewed.append((q, evidence))
    if sites is None:
        result.reminders = _remind(sponsors, today)
    return result


def quality_watch_after_import(*, import_run_id: int) -> WatchResult | None:
    """The watch for what one import changed: after a DECRS import every qualification (registrations), after a
    compliance import the qualifications at the sites that got a triggering record from it."""
    run = ImportRun.objects.filter(pk=import_run_id).first()
    if run is None:
        return None
    if run.source == "decrs":
        return quality_watch()
    qualified = list(
        {
            q.site_id: q.site
            for q in Qualification.objects.for_organisations(_sponsors())
            .filter(status__in=list(APPROVED_STATES))
            .select_related("site")
        }.values()
    )
    dates = [
        d
        for d in Qualification.objects.for_organisations(_sponsors())
        .filter(status__in=list(APPROVED_STATES), approved_on__isnull=False)
        .values_list("approved_on", flat=True)
        if d is not None
    ]
    if not qualified or not dates:
        return None
    triggers = triggers_since(sites=qualified, since=min(dates))
    touched = [s for s in qualified if any(e.import_run_id == run.pk for e in triggers.get(s.pk, ()))]
    return quality_watch(sites=touched) if touched else None
