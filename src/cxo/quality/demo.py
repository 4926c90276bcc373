"""The quality demo: the demo sponsor's approved supplier list of real registry sites, in every state.

- The demo provider's site (the real FDA-registered company the ``provider`` user answers for) is approved
  for drug product manufacture, with an audit whose major and minor findings have a CAPA in progress, and a
  quality agreement signed by both that expires within the month; it has notified a change awaiting assessment.
- A real site whose **real FDA record** (an OAI inspection or a warning letter) is dated after its approval
  goes *under review* when the watch runs at the end of the load, with the evidence named.
- Other real sites are in qualification, conditionally approved, not approved, disqualified, not started, and
  one approval past its validity is expired by the same watch run.

Dates are relative to the day it is loaded. Run by ``cxo demo`` after the sourcing demo; loading twice changes
nothing (it stops if the sponsor already keeps a list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from cxo.core.demo import DEMO_PASSWORD
from cxo.core.models import Organisation, User
from cxo.quality.content import agreement_sections
from cxo.quality.models import ActionKind, AuditKind, Capa, FindingClass, Qualification, QualificationStatus
from cxo.quality.services.agreement import agreement_create, agreement_version_sign
from cxo.quality.services.audit import audit_conduct, audit_plan, audit_report_issue, audit_schedule, finding_add
from cxo.quality.services.capa import ActionData, EvidenceFile, capa_action_complete, capa_assess, capa_propose
from cxo.quality.services.change import change_notify
from cxo.quality.services.qualification import qualification_create, qualification_decide
from cxo.quality.watch import quality_watch
from cxo.registry.compliance import compliance_event_list
from cxo.registry.models import ComplianceKind, Site, Term
from cxo.sourcing.models import RfpInvitation

S = QualificationStatus
K = ComplianceKind
PREFERRED_WATCHED = ("Pharmaceutics International, Inc.", "Sharp Sterile Manufacturing, LLC", "Curia New York, Inc.")


@dataclass
class QualityDemo:
    lines: list[str] = field(default_factory=list)


def _term(code: str) -> Term | None:
    return Term.objects.filter(code=code).first()


def _decide(
    q: Qualification, actor: User, decision: str, reason: str, *, on: dt.date, **extra: object
) -> Qualification:
    return qualification_decide(
        actor=actor,
        qualification=q,
        decision=decision,
        reason=reason,
        password=DEMO_PASSWORD,
        today=on,
        **extra,  # type: ignore[arg-type]  # conditions and their date, for a conditional approval
    )


def _watched_site(exclude: Sequence[int]) -> tuple[Site, str, dt.date, str] | None:
    """A real drug product or API site whose newest OAI inspection or warning letter is recent:
    (site, the service code to qualify it for, the record's date, what it is)."""
    since = timezone.localdate() - dt.timedelta(days=3 * 365)
    services: dict[int, str] = {}
    for code in ("svc.mfg.drug_product", "svc.mfg.api"):
        for site_id in (
            Site.objects.exclude(fei_key="")
            .exclude(pk__in=list(exclude))
            .filter(capabilities__service__code=code)
            .values_list("pk", flat=True)
        ):
            services.setdefault(site_id, code)
    candidates = list(Site.objects.filter(pk__in=list(services)).order_by("pk"))
    events = compliance_event_list(sites=candidates, kinds=(K.INSPECTION, K.WARNING_LETTER), since=since)
    by_fei = {s.fei_key: s for s in candidates}
    found: list[tuple[Site, str, dt.date, str]] = []
    for event in events:  # newest first
        if event.kind == K.INSPECTION and event.classification != "OAI":
            continue
        site = by_fei.get(event.fei)
        if site is not None and event.occurred_on:
            what = "an OAI inspection" if event.kind == K.INSPECTION else "a warning letter"
            found.append((site, services[site.pk], event.occurred_on, what))
    # Many recent OAI sites are cosmetics or medical-gas firms registered for MANUFACTURE; the demo prefers
    # known contract manufacturers of medicines when the record has them, else takes the newest.
    preferred = [f for name in PREFERRED_WATCHED for f in found if f[0].name == name]
    return (preferred + found)[0] if found else None


def _clean_sites(count: int, exclude: Sequence[int]) -> list[Site]:
    """Real sites whose latest inspections were all NAI (no action indicated): approvals that stay approved."""
    since = timezone.localdate() - dt.timedelta(days=6 * 365)
    candidates = list(
        Site.objects.exclude(fei_key="")
        .exclude(pk__in=list(exclude))
        .filter(
            capabilities__service__code__in=[
                "svc.mfg.drug_product",
                "svc.mfg.api",
                "svc.analysis",
                "svc.packaging.pack",
            ]
        )
        .distinct()
        .order_by("pk")[:3000]
    )
    events = list(
        compliance_event_list(sites=candidates, kinds=(K.INSPECTION, K.WARNING_LETTER, K.ACTION, K.RECALL), since=since)
    )
    bad = {e.fei for e in events if not (e.kind == K.INSPECTION and e.classification == "NAI")}
    inspected = {e.fei for e in events if e.kind == K.INSPECTION}
    return [s for s in candidates if s.fei_key in inspected and s.fei_key not in bad][:count]


def quality_demo_load() -> QualityDemo:
    """Build the demo sponsor's list (no e-mail is printed while the demo loads)."""
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        return _load()
    finally:
        settings.EMAIL_BACKEND = backend


def _load() -> QualityDemo:
    out = QualityDemo()
    sponsor = Organisation.objects.filter(slug="demo-sponsor").first()
    qa = User.objects.filter(username="teammate").first()
    provider_user = User.objects.filter(username="provider").first()
    manufacture, analysis = _term("svc.mfg.drug_product"), _term("svc.analysis")
    if sponsor is None or qa is None or provider_user is None or manufacture is None or analysis is None:
        out.lines.append("Quality demo skipped: the demo tenants or the taxonomy are not loaded.")
        return out
    if Qualification.objects.for_organisation(sponsor).exists():
        out.lines.append("Quality demo: the approved supplier list is already there.")
        return out
    today = timezone.localdate()
    # The demo provider: the real registry organisation the sourcing demo made `provider` answer for.
    invited = RfpInvitation.objects.for_organisation(sponsor).select_related("provider").order_by("pk")
    providers = [i.provider for i in invited]
    home = next((p for p in providers if p.memberships.filter(user=provider_user).exists()), None)
    home_site = Site.objects.filter(organisation=home).order_by("pk").first() if home else None
    if home is None or home_site is None:
        out.lines.append("Quality demo skipped: the sourcing demo's providers have no registry site.")
        return out
    used = [home_site.pk]

    # 1. The demo provider's site: approved a year ago, audited last month (findings, CAPA in progress).
    approved = qualification_create(actor=qa, organisation=sponsor, site=home_site, service=manufacture)
    _decide(
        approved, qa, S.APPROVED, "Initial audit satisfactory; FDA record reviewed.", on=today - dt.timedelta(days=330)
    )
    _audit_with_capa(
        sponsor=sponsor, qa=qa, provider_user=provider_user, site=home_site, service=manufacture, today=today
    )
    _agreement_expiring(sponsor=sponsor, qa=qa, provider_user=provider_user, site=home_site, today=today)
    change_notify(
        actor=provider_user,
        provider=home,
        site=home_site,
        kind="equipment",
        title="Second high-shear granulator on line 3",
        description="A second granulator of the same model family is added to line 3; qualification (IQ/OQ/PQ) "
        "protocols are attached to our change record CC-2026-118. No change to the process parameters.",
        planned_on=today + dt.timedelta(days=45),
    )
    # The second provider's site (provider2) is in qualification for the same service.
    others = [p for p in providers if p.pk != home.pk]
    second_site = Site.objects.filter(organisation=others[0]).order_by("pk").first() if others else None
    if second_site is not None:
        qualification_create(actor=qa, organisation=sponsor, site=second_site, service=manufacture)
        used.append(second_site.pk)

    # 2. A real site whose FDA record after its approval puts it under review when the watch runs.
    watched = _watched_site(used)
    if watched is not None:
        site, code, when, what = watched
        q = qualification_create(actor=qa, organisation=sponsor, site=site, service=_term(code) or manufacture)
        _decide(q, qa, S.APPROVED, "Approved on the audit of the previous year.", on=when - dt.timedelta(days=90))
        used.append(site.pk)
        out.lines.append(f"  watch: {site.name} approved before {what} of {when:%d %b %Y}")

    # 3. Every other state, on real sites with a clean inspection record.
    states = _clean_sites(6, used)
    for site, (state, service) in zip(states, _OTHER_STATES, strict=False):
        term = _term(service) or analysis
        q = qualification_create(actor=qa, organisation=sponsor, site=site, service=term, start=state != S.NOT_STARTED)
        _other_state(q, qa, state, today)

    result = quality_watch(today=today)
    counts = dict(
        Qualification.objects.for_organisation(sponsor)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    out.lines.insert(
        0,
        "Quality demo: "
        + ", ".join(f"{n} {S(s).label.lower()}" for s, n in sorted(counts.items()))
        + f" on {sponsor.name}'s approved supplier list; the watch moved {len(result.reviewed)} under review "
        f"and expired {len(result.expired)}.",
    )
    return out


_OTHER_STATES = [
    (S.CONDITIONAL, "svc.analysis"),
    (S.EXPIRED, "svc.packaging"),
    (S.NOT_APPROVED, "svc.mfg.drug_product"),
    (S.DISQUALIFIED, "svc.analysis"),
    (S.NOT_STARTED, "svc.packaging"),
    (S.IN_QUALIFICATION, "svc.analysis"),
]


def _other_state(q: Qualification, qa: User, state: str, today: dt.date) -> None:
    if state == S.CONDITIONAL:
        _decide(
            q,
            qa,
            S.CONDITIONAL,
            "Laboratory sound; data-integrity review of the chromatography system still open.",
            on=today - dt.timedelta(days=60),
            conditions="Audit-trail review of the chromatography data system validated and in use.",
            conditions_due=today + dt.timedelta(days=30),
        )
    elif state == S.EXPIRED:
        _decide(q, qa, S.APPROVED, "Approved for secondary packaging.", on=today - dt.timedelta(days=760))
    elif state == S.NOT_APPROVED:
        qualification_decide(
            actor=qa, qualification=q, decision=S.NOT_APPROVED, reason="No sterile capability on record."
        )
    elif state == S.DISQUALIFIED:
        _decide(q, qa, S.APPROVED, "Approved for release testing.", on=today - dt.timedelta(days=400))
        _decide(
            q,
            qa,
            S.DISQUALIFIED,
            "Repeated invalidated OOS results without investigation.",
            on=today - dt.timedelta(days=20),
        )


def _audit_with_capa(
    *, sponsor: Organisation, qa: User, provider_user: User, site: Site, service: Term, today: dt.date
) -> None:
    start = today - dt.timedelta(days=30)
    audit = audit_plan(
        actor=qa,
        organisation=sponsor,
        site=site,
        services=[service],
        kind=AuditKind.ROUTINE,
        planned_for=start,
        scope="Tablet manufacture and release for the CX11 programme: production, laboratory, QA systems.",
    )
    audit = audit_schedule(
        actor=qa, audit=audit, starts_on=start, ends_on=start + dt.timedelta(days=1), lead_auditor=qa
    )
    audit = audit_conduct(actor=qa, audit=audit, conducted_on=start + dt.timedelta(days=1))
    finding_add(
        actor=qa,
        audit=audit,
        classification=FindingClass.MAJOR,
        title="Deviation investigations not concluded within the procedure's 30 days",
        description="Four deviations opened in the last quarter (granulation end-point, two weighing errors, a "
        "blister seal failure) had no interim assessment and no extension approved by QA.",
        clause="21 CFR 211.192",
    )
    finding_add(
        actor=qa,
        audit=audit,
        classification=FindingClass.MINOR,
        title="Cleaning log of the tablet press not signed by the second person",
        description="Three entries of the line 2 press cleaning log carry one signature only.",
        clause="21 CFR 211.182",
    )
    audit_report_issue(actor=qa, audit=audit, summary="Acceptable with one major and one minor finding.")
    capas = list(
        Capa.objects.for_organisation(sponsor)
        .filter(finding__audit=audit)
        .select_related("finding")
        .order_by("finding__number")
    )
    major = capas[0]
    major = capa_propose(
        actor=provider_user,
        capa=major,
        root_cause="The deviation procedure set no interim step, and QA review capacity fell short after two "
        "departures.",
        actions=[
            ActionData(
                ActionKind.CORRECTIVE,
                "Conclude the four open investigations with impact assessments",
                today + dt.timedelta(days=10),
                "QA manager",
            ),
            ActionData(
                ActionKind.PREVENTIVE,
                "Revise SOP-QA-012: interim assessment within 10 days, QA-approved extensions",
                today + dt.timedelta(days=45),
                "QA systems lead",
            ),
        ],
    )
    major = capa_assess(actor=qa, capa=major, accept=True, comment="Accepted; send the revised SOP when approved.")
    first = major.actions.order_by("position").first()
    if first is not None:
        capa_action_complete(
            actor=provider_user,
            action=first,
            completed_on=today,  # the report went out today (services date it now), so nothing before
            note="DEV-26-031, -034, -037 and -040 closed with impact assessments; no batch affected.",
            documents=[
                EvidenceFile(
                    "deviation-closure-summary.txt",
                    b"DEV-26-031, DEV-26-034, DEV-26-037, DEV-26-040: closed, no batch impact.\n",
                    "text/plain",
                )
            ],
        )


def _agreement_expiring(*, sponsor: Organisation, qa: User, provider_user: User, site: Site, today: dt.date) -> None:
    agreement = agreement_create(
        actor=qa,
        organisation=sponsor,
        provider=site.organisation,
        title="Quality agreement: oral solid dose manufacture and release",
        sites=[site],
        sections={
            s.code: _SECTION_TEXT.get(s.code, f"{s.name}: as the parties' procedures set out.")
            for s in agreement_sections()
        },
        effective_on=today - dt.timedelta(days=1070),
        expires_on=today + dt.timedelta(days=25),
    )
    version = agreement.versions.get()
    version = agreement_version_sign(actor=qa, version=version, password=DEMO_PASSWORD)
    agreement_version_sign(actor=provider_user, version=version, password=DEMO_PASSWORD)


_SECTION_TEXT = {
    "scope": "Manufacture, packaging and release testing of the sponsor's oral solid dose products at the site named.",
    "quality_units": "The provider's QA releases each batch against the agreed specifications; the sponsor's QA "
    "decides final disposition.",
    "change_control": "Changes to site, process, equipment, materials, methods or subcontractors are notified before "
    "they are made.",
    "deviations": "Critical deviations are reported within one working day, others within five; investigations close "
    "within 30 days.",
    "audits": "The sponsor may audit with 30 days' notice (for cause: 5 days); the provider reports regulatory "
    "inspections within 2 days.",
}
