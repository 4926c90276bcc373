"""Matching over a small registry in the database: scores by hand, resolution, the index kept current."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from cxo.core.errors import ServiceError
from cxo.matching import engine, live, reference
from cxo.matching.index import build_index
from cxo.matching.need import Need, need_resolve
from cxo.matching.selectors import need_match
from cxo.matching.snapshot import snapshot_from_db
from cxo.matching.tests.registry import _cap, small_registry
from cxo.registry.models import Site

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def reg(db: None, settings: Settings) -> SimpleNamespace:
    settings.CXO_MATCH_VERSION_TTL = 0
    live.forget()
    return small_registry()


def ranked(need: Need) -> list[tuple[str, int]]:
    result = need_match(need=need, today=TODAY)
    return [(r["site"]["name"] or r["organisation"]["name"], r["score"]) for r in result.results]


def points(result_row: dict[str, Any]) -> dict[str, int]:
    return {e["criterion"]: e.get("points") for e in result_row["explanation"]}


def test_api_manufacture_scores_by_hand(reg: SimpleNamespace) -> None:
    result = need_match(need=Need(services=["API MANUFACTURE"]), today=TODAY)
    assert result.total == 2
    newark, chem = result.results
    assert (newark["site"]["name"], newark["score"]) == ("Acme Newark", 832)
    # 693 days old: 100 * (1825 - 693) // 1460 = 77; families: API + analysis here, drug product + packaging elsewhere
    # Evidence: a registration (120) and one record (80 * 1 // 4 = 20).
    assert points(newark) == {
        "service_fit": 300,
        "product_fit": 200,
        "evidence_strength": 140,
        "recency": 77,
        "breadth": 75,
        "compliance": 40,  # no FDA inspection on record: neither credit nor penalty
    }
    # The organisation without sites: organisation-level only (half the service points), NDC 2019 is too old.
    assert chem["site"]["id"] is None and chem["organisation"]["name"] == "Chem Virtual"
    assert chem["score"] == 562
    assert points(chem) == {  # two records (the NDC listing and the bulk listing): 120 + 80 * 2 // 4
        "service_fit": 150,
        "product_fit": 200,
        "evidence_strength": 160,
        "recency": 0,
        "breadth": 12,
        "compliance": 40,
    }


def test_a_dosage_form_is_a_filter_on_the_record(reg: SimpleNamespace) -> None:
    # Pune makes drug products by its own word, but no tablet is on record there: not a match.
    assert ranked(Need(services=["MANUFACTURE"], dosage_forms=["tablet"], countries=["India"])) == [
        ("Acme Hyderabad", 780),
    ]
    assert [n for n, _ in ranked(Need(services=["MANUFACTURE"], countries=["India"]))] == [
        "Acme Hyderabad",
        "Bharat Pune",
    ]


def test_a_service_named_by_its_dosage_forms_reads_as_drug_product_manufacture_of_them(reg: SimpleNamespace) -> None:
    result = need_match(need=Need(services=["solid dose"], countries=["India"]), today=TODAY)
    assert [r["site"]["name"] for r in result.results] == ["Acme Hyderabad"]
    assert result.notes == ["'Solid dose' is read as drug product manufacture of solid oral dosage forms."]


def test_explanation_names_the_deciding_evidence(reg: SimpleNamespace) -> None:
    result = need_match(need=Need(services=["svc.mfg.api"], countries=["USA"]), today=TODAY)
    (row,) = result.results
    assert row["site"] == {
        "id": reg.newark.pk,
        "duns": "100000001",
        "fei": "3000000001",
        "name": "Acme Newark",
        "country": "USA",
        "country_name": "United States",
        "url": f"/registry/sites/{reg.newark.pk}/",
    }
    by = {e["criterion"]: e for e in row["explanation"]}
    assert set(by) == {
        "service_fit", "product_fit", "evidence_strength", "recency", "breadth", "compliance", "country",
    }  # fmt: skip
    assert by["compliance"]["detail"] == "No FDA inspection on record in the last 5 years."
    strength = by["evidence_strength"]
    assert strength["status"] == "partly"  # a registration, but one record only
    assert "1 evidence record on the deciding capabilities" in strength["detail"]
    assert strength["evidence"][0]["source_ref"] == "DECRS FY2025 DUNS 100000001"
    assert strength["evidence"][0]["observed_on"] == "2025-01-01"
    assert "expired on 2025-12-31" in strength["detail"]
    assert by["recency"]["status"] == "partly" and "693 days" in by["recency"]["detail"]
    assert by["country"]["status"] == "met" and "United States (USA)" in by["country"]["detail"]


def test_remembered_explanation_parts_equal_freshly_written_ones(reg: SimpleNamespace) -> None:
    """The index remembers request-independent parts of explanations; after many other requests (other
    services, products, days, countries) every answer must equal the one a fresh index writes."""
    needs = [
        Need(services=["Manufacturing"]),
        Need(services=["MANUFACTURE", "ANALYSIS"], countries=["India"]),
        Need(services=["MANUFACTURE"], dosage_forms=["Solid oral"], countries=["India"]),
        Need(services=["ANALYSIS"], require_evidence=["fda_registration"], exclude_countries=["CHN"]),
        Need(dosage_forms=["TABLET"], routes=["ORAL"], per_organisation=True),
        Need(services=["API MANUFACTURE"], substance="ibuprofen", exclude_organisations=["bharat-labs"]),
        Need(),
    ]
    days = [TODAY, TODAY + dt.timedelta(days=900)]
    index = build_index(snapshot_from_db())
    for _ in range(2):
        for need in needs:
            for day in days:
                need_match(need=need, index=index, today=day)
    assert index.memo["explain.rows"], "the parts were remembered"
    for need in needs:
        for day in days:
            remembered = need_match(need=need, index=index, today=day).as_json()
            fresh = need_match(need=need, index=build_index(snapshot_from_db()), today=day).as_json()
            assert remembered == fresh
            assert remembered["results"], need


def test_required_current_registration_filters_on_expiry(reg: SimpleNamespace) -> None:
    assert ranked(Need(services=["PACK"], require_evidence=["fda_registration_current"])) == [("Acme Hyderabad", 832)]
    # Newark's FDA registration expired on 2025-12-31; Pune only has an audit.
    assert ranked(Need(services=["ANALYSIS"], require_evidence=["fda_registration_current"])) == []
    assert [n for n, _ in ranked(Need(services=["ANALYSIS"], require_evidence=["fda_registration"]))] == ["Acme Newark"]


def test_one_per_organisation_keeps_the_best_site(reg: SimpleNamespace) -> None:
    need = Need(services=["Manufacturing"], per_organisation=True)
    assert ranked(need) == [("Acme Hyderabad", 855), ("Bharat Pune", 760), ("Chem Virtual", 562)]
    assert need_match(need=need, today=TODAY).total == 3
    assert need_match(need=Need(services=["Manufacturing"]), today=TODAY).total == 4


def test_exclusions_and_limit(reg: SimpleNamespace) -> None:
    need = Need(services=["Manufacturing"], exclude_organisations=["acme-pharma"], exclude_countries=["IN"])
    assert ranked(need) == [("Chem Virtual", 562)]  # no country on record: not excluded by country
    result = need_match(need=Need(services=["Manufacturing"], limit=1), today=TODAY)
    assert (result.total, len(result.results)) == (4, 1)
    regions = ranked(Need(services=["Manufacturing"], regions=["South Asia"]))
    assert [n for n, _ in regions] == ["Acme Hyderabad", "Bharat Pune"]


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("services", "API MANUFACTUR", "Did you mean: Drug substance (API) manufacture;"),
        ("dosage_forms", "tabelt", "Did you mean: Tablet"),
        ("countries", "Indai", "India (IND)"),
        ("regions", "Atlantis", "Unknown region"),
        ("require_evidence", "notarised", "fda_registration_current"),
    ],
)
def test_unknown_strings_are_errors_with_suggestions(reg: SimpleNamespace, field: str, text: str, message: str) -> None:
    with pytest.raises(ServiceError) as exc:
        given: dict[str, Any] = {field: [text]}
        need_match(need=Need(**given), today=TODAY)
    assert exc.value.field == field
    assert message in exc.value.message


def test_terms_resolve_by_code_name_and_synonym(reg: SimpleNamespace) -> None:
    index = live.match_index()
    resolved = need_resolve(
        need=Need(services=["svc.analysis", "drug product manufacture", "aseptic fill-finish"], routes=["oral"]),
        index=index,
    )
    # Fill-finish is read as drug product manufacture of injectables (FDA registers "MANUFACTURE").
    assert [t.code for t in resolved.terms["services"]] == ["svc.analysis", "svc.mfg.drug_product"]
    assert [t.code for t in resolved.terms["dosage_forms"]] == ["frm.family.injectable"]
    assert [t.name for t in resolved.terms["routes"]] == ["Oral"]  # as people read it; the source says "ORAL"


def test_the_index_follows_registry_changes(reg: SimpleNamespace) -> None:
    assert ranked(Need(services=["STERILIZE"])) == []
    site = Site.objects.create(organisation=reg.bharat, name="Bharat Steriles", country="IND", duns="100000009")
    _cap(
        reg.bharat,
        site,
        "svc.sterilize",
        kind="fda_registration",
        ref="DECRS FY2026 DUNS 100000009",
        on=dt.date(2026, 1, 1),
    )
    assert [n for n, _ in ranked(Need(services=["STERILIZE"]))] == ["Bharat Steriles"]


def test_version_changes_with_bulk_writes_too(reg: SimpleNamespace) -> None:
    before = live.registry_version()
    Site.objects.bulk_create([Site(organisation=reg.bharat, name="Bulk", country="IND", duns="100000010")])
    assert live.registry_version() != before


def test_engine_built_from_the_database_ranks_like_the_reference(reg: SimpleNamespace) -> None:
    snapshot = snapshot_from_db()
    index = build_index(snapshot)
    for need in [
        Need(services=["Manufacturing"]),
        Need(services=["MANUFACTURE", "ANALYSIS"], dosage_forms=["Solid oral"]),
        Need(dosage_forms=["TABLET"], routes=["ORAL"], per_organisation=True),
        Need(regions=["south_asia"], require_evidence=["self_declared"]),
        Need(),
    ]:
        criteria = need_resolve(need=need, index=index).criteria
        assert engine.rank(index, criteria, today=TODAY).ranking(index) == reference.rank(
            snapshot, criteria, today=TODAY
        )


def test_trial_sponsors_and_collaborators_are_not_offered_services(reg: SimpleNamespace) -> None:
    from cxo.registry.models import EvidenceKind
    from cxo.testing.registry_factories import (
        CapabilityFactory,
        EvidenceFactory,
        RegistryOrganisationFactory,
        term,
    )

    phase2 = term("svc.clinical.phase2")
    pharma = RegistryOrganisationFactory.create(name="Bigco Pharma", slug="bigco-pharma", kind="|sponsor|")
    cro = RegistryOrganisationFactory.create(name="Trialworks", slug="trialworks", kind="|cro|")
    for organisation, role, ref in [(pharma, "lead_sponsor", "NCT00000001"), (cro, "collaborator", "NCT00000001")]:
        capability = CapabilityFactory.create(site=None, organisation=organisation, service=phase2)
        EvidenceFactory.create(
            capability=capability, kind=EvidenceKind.CLINICAL_TRIAL, source_ref=ref, detail={"role": role}
        )
    result = need_match(need=Need(services=["svc.clinical.phase2"]), today=TODAY)
    assert result.total == 0  # neither sells trial services on this record
    self_declared = CapabilityFactory.create(site=None, organisation=cro, service=term("svc.clinical.phase3"))
    EvidenceFactory.create(capability=self_declared, kind=EvidenceKind.SELF_DECLARED, source_ref="profile")
    result = need_match(need=Need(services=["svc.clinical"]), today=TODAY)
    assert [r["organisation"]["name"] for r in result.results] == ["Trialworks"]  # other evidence makes it one


def test_a_substance_is_a_filter_on_capabilities_of_the_requested_service(reg: SimpleNamespace) -> None:
    # Any salt or hydrate form meets the moiety; an API need counts the bulk listing, not Pune's tablets.
    assert [n for n, _ in ranked(Need(services=["API MANUFACTURE"], substance="Ibuprofen"))] == ["Chem Virtual"]
    assert [n for n, _ in ranked(Need(services=["API MANUFACTURE"], substance="ibuprofen sodium"))] == ["Chem Virtual"]
    assert {n for n, _ in ranked(Need(substance="IBUPROFEN"))} == {"Chem Virtual", "Bharat Pune"}
    assert ranked(Need(services=["ANALYSIS"], substance="ibuprofen")) == []


def test_an_unknown_substance_is_refused_with_suggestions(reg: SimpleNamespace) -> None:
    with pytest.raises(ServiceError) as error:
        need_match(need=Need(substance="ibuprofn"), index=build_index(snapshot_from_db()), today=TODAY)
    assert (
        str(error.value) == "Unknown substance 'ibuprofn': no capability on record names it. Did you mean: Ibuprofen?"
    )


def test_the_compliance_record_grades_and_can_exclude(reg: SimpleNamespace) -> None:
    from cxo.registry.models import ComplianceEvent

    def event(kind: str, on: dt.date, classification: str = "", ref: str = "") -> None:
        ComplianceEvent.objects.create(
            kind=kind, source="test", source_ref=ref or f"{kind}-{on}", occurred_on=on, classification=classification,
            fei="3000000001",
        )  # fmt: skip

    def by_criterion(row: dict[str, Any], criterion: str) -> dict[str, Any]:
        return next(e for e in row["explanation"] if e["criterion"] == criterion)

    def newark(today: dt.date = TODAY) -> dict[str, Any]:
        result = need_match(need=Need(services=["API MANUFACTURE"]), index=build_index(snapshot_from_db()), today=today)
        return next(r for r in result.results if r["site"]["name"] == "Acme Newark")

    event("inspection", dt.date(2024, 3, 1), "VAI")
    event("inspection", dt.date(2025, 6, 1), "NAI")  # the latest inspection decides, graded by its age
    assert points(newark())["compliance"] == 70 + 30 * (1825 - 542) // 1825 == 91  # 542 days before TODAY
    event("warning_letter", dt.date(2025, 9, 1))
    entry = by_criterion(newark(), "compliance")
    assert (entry["points"], entry["status"]) == (51, "partly")
    assert entry["detail"] == (
        "Latest FDA inspection NAI on 2025-06-01 (542 days ago; NAI earns 70 to 100, more the more recent); "
        "warning letter on 2025-09-01 (-40)."
    )
    assert points(newark(dt.date(2025, 6, 1)))["compliance"] == 100  # on the day (the letter still to come): all
    event("inspection", dt.date(2026, 2, 1), "OAI")
    assert points(newark())["compliance"] == 0
    flagged = Need(services=["API MANUFACTURE"], exclude_flagged=True)
    kept = need_match(need=flagged, index=build_index(snapshot_from_db()), today=TODAY).results
    assert [r["site"]["name"] or r["organisation"]["name"] for r in kept] == ["Chem Virtual"]
    # Six years on, the record has aged out of the window: none on record again.
    later = need_match(
        need=Need(services=["API MANUFACTURE"]), index=build_index(snapshot_from_db()), today=dt.date(2032, 3, 1)
    )
    assert points(next(r for r in later.results if r["site"]["name"] == "Acme Newark"))["compliance"] == 40
