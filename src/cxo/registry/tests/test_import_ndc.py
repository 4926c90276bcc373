"""The FDA NDC directory importer, checked against values computed from the raw fixture with the csv module.

The fixture (``fixtures/ndc_products.txt``) is 300 real rows of the 2019 ``product.txt``; the
registry is first given the DECRS excerpts ``decrs_sample.csv`` and ``decrs_spl_sites.csv``, whose
organisations 42 of the fixture's labeler names link to (see ``LINKED``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from cxo.core.models import Organisation
from cxo.registry.importers import ImportFailed, registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.importers.ndc import LABELER_SERVICE, NdcImporter
from cxo.registry.kind import roles_of
from cxo.registry.models import Capability, Evidence, EvidenceKind, ImportRun, Vocabulary
from cxo.registry.taxonomy import term_lookup

FIXTURES = Path(__file__).parent / "fixtures"
PRODUCTS = FIXTURES / "ndc_products.txt"
DECRS_FILES = (FIXTURES / "decrs_sample.csv", FIXTURES / "decrs_spl_sites.csv")

# Labeler names of the fixture -> the registry organisation they must link to (checked by hand:
# same company up to case, punctuation and legal form; "Pharmacia and Upjohn" is a Pfizer site's
# name in DECRS; "Amneal Pharmaceuticals" is the firm name of a site registered by Amneal of New York).
LINKED = {
    "AGP LLC": "AGP LLC",
    "AIRGAS USA, LLC": "Airgas Usa, LLC",
    "Airgas USA, LLC": "Airgas Usa, LLC",
    "Airgas Usa, LLC": "Airgas Usa, LLC",
    "Amneal Pharmaceuticals": "Amneal Pharmaceuticals of New York, LLC",
    "Amneal Pharmaceuticals LLC": "Amneal Pharmaceuticals of New York, LLC",
    "Amneal Pharmaceuticals of New York LLC": "Amneal Pharmaceuticals of New York, LLC",
    "Amneal Pharmaceuticals of New York, LLC": "Amneal Pharmaceuticals of New York, LLC",
    "Amneal Pharmaceuticals, LLC": "Amneal Pharmaceuticals of New York, LLC",
    "Astellas Pharma US Inc.": "Astellas Pharma US, Inc.",
    "Astellas Pharma US, Inc.": "Astellas Pharma US, Inc.",
    "Atlas Welding Supply Co., Inc.": "Atlas Welding Supply Company, Inc.",
    "Biocon Limited": "Biocon Limited",
    "Biomedical Research Foundation of Northwest Louisiana": "Biomedical Research Foundation of Northwest Louisiana",
    "Cardinal Health 418, Inc": "Cardinal Health 418, Inc.",
    "Chattem, Inc.": "CHATTEM, INC.",
    "Contract Pharmacal Corp.": "Contract Pharmacal Corp.",
    "Curium US LLC": "Curium US LLC",
    "Fresenius Kabi Austria GmbH": "Fresenius Kabi Austria",
    "Genzyme Corporation": "Genzyme Corporation",
    "Hikma Pharmaceutical": "Hikma Pharmaceuticals USA Inc.",
    "Hikma Pharmaceuticals USA Inc.": "Hikma Pharmaceuticals USA Inc.",
    "Italfarmaco S.p.A": "Italfarmaco SPA",
    "L.N.K. International, Inc.": "LNK International, Inc.",
    "LNK International, Inc.": "LNK International, Inc.",
    "Matheson Tri-Gas, Inc.": "Matheson Tri-Gas, Inc.",
    "Merck Sharp & Dohme Corp.": "Merck & Co., Inc.",
    "NorMed": "NorMed",
    "PD-Rx Pharmaceuticals, Inc.": "PD-Rx Pharmaceuticals Inc.",
    "Pharmacia and Upjohn Company LLC": "Pfizer Inc",
    "RARITAN PHARMACEUTICALS INC": "RARITAN PHARMACEUTICALS INCORPORATED",
    "Raritan Pharmaceuticals Inc": "RARITAN PHARMACEUTICALS INCORPORATED",
    "Renu Laboratories, Inc.": "Renu Laboratories, LLC",
    "Roberts Oxygen Company, Inc.": "Roberts Oxygen Company, Inc.",
    "SpecGx LLC": "SpecGx LLC",
    "Weeks & Leo": "Weeks & Leo Company, Inc.",
    "Weeks & Leo Co., Inc.": "Weeks & Leo Company, Inc.",
    "Weeks and Leo, Inc.": "Weeks & Leo Company, Inc.",
    "weeks & Leo, Inc.": "Weeks & Leo Company, Inc.",
    "Wyeth Pharmaceuticals Inc., a subsidiary of Pfizer Inc.": "Wyeth Pharmaceuticals LLC, a subsidiary of Pfizer Inc.",
    "Wyeth Pharmaceuticals LLC, a subsidiary of Pfizer Inc.": "Wyeth Pharmaceuticals LLC, a subsidiary of Pfizer Inc.",
    "Yaopharma Co., Ltd.": "Yaopharma Co., Ltd.",
}
FUZZY = {
    "Biomedial Research Foundation of Northwest Lousiansa": "Biomedical Research Foundation of Northwest Louisiana"
}


def raw_rows(path: Path = PRODUCTS) -> list[dict[str, str]]:
    with path.open(encoding="latin-1", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def parts(value: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in value.split(";") if p.strip()))


def labeler(row: dict[str, str]) -> str:
    return " ".join(row["LABELERNAME"].replace("\x92", "\u2019").split())


def run_import(path: Path = PRODUCTS, **kwargs: Any) -> Any:
    return registry_import(actor=None, importer=NdcImporter(), path=path, **kwargs)


def write_variant(tmp_path: Path, edits: dict[int, dict[str, str]], *, name: str = "product.txt") -> Path:
    """The fixture with some rows (0-based) changed, written the way FDA writes it."""
    rows = raw_rows()
    for index, changes in edits.items():
        rows[index].update(changes)
    lines = ["\t".join(rows[0]), *("\t".join(row.values()) for row in rows)]
    path = tmp_path / name
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode("latin-1"))
    return path


@pytest.fixture
def decrs(taxonomy: None) -> None:
    for path in DECRS_FILES:
        registry_import(actor=None, importer=DecrsImporter(), path=path)


def snapshot() -> dict[str, list[Any]]:
    return {
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "capabilities": list(Capability.objects.order_by("pk").values()),
        "evidence": list(Evidence.objects.order_by("pk").values()),
    }


def test_every_product_is_evidence_for_each_of_its_dosage_form_route_substance_combinations(decrs: None) -> None:
    rows = raw_rows()
    result = run_import()
    assert (result.rows, result.created, result.updated, result.unchanged, result.rejected) == (300, 300, 0, 0, 0)
    expected = sum(max(1, len(parts(r["ROUTENAME"]))) * max(1, len(parts(r["SUBSTANCENAME"]))) for r in rows)
    evidence = Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING)
    assert evidence.count() == expected == result.notes["evidence"]["created"]
    assert set(evidence.values_list("source_ref", flat=True)) == {r["PRODUCTID"] for r in rows}
    # Organisation level, one service: capabilities name what the labeler markets, not where it is made.
    assert set(evidence.values_list("capability__site", "capability__service__code").distinct()) == {
        (None, LABELER_SERVICE)
    }

    forms = term_lookup(vocabulary=Vocabulary.DOSAGE_FORM)
    routes = term_lookup(vocabulary=Vocabulary.ROUTE)
    by_product: dict[str, set[tuple[Any, ...]]] = {}
    for ref, form_id, route_id, substance in evidence.values_list(
        "source_ref", "capability__dosage_form", "capability__route", "capability__substance"
    ):
        by_product.setdefault(ref, set()).add((form_id, route_id, substance))
    for row in rows:
        want = {
            (forms.id_of(row["DOSAGEFORMNAME"]), routes.id_of(route) if route else None, substance.upper())
            for route in parts(row["ROUTENAME"]) or [""]
            for substance in parts(row["SUBSTANCENAME"]) or [""]
        }
        assert by_product[row["PRODUCTID"]] == want, row["PRODUCTID"]


def test_labelers_link_to_the_registry_by_normalised_name_and_the_rest_become_organisations(decrs: None) -> None:
    rows = raw_rows()
    registered = set(Organisation.objects.filter(registrant_duns__isnull=False).values_list("pk", flat=True))
    result = run_import()
    names = {labeler(r) for r in rows}
    linked = {**LINKED, **FUZZY}
    assert set(linked) <= names

    notes = result.notes["labelers"]
    assert (notes["names"], notes["exact"], notes["fuzzy"]) == (len(names), len(LINKED), 1)
    assert notes["unmatched"] == notes["new"] == len(names - set(linked))
    assert notes["fuzzy_links"] == [
        {"labeler": bad, "organisation": good, "score": notes["fuzzy_links"][0]["score"]} for bad, good in FUZZY.items()
    ]
    assert result.notes["link_rate_percent"]["exact"] == round(100 * len(LINKED) / len(names), 1)

    organisation_of = {
        (ref, name): org
        for ref, name, org in Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING).values_list(
            "source_ref", "detail__labeler", "capability__organisation__name"
        )
    }
    for row in rows:
        name = labeler(row)
        org = organisation_of[(row["PRODUCTID"], name)]
        assert org == linked.get(name, org), name
    # Unmatched labelers: one new organisation per normalised name, none of them FDA-registered
    # ("LG Household and Health Care" is "…Healthcare", "SHISEIDO AMERICAS" is "SHISEIDO AMERICA": one each).
    new = Organisation.objects.exclude(pk__in=registered)
    assert new.count() == notes["organisations_created"] == 127
    assert not new.filter(registrant_duns__isnull=False).exists()
    assert set(new.values_list("type", flat=True)) == {"provider"}
    # Windows-1252 quotes in the latin-1 file are read as quotes.
    assert new.filter(name="Dr. Reddy\u2019s Laboratories, Inc.").exists()


def test_roles_follow_the_marketing_category(decrs: None) -> None:
    run_import()
    # The labeler of ANDA products is a generic marketer; labelling earns no manufacturing role.
    reddy = Organisation.objects.get(name="Dr. Reddy\u2019s Laboratories, Inc.")
    assert "generic" in roles_of(reddy.kind) and "cmo" not in roles_of(reddy.kind)
    assert "(ANDA) in the NDC directory" in reddy.kind_reason
    # An FDA-registered manufacturer that markets products of its own is no contract manufacturer.
    chattem = Organisation.objects.get(name="CHATTEM, INC.")
    assert "cmo" not in roles_of(chattem.kind) and "maker" in roles_of(chattem.kind)
    assert "for products of its own as far as the record shows" in chattem.kind_reason


def test_dates_exclusions_modalities_and_detail_come_from_the_row(decrs: None) -> None:
    rows = raw_rows()
    run_import()
    evidence = {e.source_ref: e for e in Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING)}
    for row in rows:
        e = evidence[row["PRODUCTID"]]
        certified, start = row["LISTING_RECORD_CERTIFIED_THROUGH"], row["STARTMARKETINGDATE"]
        want = dt.date(int(certified[:4]), 1, 1) if certified else dt.datetime.strptime(start, "%Y%m%d").date()
        assert e.observed_on == want, row["PRODUCTID"]
        assert e.detail.get("excluded") == (None if row["NDC_EXCLUDE_FLAG"] == "N" else row["NDC_EXCLUDE_FLAG"])
        assert (e.detail["ndc"], e.detail["labeler"]) == (row["PRODUCTNDC"], labeler(row))
    excluded = Counter(r["NDC_EXCLUDE_FLAG"] for r in rows if r["NDC_EXCLUDE_FLAG"] != "N")
    assert ImportRun.objects.get(source="ndc").notes["products"] == {
        "listed": sum(1 for r in rows if r["NDC_EXCLUDE_FLAG"] == "N"),
        "excluded": dict(excluded),
    }
    [vaccine, *_] = [r for r in rows if r["PRODUCTTYPENAME"] == "VACCINE"]
    assert set(
        Capability.objects.filter(evidence__source_ref=vaccine["PRODUCTID"]).values_list("modality__code", flat=True)
    ) == {"mod.vaccine"}
    [pair_a, pair_b] = [r for r in rows if r["PRODUCTNDC"] == "0009-0039"]  # one NDC, two SPL versions
    assert evidence[pair_a["PRODUCTID"]].pk != evidence[pair_b["PRODUCTID"]].pk


def test_a_second_import_of_the_same_file_changes_nothing(decrs: None) -> None:
    run_import()
    before = snapshot()
    again = run_import()
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 300, 0)
    assert again.notes["evidence"]["created"] == again.notes["evidence"]["updated"] == 0
    assert again.notes["labelers"]["new"] == 0 and again.notes["labelers"]["earlier_import"] == 135
    assert again.notes["kinds_changed"] == 0
    assert snapshot() == before


def test_a_later_file_updates_the_evidence_it_changes(decrs: None, tmp_path: Path) -> None:
    rows = raw_rows()
    run_import()
    later = write_variant(tmp_path, {0: {"LISTING_RECORD_CERTIFIED_THROUGH": "20201231"}})
    result = run_import(later)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 299)
    [e, *_] = Evidence.objects.filter(source_ref=rows[0]["PRODUCTID"])
    assert (e.observed_on, e.detail["certified_through"]) == (dt.date(2020, 1, 1), "2020-12-31")


def test_a_gzipped_file_is_read_as_it_is(decrs: None, tmp_path: Path) -> None:
    path = tmp_path / "product.txt.gz"
    path.write_bytes(gzip.compress(PRODUCTS.read_bytes()))
    result = run_import(path)
    assert (result.rows, result.created) == (300, 300)
    assert result.run.file_name == "product.txt.gz"


def test_an_unknown_dosage_form_is_imported_without_one_and_reported(decrs: None, tmp_path: Path) -> None:
    rows = raw_rows()
    path = write_variant(tmp_path, {5: {"DOSAGEFORMNAME": "TABLET, LUNAR"}, 9: {"DOSAGEFORMNAME": "TABLET, LUNAR"}})
    result = run_import(path)
    assert result.notes["unknown_dosage_forms"] == {"TABLET, LUNAR": 2}
    assert "Unknown dosage forms, imported without a dosage form: TABLET, LUNAR (2)." in result.summary_lines()
    for index in (5, 9):
        caps = Capability.objects.filter(evidence__source_ref=rows[index]["PRODUCTID"])
        assert set(caps.values_list("dosage_form", flat=True)) == {None}
        assert caps.first().evidence.get().detail["dosage_form"] == "TABLET, LUNAR"  # type: ignore[union-attr]  # known to exist in this fixture


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"STARTMARKETINGDATE": "2019-04-01"}, "STARTMARKETINGDATE '2019-04-01' is not a date in YYYYMMDD form"),
        ({"LISTING_RECORD_CERTIFIED_THROUGH": "20191331"}, "LISTING_RECORD_CERTIFIED_THROUGH '20191331' is not a date"),
        ({"PRODUCTNDC": "12-34"}, "PRODUCTNDC '12-34' is not an NDC product code"),
        ({"LABELERNAME": " "}, "LABELERNAME is empty"),
        ({"DOSAGEFORMNAME": ""}, "DOSAGEFORMNAME is empty"),
        ({"NDC_EXCLUDE_FLAG": "maybe"}, "NDC_EXCLUDE_FLAG 'MAYBE' is not a one-letter flag"),
    ],
)
def test_a_bad_row_fails_the_whole_import_naming_its_line(
    decrs: None, tmp_path: Path, changes: dict[str, str], reason: str
) -> None:
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        run_import(write_variant(tmp_path, {41: changes}))
    assert f"line 43: {reason}" in caught.value.message and "nothing was imported" in caught.value.message
    assert snapshot() == before
    assert ImportRun.objects.get(source="ndc").status == ImportRun.Status.FAILED


def test_a_duplicate_product_id_is_rejected_with_the_line_of_the_first(decrs: None, tmp_path: Path) -> None:
    first = raw_rows()[2]["PRODUCTID"]
    with pytest.raises(ImportFailed, match=f"line 13: PRODUCTID {first} is already on line 4"):
        run_import(write_variant(tmp_path, {11: {"PRODUCTID": first}}))


def test_skip_bad_imports_the_rest_and_writes_the_rejected_rows(decrs: None, tmp_path: Path) -> None:
    rows = raw_rows()
    path = write_variant(tmp_path, {41: {"STARTMARKETINGDATE": "2019-04-01"}, 200: {"PRODUCTNDC": "12-34"}})
    out = tmp_path / "rejected.csv"
    result = run_import(path, skip_bad=True, rejected_path=out)
    assert (result.rows, result.created, result.rejected) == (300, 298, 2)
    assert not Evidence.objects.filter(source_ref__in=[rows[41]["PRODUCTID"], rows[200]["PRODUCTID"]]).exists()
    with out.open(encoding="utf-8", newline="") as f:
        rejected = list(csv.DictReader(f))
    assert [(r["line"], r["PRODUCTID"]) for r in rejected] == [
        ("43", rows[41]["PRODUCTID"]),
        ("202", rows[200]["PRODUCTID"]),
    ]
    assert rejected[0]["reason"] == "STARTMARKETINGDATE '2019-04-01' is not a date in YYYYMMDD form"
    assert rejected[1]["LABELERNAME"] == rows[200]["LABELERNAME"]


def test_a_file_without_the_ndc_columns_fails_naming_them(db: None, tmp_path: Path) -> None:
    path = tmp_path / "package.txt"
    path.write_text("PRODUCTID\tPRODUCTNDC\tNDCPACKAGECODE\r\n0002-0800_x\t0002-0800\t0002-0800-01\r\n", "latin-1")
    with pytest.raises(ImportFailed, match=r"line 1: the file lacks the column\(s\) PRODUCTTYPENAME, PROPRIETARYNAME"):
        run_import(path)


def test_the_command_prints_the_link_rate(decrs: None) -> None:
    out = StringIO()
    call_command("import", "ndc", str(PRODUCTS), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "ndc import of ndc_products.txt: 300 rows"
    assert lines[1].startswith("Labelers: 178 names. Linked to FDA-registered organisations by exact name 42 (23.6%)")
    assert lines[-1] == "created 300 / updated 0 / unchanged 0 / rejected 0"
