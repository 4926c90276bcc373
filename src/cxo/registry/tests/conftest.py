"""A small registry for directory tests: four organisations, six sites, the real taxonomy.

- Acme Pharma (cmo): Acme Newark, USA — API manufacture, analysis (FDA registration);
  Acme Hyderabad, IND — drug product, packaging (FDA registration);
  organisation-wide — drug product TABLET / ORAL (NDC listing, 2019).
- Bharat Analytics (cro): Bharat Labs Pune, IND — analysis (FDA registration).
- Chengdu BioWorks (cdmo): Chengdu Plant 1, CHN — API manufacture (FDA registration) and drug
  product INJECTION, SOLUTION / INTRAVENOUS (SPL establishment record, 2017);
  Chengdu Mainz, DEU — sterilisation (FDA registration; placeholder FEI 0000000).
- Delta Feeds (cmo): Delta Feed Mill, USA — medicated animal feed (FDA registration).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cxo.registry.facets import facets_rebuild
from cxo.registry.importers import importer_for, registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import EvidenceKind
from cxo.registry.taxonomy import taxonomy_load
from cxo.testing.registry_factories import (
    ImportRunFactory,
    RegistryOrganisationFactory,
    SiteFactory,
    capability_with_evidence,
)


@pytest.fixture
def taxonomy(db: None) -> None:
    taxonomy_load()


@pytest.fixture
def compliance_registry(taxonomy: None) -> None:
    """The DECRS sample and the six FDA compliance excerpts, imported (see fixtures/README.md)."""
    fixtures = Path(__file__).parent / "fixtures"
    registry_import(actor=None, importer=DecrsImporter(), path=fixtures / "decrs_sample.csv")
    for source, name in (
        ("fda-inspections", "fda_inspections.csv"),
        ("fda-citations", "fda_citations.csv"),
        ("fda-actions", "fda_actions.csv"),
        ("fda-483s", "fda_483s.csv"),
        ("fda-recalls", "fda_recalls.csv"),
        ("fda-warning-letters", "fda_warning_letters.csv"),
    ):
        registry_import(actor=None, importer=importer_for(source), path=fixtures / name)


@pytest.fixture
def during_fy2025(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """The clock stopped on 1 June 2025, while the FY2025 registrations the fixtures carry were current."""
    today = dt.date(2025, 6, 1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: today)
    return today


@pytest.fixture
def small_registry(taxonomy: None) -> SimpleNamespace:
    run = ImportRunFactory.create(source="decrs", file_name="drls_reg_2025_redacted.csv", rows=6, created=6)
    ndc_run = ImportRunFactory.create(source="ndc", file_name="product.txt.gz", rows=1, created=1)
    acme = RegistryOrganisationFactory.create(name="Acme Pharma", slug="acme-pharma", kind="|cmo|")
    bharat = RegistryOrganisationFactory.create(name="Bharat Analytics", slug="bharat-analytics", kind="|cro|")
    chengdu = RegistryOrganisationFactory.create(name="Chengdu BioWorks", slug="chengdu-bioworks", kind="|cdmo|")
    delta = RegistryOrganisationFactory.create(name="Delta Feeds", slug="delta-feeds", kind="|cmo|")

    newark = SiteFactory.create(
        organisation=acme, name="Acme Newark", country="USA", duns="111111111", fei="3001234567",
        address="100 Ferry Street, Newark, NJ 07105, United States (USA)",
        us_agent_name="", us_agent_duns="",
    )  # fmt: skip
    hyderabad = SiteFactory.create(
        organisation=acme, name="Acme Hyderabad", country="IND", duns="222222222", fei="3002222222",
        address="Plot 12, Genome Valley, Hyderabad, Telangana 500078, India (IND)",
        us_agent_name="Acme US Agent LLC", us_agent_duns="999999999",
    )  # fmt: skip
    pune = SiteFactory.create(
        organisation=bharat, name="Bharat Labs Pune", country="IND", duns="333333333", fei="3003333333",
        address="Hinjewadi Phase 2, Pune, Maharashtra 411057, India (IND)",
    )  # fmt: skip
    chengdu1 = SiteFactory.create(
        organisation=chengdu, name="Chengdu Plant 1", country="CHN", duns="444444444", fei="3004444444",
        address="88 Tianfu Avenue, Chengdu, Sichuan 610041, China (CHN)",
    )  # fmt: skip
    mainz = SiteFactory.create(
        organisation=chengdu, name="Chengdu Mainz", country="DEU", duns="555555555", fei="0000000",
        address="Rheinallee 5, 55116 Mainz, Germany (DEU)",
    )  # fmt: skip
    mill = SiteFactory.create(
        organisation=delta, name="Delta Feed Mill", country="USA", duns="666666666", fei="3006666666",
        address="RR 2, Ames, IA 50010, United States (USA)",
    )  # fmt: skip

    fda: dict[str, Any] = {
        "evidence": EvidenceKind.FDA_REGISTRATION,
        "import_run": run,
        "observed_on": dt.date(2025, 1, 15),
    }
    capability_with_evidence(site=newark, service="svc.mfg.api", **fda)
    capability_with_evidence(site=newark, service="svc.analysis", **fda)
    capability_with_evidence(site=hyderabad, service="svc.mfg.drug_product", **fda)
    capability_with_evidence(site=hyderabad, service="svc.packaging.pack", **fda)
    capability_with_evidence(
        organisation=acme, service="svc.mfg.drug_product", dosage_form="frm.tablet", route="route.oral",
        evidence=EvidenceKind.NDC_LISTING, source_ref="NDC 12345-678", observed_on=dt.date(2019, 4, 29),
        import_run=ndc_run,
    )  # fmt: skip
    capability_with_evidence(site=pune, service="svc.analysis", **fda)
    capability_with_evidence(site=chengdu1, service="svc.mfg.api", **fda)
    capability_with_evidence(
        site=chengdu1, service="svc.mfg.drug_product", dosage_form="frm.injection_solution",
        route="route.intravenous", evidence=EvidenceKind.SPL_ESTABLISHMENT, source_ref="SPL 0b2d6a3e",
        observed_on=dt.date(2017, 6, 1),
    )  # fmt: skip
    capability_with_evidence(site=mainz, service="svc.sterilize", **fda)
    capability_with_evidence(site=mill, service="svc.mfg.medicated_feed", **fda)
    facets_rebuild()
    return SimpleNamespace(
        run=run, ndc_run=ndc_run, acme=acme, bharat=bharat, chengdu=chengdu, delta=delta,
        newark=newark, hyderabad=hyderabad, pune=pune, chengdu1=chengdu1, mainz=mainz, mill=mill,
    )  # fmt: skip


@pytest.fixture
def heavy_registry(taxonomy: None) -> SimpleNamespace:
    """A labeler with 300 evidence records: tablet manufacturing at two sites (150 + 100 records, one
    capability group) and 50 organisation-wide listings, one a day, newest the highest number."""
    from cxo.registry.models import Evidence

    run = ImportRunFactory.create(source="ndc", file_name="product.txt.gz", rows=300, created=300)
    labeler = RegistryOrganisationFactory.create(name="Heavy Labeler", slug="heavy-labeler", kind="|cmo|")
    east = SiteFactory.create(organisation=labeler, name="Heavy East", country="USA", duns="555000001")
    west = SiteFactory.create(organisation=labeler, name="Heavy West", country="USA", duns="555000002")
    day = dt.date(2020, 1, 1)
    capabilities = []
    for where, count in ((east, 150), (west, 100)):
        c = capability_with_evidence(
            site=where, service="svc.mfg.drug_product", dosage_form="frm.tablet", observed_on=day, import_run=run
        )
        capabilities.append((c, count))
    listing = capability_with_evidence(
        organisation=labeler,
        service="svc.mfg.drug_product",
        dosage_form="frm.capsule",
        evidence=EvidenceKind.NDC_LISTING,
        observed_on=day,
    )
    capabilities.append((listing, 50))
    rows = []
    n = 0
    for c, count in capabilities:
        for _ in range(1, count):  # each capability already has one record, on ``day``
            n += 1
            rows.append(
                Evidence(
                    capability=c,
                    kind=EvidenceKind.NDC_LISTING,
                    source_ref=f"NDC {n:05d}",
                    observed_on=day + dt.timedelta(days=n),
                    import_run=run,
                )
            )
    Evidence.objects.bulk_create(rows)
    facets_rebuild(organisation_ids=[labeler.pk])
    return SimpleNamespace(
        organisation=labeler,
        east=east,
        west=west,
        tablet=capabilities[0][0],
        west_tablet=capabilities[1][0],
        listing=listing,
        run=run,
    )
