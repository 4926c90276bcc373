"""``cxo import`` and ``cxo taxonomy``: listed in ``cxo --help``, print the summary, fail with the line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cxo.cli import main
from cxo.core.models import User
from cxo.registry.models import ImportRun, Site, Term
from cxo.registry.tests.test_importers_decrs import SAMPLE, raw_rows, write_variant


def test_cxo_help_lists_import_and_taxonomy(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    main(["cxo", "--help"])
    out = capsys.readouterr().out
    assert "  import             Import a public data file into the registry" in out
    assert "  taxonomy           Load or update the registry taxonomy" in out


def test_taxonomy_command_is_idempotent(db: None) -> None:
    out = StringIO()
    call_command("taxonomy", stdout=out)
    call_command("taxonomy", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1] == f"Taxonomy: 0 terms created, 0 updated, {Term.objects.count()} unchanged."


def test_import_prints_the_summary_with_the_counts_last(db: None) -> None:
    out = StringIO()
    call_command("import", "decrs", str(SAMPLE), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "decrs import of decrs_sample.csv: 200 rows"
    assert any(line.startswith("FEI: ") for line in lines)
    assert lines[-1] == "created 200 / updated 0 / unchanged 0 / rejected 0"
    assert ImportRun.objects.get().actor_label == "cli"


def test_import_records_the_user_given(db: None) -> None:
    User.objects.create_user(username="curator", password="x")
    call_command("import", "decrs", str(SAMPLE), "--user", "curator", stdout=StringIO())
    assert ImportRun.objects.get().actor.username == "curator"  # type: ignore[union-attr]  # known to exist in this fixture
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("import", "decrs", str(SAMPLE), "--user", "nobody", stdout=StringIO())


def test_a_bad_file_fails_with_the_line_and_writes_nothing(db: None, tmp_path: Path) -> None:
    path = write_variant(tmp_path, {9: {"EXPIRATION_DATE": "31/12/2025"}})
    with pytest.raises(CommandError) as caught:
        call_command("import", "decrs", str(path), stdout=StringIO())
    run = ImportRun.objects.get()
    assert str(caught.value) == (
        f"Import failed (import run {run.pk}): 1 bad row(s); nothing was imported.\n"
        "line 11: EXPIRATION_DATE '31/12/2025' is not a date in MM/DD/YYYY form"
    )
    assert not Site.objects.exists()


def test_skip_bad_with_a_rejected_file(db: None, tmp_path: Path) -> None:
    path = write_variant(tmp_path, {9: {"DUNS_NUMBER": "1"}})
    rejected = tmp_path / "bad-rows.csv"
    out = StringIO()
    call_command("import", "decrs", str(path), "--skip-bad", "--rejected-file", str(rejected), stdout=out)
    lines = out.getvalue().splitlines()
    assert f"Rejected rows written to {rejected}" in lines
    assert lines[-1] == "created 199 / updated 0 / unchanged 0 / rejected 1"
    assert rejected.read_text(encoding="utf-8").splitlines()[1].startswith("11,DUNS_NUMBER '1' is not a 9-digit")
    assert Site.objects.count() == len(raw_rows(SAMPLE)) - 1


def test_an_unknown_source_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'ema'"):
        call_command("import", "ema", str(SAMPLE))
