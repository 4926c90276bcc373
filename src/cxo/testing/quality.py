"""Quality objects for tests and the tenant-isolation walk: a provider's site on the sponsor's approved supplier
list, an audit with a major finding and its CAPA, a quality agreement, and a change notification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cxo.core.models import Organisation, User
from cxo.quality.content import agreement_sections
from cxo.quality.models import FindingClass, Qualification, QualificationStatus
from cxo.quality.services.agreement import agreement_create
from cxo.quality.services.audit import audit_conduct, audit_plan, audit_report_issue, audit_schedule, finding_add
from cxo.quality.services.capa import ActionData, EvidenceFile, capa_action_complete, capa_assess, capa_propose
from cxo.quality.services.change import change_notify
from cxo.quality.services.qualification import qualification_create, qualification_decide
from cxo.registry.models import ComplianceEvent, Site, Term, Vocabulary, fei_key
from cxo.testing.factories import TEST_PASSWORD
from cxo.testing.registry_factories import SiteFactory
from cxo.testing.sourcing import sourcing_terms

# Real taxonomy codes (the risk rules read them by prefix), created if the taxonomy is not loaded.
QUALITY_TERMS = [
    ("svc.mfg", "Manufacturing", None),
    ("svc.mfg.drug_product", "Drug product manufacture", "svc.mfg"),
    ("svc.mfg.drug_product.solid_dose", "Solid dose", "svc.mfg.drug_product"),
    ("svc.mfg.drug_product.sterile_fill_finish", "Sterile / aseptic fill-finish", "svc.mfg.drug_product"),
    ("svc.mfg.api", "Drug substance (API) manufacture", "svc.mfg"),
    ("svc.analysis", "Analytical / QC testing", None),
    ("svc.packaging", "Packaging & labelling", None),
    ("svc.packaging.pack", "Packaging", "svc.packaging"),
    ("svc.clinical", "Clinical", None),
]


def quality_terms() -> dict[str, Term]:
    """The service terms quality tests use, by code."""
    terms: dict[str, Term] = {}
    for code, name, parent in QUALITY_TERMS:
        terms[code] = Term.objects.get_or_create(
            code=code,
            defaults={"vocabulary": Vocabulary.SERVICE, "name": name, "parent": terms.get(parent) if parent else None},
        )[0]
    return terms


def provider_site(provider: Organisation, *, name: str, fei: str, expiry: dt.date | None = None) -> Site:
    """A registry site of ``provider`` with an FEI (joined to compliance records by its key)."""
    site: Site = SiteFactory.create(
        organisation=provider,
        name=name,
        fei=fei,
        registration_expiry=expiry or timezone.localdate() + dt.timedelta(days=200),
    )
    site.fei_key = fei_key(fei)
    site.save(update_fields=["fei_key"])
    return site


def agreement_text() -> dict[str, str]:
    """Every section of a quality agreement, written (a version must have them all to be signed)."""
    return {s.code: f"{s.name}: as set out in the parties' procedures." for s in agreement_sections()}


def approved(
    *, actor: User, organisation: Organisation, site: Site, service: Term, today: dt.date | None = None
) -> Qualification:
    """A qualification of ``site`` for ``service`` taken to approved, e-signed by ``actor``."""
    qualification = qualification_create(actor=actor, organisation=organisation, site=site, service=service)
    return qualification_decide(
        actor=actor,
        qualification=qualification,
        decision=QualificationStatus.APPROVED,
        reason="Audit satisfactory; record clean.",
        password=TEST_PASSWORD,
        today=today,
    )


def quality_world(
    *, sponsor: Organisation, sponsor_user: User, provider: Organisation, provider_user: User
) -> dict[str, Any]:
    terms = quality_terms()
    site = provider_site(provider, name="Provan Leeds plant", fei="0003004005")
    qualification = approved(actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.mfg.drug_product"])
    # The provider is approved for what the sourcing world's need asks for, so its awards need no justification.
    bid_for = approved(actor=sponsor_user, organisation=sponsor, site=site, service=sourcing_terms()["service"])
    pending = qualification_create(actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.analysis"])
    today = timezone.localdate()
    audit = audit_plan(
        actor=sponsor_user,
        organisation=sponsor,
        site=site,
        services=[terms["svc.mfg.drug_product"]],
        planned_for=today - dt.timedelta(days=20),
    )
    audit = audit_schedule(
        actor=sponsor_user,
        audit=audit,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today - dt.timedelta(days=9),
        lead_auditor=sponsor_user,
    )
    audit = audit_conduct(actor=sponsor_user, audit=audit, conducted_on=today - dt.timedelta(days=9))
    finding = finding_add(
        actor=sponsor_user,
        audit=audit,
        classification=FindingClass.MAJOR,
        title="Deviation investigations not concluded",
        description="Three deviations from 2026 were open beyond 30 days without an interim assessment.",
        clause="21 CFR 211.192",
    )
    audit = audit_report_issue(actor=sponsor_user, audit=audit, summary="Acceptable with one major finding.")
    finding.refresh_from_db()
    capa = capa_propose(
        actor=provider_user,
        capa=finding.capa,
        root_cause="No procedure set a time limit for deviation investigations.",
        actions=[
            ActionData("corrective", "Conclude the three open investigations", today + dt.timedelta(days=20)),
            ActionData("preventive", "SOP-QA-012: interim assessment within 10 days", today + dt.timedelta(days=40)),
        ],
    )
    capa = capa_assess(actor=sponsor_user, capa=capa, accept=True)
    done = capa.actions.first()
    assert done is not None
    capa_action_complete(
        actor=provider_user,
        action=done,
        completed_on=today,
        note="Investigations DEV-26-014, -019 and -023 closed.",
        documents=[EvidenceFile("investigation-closure.txt", b"DEV-26-014, DEV-26-019, DEV-26-023 closed.\n")],
    )
    planned = audit_plan(
        actor=sponsor_user, organisation=sponsor, site=site, services=[terms["svc.analysis"]], planned_for=today
    )
    agreement = agreement_create(
        actor=sponsor_user,
        organisation=sponsor,
        provider=provider,
        title="Quality agreement: drug product manufacture",
        sites=[site],
        sections=agreement_text(),
        effective_on=today,
        expires_on=today + dt.timedelta(days=730),
    )
    notification = change_notify(
        actor=provider_user,
        provider=provider,
        site=site,
        kind="equipment",
        title="New tablet press on line 2",
        description="A second rotary press replaces the old one; same model family.",
        planned_on=today + dt.timedelta(days=60),
    )
    return {
        "quality_site": site,
        "qualification": qualification,
        "pending_qualification": pending,
        "bid_qualification": bid_for,
        "quality_audit": audit,
        "planned_audit": planned,
        "finding": finding,
        "capa": capa,
        "capa_action": capa.actions.filter(completed_on__isnull=True).get(),
        "capa_evidence": capa.evidence.get(),
        "checklist_item": planned.checklist_items.first(),
        "agreement": agreement,
        "agreement_version": agreement.versions.get(),
        "change_notification": notification,
        "change_assessment": notification.assessments.get(),
    }


def compliance_event(
    site: Site,
    *,
    kind: str,
    occurred_on: dt.date,
    classification: str = "",
    source: str = "fda-inspections",
    source_ref: str = "",
    title: str = "",
) -> ComplianceEvent:
    """A public FDA record at ``site`` (by its FEI key), as the registry's importers store one."""
    return ComplianceEvent.objects.create(
        kind=kind,
        source=source,
        source_ref=source_ref or f"{kind}-{site.fei_key}-{occurred_on:%Y%m%d}-{classification}",
        occurred_on=occurred_on,
        classification=classification,
        fei=site.fei_key,
        firm_name=site.organisation.name,
        title=title,
    )
