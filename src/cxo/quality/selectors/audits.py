"""Audits: the sponsor's list and detail, and the risk-based plan of audits due and overdue per site."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cxo.core.errors import NotFound
from cxo.core.models import Organisation
from cxo.quality.models import APPROVED_STATES, Audit, AuditStatus, Finding, Qualification, QualificationStatus
from cxo.quality.rules import Risk, worst
from cxo.quality.selectors.oversight import effective_status, oversight_for
from cxo.registry.models import Site

OPEN_AUDITS = (AuditStatus.PLANNED, AuditStatus.SCHEDULED, AuditStatus.CONDUCTED)
PLANNED_STATES = (*APPROVED_STATES, QualificationStatus.UNDER_REVIEW, QualificationStatus.IN_QUALIFICATION)
DUE_SOON_DAYS = 90


def audit_list(
    *, organisation: Organisation, status: str = "", site_id: int | None = None, kind: str = ""
) -> QuerySet[Audit]:
    """The sponsor's audits, newest plan first, with their finding counts by class."""
    qs = (
        Audit.objects.for_organisation(organisation)
        .select_related("site", "provider", "lead_auditor")
        .prefetch_related("services")
        .annotate(
            finding_count=Count("findings", distinct=True),
            critical_count=Count("findings", filter=Q(findings__classification="critical"), distinct=True),
            major_count=Count("findings", filter=Q(findings__classification="major"), distinct=True),
            minor_count=Count("findings", filter=Q(findings__classification="minor"), distinct=True),
        )
    )
    if status in AuditStatus.values:
        qs = qs.filter(status=status)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-planned_for", "-pk")


def audit_get(*, organisation: Organisation, audit_id: int) -> Audit:
    """One of the sponsor's audits with its scope, team, checklist and findings (and their CAPAs)."""
    audit = (
        Audit.objects.for_organisation(organisation)
        .select_related("site", "provider", "lead_auditor", "qualification__service", "organisation")
        .prefetch_related(
            "services",
            "auditors",
            "checklist_items",
            Prefetch(
                "findings",
                queryset=Finding.objects.for_organisation(organisation)
                .select_related("capa", "checklist_item")
                .order_by("number"),
            ),
        )
        .filter(pk=audit_id)
        .first()
    )
    if audit is None:
        raise NotFound("No such audit.")
    return audit


@dataclass
class PlanRow:
    """A site on the list and when it is next due for audit."""

    site: Site
    services: list[str]
    risk: str
    risks: list[Risk]
    last_audit_on: dt.date | None
    due_on: dt.date
    upcoming: Audit | None  # planned, scheduled or conducted and not reported


@dataclass
class AuditPlan:
    today: dt.date
    overdue: list[PlanRow]
    due_soon: list[PlanRow]
    later: list[PlanRow]


def audit_plan(*, organisation: Organisation, today: dt.date | None = None) -> AuditPlan:
    """Every listed site's next audit: due on the interval of its risk level (the worst of its services) after its
    last audit, or at once if never audited; split into overdue, due within 90 days, and later."""
    today = today or timezone.localdate()
    qualifications = [
        q
        for q in Qualification.objects.for_organisation(organisation).select_related("site", "service")
        if effective_status(q, today) in PLANNED_STATES
    ]
    by_site: dict[int, list[Qualification]] = defaultdict(list)
    for q in qualifications:
        by_site[q.site_id].append(q)
    sites = [qs[0].site for qs in by_site.values()]
    oversight = oversight_for(organisation=organisation, sites=sites, today=today)
    upcoming: dict[int, Audit] = {}
    for audit in (
        Audit.objects.for_organisation(organisation)
        .filter(site_id__in=list(by_site), status__in=OPEN_AUDITS)
        .order_by("planned_for", "pk")
    ):
        upcoming.setdefault(audit.site_id, audit)
    plan = AuditPlan(today=today, overdue=[], due_soon=[], later=[])
    for site_id, quals in by_site.items():
        risks = [oversight.risk(site_id, q.service.code) for q in quals]
        level = worst([r.level for r in risks])
        listed_on = min(q.created_at.date() for q in quals)
        row = PlanRow(
            site=quals[0].site,
            services=sorted(q.service.name for q in quals),
            risk=level,
            risks=risks,
            last_audit_on=oversight.last_audit.get(site_id),
            due_on=oversight.audit_due(site_id, level, listed_on),
            upcoming=upcoming.get(site_id),
        )
        if row.due_on < today:
            plan.overdue.append(row)
        elif (row.due_on - today).days <= DUE_SOON_DAYS:
            plan.due_soon.append(row)
        else:
            plan.later.append(row)
    for rows in (plan.overdue, plan.due_soon, plan.later):
        rows.sort(key=lambda r: (r.due_on, r.site.name))
    return plan
