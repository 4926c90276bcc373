"""Directory search: facet counts with the other filters applied, filters, text, paging, sorting, detail reads.

The registry of ``small_registry`` (see conftest) is small enough to count by hand.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxo.core.errors import NotFound, ServiceError
from cxo.registry.facets import facets_rebuild, search_normalise, signature
from cxo.registry.models import OrganisationFacets, Site, SiteFacets
from cxo.registry.search import SearchPage
from cxo.registry.selectors import (
    evidence_page,
    organisation_get,
    organisation_search,
    registry_stats,
    site_get,
    site_search,
    taxonomy_get,
)

pytestmark = pytest.mark.django_db


def counts(result: SearchPage[Any], facet: str) -> dict[str, int]:
    return {v.code: v.count for v in result.facets[facet]}


def names(result: SearchPage[Any]) -> list[str]:
    return [hit.site.name for hit in result.hits]


def test_signatures_are_canonical() -> None:
    assert signature([10, 9, 100, 9]) == "|9|10|100|"
    assert signature([]) == ""
    assert signature(["ndc_listing", "fda_registration"]) == "|fda_registration|ndc_listing|"
    assert search_normalise("Société Générale, S.A. (FRA)") == "societe generale s a fra"


def test_unfiltered_search_counts_every_facet(small_registry: SimpleNamespace) -> None:
    result = site_search()

    assert result.total == 6
    assert counts(result, "country") == {"USA": 2, "IND": 2, "CHN": 1, "DEU": 1}
    assert counts(result, "region") == {"north_america": 2, "south_asia": 2, "east_asia": 1, "europe": 1}
    assert counts(result, "service") == {
        "svc.mfg": 4,
        "svc.mfg.api": 2,
        "svc.mfg.drug_product": 2,
        "svc.mfg.medicated_feed": 1,
        "svc.packaging": 1,
        "svc.packaging.pack": 1,
        "svc.analysis": 2,
        "svc.sterilize": 1,
    }
    assert counts(result, "dosage_form") == {
        "frm.family.solid_oral": 1,
        "frm.tablet": 1,
        "frm.family.injectable": 1,
        "frm.injection_solution": 1,
    }
    assert counts(result, "route") == {
        "route.family.oral": 1,
        "route.oral": 1,
        "route.family.parenteral": 1,
        "route.intravenous": 1,
    }
    assert counts(result, "kind") == {"cmo": 3, "cdmo": 2, "cro": 1}
    assert counts(result, "evidence") == {"fda_registration": 6, "ndc_listing": 1, "spl_establishment": 1}
    # Flat facets by count then name; term facets in taxonomy order with their depth.
    assert [v.code for v in result.facets["country"]] == ["IND", "USA", "CHN", "DEU"]
    service = {v.code: v for v in result.facets["service"]}
    assert (service["svc.mfg"].depth, service["svc.mfg.api"].depth) == (0, 1)
    assert service["svc.mfg.api"].name == "Drug substance (API) manufacture"


def test_each_facet_is_counted_with_the_other_filters(small_registry: SimpleNamespace) -> None:
    result = site_search(countries=["IND"], services=["svc.mfg"])

    assert names(result) == ["Acme Hyderabad"]
    assert result.total == 1
    # Countries: services applied, countries not — what choosing another country would give.
    assert counts(result, "country") == {"USA": 2, "IND": 1, "CHN": 1}
    assert {v.code for v in result.facets["country"] if v.selected} == {"IND"}
    # Services: countries applied (Hyderabad and Pune), services not.
    assert counts(result, "service") == {
        "svc.mfg": 1,
        "svc.mfg.drug_product": 1,
        "svc.packaging": 1,
        "svc.packaging.pack": 1,
        "svc.analysis": 1,
    }
    # Kind and evidence: both filters applied.
    assert counts(result, "kind") == {"cmo": 1}
    assert counts(result, "evidence") == {"fda_registration": 1, "ndc_listing": 1}
    assert counts(result, "dosage_form") == {"frm.family.solid_oral": 1, "frm.tablet": 1}


def test_values_of_one_facet_are_alternatives_and_facets_narrow_each_other(small_registry: SimpleNamespace) -> None:
    assert site_search(countries=["IND", "CHN"]).total == 3
    assert site_search(countries=["IND", "CHN"], kinds=["cmo"]).total == 1
    assert site_search(services=["svc.mfg.api", "svc.sterilize"]).total == 3
    assert names(site_search(services=["svc.mfg.api"], evidence_kinds=["spl_establishment"])) == ["Chengdu Plant 1"]
    assert site_search(dosage_forms=["frm.tablet"], routes=["route.intravenous"]).total == 0


def test_a_parent_term_finds_its_descendants(small_registry: SimpleNamespace) -> None:
    assert names(site_search(services=["svc.mfg"])) == [
        "Acme Hyderabad",
        "Acme Newark",
        "Chengdu Plant 1",
        "Delta Feed Mill",
    ]
    assert names(site_search(dosage_forms=["frm.family.injectable"])) == ["Chengdu Plant 1"]
    assert names(site_search(routes=["route.family.oral"])) == ["Acme Hyderabad"]


def test_organisation_wide_products_go_to_finished_goods_sites_only(small_registry: SimpleNamespace) -> None:
    # Acme lists TABLET/ORAL as labeler (NDC): its Hyderabad drug-product site, not its Newark API plant.
    assert names(site_search(dosage_forms=["frm.tablet"])) == ["Acme Hyderabad"]
    assert names(site_search(evidence_kinds=["ndc_listing"])) == ["Acme Hyderabad"]
    # Services stay per site: Newark does not become a drug-product site through its organisation.
    assert "Acme Newark" not in names(site_search(services=["svc.mfg.drug_product"]))


def test_regions_and_countries_are_one_geography(small_registry: SimpleNamespace) -> None:
    assert names(site_search(regions=["south_asia"])) == ["Acme Hyderabad", "Bharat Labs Pune"]
    assert site_search(regions=["South Asia"], countries=["DEU"]).total == 3
    assert site_search(regions=["eu"]).total == 1  # Mainz
    result = site_search(regions=["europe"])
    assert counts(result, "region") == {"north_america": 2, "south_asia": 2, "east_asia": 1, "europe": 1}


def test_filters_accept_codes_names_and_synonyms(small_registry: SimpleNamespace) -> None:
    by_code = names(site_search(services=["svc.mfg.api"]))
    assert names(site_search(services=["API manufacture"])) == by_code
    assert names(site_search(services=["Drug substance (API) manufacture"])) == by_code
    assert names(site_search(services=["primary manufacturing"])) == by_code
    assert (
        names(site_search(countries=["India"]))
        == names(site_search(countries=["IN"]))
        == names(site_search(countries=["ind"]))
    )
    assert names(site_search(dosage_forms=["TABLET"])) == names(site_search(dosage_forms=["C42998"]))
    assert names(site_search(routes=["oral"])) == ["Acme Hyderabad"]
    assert site_search(kinds=["CDMO"]).total == 2
    assert site_search(evidence_kinds=["NDC product listing"]).total == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"countries": ["XYZ"]}, "country", "Unknown country 'XYZ'"),
        ({"regions": ["Atlantis"]}, "region", "Unknown region 'Atlantis'"),
        ({"services": ["teleportation"]}, "service", "Unknown service 'teleportation'"),
        ({"services": ["frm.tablet"]}, "service", "Unknown service 'frm.tablet'"),
        ({"dosage_forms": ["gummy bear"]}, "dosage_form", "Unknown dosage form 'gummy bear'"),
        ({"routes": ["telepathic"]}, "route", "Unknown route 'telepathic'"),
        ({"kinds": ["giant"]}, "kind", "Unknown organisation role 'giant'"),
        ({"evidence_kinds": ["rumour"]}, "evidence", "Unknown evidence source 'rumour'"),
        ({"page": 0}, "page", "Page 0 does not exist"),
        ({"page_size": 101}, "page_size", "page_size must be between 1 and 100"),
        ({"sort": "size"}, "sort", "Unknown sort 'size'"),
    ],
)
def test_bad_filter_values_name_themselves(
    small_registry: SimpleNamespace, kwargs: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        site_search(**kwargs)
    assert caught.value.field == field
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("hyderabad", ["Acme Hyderabad"]),
        ("ACME", ["Acme Hyderabad", "Acme Newark"]),  # the organisation's name
        ("acme, newark!", ["Acme Newark"]),  # punctuation and case do not matter; every word must match
        ("111111111", ["Acme Newark"]),  # DUNS
        ("3003333333", ["Bharat Labs Pune"]),  # FEI
        ("genome valley", ["Acme Hyderabad"]),  # address
        ("0000000", []),  # a placeholder FEI is not indexed
        ("acme pune", []),
    ],
)
def test_free_text(small_registry: SimpleNamespace, q: str, expected: list[str]) -> None:
    assert names(site_search(q=q)) == expected


def test_free_text_narrows_the_facet_counts(small_registry: SimpleNamespace) -> None:
    result = site_search(q="acme")
    assert counts(result, "country") == {"USA": 1, "IND": 1}
    assert counts(result, "kind") == {"cmo": 2}


def test_pages_and_sorting(small_registry: SimpleNamespace) -> None:
    everything = sorted(s.name.lower() for s in Site.objects.all())
    pages = [site_search(page=n, page_size=4) for n in (1, 2, 3)]
    assert [p.pages for p in pages] == [2, 2, 2]
    assert [len(p.hits) for p in pages] == [4, 2, 0]  # past the last page: empty, not an error
    assert [n.lower() for p in pages for n in names(p)] == everything
    assert [n.lower() for n in names(site_search(sort="-name"))] == everything[::-1]
    by_country = site_search(sort="country")
    assert [h.site.country for h in by_country.hits] == ["CHN", "DEU", "IND", "IND", "USA", "USA"]
    assert names(by_country)[2:4] == ["Acme Hyderabad", "Bharat Labs Pune"]


def test_hits_carry_their_most_specific_terms(small_registry: SimpleNamespace) -> None:
    (hit,) = site_search(q="chengdu plant").hits
    assert [t.code for t in hit.profile.services] == ["svc.mfg.api", "svc.mfg.drug_product"]
    assert [t.code for t in hit.profile.dosage_forms] == ["frm.injection_solution"]
    assert hit.profile.evidence_kinds == ["fda_registration", "spl_establishment"]
    assert hit.country_name == "China"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"countries": ["IND", "USA"], "services": ["svc.mfg"], "page_size": 50},
        {
            "countries": ["IND"],
            "kinds": ["cmo"],
            "evidence_kinds": ["fda_registration"],
            "dosage_forms": ["frm.tablet"],
        },
        {"q": "acme", "regions": ["south_asia"], "routes": ["route.oral"], "page": 2, "page_size": 1},
    ],
)
def test_site_search_takes_at_most_six_queries_whatever_the_filters_and_page(
    small_registry: SimpleNamespace, kwargs: dict[str, Any]
) -> None:
    site_search()  # the first search of a version of the index reads its fact groups into memory
    # The taxonomy, the newest registration file's validity, the index's version, the free text if any,
    # and for a page with hits: its sites with their organisations, and the sites' own dosage forms and routes.
    with CaptureQueriesContext(connection) as queries:
        result = site_search(**kwargs)
        rows = [(h.site.name, h.site.organisation.name, h.profile.services) for h in result.hits]
    assert len(queries) == 3 + bool(kwargs.get("q")) + 2 * bool(rows)
    assert len(rows) == min(result.page_size, max(0, result.total - (result.page - 1) * result.page_size))


def test_organisation_search_counts_organisations(small_registry: SimpleNamespace) -> None:
    result = organisation_search()
    assert result.total == 4
    assert counts(result, "country") == {"USA": 2, "IND": 2, "CHN": 1, "DEU": 1}
    assert counts(result, "kind") == {"cmo": 2, "cdmo": 1, "cro": 1}
    assert counts(result, "service")["svc.mfg"] == 3

    india = organisation_search(countries=["IND"])
    assert [h.organisation.name for h in india.hits] == ["Acme Pharma", "Bharat Analytics"]
    assert india.hits[0].countries == ["IND", "USA"]
    assert india.hits[0].site_count == 2
    assert counts(india, "country") == {"USA": 2, "IND": 2, "CHN": 1, "DEU": 1}
    assert counts(india, "kind") == {"cmo": 1, "cro": 1}
    # Organisation-wide capabilities count for the organisation.
    assert [h.organisation.name for h in organisation_search(dosage_forms=["TABLET"]).hits] == ["Acme Pharma"]


def test_organisation_free_text_searches_its_sites(small_registry: SimpleNamespace) -> None:
    assert [h.organisation.name for h in organisation_search(q="pune").hits] == ["Bharat Analytics"]
    assert [h.organisation.name for h in organisation_search(q="444444444").hits] == ["Chengdu BioWorks"]
    assert [h.organisation.name for h in organisation_search(q="mainz").hits] == ["Chengdu BioWorks"]
    assert organisation_search(q="acme").total == 1
    most_sites = organisation_search(sort="sites")
    assert [h.site_count for h in most_sites.hits] == [2, 2, 1, 1]


def test_site_get_by_duns_or_id(small_registry: SimpleNamespace, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(7):  # five for capabilities and evidence, registration file, compliance record
        detail = site_get(key="222222222")
        evidence = [(e.kind, e.source_ref, e.observed_on) for c in detail.capabilities for e in c.evidence_newest]  # type: ignore[attr-defined]  # attached by the selector
        organisation_wide = [
            (c.dosage_form.name, e.kind, e.import_run.source)  # type: ignore[union-attr]  # known to exist in this fixture
            for c in detail.organisation_capabilities
            for e in c.evidence_newest  # type: ignore[attr-defined]  # attached by the selector
        ]
    assert detail.site == small_registry.hyderabad
    assert [c.service.code for c in detail.capabilities] == ["svc.mfg.drug_product", "svc.packaging.pack"]
    assert {e[0] for e in evidence} == {"fda_registration"}
    assert organisation_wide == [("TABLET", "ndc_listing", "ndc")]
    assert [r.source for r in detail.import_runs] == ["ndc", "decrs"]
    assert (detail.country_name, detail.region_name) == ("India", "South Asia")
    assert site_get(key=small_registry.pune.pk).site == small_registry.pune
    with pytest.raises(NotFound, match="No site with DUNS 999999999"):
        site_get(key="999999999")
    with pytest.raises(NotFound):
        site_get(key="chengdu")


def test_organisation_get(small_registry: SimpleNamespace, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(8):  # six for sites, capabilities and evidence, registration file, compliance
        detail = organisation_get(key="acme-pharma")
        groups = [
            (g.first.service.code, [s.name for s in g.sites], g.organisation_wide, [e.kind for _, e in g.evidence])
            for g in detail.capability_groups
        ]
        sites = [(s.name, services) for s, services in detail.sites_with_services]
    assert groups == [
        ("svc.mfg.api", ["Acme Newark"], False, ["fda_registration"]),
        ("svc.mfg.drug_product", ["Acme Hyderabad"], False, ["fda_registration"]),
        ("svc.mfg.drug_product", [], True, ["ndc_listing"]),
        ("svc.packaging.pack", ["Acme Hyderabad"], False, ["fda_registration"]),
        ("svc.analysis", ["Acme Newark"], False, ["fda_registration"]),
    ]
    assert sites == [
        ("Acme Hyderabad", ["Drug product manufacture", "Packaging"]),
        ("Acme Newark", ["Drug substance (API) manufacture", "Analytical / QC testing"]),
    ]
    assert detail.countries == [("IND", "India", 1), ("USA", "United States", 1)]
    assert organisation_get(key=str(small_registry.bharat.pk)).organisation == small_registry.bharat


def test_a_tenant_outside_the_registry_is_not_found(small_registry: SimpleNamespace, sponsor: Any) -> None:
    with pytest.raises(NotFound):
        organisation_get(key=sponsor.slug)
    assert sponsor.pk not in [h.organisation.pk for h in organisation_search(page_size=100).hits]


def test_rebuilding_one_organisation_leaves_the_others(small_registry: SimpleNamespace) -> None:
    Site.objects.filter(pk=small_registry.pune.pk).update(country="LKA")
    Site.objects.filter(pk=small_registry.mill.pk).update(country="CAN")
    result = facets_rebuild(organisation_ids=[small_registry.bharat.pk])
    assert (result.sites, result.organisations) == (1, 1)
    assert counts(site_search(), "country") == {"USA": 2, "IND": 1, "LKA": 1, "CHN": 1, "DEU": 1}
    assert SiteFacets.objects.count() == 6
    assert OrganisationFacets.objects.count() == 4


def test_registry_stats(small_registry: SimpleNamespace) -> None:
    stats = registry_stats()
    assert (stats.sites, stats.organisations, stats.capabilities, stats.evidence) == (6, 4, 10, 10)
    assert [(v.code, v.count) for v in stats.countries] == [("IND", 2), ("USA", 2), ("CHN", 1), ("DEU", 1)]
    assert [v.code for v in stats.top_services] == ["svc.mfg", "svc.packaging", "svc.analysis", "svc.sterilize"]
    assert [(v.code, v.count, orgs) for v, orgs in stats.kinds] == [("cmo", 3, 2), ("cdmo", 2, 1), ("cro", 1, 1)]
    assert stats.last_import is not None


def test_taxonomy_by_vocabulary(taxonomy: None) -> None:
    services = taxonomy_get(vocabulary="service")["service"]
    codes = [t.code for t in services]
    assert codes.index("svc.mfg") < codes.index("svc.mfg.api") < codes.index("svc.mfg.api.small_molecule")
    assert set(taxonomy_get()) == {"service", "dosage_form", "route", "modality", "scale"}
    with pytest.raises(ServiceError, match="Unknown vocabulary 'colour'"):
        taxonomy_get(vocabulary="colour")


def test_organisation_get_caps_evidence_in_sql(heavy_registry: SimpleNamespace, django_assert_num_queries: Any) -> None:
    # 300 evidence records: still eight queries, and only the newest five per capability are loaded.
    with django_assert_num_queries(8):
        detail = organisation_get(key="heavy-labeler")
        groups = [
            (g.first.dosage_form.name, g.evidence_count, g.evidence_more, [e.source_ref for _, e in g.evidence])  # type: ignore[union-attr]  # known to exist in this fixture
            for g in detail.capability_groups
        ]
        runs = [r.pk for r in detail.import_runs]
    assert sorted(groups) == [
        ("CAPSULE", 50, 45, ["NDC 00297", "NDC 00296", "NDC 00295", "NDC 00294", "NDC 00293"]),
        ("TABLET", 250, 245, ["NDC 00248", "NDC 00247", "NDC 00246", "NDC 00245", "NDC 00244"]),
    ]
    assert all(len(c.evidence_newest) == 5 for c in detail.capabilities)  # type: ignore[attr-defined]  # attached by the selector
    assert runs == [heavy_registry.run.pk]


def test_site_get_caps_evidence_in_sql(heavy_registry: SimpleNamespace, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(7):
        detail = site_get(key=heavy_registry.east.pk)
        own = [(c.evidence_count, c.evidence_more, len(c.evidence_newest)) for c in detail.capabilities]  # type: ignore[attr-defined]  # attached by the selector
        wide = [(c.evidence_count, c.evidence_more, c.evidence_kinds) for c in detail.organisation_capabilities]  # type: ignore[attr-defined]  # attached by the selector
    assert own == [(150, 145, 5)]
    assert wide == [(50, 45, ["ndc_listing"])]


def test_evidence_page_pages_a_capability_or_its_group(
    heavy_registry: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):
        page = evidence_page(capability_id=heavy_registry.tablet.pk, group=True, offset=5)
        sites = {e.capability.site.name for e in page.rows if e.capability.site is not None}
    assert (page.total, len(page.rows), page.next_offset, page.remaining) == (250, 50, 55, 195)
    assert page.rows[0].source_ref == "NDC 00243"
    assert sites == {"Heavy West"}  # the 99 newest after the first five are West's
    last = evidence_page(capability_id=heavy_registry.tablet.pk, group=True, offset=200)
    assert (len(last.rows), last.next_offset, last.remaining, last.rows[-1].observed_on) == (
        50,
        None,
        0,
        dt.date(2020, 1, 1),
    )
    own = evidence_page(capability_id=heavy_registry.tablet.pk, offset=0, limit=10)
    assert (own.total, len(own.rows), own.rows[0].source_ref) == (150, 10, "NDC 00149")
    with pytest.raises(NotFound):
        evidence_page(capability_id=0)
    with pytest.raises(ServiceError):
        evidence_page(capability_id=heavy_registry.tablet.pk, offset=-1)


def test_a_rebuild_in_another_process_is_seen_within_the_version_interval(
    small_registry: SimpleNamespace, settings: Any
) -> None:
    """The directory's in-memory fact groups follow the index: a rebuild in this process at once, one in
    another process (rows written without telling this one) when the index's version is next read."""
    from cxo.registry import facet_columns
    from cxo.registry.models import FacetGroup, FactScope

    settings.CXO_DIRECTORY_VERSION_TTL = 3600
    before = site_search(countries=["DEU"]).total
    site = Site.objects.filter(country="IND").first()
    assert site is not None
    # Another process's rebuild: a group written straight to the table, this process not told.
    FacetGroup.objects.create(organisation_id=site.organisation_id, site=site, scope=FactScope.SITE, country="DEU")
    assert site_search(countries=["DEU"]).total == before  # within the interval: the columns held
    settings.CXO_DIRECTORY_VERSION_TTL = 0
    assert site_search(countries=["DEU"]).total == before + 1  # the version read again: the new group counts
    facets_rebuild()  # this process's rebuild replaces the stray group, and the columns follow at once
    settings.CXO_DIRECTORY_VERSION_TTL = 3600
    assert site_search(countries=["DEU"]).total == before
    assert facet_columns.group_columns() is facet_columns.group_columns()
