"""Organisation names: the normalised key, the fuzzy guard, and linking to registry organisations."""

from __future__ import annotations

import pytest

from cxo.registry.names import EXACT, FUZZY, OrganisationIndex, fuzzy_guard, key_clusters, name_key
from cxo.testing.registry_factories import RegistryOrganisationFactory, SiteFactory


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Teva Pharmaceuticals USA, Inc.", "teva pharma"),
        ("TEVA PHARMACEUTICALS USA INC", "teva pharma"),
        ("Eli Lilly and Company", "eli lilly"),
        ("Kolive Cell Co., Ltd", "kolive cell"),
        ("Zydus Pharmaceuticals (USA) Inc.", "zydus pharma"),
        ("Italfarmaco S.p.A", "italfarmaco"),
        ("Compania Internacional de Comercio, S.A. de C.V.", "compania internacional de comercio"),
        ("Aurobindo Pharma Pvt. Ltd.", "aurobindo pharma"),
        ("Fresenius Kabi Austria GmbH", "fresenius kabi austria"),
        ("L.N.K. International, Inc.", "lnk international"),
        ("Dr. Reddy's Laboratories Limited", "dr reddys lab"),
        ("Dr.Reddy\u2019s Laboratories Inc", "dr reddys lab"),
        ("Weeks & Leo Co., Inc.", "weeks and leo"),
        ("Wyeth Pharmaceuticals LLC, a subsidiary of Pfizer Inc.", "wyeth pharma"),
        ("Massachusetts General Hospital, The", "massachusetts general hospital"),
        ("The Johns Hopkins University", "johns hopkins university"),
        ("Société Générale S.A.", "societe generale"),
        ("Inc.", "inc"),  # a name of legal words only keeps its last word rather than vanish
        ("Bayer HealthCae LLC.", "bayer healthcare"),  # a letter dropped from a generic word
        ("Bayer HelathCare LLC.", "bayer healthcare"),  # two letters swapped
        ("Bayer Health Care LLC.", "bayer healthcare"),
        ("1Link LLC dba USA Diagnostix", "1link"),
        ("5 Star Feedlot Inc (dba Bonny Feeders)", "5 star feedlot"),
        ("ALA Med d/b/a Pulmonary Care Services", "ala med"),
        ("Acme, Inc. doing business as Acme Labs", "acme"),
        ("Dbase Pharma", "dbase pharma"),  # "dba" only as a word
        ("Chemico Industries", "chemico industry"),  # one letter replaced is a name, not a typo of "chemical"
        ("", ""),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("a", "b", "linked"),
    [
        ("Preferreed Pharmaceuticals Inc.", "Preferred Pharmaceuticals Inc.", True),  # a typo
        ("Fresensius Kabi USA, LLC", "Fresenius Kabi USA, LLC", True),  # a typo in a long first word
        ("Washington Homepathic Products", "Washington Homeopathic Products", True),
        ("Monroe Welding Supply", "Conroe Welding Supply", False),  # another company, one letter apart
        ("Procaire", "Procare", False),  # too short to tell a typo from another name
        ("Wonder Laboratories", "Winder Laboratories", False),
        ("Shanghai Songhua Pharmaceutical", "Shanghai Zhonghua Pharmaceutical", False),
        ("Pharma Labs", "Pharma Lab Inc", False),  # nothing but generic words
        ("Centura Pharmaceuticals", "Century Pharmaceuticals", False),
    ],
)
def test_fuzzy_guard(a: str, b: str, linked: bool) -> None:
    assert fuzzy_guard(name_key(a), name_key(b)) is linked


def test_the_index_links_exactly_by_organisation_or_site_name_then_fuzzily(db: None) -> None:
    registered = RegistryOrganisationFactory.create(name="Preferred Pharmaceuticals Inc.")
    SiteFactory.create(organisation=registered, name="Preferred Pharmaceuticals Anaheim Plant")
    parent = RegistryOrganisationFactory.create(name="Pfizer Inc")
    SiteFactory.create(organisation=parent, name="Pharmacia & Upjohn Company LLC")
    unregistered = RegistryOrganisationFactory.create(name="Acme Labeler LLC", registrant_duns=None)
    SiteFactory.create(organisation=unregistered, name="Acme Labeler plant", duns=None)
    RegistryOrganisationFactory.create(name="Tenant Without Registry Data", registrant_duns=None)
    index = OrganisationIndex.load()

    link = index.link("PREFERRED PHARMACEUTICALS, INC")
    assert link is not None and (link.organisation_id, link.method, link.registered) == (registered.pk, EXACT, True)
    link = index.link("Pharmacia and Upjohn Company LLC")  # a site's name links to its organisation
    assert link is not None and (link.organisation_id, link.method) == (parent.pk, EXACT)
    link = index.link("Preferreed Pharmaceuticals Inc.")
    assert link is not None and (link.organisation_id, link.method) == (registered.pk, FUZZY)
    assert link.matched == "Preferred Pharmaceuticals Inc." and link.score >= 92
    link = index.link("Acme Labeler, Inc.")  # exact to an organisation from an earlier import
    assert link is not None and (link.organisation_id, link.registered) == (unregistered.pk, False)
    # Fuzzy links to organisations earlier imports created only above a stricter score (95, not 92).
    link = index.link("Acme Labelers Inc")
    assert link is not None and (link.organisation_id, link.method, link.score) == (unregistered.pk, FUZZY, 96.0)
    assert index.link("Acme Labellers Inc") is None  # 92.3
    assert index.link("Tenant Without Registry Data") is None  # not in the registry
    assert index.link("Completely Different Company") is None


def test_on_a_tie_the_registered_organisation_with_more_sites_wins(db: None) -> None:
    small = RegistryOrganisationFactory.create(name="Bayer HealthCare LLC")
    SiteFactory.create(organisation=small)
    big = RegistryOrganisationFactory.create(name="Bayer HealthCare LLC")
    SiteFactory.create_batch(3, organisation=big)
    RegistryOrganisationFactory.create(name="Bayer Healthcare", registrant_duns=None)
    link = OrganisationIndex.load().link("Bayer HealthCare, LLC.")
    assert link is not None and link.organisation_id == big.pk


def test_spellings_of_one_unlinked_name_cluster_and_distinct_companies_do_not() -> None:
    weights = {
        name_key(n): w
        for n, w in [
            ("Biocosmetic Research Labs", 5),
            ("Biocosmetic Reasearch Labs", 1),  # real near-duplicates of the NDC file
            ("Biocosetic Research Labs", 1),
            ("Preferred Pharmacetucals Inc.", 2),
            ("Preferred Pharmacetucials Inc.", 3),
            ("Monroe Welding Supply", 1),  # real near-misses: other companies
            ("Conroe Welding Supply", 1),
            ("Centura Pharmaceuticals", 1),
            ("Century Pharmaceuticals", 1),
            ("Wonder Laboratories", 1),
            ("Winder Laboratories", 1),
        ]
    }
    clusters = key_clusters(weights)
    assert {clusters[name_key(n)] for n in ("Biocosmetic Reasearch Labs", "Biocosetic Research Labs")} == {
        "biocosmetic research lab"
    }
    assert clusters[name_key("Preferred Pharmacetucals Inc.")] == name_key("Preferred Pharmacetucials Inc.")
    for name in ("Monroe Welding Supply", "Conroe Welding Supply", "Centura Pharmaceuticals", "Century Pharmaceuticals",
                 "Wonder Laboratories", "Winder Laboratories"):  # fmt: skip
        assert clusters[name_key(name)] == name_key(name)
