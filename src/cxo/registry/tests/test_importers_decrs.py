"""The FDA DECRS importer, checked against counts computed independently from the raw file with the csv module."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cxo.core.models import Organisation
from cxo.registry.importers import ImportFailed, registry_import
from cxo.registry.importers.decrs import DEMO_FILE, DecrsImporter, canonical_name, decrs_operations
from cxo.registry.models import Capability, Evidence, EvidenceKind, Site, Term, Vocabulary

SAMPLE = Path(__file__).parent / "fixtures" / "decrs_sample.csv"


def raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def ops(row: dict[str, str]) -> list[str]:
    return row["OPERATIONS"].split("; ")


def run_import(path: Path, **kwargs: Any) -> Any:
    return registry_import(actor=None, importer=DecrsImporter(), path=path, **kwargs)


def snapshot() -> dict[str, list[Any]]:
    return {
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "sites": list(Site.objects.order_by("pk").values()),
        "capabilities": list(Capability.objects.order_by("pk").values()),
        "evidence": list(Evidence.objects.order_by("pk").values()),
    }


def assert_matches_raw(path: Path) -> None:
    rows = raw_rows(path)
    assert Site.objects.count() == len(rows) == len({r["DUNS_NUMBER"] for r in rows})
    assert Organisation.objects.filter(registrant_duns__isnull=False).count() == len(
        {r["REGISTRANT_DUNS"] for r in rows}
    )
    mapping = decrs_operations()
    per_operation = Counter(op for r in rows for op in ops(r))
    for op, n in per_operation.items():
        assert Capability.objects.filter(site__isnull=False, service__code=mapping[op]).count() == n, op
    assert Evidence.objects.filter(kind=EvidenceKind.FDA_REGISTRATION).count() == sum(per_operation.values())
    per_pair = Counter((r["COUNTRY_ISO3"], op) for r in rows for op in ops(r))
    pairs = [p for p, _ in per_pair.most_common(6)] + [
        ("IND", "API MANUFACTURE"),
        ("USA", "STERILIZE"),
        ("", "ANALYSIS"),
    ]
    for country, op in pairs:
        found = Capability.objects.filter(site__country=country, service__code=mapping[op]).count()
        assert found == per_pair[(country, op)], (country, op)


def test_every_operation_of_the_real_file_maps_to_its_own_service_term(taxonomy: None) -> None:
    mapping = decrs_operations()
    in_file = {op for row in raw_rows(DEMO_FILE) for op in ops(row)}
    assert len(in_file) == 15
    assert in_file <= set(mapping)
    services = set(Term.objects.filter(vocabulary=Vocabulary.SERVICE).values_list("code", flat=True))
    assert set(mapping.values()) <= services
    # One term per operation, so "sites doing X" never merges two operations.
    assert len(set(mapping.values())) == len(mapping)


def test_the_sample_imports_one_site_per_row_and_one_organisation_per_registrant(db: None) -> None:
    result = run_import(SAMPLE)
    rows = raw_rows(SAMPLE)
    assert (result.rows, result.created, result.updated, result.unchanged, result.rejected) == (
        len(rows),
        len(rows),
        0,
        0,
        0,
    )
    assert_matches_raw(SAMPLE)


def test_a_site_keeps_what_its_row_says(db: None) -> None:
    run_import(SAMPLE)
    site = Site.objects.select_related("organisation").get(duns="412779339")
    assert site.name == "WU XI ZHONG ZHI WEI NA TECHNOLOGY CO., Ltd."
    assert site.address.startswith("Room 1506, 5th Floor") and site.address.endswith("China (CHN)")
    assert (site.country, site.fei, site.fei_key, site.registration_expiry) == ("CHN", "", "", dt.date(2025, 12, 31))
    assert (site.us_agent_duns, site.us_agent_name) == ("117532477", "Ksquaredcapital LLC")
    assert site.organisation.registrant_duns == "412779339"
    assert site.organisation.type == "provider"
    assert sorted(site.capabilities.values_list("service__code", flat=True)) == [
        "svc.mfg.drug_product",
        "svc.packaging.label",
    ]
    evidence = Evidence.objects.get(capability__site=site, capability__service__code="svc.packaging.label")
    assert (evidence.kind, evidence.source_ref, evidence.observed_on) == (
        EvidenceKind.FDA_REGISTRATION,
        "DECRS FY2025 DUNS 412779339",
        dt.date(2025, 1, 1),
    )
    assert evidence.detail == {"operation": "LABEL", "fei": None}
    assert evidence.import_run is not None and evidence.import_run.source == "decrs"


def test_real_feis_are_kept_and_placeholders_dropped(db: None) -> None:
    run_import(SAMPLE)
    rows = raw_rows(SAMPLE)
    fei_of = {s.duns: (s.fei, s.fei_key) for s in Site.objects.all()}
    for row in rows:
        raw = row["FEI_NUMBER"].strip()
        # the key compliance records join on: digits without leading zeros ("0000000360" -> "360")
        assert fei_of[row["DUNS_NUMBER"]] == ((raw, raw.lstrip("0")) if raw.strip("0") else ("", ""))


def test_nothing_stored_depends_on_the_day_of_the_import(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2025, 12, 31))
    first = run_import(SAMPLE)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 1, 1))
    later = run_import(SAMPLE)  # the day after every registration in it expired
    assert (later.created, later.updated, later.unchanged) == (0, 0, first.rows)


def test_a_second_import_of_the_same_file_changes_nothing(db: None) -> None:
    run_import(SAMPLE)
    before = snapshot()
    again = run_import(SAMPLE)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, again.rows, 0)
    assert again.notes["organisations"] == {"created": 0, "updated": 0, "unchanged": 140}
    assert again.notes["kinds_changed"] == 0
    assert snapshot() == before


def test_notes_count_placeholder_and_shared_feis_and_the_row_without_a_country(db: None) -> None:
    rows = raw_rows(SAMPLE)
    result = run_import(SAMPLE)
    feis = [r["FEI_NUMBER"].strip() for r in rows]
    shared = {f: n for f, n in Counter(f for f in feis if f.strip("0")).items() if n > 1}
    notes = result.run.notes
    assert notes["fei_blank"] == sum(1 for f in feis if not f)
    assert notes["fei_placeholder"] == sum(1 for f in feis if f and not f.strip("0")) == 4
    assert (notes["fei_shared_values"], notes["fei_shared_rows"]) == (len(shared), sum(shared.values()))
    [no_country] = [(i + 2, r) for i, r in enumerate(rows) if not r["COUNTRY_ISO3"]]
    assert notes["without_country"] == [
        {"line": no_country[0], "duns": no_country[1]["DUNS_NUMBER"], "firm": no_country[1]["FIRM_NAME"]}
    ]
    assert Site.objects.get(duns=no_country[1]["DUNS_NUMBER"]).country == ""
    text = "\n".join(result.summary_lines())
    assert "4 placeholder (all zeros) treated as missing" in text
    assert f"No country: line {no_country[0]}, DUNS {no_country[1]['DUNS_NUMBER']}" in text


def test_canonical_name_prefers_the_most_used_then_mixed_case() -> None:
    assert canonical_name(Counter({"ACME LABS INC": 1, "Acme Labs Inc": 1})) == "Acme Labs Inc"
    assert canonical_name(Counter({"ACME LABS INC": 3, "Acme Labs Inc": 1})) == "ACME LABS INC"
    assert canonical_name(Counter({"Acme Labs, Inc.": 1, "Acme Labs Inc": 1})) == "Acme Labs, Inc."


def write_variant(tmp_path: Path, edits: dict[int, dict[str, str]], *, name: str = "variant.csv") -> Path:
    """A copy of the sample with some rows (0-based data index) changed: real rows, one thing wrong."""
    rows = raw_rows(SAMPLE)
    for index, changes in edits.items():
        rows[index].update(changes)
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_registrant_names_are_updated_unless_the_organisation_was_claimed(db: None, tmp_path: Path) -> None:
    rows = raw_rows(SAMPLE)
    run_import(SAMPLE)
    first, second = rows[0]["REGISTRANT_DUNS"], rows[1]["REGISTRANT_DUNS"]
    Organisation.objects.filter(registrant_duns=second).update(claimed_at=timezone.now(), name="Claimed Name Ltd")
    path = write_variant(tmp_path, {0: {"REGISTRANT_NAME": "Renamed Registrant"}, 1: {"REGISTRANT_NAME": "Other"}})
    result = run_import(path)
    assert result.notes["organisations"]["updated"] == 1
    assert Organisation.objects.get(registrant_duns=first).name == "Renamed Registrant"
    assert Organisation.objects.get(registrant_duns=second).name == "Claimed Name Ltd"
    slug = Organisation.objects.get(registrant_duns=first).slug
    assert slug == "kolive-cell-co-ltd"  # slugs never follow a rename


def test_a_site_that_changes_registrant_moves_with_its_capabilities(db: None, tmp_path: Path) -> None:
    rows = raw_rows(SAMPLE)
    run_import(SAMPLE)
    target = rows[1]["REGISTRANT_DUNS"]
    moved = write_variant(tmp_path, {0: {"REGISTRANT_DUNS": target}})
    result = run_import(moved)
    assert (result.created, result.updated) == (0, 1)
    site = Site.objects.get(duns=rows[0]["DUNS_NUMBER"])
    assert site.organisation.registrant_duns == target
    assert set(site.capabilities.values_list("organisation__registrant_duns", flat=True)) == {target}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"DUNS_NUMBER": "12345"}, "DUNS_NUMBER '12345' is not a 9-digit DUNS number"),
        ({"REGISTRANT_DUNS": "ABCDEFGHI"}, "REGISTRANT_DUNS 'ABCDEFGHI' is not a 9-digit DUNS number"),
        ({"EXPIRATION_DATE": "2025-12-31"}, "EXPIRATION_DATE '2025-12-31' is not a date in MM/DD/YYYY form"),
        ({"EXPIRATION_DATE": "13/45/2025"}, "EXPIRATION_DATE '13/45/2025' is not a date in MM/DD/YYYY form"),
        ({"FIRM_NAME": "  "}, "FIRM_NAME is empty"),
        ({"REGISTRANT_NAME": ""}, "REGISTRANT_NAME is empty"),
        ({"OPERATIONS": "MANUFACTURE; TELEPORT"}, "unknown operation 'TELEPORT'"),
        ({"OPERATIONS": ""}, "OPERATIONS is empty"),
        ({"COUNTRY_ISO3": "XYZ"}, "COUNTRY_ISO3 'XYZ' is not an ISO 3166 alpha-3 country code"),
        ({"FEI_NUMBER": "30A1"}, "FEI_NUMBER '30A1' is not a number of up to 10 digits"),
        ({"EXCLUSION_FLAG": "MAYBE"}, "EXCLUSION_FLAG 'MAYBE' is not Y or N"),
    ],
)
def test_a_bad_row_fails_the_whole_import_naming_its_line(
    db: None, tmp_path: Path, changes: dict[str, str], reason: str
) -> None:
    path = write_variant(tmp_path, {57: changes})
    with pytest.raises(ImportFailed) as caught:
        run_import(path)
    assert f"line 59: {reason}" in caught.value.message
    assert "nothing was imported" in caught.value.message
    assert (Site.objects.count(), Capability.objects.count(), Organisation.objects.count()) == (0, 0, 0)


def test_a_duplicate_duns_is_rejected_with_the_line_of_the_first(db: None, tmp_path: Path) -> None:
    first = raw_rows(SAMPLE)[3]["DUNS_NUMBER"]
    path = write_variant(tmp_path, {10: {"DUNS_NUMBER": first}})
    with pytest.raises(ImportFailed, match=f"line 12: DUNS_NUMBER {first} is already on line 5"):
        run_import(path)


def test_a_row_with_too_many_fields_is_rejected(db: None, tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[20] += ",surplus"
    path = tmp_path / "extra.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="line 21: 13 fields where the header has 12"):
        run_import(path)


def test_skip_bad_imports_the_rest_and_writes_the_rejected_rows(db: None, tmp_path: Path) -> None:
    rows = raw_rows(SAMPLE)
    path = write_variant(tmp_path, {57: {"DUNS_NUMBER": "12345"}, 120: {"OPERATIONS": "MANUFACTURE; TELEPORT"}})
    out = tmp_path / "out" / "rejected.csv"
    result = run_import(path, skip_bad=True, rejected_path=out)
    assert (result.created, result.rejected, result.rows) == (len(rows) - 2, 2, len(rows))
    assert result.run.rejected == 2 and result.run.rejected_path == str(out)
    assert not Site.objects.filter(duns=rows[120]["DUNS_NUMBER"]).exists()
    assert Site.objects.count() == len(rows) - 2
    with out.open(encoding="utf-8", newline="") as f:
        rejected = list(csv.DictReader(f))
    assert [(r["line"], r["reason"]) for r in rejected] == [
        ("59", "DUNS_NUMBER '12345' is not a 9-digit DUNS number"),
        ("122", f"unknown operation 'TELEPORT' (known: {', '.join(sorted(decrs_operations()))})"),
    ]
    assert rejected[1]["DUNS_NUMBER"] == rows[120]["DUNS_NUMBER"]
    assert rejected[1]["FIRM_NAME"] == rows[120]["FIRM_NAME"]
    assert rejected[1]["OPERATIONS"] == "MANUFACTURE; TELEPORT"


@pytest.mark.slow  # imports a whole real file: run once, in the SQLite half of make test
def test_the_whole_real_file(db: None) -> None:
    """All 10,439 rows: counts as computed from the raw file, and a second run that changes nothing."""
    first = run_import(DEMO_FILE)
    assert (first.rows, first.created, first.rejected) == (10439, 10439, 0)
    assert_matches_raw(DEMO_FILE)
    assert first.notes["fei_placeholder"] == 4 and first.notes["fei_blank"] == 230
    assert (first.notes["fei_shared_values"], first.notes["fei_shared_rows"]) == (241, 561)
    assert [item["duns"] for item in first.notes["without_country"]] == ["495848938"]
    counts = Counter(Organisation.objects.values_list("kind", flat=True))
    assert sum(counts.values()) == 7044
    # Only feed mills hold no role: medicated animal feed is no contract pharma work.
    no_role = Organisation.objects.filter(kind="").values_list("kind_reason", flat=True)
    assert 0 < len(no_role) < 400 and all("which is no contract pharma role" in r for r in no_role)

    second = run_import(DEMO_FILE)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 10439, 0)
    assert second.run.notes["evidence"] == {"created": 0, "updated": 0}
