"""The approved supplier list: the sponsor's qualifications with, per row, the state as of today, the risk, the
agreement in force, open findings and CAPAs, the audit due — in a fixed number of queries however long it is."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from cxo.core.errors import NotFound
from cxo.core.models import Organisation, Signature
from cxo.quality.models import (
    APPROVED_STATES,
    Qualification,
    QualificationEvent,
    QualificationStatus,
)
from cxo.quality.rules import Risk
from cxo.quality.selectors.oversight import CapaStats, Oversight, effective_status, effective_status_of, oversight_for
from cxo.registry.models import Site

S = QualificationStatus
TONE = {
    S.APPROVED: "ok",
    S.CONDITIONAL: "warn",
    S.IN_QUALIFICATION: "info",
    S.NOT_STARTED: "",
    S.UNDER_REVIEW: "bad",
    S.NOT_APPROVED: "bad",
    S.DISQUALIFIED: "bad",
    S.EXPIRED: "warn",
}
DUE_SOON_DAYS = 90


@dataclass(frozen=True)
class AslFilters:
    status: str = ""
    provider_id: int | None = None
    service: str = ""  # a service code: this service and those under it
    risk: str = ""
    q: str = ""


@dataclass
class AslRow:
    qualification: Qualification
    status: str
    risk: Risk
    agreement_in_force: bool
    findings: CapaStats
    last_audit_on: dt.date | None
    audit_due_on: dt.date | None
    signature: Signature | None
    issues: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(S(self.status).label)

    @property
    def tone(self) -> str:
        return TONE.get(S(self.status), "")

    @property
    def risk_tone(self) -> str:
        return {"high": "bad", "medium": "warn"}.get(self.risk.level, "ok")


@dataclass
class Asl:
    today: dt.date
    rows: list[AslRow]
    counts: dict[str, int]  # by state as of today, over the whole list (before the status and risk filters)
    matching: int = 0  # rows the filters keep, on every page
    page: int = 1
    page_size: int = 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.page_size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _status_q(status: str, today: dt.date) -> Q:
    passed = Q(status__in=list(APPROVED_STATES), valid_until__lt=today)
    if status == S.EXPIRED:
        return Q(status=S.EXPIRED) | passed
    if status in APPROVED_STATES:
        return Q(status=status) & ~passed
    return Q(status=status)


def qualification_list(
    *, organisation: Organisation, filters: AslFilters | None = None, today: dt.date | None = None
) -> QuerySet[Qualification]:
    """The sponsor's qualifications, filtered (state as of ``today``, provider, service and those under it, text)."""
    filters = filters or AslFilters()
    today = today or timezone.localdate()
    qs = Qualification.objects.for_organisation(organisation).select_related("site", "provider", "service")
    if filters.status in S.values:
        qs = qs.filter(_status_q(filters.status, today))
    if filters.provider_id:
        qs = qs.filter(provider_id=filters.provider_id)
    if filters.service:
        qs = qs.filter(Q(service__code=filters.service) | Q(service__code__startswith=filters.service + "."))
    if filters.q.strip():
        text = filters.q.strip()
        qs = qs.filter(
            Q(site__name__icontains=text)
            | Q(provider__name__icontains=text)
            | Q(service__name__icontains=text)
            | Q(site__fei=text)
            | Q(site__duns=text)
        )
    return qs.order_by("provider__name", "site__name", "service__name", "pk")


def _issues(row: AslRow, oversight: Oversight) -> list[str]:
    q, today = row.qualification, oversight.today
    issues: list[str] = []
    if row.status == S.UNDER_REVIEW and q.review_reason:
        issues.append(f"Under review: {q.review_reason}")
    if row.status == S.EXPIRED and q.status != S.EXPIRED and q.valid_until:
        issues.append(f"Approval expired on {q.valid_until:%d %b %Y}")
    elif row.status in APPROVED_STATES and q.valid_until and (q.valid_until - today).days <= DUE_SOON_DAYS:
        issues.append(f"Approval valid until {q.valid_until:%d %b %Y}")
    if row.status == S.CONDITIONAL and q.conditions_due:
        late = " (overdue)" if q.conditions_due < today else ""
        issues.append(f"Conditions due {q.conditions_due:%d %b %Y}{late}")
    if row.status in (*APPROVED_STATES, S.IN_QUALIFICATION, S.UNDER_REVIEW) and not row.agreement_in_force:
        issues.append("No quality agreement in force")
    stats = row.findings
    if stats.open_total:
        parts = ", ".join(f"{n} {c}" for c, n in stats.open.items() if n)
        issues.append(f"Open findings: {parts}")
    if stats.overdue:
        issues.append(f"{stats.overdue} CAPA{'s' if stats.overdue != 1 else ''} overdue")
    if row.audit_due_on and row.audit_due_on < today and row.status in (*APPROVED_STATES, S.UNDER_REVIEW):
        issues.append(f"Audit overdue since {row.audit_due_on:%d %b %Y}")
    return issues


def rows_for(
    *, organisation: Organisation, qualifications: list[Qualification], today: dt.date, risk: str = ""
) -> list[AslRow]:
    """These qualifications as rows of the list (risk, agreement, findings, audit due, issues); ``risk`` filters."""
    sites = list({q.site_id: q.site for q in qualifications}.values())
    oversight = oversight_for(organisation=organisation, sites=sites, today=today)
    signatures = _latest_signatures(organisation, [q.pk for q in qualifications])
    rows: list[AslRow] = []
    for q in qualifications:
        row_risk = oversight.risk(q.site_id, q.service.code)
        if risk and row_risk.level != risk:
            continue
        status = effective_status(q, today)
        on_list = status in (*APPROVED_STATES, S.UNDER_REVIEW, S.IN_QUALIFICATION)
        row = AslRow(
            qualification=q,
            status=status,
            risk=row_risk,
            agreement_in_force=oversight.agreement_in_force(q.provider_id, q.site_id),
            findings=oversight.capas.get(q.site_id, CapaStats()),
            last_audit_on=oversight.last_audit.get(q.site_id),
            audit_due_on=oversight.audit_due(q.site_id, row_risk.level, q.created_at.date()) if on_list else None,
            signature=signatures.get(q.pk),
        )
        row.issues = _issues(row, oversight)
        rows.append(row)
    return rows


def asl(
    *,
    organisation: Organisation,
    filters: AslFilters | None = None,
    today: dt.date | None = None,
    page: int = 1,
    page_size: int | None = None,
) -> Asl:
    """The approved supplier list as of ``today``: the matching rows with their risk and open issues — all of them,
    or one page of ``page_size`` (the list page shows 50 at a time; exports take all). The counts by state are
    over the list before the state and risk filters; ``matching`` counts the rows the filters keep."""
    filters = filters or AslFilters()
    today = today or timezone.localdate()
    wider = AslFilters(provider_id=filters.provider_id, service=filters.service, q=filters.q)
    states = qualification_list(organisation=organisation, filters=wider, today=today).values_list(
        "status", "valid_until"
    )
    counts = Counter(effective_status_of(status, valid_until, today) for status, valid_until in states)
    qs = qualification_list(organisation=organisation, filters=filters, today=today)
    if filters.risk:  # the risk is known only once a row is read: filter all, then page
        rows = rows_for(organisation=organisation, qualifications=list(qs), today=today, risk=filters.risk)
        matching = len(rows)
        if page_size:
            rows = rows[(page - 1) * page_size : page * page_size]
    else:
        matching = qs.count() if page_size else 0
        chosen = list(qs[(page - 1) * page_size : page * page_size] if page_size else qs)
        rows = rows_for(organisation=organisation, qualifications=chosen, today=today)
        matching = matching or len(rows)
    return Asl(
        today=today,
        rows=rows,
        counts={s: counts.get(s, 0) for s in S.values},
        matching=matching,
        page=page,
        page_size=page_size or max(matching, 1),
    )


def _latest_signatures(organisation: Organisation, ids: list[int]) -> dict[int, Signature]:
    """The latest signed decision of each qualification (what the exported list shows as its signature)."""
    out: dict[int, Signature] = {}
    events = (
        QualificationEvent.objects.for_organisation(organisation)
        .filter(qualification_id__in=ids, signature__isnull=False)
        .select_related("signature")
        .order_by("qualification_id", "-at", "-pk")
    )
    for event in events:
        if event.signature is not None:
            out.setdefault(event.qualification_id, event.signature)
    return out


def qualification_get(*, organisation: Organisation, qualification_id: int) -> Qualification:
    """One of the sponsor's qualifications with its history (and the signatures in it)."""
    qualification = (
        Qualification.objects.for_organisation(organisation)
        .select_related("organisation", "site", "provider", "service")
        .prefetch_related("events__signature", "events__actor")
        .filter(pk=qualification_id)
        .first()
    )
    if qualification is None:
        raise NotFound("No such qualification.")
    return qualification


def asl_row(*, organisation: Organisation, qualification: Qualification, today: dt.date | None = None) -> AslRow:
    """One qualification as a row of the list (its risk, issues and audit due), for its own page."""
    [row] = rows_for(organisation=organisation, qualifications=[qualification], today=today or timezone.localdate())
    return row


def site_for_listing(*, site_id: int) -> Site:
    """A registry site (public data) to put on the list or audit; NotFound when there is none."""
    site = Site.objects.select_related("organisation").filter(pk=site_id).first()
    if site is None:
        raise NotFound("No such site in the registry.", field="site")
    return site


def listed_sites(*, organisation: Organisation) -> list[Site]:
    """The sites on the sponsor's list (any state), with their organisations, by provider and name."""
    ids = Qualification.objects.for_organisation(organisation).values_list("site_id", flat=True).distinct()
    return list(
        Site.objects.filter(pk__in=list(ids)).select_related("organisation").order_by("organisation__name", "name")
    )


def listed_providers(*, organisation: Organisation) -> list[tuple[int, str]]:
    """(id, name) of the providers on the sponsor's list, by name: for the list's filter."""
    rows = (
        Qualification.objects.for_organisation(organisation)
        .values_list("provider_id", "provider__name")
        .distinct()
        .order_by("provider__name")
    )
    return list(rows)
