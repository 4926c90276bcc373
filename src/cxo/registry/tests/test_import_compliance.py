"""The six FDA compliance importers, on real excerpts (``fixtures/fda_*.csv``) joined to the DECRS excerpt by FEI.

Each file is read as CSV, and the Data Dashboard's own export style — its column names, spelled-out
classifications, US dates, XLSX workbooks — is written here from the same rows and must give the
same events.
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
from openpyxl import Workbook

from cxo.core.models import Organisation
from cxo.registry.importers import ImportFailed, importer_for, registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import ComplianceEvent, ImportRun, Site, SiteFacets, fei_key

FIXTURES = Path(__file__).parent / "fixtures"
FILES = {
    "fda-inspections": FIXTURES / "fda_inspections.csv",
    "fda-citations": FIXTURES / "fda_citations.csv",
    "fda-actions": FIXTURES / "fda_actions.csv",
    "fda-483s": FIXTURES / "fda_483s.csv",
    "fda-recalls": FIXTURES / "fda_recalls.csv",
    "fda-warning-letters": FIXTURES / "fda_warning_letters.csv",
}
DASHBOARD_INSPECTION_COLUMNS = {
    "fei_number": "FEI Number",
    "firm_name": "Legal Name",
    "inspection_end_date": "Inspection End Date",
    "classification": "Classification",
    "project_area": "Project Area",
    "city": "City",
    "state": "State",
    "inspection_id": "Inspection ID",
}
SPELLED_OUT = {
    "NAI": "No Action Indicated (NAI)",
    "VAI": "Voluntary Action Indicated (VAI)",
    "OAI": "Official Action Indicated (OAI)",
}


@pytest.fixture
def decrs(taxonomy: None) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=FIXTURES / "decrs_sample.csv")


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def run(source: str, path: Path | None = None, **kwargs: Any) -> Any:
    return registry_import(actor=None, importer=importer_for(source), path=path or FILES[source], **kwargs)


def events(source: str) -> dict[str, tuple[Any, ...]]:
    fields = ("kind", "occurred_on", "classification", "status", "title", "text", "fei", "firm_name", "url")
    return {
        ref: tuple(values)
        for ref, *values in ComplianceEvent.objects.filter(source=source).values_list("source_ref", *fields)
    }


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]], *, title_rows: int = 0) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for _ in range(title_rows):  # a report title above the header, as exports often have
        sheet.append(["FDA Data Dashboard export"])
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(path)
    return path


def registry_feis() -> Counter[str]:
    return Counter(k for k in Site.objects.values_list("fei_key", flat=True) if k)


# --- every file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [s for s in FILES if s != "fda-warning-letters"])
def test_each_row_is_an_event_joined_to_sites_by_fei(decrs: None, source: str) -> None:
    rows = rows_of(FILES[source])
    result = run(source)
    assert (result.rows, result.created, result.rejected) == (len(rows), len(rows), 0)
    assert ComplianceEvent.objects.filter(source=source).count() == len(rows)
    column = "fei_number" if "fei_number" in rows[0] else "FEI Number"
    in_file = Counter(fei_key(r[column]) for r in rows if r[column].isdigit() and len(r[column]) <= 10)
    registry = registry_feis()
    joined = {k for k in in_file if k and k in registry}
    fei = result.notes["fei"]
    assert (fei["distinct"], fei["joined"], fei["sites"]) == (
        len([k for k in in_file if k]),
        len(joined),
        sum(registry[k] for k in joined),
    )
    assert fei["joined"] > 0
    again = run(source)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))


def test_inspections_keep_the_outcome_area_and_date(decrs: None) -> None:
    run("fda-inspections")
    row = next(r for r in rows_of(FILES["fda-inspections"]) if r["fei_number"] == "3017888878")
    event = ComplianceEvent.objects.get(source_ref=f"{row['inspection_id']}/{row['project_area']}")
    assert (event.kind, event.classification, str(event.occurred_on), event.fei) == (
        "inspection",
        row["classification"],
        row["inspection_end_date"],
        "3017888878",
    )
    assert (event.title, event.firm_name, event.detail["city"]) == (row["project_area"], row["firm_name"], row["city"])


def test_the_dashboards_own_export_gives_the_same_inspections_as_csv_or_xlsx(decrs: None, tmp_path: Path) -> None:
    run("fda-inspections")
    ours = events("fda-inspections")
    exported: list[dict[str, Any]] = []
    for row in rows_of(FILES["fda-inspections"]):
        out = {DASHBOARD_INSPECTION_COLUMNS[k]: v for k, v in row.items()}
        out["Classification"] = SPELLED_OUT[row["classification"]]
        out["Country/Area"] = "United States"
        exported.append(out)
    ComplianceEvent.objects.all().delete()
    us_dates = [
        {**r, "Inspection End Date": dt.date.fromisoformat(r["Inspection End Date"]).strftime("%m/%d/%Y")}
        for r in exported
    ]
    assert run("fda-inspections", write_csv(tmp_path / "Inspections.csv", us_dates)).created == len(ours)
    assert events("fda-inspections") == ours
    ComplianceEvent.objects.all().delete()
    as_dates = [{**r, "Inspection End Date": dt.date.fromisoformat(r["Inspection End Date"])} for r in exported]
    workbook = write_xlsx(tmp_path / "Inspections.xlsx", as_dates, title_rows=2)
    result = run("fda-inspections", workbook)
    assert (result.created, result.rejected) == (len(ours), 0)
    assert events("fda-inspections") == ours


def test_citations_in_the_dashboards_style_are_keyed_by_what_was_cited(decrs: None, tmp_path: Path) -> None:
    rows = rows_of(FILES["fda-citations"])
    exported = [
        {
            "Inspection ID": r["inspection_id"],
            "FEI Number": r["fei_number"],
            "Legal Name": r["firm_name"],
            "Inspection End Date": r["inspection_date"],
            "Program Area": r["program_area"],
            "Act/CFR Number": f"21 CFR 211.{i}",
            "Short Description": r["cfr_citation"],
            "Long Description": r["citation_description"],
        }
        for i, r in enumerate(rows)
    ]
    result = run("fda-citations", write_xlsx(tmp_path / "Citations.xlsx", exported))
    assert (result.created, result.rejected) == (len(rows), 0)
    first = ComplianceEvent.objects.filter(source="fda-citations").order_by("pk").first()
    assert first is not None and first.title == f"21 CFR 211.0: {rows[0]['cfr_citation']}"
    assert first.source_ref.startswith(f"{rows[0]['inspection_id']}/21 CFR 211.0/")
    assert first.text == rows[0]["citation_description"] and first.detail["cfr"] == "21 CFR 211.0"


def test_actions_name_warning_letters_and_accept_underscored_columns(decrs: None, tmp_path: Path) -> None:
    rows = rows_of(FILES["fda-actions"])
    underscored = [{k.lower().replace(" ", "_").replace("/", "_"): v for k, v in r.items()} for r in rows]
    assert "case_injunction_id" in underscored[0]
    result = run("fda-actions", write_csv(tmp_path / "actions.csv", underscored))
    assert (result.created, result.rejected) == (len(rows), 0)
    assert set(ComplianceEvent.objects.values_list("kind", flat=True)) == {"warning_letter"}
    letter = ComplianceEvent.objects.get(fei="3017888878")
    assert (letter.occurred_on, letter.classification) == (dt.date(2022, 5, 4), "Warning Letter")


def test_form_483s_keep_the_pdf_link_an_undated_one_and_a_mistyped_fei(decrs: None) -> None:
    result = run("fda-483s")
    row = rows_of(FILES["fda-483s"])[0]
    event = ComplianceEvent.objects.get(source_ref=row["Record ID"])
    assert (event.kind, event.url, str(event.occurred_on)) == ("form_483", row["Download"], row["Record Date"])
    undated = ComplianceEvent.objects.get(firm_name="ADMA Biologics Inc.")
    assert undated.occurred_on is None and undated.detail["published"] == "2024-01-17"
    typo = ComplianceEvent.objects.get(firm_name="Qualgen LLC")
    assert (typo.fei, typo.detail["fei_as_written"]) == ("", "30112866349")
    assert result.notes["fei"]["not_an_fei"] == 1


def test_recalls_keep_class_status_reason_and_link(decrs: None) -> None:
    run("fda-recalls")
    row = next(r for r in rows_of(FILES["fda-recalls"]) if r["Product Classification"] == "Class I")
    event = ComplianceEvent.objects.get(source_ref=row["Product ID"])
    assert (event.classification, event.status, event.url) == ("Class I", row["Status"], row["Recall Details"])
    assert event.title == " ".join(row["Reason for Recall"].split())[:500]
    assert event.detail["event_id"] == row["Event ID"]


def test_the_warning_letter_listing_links_companies_by_name_and_lists_the_rest(decrs: None, tmp_path: Path) -> None:
    rows = rows_of(FILES["fda-warning-letters"])
    result = run("fda-warning-letters", write_xlsx(tmp_path / "warning-letters.xlsx", rows))
    distinct = {tuple(r.values()) for r in rows}
    assert (result.rows, result.created, result.rejected) == (len(rows), len(distinct), 0) == (21, 20, 0)
    assert result.notes["duplicates"] == [{"line": 4, "same_as_line": 3}]  # the listing's own repeat
    linked = dict(
        ComplianceEvent.objects.exclude(organisation=None).values_list("firm_name", "organisation__name").distinct()
    )
    assert linked == {
        "Specialty Process Labs LLC": "Specialty Process Labs",
        "LNK International, Inc.": "LNK International, Inc.",
        "Nutra Blend, LLC subsidiary of Land O\u2019Lakes": "Nutra Blend, LLC",
    }
    companies = result.notes["companies"]
    unlinked = {u["company"] for u in companies["unlinked"]}
    assert unlinked == {r["Company Name"] for r in rows} - set(linked)
    assert "the rest listed in the notes" in " ".join(result.details)
    letter = ComplianceEvent.objects.get(firm_name="Specialty Process Labs LLC")
    assert (letter.fei, letter.occurred_on, letter.title) == (
        "",
        dt.date(2022, 5, 3),
        "CGMP/Active Pharmaceutical Ingredient (API)/Adulterated",
    )


def test_the_directory_index_follows_a_compliance_import(decrs: None) -> None:
    site = Site.objects.filter(fei_key="3017888878").get()
    assert SiteFacets.objects.get(site=site).inspections == ""
    run("fda-inspections")
    run("fda-actions")
    run("fda-recalls")
    facets = SiteFacets.objects.get(site=site)
    assert (facets.inspections, facets.warning_letter_on) == ("|OAI|", dt.date(2022, 5, 4))
    assert facets.recall_class1_on is not None
    lnk = Site.objects.filter(fei_key="2432212")
    assert lnk.count() == 9 and set(SiteFacets.objects.filter(site__in=lnk).values_list("inspections", flat=True)) == {
        "|VAI|"  # nine LNK sites share one FEI; its latest inspection (2025-10-28) was VAI
    }


# --- bad input ----------------------------------------------------------------------------------


def test_a_bad_row_fails_the_import_naming_its_line_and_skip_bad_keeps_the_rest(decrs: None, tmp_path: Path) -> None:
    rows = rows_of(FILES["fda-inspections"])
    rows[4]["classification"] = "Excellent"
    rows[9]["inspection_end_date"] = "sometime"
    tenth = rows[9]["classification"]
    bad = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ImportFailed) as failed:
        run("fda-inspections", bad)
    assert "line 6: Classification 'Excellent' is not NAI, VAI or OAI" in failed.value.message
    assert "line 11: Inspection End Date 'sometime' is not a date" in failed.value.message
    assert not ComplianceEvent.objects.exists()
    assert ImportRun.objects.get(source="fda-inspections").status == ImportRun.Status.FAILED
    rejected = tmp_path / "rejected.csv"
    kept = run("fda-inspections", bad, skip_bad=True, rejected_path=rejected)
    assert (kept.created, kept.rejected) == (len(rows) - 2, 2)
    with rejected.open(encoding="utf-8") as f:
        assert [(r["line"], r["Classification"]) for r in csv.DictReader(f)] == [("6", "Excellent"), ("11", tenth)]


def test_a_file_without_the_columns_fails_naming_what_it_accepts(db: None, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as failed:
        run("fda-inspections", FILES["fda-recalls"])
    assert "No header row with the columns of an FDA Data Dashboard inspections file" in failed.value.message
    assert "'Inspection End Date' or 'inspection_end_date'" in failed.value.message
    assert "'Inspection ID'" in failed.value.message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportFailed, match="not a readable XLSX workbook"):
        run("fda-recalls", broken)


def test_a_changed_row_is_updated_and_nothing_is_deleted(decrs: None, tmp_path: Path) -> None:
    rows = rows_of(FILES["fda-recalls"])
    run("fda-recalls")
    rows[0]["Status"] = "Terminated"
    later = run("fda-recalls", write_csv(tmp_path / "later.csv", rows[:10]))
    assert (later.created, later.updated, later.unchanged) == (0, 1, 9)
    assert ComplianceEvent.objects.get(source_ref=rows[0]["Product ID"]).status == "Terminated"
    assert ComplianceEvent.objects.filter(source="fda-recalls").count() == len(rows_of(FILES["fda-recalls"]))


def test_the_command_takes_one_subcommand_per_file_type(decrs: None) -> None:
    out = StringIO()
    call_command("import", "fda-inspections", str(FILES["fda-inspections"]), stdout=out)
    text = out.getvalue()
    assert "fda-inspections import of fda_inspections.csv: 230 rows" in text
    assert "join" in text and "registry sites" in text
    assert "Organisation kinds recomputed" not in text  # compliance records do not change kinds
    assert Organisation.objects.filter(kind_reason="").count() == 0  # every one's roles were derived
