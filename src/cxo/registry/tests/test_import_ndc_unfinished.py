"""The NDC unfinished-drugs importer, checked against values computed from the raw fixture with the csv module.

The fixture (``fixtures/ndc_unfinished.txt``) is 118 real rows of FDA's 2018 ``unfinished_product.txt``;
the registry is first given the DECRS excerpt ``decrs_sample.csv``, whose organisations many of
its labelers link to.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from cxo.core.models import Organisation
from cxo.registry.importers import ImportFailed, registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.importers.ndc_unfinished import BULK_FORMS, NdcUnfinishedImporter
from cxo.registry.models import Capability, Evidence, EvidenceKind, ImportRun, Site

FIXTURES = Path(__file__).parent / "fixtures"
LISTINGS = FIXTURES / "ndc_unfinished.txt"


@pytest.fixture
def decrs(taxonomy: None) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=FIXTURES / "decrs_sample.csv")


def raw_rows(path: Path = LISTINGS) -> list[dict[str, str]]:
    with path.open(encoding="latin-1", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def substances(row: dict[str, str]) -> set[str]:
    return {s.strip().upper() for s in row["SUBSTANCENAME"].split(";") if s.strip()}


def is_bulk(row: dict[str, str]) -> bool:
    return (
        row["MARKETINGCATEGORYNAME"].startswith("BULK INGREDIENT")
        or row["PRODUCTTYPENAME"] == "LICENSED VACCINE BULK INTERMEDIATE"
        or row["DOSAGEFORMNAME"].upper() in BULK_FORMS
    )


def run_import(path: Path = LISTINGS, **kwargs: Any) -> Any:
    return registry_import(actor=None, importer=NdcUnfinishedImporter(), path=path, **kwargs)


def test_bulk_ingredients_become_api_manufacture_and_the_rest_drug_product_manufacture(decrs: None) -> None:
    rows = raw_rows()
    result = run_import()
    assert (result.rows, result.created, result.rejected) == (len(rows), len(rows), 0) == (118, 118, 0)
    evidence = Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED)
    assert evidence.count() == sum(max(1, len(substances(r))) for r in rows)
    bulk = [r for r in rows if is_bulk(r)]
    api = evidence.filter(capability__service__code="svc.mfg.api")
    assert api.count() == sum(max(1, len(substances(r))) for r in bulk) > 0
    drug_products = evidence.filter(capability__service__code="svc.mfg.drug_product")
    assert drug_products.count() == sum(max(1, len(substances(r))) for r in rows if not is_bulk(r)) > 0
    assert not api.exclude(capability__dosage_form=None).exists()  # a drug substance is not a dosage form
    tablets = {r["PRODUCTID"] for r in rows if not is_bulk(r) and r["DOSAGEFORMNAME"] == "TABLET"}
    assert set(drug_products.filter(capability__dosage_form__name="TABLET").values_list("source_ref", flat=True)) == (
        tablets
    )
    assert (result.notes["listings"]["api"], result.notes["listings"]["drug_product"]) == (
        len(bulk),
        len(rows) - len(bulk),
    )


def test_each_substance_is_kept_as_listed_with_the_row_in_the_evidence(decrs: None) -> None:
    run_import()
    row = next(r for r in raw_rows() if "ATORVASTATIN CALCIUM ANHYDROUS" in substances(r) and is_bulk(r))
    found = Evidence.objects.select_related("capability").get(
        kind=EvidenceKind.NDC_UNFINISHED, source_ref=row["PRODUCTID"]
    )
    assert found.capability.substance == "ATORVASTATIN CALCIUM ANHYDROUS"
    certified = row["LISTING_RECORD_CERTIFIED_THROUGH"]
    assert found.observed_on == dt.date(int(certified[:4]), 1, 1)
    assert found.detail["substance"] == row["SUBSTANCENAME"] and found.detail["labeler"] == row["LABELERNAME"]
    assert (found.detail["ndc"], found.detail["dosage_form"]) == (row["PRODUCTNDC"], row["DOSAGEFORMNAME"])
    several = next(r for r in raw_rows() if len(substances(r)) > 1)
    on_record = Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED, source_ref=several["PRODUCTID"])
    assert set(on_record.values_list("capability__substance", flat=True)) == substances(several)
    vaccine = next(r for r in raw_rows() if r["PRODUCTTYPENAME"] == "LICENSED VACCINE BULK INTERMEDIATE")
    caps = Capability.objects.filter(
        evidence__kind=EvidenceKind.NDC_UNFINISHED, evidence__source_ref=vaccine["PRODUCTID"]
    )
    assert set(caps.values_list("service__code", "modality__code")) == {("svc.mfg.api", "mod.vaccine")}
    assert caps.count() == len(substances(vaccine)) == 23  # one per antigen (Pneumovax 23)


def test_labelers_link_by_name_and_a_labeler_of_one_site_gets_the_capability_at_that_site(decrs: None) -> None:
    result = run_import()
    contract = Organisation.objects.get(name="Contract Pharmacal Corp.")  # seven DECRS sites: organisation-wide
    assert contract.sites.count() > 1
    caps = Capability.objects.filter(organisation=contract, evidence__kind=EvidenceKind.NDC_UNFINISHED).distinct()
    assert caps.exists() and set(caps.values_list("site", flat=True)) == {None}
    single = [
        o for o in Organisation.objects.filter(registrant_duns__isnull=False) if o.sites.count() == 1
    ]  # registrants with one DECRS site whose labeler name is in the file
    placed = Capability.objects.filter(organisation__in=single, evidence__kind=EvidenceKind.NDC_UNFINISHED).values_list(
        "organisation_id", "site_id"
    )
    assert placed and all(site_id == Site.objects.get(organisation_id=org).pk for org, site_id in placed)
    assert result.notes["listings"]["at_a_site"] == len(
        set(
            Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED, capability__site__isnull=False).values_list(
                "source_ref", flat=True
            )
        )
    )
    links = result.notes["labelers"]
    assert links["exact"] + links["fuzzy"] + links["unmatched"] == links["names"]
    assert links["organisations_created"] == Organisation.objects.filter(registrant_duns=None).count() > 0


def test_a_second_import_of_the_same_file_changes_nothing(decrs: None) -> None:
    run_import()
    before = (Capability.objects.count(), list(Evidence.objects.order_by("pk").values("pk", "observed_on", "detail")))
    again = run_import()
    assert (again.created, again.updated, again.unchanged) == (0, 0, again.rows)
    after = (Capability.objects.count(), list(Evidence.objects.order_by("pk").values("pk", "observed_on", "detail")))
    assert before == after


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="latin-1", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_bad_row_fails_the_whole_import_and_skip_bad_writes_it_out(decrs: None, tmp_path: Path) -> None:
    rows = raw_rows()
    rows[3]["STARTMARKETINGDATE"] = "2014-99-01"
    rows[7]["PRODUCTNDC"] = "not an ndc"
    bad = _write(tmp_path / "bad.txt", rows)
    with pytest.raises(ImportFailed) as failed:
        run_import(bad)
    assert "line 5: STARTMARKETINGDATE '2014-99-01' is not a date in YYYYMMDD form" in failed.value.message
    assert "line 9: PRODUCTNDC 'not an ndc' is not an NDC product code" in failed.value.message
    assert not Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED).exists()
    assert ImportRun.objects.get(source="ndc-unfinished").status == ImportRun.Status.FAILED
    rejected = tmp_path / "rejected.csv"
    kept = run_import(bad, skip_bad=True, rejected_path=rejected)
    assert (kept.rows, kept.created, kept.rejected) == (118, 116, 2)
    with rejected.open(encoding="utf-8") as f:
        assert [(r["line"], r["PRODUCTID"]) for r in csv.DictReader(f)] == [
            ("5", rows[3]["PRODUCTID"]),
            ("9", rows[7]["PRODUCTID"]),
        ]


def test_a_file_without_the_columns_fails_naming_them(db: None, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"finished products .* import it with `cxo import ndc`"):
        run_import(FIXTURES / "ndc_products.txt")  # it has every column this importer reads, and more
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("PRODUCTID\tLABELERNAME\r\nx\ty\r\n", encoding="latin-1")
    with pytest.raises(ImportFailed, match=r"lacks the column\(s\) PRODUCTNDC, PRODUCTTYPENAME"):
        run_import(wrong)


def test_the_command_prints_what_it_made(decrs: None) -> None:
    out = StringIO()
    call_command("import", "ndc-unfinished", str(LISTINGS), stdout=out)
    text = out.getvalue()
    counts = Counter(is_bulk(r) for r in raw_rows())
    assert f"Listings: {counts[True]:,} bulk ingredients (drug substance manufacture)" in text
    assert "created 118 / updated 0 / unchanged 0 / rejected 0" in text
