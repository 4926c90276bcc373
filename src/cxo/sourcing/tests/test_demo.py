"""The sourcing demo: a real study's programme, an issued RFP, proposals from two registry providers; idempotent."""

from __future__ import annotations

from decimal import Decimal

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
