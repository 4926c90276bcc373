"""The ClinicalTrials.gov importer on 50 real trials in each column style, checked against the raw CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cxo.core.models import Organisation
from cxo.registry.importers import ImportFailed, registry_import
from cxo.registry.importers.ctgov import CtgovImporter, trial_date
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.kind import roles_of
from cxo.registry.models import Capability, Evidence, EvidenceKind, ImportRun

FIXTURES = Path(__file__).parent / "fixtures"
SPACED = FIXTURES / "ctgov_hypertension.csv"  # "NCT Number", "Funder Type", … ISO dates
UNDERSCORED = FIXTURES / "ctgov_diabetes.csv"  # "NCT_Number", "Funder_Type", … dd-mm-yyyy dates
PHASE_TERMS = {
    "EARLY_PHASE1": ("svc.clinical.phase1", "scale.clinical.phase1"),
    "PHASE1": ("svc.clinical.phase1", "scale.clinical.phase1"),
    "PHASE2": ("svc.clinical.phase2", "scale.clinical.phase2"),
    "PHASE3": ("svc.clinical.phase3", "scale.clinical.phase3"),
    "PHASE4": ("svc.clinical.phase4", "scale.clinical.phase4"),
    "NA": ("svc.clinical", None),
    "": ("svc.clinical", None),
}


def raw_trials(path: Path) -> list[dict[str, str]]:
    """The rows with the underscore style's column names spelled the site's way."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.replace("_", " "): v for k, v in row.items()} for row in csv.DictReader(f)]


def organisations(row: dict[str, str]) -> dict[str, str]:
    """name -> role, as the trial names them (collaborators without a letter are not names)."""
    named = {row["Sponsor"]: "lead_sponsor"}
    for name in row["Collaborators"].split("|"):
        if any(c.isalpha() for c in name):
            named.setdefault(name.strip(), "collaborator")
    return named


def run_import(path: Path, **kwargs: Any) -> Any:
    return registry_import(actor=None, importer=CtgovImporter(), path=path, **kwargs)


@pytest.fixture
def registry(taxonomy: None) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=FIXTURES / "decrs_spl_sites.csv")


def test_both_column_styles_import_every_trial_for_each_organisation_and_phase(registry: None) -> None:
    trials = raw_trials(SPACED) + raw_trials(UNDERSCORED)
    for path in (SPACED, UNDERSCORED):
        result = run_import(path)
        assert (result.rows, result.created, result.rejected) == (50, 50, 0)
    expected = {
        (row["NCT Number"], name, role, *PHASE_TERMS[phase])
        for row in trials
        for name, role in organisations(row).items()
        for phase in (row["Phases"].split("|") if row["Phases"] else [""])
    }
    evidence = Evidence.objects.filter(kind=EvidenceKind.CLINICAL_TRIAL)
    found = set(
        evidence.values_list(
            "source_ref", "detail__name", "detail__role", "capability__service__code", "capability__scale__code"
        )
    )
    assert found == expected
    assert evidence.count() == len(expected)
    assert not evidence.filter(capability__site__isnull=False).exists()  # organisation-level


def test_a_sponsors_evidence_is_its_trials_with_their_roles(registry: None) -> None:
    trials = raw_trials(SPACED) + raw_trials(UNDERSCORED)
    run_import(SPACED)
    run_import(UNDERSCORED)
    astrazeneca = Organisation.objects.get(name="AstraZeneca")
    refs = {
        (ref, role)
        for ref, role in Evidence.objects.filter(capability__organisation=astrazeneca).values_list(
            "source_ref", "detail__role"
        )
    }
    assert refs == {
        (row["NCT Number"], organisations(row)["AstraZeneca"]) for row in trials if "AstraZeneca" in organisations(row)
    }
    assert ("NCT02946632", "collaborator") in refs  # Korea University Anam Hospital's trial
    led = {row["NCT Number"] for row in trials if row["Sponsor"] == "AstraZeneca"}
    assert (astrazeneca.type, astrazeneca.kind) == ("sponsor", "|sponsor|")  # created: an industry lead sponsor
    assert astrazeneca.kind_reason.startswith(f"Sponsor / innovator: lead sponsor of {len(led)} clinical trial(s). ")
    assert astrazeneca.kind_reason.endswith("None on record: research, development or clinical services as a "
                                            "provider; manufacturing; products in the NDC directory.")  # fmt: skip


def test_sponsors_link_to_registry_organisations_and_collaborators_prove_no_kind(registry: None) -> None:
    pfizer = Organisation.objects.get(registrant_duns="113480771")
    kind_before = pfizer.kind
    result = run_import(UNDERSCORED)
    trials = {row["NCT Number"] for row in raw_trials(UNDERSCORED) if row["Sponsor"] == "Pfizer"}
    trial_evidence = Evidence.objects.filter(capability__organisation=pfizer, kind=EvidenceKind.CLINICAL_TRIAL)
    assert set(trial_evidence.values_list("source_ref", flat=True)) == trials
    pfizer.refresh_from_db()
    # A manufacturer that also sponsors trials keeps its roles and gains the sponsor's.
    assert roles_of(pfizer.kind) == ["sponsor", *roles_of(kind_before)]
    assert f"lead sponsor of {len(trials)} clinical trial(s)" in pfizer.kind_reason
    assert result.notes["organisations"]["exact"] >= 1

    integrium = Organisation.objects.get(name="Integrium")  # a CRO, but here only a collaborator
    assert (integrium.type, integrium.kind) == ("provider", "")
    assert integrium.kind_reason.startswith("No role yet. Collaborator on 1 clinical trial(s)")
    evidence = Evidence.objects.get(capability__organisation=integrium)
    assert evidence.detail["lead_sponsor"] == "Oramed, Ltd." and "funder_type" not in evidence.detail


def test_dates_in_either_style(registry: None) -> None:
    run_import(SPACED)
    run_import(UNDERSCORED)
    observed = dict(
        Evidence.objects.filter(detail__role="lead_sponsor").values_list("source_ref", "observed_on").distinct()
    )
    assert observed["NCT06851858"] == dt.date(2025, 3, 12)  # Start_Date 12-03-2025
    assert observed["NCT00930722"] == dt.date(2009, 6, 1)  # Start Date 2009-06
    assert observed["NCT05808725"] == dt.date(2022, 12, 29)  # Start Date 2022-12-29
    for row in raw_trials(SPACED) + raw_trials(UNDERSCORED):
        start, posted = row["Start Date"], row["First Posted"]
        want = trial_date(start) if start else trial_date(posted) if posted else None
        assert observed[row["NCT Number"]] == want
    assert trial_date("28-02-2025") == dt.date(2025, 2, 28)
    with pytest.raises(ValueError):
        trial_date("2025/02/28")


def test_the_detail_keeps_what_the_trial_says(registry: None) -> None:
    run_import(UNDERSCORED)
    [row] = [r for r in raw_trials(UNDERSCORED) if r["NCT Number"] == "NCT02496000"]
    lead = Evidence.objects.filter(source_ref="NCT02496000", detail__role="lead_sponsor").first()
    assert lead is not None
    assert lead.detail == {
        "title": row["Study Title"],
        "role": "lead_sponsor",
        "name": "Oramed, Ltd.",
        "status": row["Study Status"],
        "study_type": row["Study Type"],
        "phases": ["PHASE2"],
        "conditions": row["Conditions"].split("|"),
        "interventions": row["Interventions"].split("|"),
        "funder_type": "INDUSTRY",
        "url": "https://clinicaltrials.gov/study/NCT02496000",
    }


def test_a_collaborator_entry_without_a_letter_is_skipped_and_reported(registry: None) -> None:
    result = run_import(UNDERSCORED)
    assert result.notes["collaborators_skipped"] == [{"nct": "NCT02935712", "collaborator": "14050"}]
    assert "Skipped the collaborator '14050' of NCT02935712: not an organisation name." in result.summary_lines()
    assert not Organisation.objects.filter(name="14050").exists()


def test_a_second_import_changes_nothing(registry: None) -> None:
    run_import(SPACED)
    run_import(UNDERSCORED)
    before = (
        list(Organisation.objects.order_by("pk").values()),
        list(Capability.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values()),
    )
    for path in (SPACED, UNDERSCORED):
        again = run_import(path)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 50)
        assert again.notes["organisations"]["new"] == 0 and again.notes["kinds_changed"] == 0
    after = (
        list(Organisation.objects.order_by("pk").values()),
        list(Capability.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values()),
    )
    assert after == before


def _rewrite(
    path: Path, target: Path, *, drop: tuple[str, ...] = (), edits: dict[int, dict[str, str]] | None = None
) -> Path:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = [c for c in reader.fieldnames or [] if c not in drop]
    for index, changes in (edits or {}).items():
        rows[index].update(changes)
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_a_file_without_the_needed_columns_fails_naming_them(db: None, tmp_path: Path) -> None:
    path = _rewrite(UNDERSCORED, tmp_path / "export.csv", drop=("Phases", "Funder_Type"))
    with pytest.raises(CommandError) as caught:
        call_command("import", "ctgov", str(path))
    run = ImportRun.objects.get()
    assert str(caught.value) == (
        f"Import failed (import run {run.pk}): line 1: the file lacks the column(s) Phases, Funder Type "
        "(a ClinicalTrials.gov CSV export has NCT Number, Study Title, Study Status, Conditions, Interventions, "
        "Sponsor, Collaborators, Phases, Funder Type, Study Type, Start Date, First Posted; the same names with "
        "underscores, e.g. NCT_Number, are accepted too)."
    )
    assert not Organisation.objects.exists()


def test_a_bad_row_fails_the_import_and_skip_bad_writes_it_out(registry: None, tmp_path: Path) -> None:
    trials = raw_trials(SPACED)
    path = _rewrite(SPACED, tmp_path / "bad.csv", edits={3: {"Phases": "PHASE5"}, 7: {"Start Date": "2019/01/02"}})
    # The rewritten file keeps the one-line records of the export's multi-line fields, so lines are counted here.
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        starts = []
        line = 1
        for _ in reader:
            starts.append(line + 1)
            line = reader.line_num
    with pytest.raises(ImportFailed) as caught:
        run_import(path)
    assert f"line {starts[3]}: Phases 'PHASE5' unknown (known: EARLY_PHASE1, PHASE1" in caught.value.message
    assert f"line {starts[7]}: Start Date '2019/01/02' is not a date" in caught.value.message
    assert not Evidence.objects.filter(kind=EvidenceKind.CLINICAL_TRIAL).exists()

    out = tmp_path / "rejected.csv"
    result = run_import(path, skip_bad=True, rejected_path=out)
    assert (result.created, result.rejected) == (48, 2)
    with out.open(encoding="utf-8", newline="") as f:
        rejected = list(csv.DictReader(f))
    assert [(r["line"], r["NCT Number"]) for r in rejected] == [
        (str(starts[3]), trials[3]["NCT Number"]),
        (str(starts[7]), trials[7]["NCT Number"]),
    ]
