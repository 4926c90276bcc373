"""Directory filters combine facts of one site; organisation filters mean "has a site with all of these".

Counts are checked against the raw DECRS file shipped in the repo (read with csv, not through our
models), and two fixtures show the difference from mixing facts of different sites.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from typing import Any

import pytest

from cxo.registry.facets import facets_rebuild
from cxo.registry.importers import registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import EvidenceKind
from cxo.registry.selectors import organisation_search, site_search
from cxo.registry.taxonomy import DATA_DIR
from cxo.testing.registry_factories import (
    RegistryOrganisationFactory,
    SiteFactory,
    capability_with_evidence,
    decrs_row_country,
)

DECRS = DATA_DIR / "decrs" / "drls_reg_2025_redacted.csv"


def _service_parents() -> dict[str, str]:
    """Each service's parent, as the taxonomy file (not our tables) writes it."""
    with (DATA_DIR / "taxonomy.json").open(encoding="utf-8") as f:
        return {t["code"]: t.get("parent", "") for t in json.load(f)["service"]}


PARENTS = _service_parents()


def _covers(term: str, code: str) -> bool:
    """Whether a filter on service ``term`` finds ``code`` (the term itself or a narrower one)."""
    while code:
        if code == term:
            return True
        code = PARENTS.get(code, "")
    return False


@pytest.mark.slow
def test_organisation_counts_per_service_and_country_are_registrants_with_such_a_site(taxonomy: None) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=DECRS)
    with (DATA_DIR / "decrs_operations.csv").open(encoding="utf-8") as f:
        service_of = {r["operation"]: r["service_code"] for r in csv.DictReader(f)}
    # (service code, country) -> registrant DUNS with a site there registered for that operation
    expected: dict[tuple[str, str], set[str]] = defaultdict(set)
    with DECRS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for operation in filter(None, (o.strip() for o in row["OPERATIONS"].split(";"))):
                expected[(service_of[operation], decrs_row_country(row))].add(row["REGISTRANT_DUNS"])
    leaves = {s for s, _ in expected}
    services = sorted(leaves | {PARENTS[s] for s in leaves if PARENTS[s]})  # "Manufacturing" too
    countries = sorted({c for _, c in expected if c})

    for service in services:
        facet = organisation_search(services=[service], page_size=1).facets["country"]
        counted = {v.code: v.count for v in facet}
        wanted = {
            c: len(set().union(*(d for (s, cc), d in expected.items() if cc == c and _covers(service, s))))
            for c in countries
        }
        assert counted == {c: n for c, n in wanted.items() if n}, service

    for country in ("AUT", "IND", "CHN", "USA", "DEU"):
        facet = organisation_search(countries=[country], page_size=1).facets["service"]
        by_service = {v.code: v.count for v in facet}
        for service in services:
            registrants = set().union(*(d for (s, c), d in expected.items() if c == country and _covers(service, s)))
            assert by_service.get(service, 0) == len(registrants), (country, service)

    label_aut = organisation_search(services=["LABEL"], countries=["AUT"], page_size=1).total
    assert label_aut == len(expected[("svc.packaging.label", "AUT")]) > 0


def test_an_organisation_must_have_one_site_with_every_fact_asked_for(taxonomy: None) -> None:
    # Austrian site that analyses; the labelling is done in Germany.
    split = RegistryOrganisationFactory.create(name="Split Labels GmbH")
    capability_with_evidence(site=SiteFactory.create(organisation=split, country="AUT"), service="svc.analysis")
    capability_with_evidence(site=SiteFactory.create(organisation=split, country="DEU"), service="svc.packaging.label")
    # Austrian site that labels.
    labels = RegistryOrganisationFactory.create(name="Vienna Labels AG")
    capability_with_evidence(site=SiteFactory.create(organisation=labels, country="AUT"), service="svc.packaging.label")
    facets_rebuild()

    result = organisation_search(services=["LABEL"], countries=["AUT"])
    assert [h.organisation.name for h in result.hits] == ["Vienna Labels AG"] and result.total == 1
    # Each facet counts organisations with a site that meets the other filters.
    assert {v.code: v.count for v in result.facets["country"]} == {"AUT": 1, "DEU": 1}
    by_service = {v.code: v.count for v in organisation_search(countries=["AUT"]).facets["service"]}
    assert by_service["svc.packaging.label"] == 1 and by_service["svc.analysis"] == 1
    # Without the country, both have a labelling site.
    assert organisation_search(services=["LABEL"]).total == 2


def test_a_site_filter_combines_facts_of_that_site_not_its_organisations_products(taxonomy: None) -> None:
    maker = RegistryOrganisationFactory.create(name="Pune Actives Ltd")
    # An API plant that also labels: its organisation's tablets (NDC) are labelled there, not made as API.
    api_plant = SiteFactory.create(organisation=maker, name="Pune API plant", country="IND")
    capability_with_evidence(site=api_plant, service="svc.mfg.api")
    capability_with_evidence(site=api_plant, service="svc.packaging.label")
    # A plant that makes API and tablets of its own.
    both = SiteFactory.create(organisation=maker, name="Pune tablets plant", country="IND")
    capability_with_evidence(site=both, service="svc.mfg.api")
    capability_with_evidence(
        site=both, service="svc.mfg.drug_product", dosage_form="frm.tablet", evidence=EvidenceKind.SPL_ESTABLISHMENT
    )
    capability_with_evidence(
        organisation=maker, service="svc.mfg.drug_product", dosage_form="frm.capsule", evidence=EvidenceKind.NDC_LISTING
    )
    facets_rebuild()

    found = site_search(services=["API MANUFACTURE"], dosage_forms=["frm.family.solid_oral"], countries=["IND"])
    assert [h.site.name for h in found.hits] == ["Pune tablets plant"] and found.total == 1
    # The labelling plant handles the organisation's capsules: found as a labeller of solid orals, and the
    # facet says that the capsules are organisation-wide (its organisation's products), not the site's record.
    labelled = site_search(services=["LABEL"], dosage_forms=["frm.family.solid_oral"])
    assert [h.site.name for h in labelled.hits] == ["Pune API plant"]
    capsules = next(v for v in labelled.facets["dosage_form"] if v.code == "frm.capsule")
    assert (capsules.count, capsules.organisation_wide) == (1, 1)
    everything = {v.code: (v.count, v.organisation_wide) for v in site_search().facets["dosage_form"]}
    assert everything["frm.tablet"] == (1, 0) and everything["frm.capsule"] == (2, 2)
    # The organisation has one site with API manufacture and a solid oral of its own.
    assert organisation_search(services=["API MANUFACTURE"], dosage_forms=["frm.tablet"]).total == 1
    assert organisation_search(services=["API MANUFACTURE"], dosage_forms=["frm.capsule"]).total == 0


def test_organisation_wide_facts_are_labelled_in_facets_rows_and_the_api(taxonomy: None, outsider_client: Any) -> None:
    maker = RegistryOrganisationFactory.create(name="Label House Ltd")
    site = SiteFactory.create(organisation=maker, name="Label House plant", country="IRL")
    capability_with_evidence(site=site, service="svc.packaging.label")
    capability_with_evidence(
        organisation=maker, service="svc.mfg.drug_product", dosage_form="frm.capsule", evidence=EvidenceKind.NDC_LISTING
    )
    facets_rebuild()

    [hit] = site_search(dosage_forms=["frm.capsule"]).hits
    assert [t.code for t in hit.profile.organisation_wide] == ["frm.capsule"]
    body = outsider_client.get("/api/v1/registry/sites", {"dosage_form": "CAPSULE"}).json()
    assert body["results"][0]["organisation_wide"] == ["frm.capsule"]
    capsule = next(v for v in body["facets"]["dosage_form"] if v["code"] == "frm.capsule")
    assert (capsule["count"], capsule["organisation_wide"]) == (1, 1)
    page = outsider_client.get("/registry/", {"dosage_form": "frm.capsule"}).content.decode()
    assert 'data-testid="organisation-wide-forms"' in page and "(1 org-wide)" in page


def test_trial_sponsors_are_not_providers_of_clinical_services_in_the_directory(taxonomy: None) -> None:
    sponsor = RegistryOrganisationFactory.create(name="Big Innovator Inc", registrant_duns=None)
    capability_with_evidence(organisation=sponsor, service="svc.clinical.phase1", evidence=EvidenceKind.CLINICAL_TRIAL)
    cro = RegistryOrganisationFactory.create(name="Phase One Clinics", registrant_duns=None)
    capability_with_evidence(organisation=cro, service="svc.clinical.phase1", evidence=EvidenceKind.SELF_DECLARED)
    facets_rebuild()

    assert [h.organisation.name for h in organisation_search(services=["svc.clinical.phase1"]).hits] == [
        "Phase One Clinics"
    ]
    # The trial record is still on file as evidence of the sponsor.
    trials = organisation_search(evidence_kinds=[EvidenceKind.CLINICAL_TRIAL])
    assert [h.organisation.name for h in trials.hits] == ["Big Innovator Inc"]


def test_the_substance_facet_counts_moieties_of_one_site_and_refuses_unknown_ones(
    taxonomy: None, outsider_client: Any
) -> None:
    """Substances as FDA writes them (salt, hydrate) meet as their moiety; a filter combines facts of one site."""
    maker = RegistryOrganisationFactory.create(name="Statin Actives Ltd")
    api = SiteFactory.create(organisation=maker, name="Statin API plant", country="IND")
    capability_with_evidence(
        site=api,
        service="svc.mfg.api",
        substance="ATORVASTATIN CALCIUM TRIHYDRATE",
        evidence=EvidenceKind.NDC_UNFINISHED,
    )
    packer = SiteFactory.create(organisation=maker, name="Statin packing plant", country="DEU")
    capability_with_evidence(site=packer, service="svc.packaging.pack")
    other = RegistryOrganisationFactory.create(name="Metformin Works")
    plant = SiteFactory.create(organisation=other, name="Metformin plant", country="IND")
    capability_with_evidence(
        site=plant, service="svc.mfg.api", substance="METFORMIN HYDROCHLORIDE", evidence=EvidenceKind.NDC_UNFINISHED
    )
    facets_rebuild()

    found = site_search(substances=["atorvastatin"])
    assert [h.site.name for h in found.hits] == ["Statin API plant"]
    counts = {v.code: v.count for v in site_search(countries=["IND"]).facets["substance"]}
    assert counts == {"ATORVASTATIN": 1, "METFORMIN": 1}
    assert [v.name for v in site_search().facets["substance"]] == ["Atorvastatin", "Metformin"]
    # The atorvastatin organisation has no site in Germany with it: one site must hold every fact asked for.
    assert organisation_search(substances=["ATORVASTATIN"], countries=["DEU"]).total == 0
    assert organisation_search(substances=["ATORVASTATIN"], countries=["IND"]).total == 1
    # Typed text that names no substance on record is refused with the closest, in the API as on the page.
    refused = outsider_client.get("/api/v1/registry/sites", {"substance": "atorvastatine"})
    assert refused.status_code == 400 and "Atorvastatin" in refused.json()["detail"]
    body = outsider_client.get("/api/v1/registry/sites", {"substance": "Atorvastatin calcium"}).json()
    assert [r["name"] for r in body["results"]] == ["Statin API plant"]
    page = outsider_client.get("/registry/", {"substance": "ATORVASTATIN"}).content.decode()
    assert "Statin API plant" in page and "Metformin plant" not in page
    assert 'data-testid="substance-find"' in page  # any substance can be typed, not only the listed ones
