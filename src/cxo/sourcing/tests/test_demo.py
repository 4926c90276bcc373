"""The sourcing demo: a real study's programme, an issued RFP, proposals from two registry providers; idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cxo.core.demo import demo_tenants_load
from cxo.core.models import Organisation
from cxo.matching import live
from cxo.registry.taxonomy import taxonomy_load
from cxo.sourcing.demo import sourcing_demo_load
from cxo.sourcing.models import Programme, Proposal, RfpStatus
from cxo.testing.registry_factories import RegistryOrganisationFactory, SiteFactory, capability_with_evidence


def test_demo_builds_the_journey_from_real_data_and_runs_twice(db: None) -> None:
    taxonomy_load(actor=None)
    for name in ("Adare Pharmaceuticals, Inc.", "Actavis Elizabeth LLC", "Zeta Labs"):
        org = RegistryOrganisationFactory.create(name=name)
        # Tablets on record: the demo's need names the dosage form, which matching treats as a filter.
        site = SiteFactory.create(organisation=org)
        capability_with_evidence(site=site, service="svc.mfg.drug_product", dosage_form="frm.tablet")
    live.forget()
    demo_tenants_load()
    out = sourcing_demo_load()
    sponsor = Organisation.objects.get(slug="demo-sponsor")
    programme = Programme.objects.for_organisation(sponsor).get(code="CX11")
    assert programme.source == "ClinicalTrials.gov NCT07340320"
    assert programme.indication == "Type II Diabetes Mellitus" and programme.stage == "phase_2"
    rfp = out.rfp
    assert rfp is not None and rfp.status == RfpStatus.ISSUED
    proposals = {
        p.provider.name: (p.current_version.number, p.current_version.total)
        for p in Proposal.objects.for_organisation(sponsor).select_related("provider", "current_version")
        if p.current_version is not None
    }
    assert proposals == {
        "Adare Pharmaceuticals, Inc.": (2, Decimal("310400.00")),
        "Actavis Elizabeth LLC": (1, Decimal("324400.00")),
    }
    adare = Organisation.objects.get(name="Adare Pharmaceuticals, Inc.")
    assert adare.memberships.filter(user__username="provider").exists() and adare.claimed_at is not None
    again = sourcing_demo_load()
    assert again.rfp == rfp and Programme.objects.for_organisation(sponsor).count() == 1


def test_the_demos_dates_are_ahead_of_the_day_it_is_loaded(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loaded on any day, the need starts six weeks on, the study's length later it ends, the milestones fall in
    between, and the response deadline is ten days off — never in the past."""
    day = dt.date(2031, 3, 3)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    taxonomy_load(actor=None)
    for name in ("Adare Pharmaceuticals, Inc.", "Actavis Elizabeth LLC"):
        org = RegistryOrganisationFactory.create(name=name)
        capability_with_evidence(
            site=SiteFactory.create(organisation=org), service="svc.mfg.drug_product", dosage_form="frm.tablet"
        )
    live.forget()
    demo_tenants_load()
    rfp = sourcing_demo_load().rfp
    assert rfp is not None
    need = rfp.need
    assert need.start_by == day + dt.timedelta(weeks=6)
    assert need.finish_by == need.start_by + (dt.date(2027, 1, 7) - dt.date(2026, 2, 6))  # the study's length
    assert f"Start by {need.start_by:%d %b %Y}" in rfp.timeline
    milestones = [
        m.due_date
        for p in Proposal.objects.for_organisation(rfp.organisation).select_related("current_version")
        if p.current_version is not None
        for m in p.current_version.milestones.all()
    ]
    assert milestones and all(need.start_by < d < need.finish_by for d in milestones)
    assert rfp.response_deadline is not None and rfp.response_deadline > timezone.now()
