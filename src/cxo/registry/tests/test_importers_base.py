"""The import framework, with a small importer of its own: atomic, skip-bad, counted, recorded, audited."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from cxo.core.models import AuditEvent
from cxo.registry.importers import ImportFailed, import_succeeded, registry_import
from cxo.registry.importers.base import ImportContext, Importer, Outcome, Record, RowRejected, bulk_insert
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import ImportRun, Term, Vocabulary
from cxo.testing.factories import UserFactory


class ModalityImporter(Importer[tuple[str, str]]):
    """A toy source: a CSV of modality codes and names, imported as taxonomy terms."""

    source = "toy"
    label = "toy modality list"
    columns = ("code", "name")

    def __init__(self, *, explode: bool = False) -> None:
        self.explode = explode

    def parse(self, *, line: int, record: Record) -> tuple[str, str]:
        code, name = (record.get("code") or "").strip(), (record.get("name") or "").strip()
        if not code.startswith("mod."):
            raise RowRejected(f"code {code!r} does not start with 'mod.'")
        return code, name

    def apply(self, *, rows: list[tuple[str, str]], context: ImportContext) -> Outcome:
        existing = dict(Term.objects.filter(vocabulary=Vocabulary.MODALITY).values_list("code", "name"))
        new = [(code, name, Vocabulary.MODALITY) for code, name in rows if code not in existing]
        bulk_insert(Term, ("code", "name", "vocabulary"), new)
        if self.explode:
            raise RuntimeError("disk on fire")
        return Outcome(created=len(new), unchanged=len(rows) - len(new), notes={"toy": True}, summary=["toy line"])


def write_csv(path: Path, rows: Sequence[Mapping[str, str]], header: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "mods.csv", [{"code": "mod.a", "name": "Alpha"}, {"code": "mod.b", "name": "Beta"}])


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    rows = [{"code": "mod.a", "name": "Alpha"}, {"code": "oops", "name": "Bad"}, {"code": "mod.c", "name": "Gamma"}]
    return write_csv(tmp_path / "mods-bad.csv", rows)


def test_a_run_is_counted_recorded_and_audited(db: None, good_file: Path) -> None:
    curator = UserFactory.create(username="curator")
    result = registry_import(actor=curator, importer=ModalityImporter(), path=good_file)
    run = ImportRun.objects.get()
    assert (run.source, run.file_name, run.status) == ("toy", "mods.csv", ImportRun.Status.SUCCEEDED)
    assert run.checksum == hashlib.sha256(good_file.read_bytes()).hexdigest()
    assert (run.rows, run.created, run.updated, run.unchanged, run.rejected) == (2, 2, 0, 0, 0)
    assert (run.actor, run.actor_label) == (curator, "curator")
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.notes == {"toy": True, "kinds_changed": 0}
    assert result.summary_lines()[-1] == "created 2 / updated 0 / unchanged 0 / rejected 0"
    assert "toy line" in result.summary_lines()
    [event] = AuditEvent.unscoped.filter(action="registry.import")
    assert (event.organisation, event.actor, event.object_id) == (None, curator, str(run.pk))
    assert event.changes["created"] == [None, 2] and event.changes["status"] == [None, "succeeded"]
    # Columns the importer did not give get the model's defaults.
    term = Term.objects.get(code="mod.a")
    assert (term.synonyms, term.description, term.sort, term.parent_id, term.cdisc_code) == ([], "", 0, None, "")


def test_a_second_run_reports_everything_unchanged(db: None, good_file: Path) -> None:
    registry_import(actor=None, importer=ModalityImporter(), path=good_file)
    again = registry_import(actor=None, importer=ModalityImporter(), path=good_file)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Term.objects.filter(vocabulary=Vocabulary.MODALITY).count() == 2


def test_a_bad_row_fails_the_run_which_is_still_recorded(db: None, bad_file: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        registry_import(actor=None, importer=ModalityImporter(), path=bad_file)
    assert caught.value.message == "1 bad row(s); nothing was imported.\nline 3: code 'oops' does not start with 'mod.'"
    assert [(r.line, r.record["code"]) for r in caught.value.rejections] == [(3, "oops")]
    assert not Term.objects.exists()
    run = ImportRun.objects.get()
    assert caught.value.run == run
    assert (run.status, run.rows, run.rejected, run.created) == (ImportRun.Status.FAILED, 3, 1, 0)
    assert "line 3: code 'oops'" in run.error
    event = AuditEvent.unscoped.get(action="registry.import")
    assert event.changes["status"] == [None, "failed"] and "failed" in event.reason


def test_an_error_while_writing_rolls_everything_back_and_is_recorded(db: None, good_file: Path) -> None:
    with pytest.raises(RuntimeError, match="disk on fire"):
        registry_import(actor=None, importer=ModalityImporter(explode=True), path=good_file)
    assert not Term.objects.exists()
    run = ImportRun.objects.get()
    assert (run.status, run.error) == (ImportRun.Status.FAILED, "RuntimeError: disk on fire")


def test_skip_bad_imports_the_good_rows_and_writes_the_bad_ones(db: None, bad_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "rejected.csv"
    result = registry_import(actor=None, importer=ModalityImporter(), path=bad_file, skip_bad=True, rejected_path=out)
    assert (result.created, result.rejected, result.rows) == (2, 1, 3)
    assert sorted(Term.objects.values_list("code", flat=True)) == ["mod.a", "mod.c"]
    assert out.read_text(encoding="utf-8").splitlines() == [
        "line,reason,code,name",
        "3,code 'oops' does not start with 'mod.',oops,Bad",
    ]
    assert f"Rejected rows written to {out}" in result.summary_lines()


def test_skip_bad_writes_under_var_imports_by_default(db: None, bad_file: Path, tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path / "var"
    result = registry_import(actor=None, importer=ModalityImporter(), path=bad_file, skip_bad=True)
    assert result.rejected_path is not None
    assert result.rejected_path.parent == tmp_path / "var" / "imports"
    assert result.rejected_path.name.startswith("toy-") and result.rejected_path.name.endswith(".rejected.csv")
    assert result.rejected_path.exists()


def test_a_file_without_the_columns_fails_naming_them_even_with_skip_bad(db: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wrong.csv", [{"code": "mod.a", "title": "Alpha"}])
    with pytest.raises(ImportFailed, match=r"line 1: the file lacks the column\(s\) name \(a toy modality list"):
        registry_import(actor=None, importer=ModalityImporter(), path=path, skip_bad=True)
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_a_decrs_file_with_the_wrong_columns_names_every_missing_one(db: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "decrs.csv", [{"FEI_NUMBER": "1", "DUNS_NUMBER": "123456789", "NAME": "X"}])
    with pytest.raises(ImportFailed) as caught:
        registry_import(actor=None, importer=DecrsImporter(), path=path)
    assert caught.value.message.startswith(
        "line 1: the file lacks the column(s) FIRM_NAME, ADDRESS, COUNTRY_ISO3, EXPIRATION_DATE, OPERATIONS, "
        "REGISTRANT_NAME, REGISTRANT_DUNS, US_AGENT_DUNS, US_AGENT_NAME, EXCLUSION_FLAG"
    )


def test_a_missing_file_and_a_file_that_is_not_text(db: None, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="No such file"):
        registry_import(actor=None, importer=ModalityImporter(), path=tmp_path / "nowhere.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"code,name\nmod.a,\xff\xfe\n")
    with pytest.raises(ImportFailed, match="The file is not utf-8-sig text"):
        registry_import(actor=None, importer=ModalityImporter(), path=binary)


def test_success_signals_the_changed_organisations(db: None, good_file: Path) -> None:
    received: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        received.append(kwargs)

    import_succeeded.connect(receiver, dispatch_uid="test-receiver")
    try:
        registry_import(actor=None, importer=ModalityImporter(), path=good_file)
    finally:
        import_succeeded.disconnect(dispatch_uid="test-receiver")
    assert len(received) == 1
    assert received[0]["organisation_ids"] == frozenset()
    assert received[0]["run"].source == "toy"


def test_the_progress_bar_goes_to_stdout_when_asked(
    db: None, good_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry_import(actor=None, importer=ModalityImporter(), path=good_file, show_progress=True)
    assert "reading mods.csv" in capsys.readouterr().out
