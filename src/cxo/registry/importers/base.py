"""The import framework: one file of public data into the registry, applied whole or not at all.

An importer for a source subclasses :class:`Importer`. It says which columns a file must have,
turns each record into a typed row (:meth:`Importer.parse`, raising :class:`RowRejected` with a
reason for a bad one) and writes the rows in bulk (:meth:`Importer.apply`), comparing with what
the registry already holds so that a second run of the same file changes nothing.
:func:`registry_import` does the rest, the same for every source:

- **atomic by default** — every record is parsed first; if any is bad, nothing is written and the
  error lists the bad lines with their reasons. The writes then run in one transaction.
- **skip_bad** — the good rows are imported and the rejected ones are written, with their line
  numbers and reasons, to a CSV (by default ``var/imports/<source>-<timestamp>.rejected.csv``).
- **counted** — each row is created, updated, unchanged or rejected; the importer adds its own
  figures to ``ImportRun.notes`` and lines to the summary.
- **recorded** — an :class:`~cxo.registry.models.ImportRun` per run (source, file, SHA-256, counts,
  actor, times, status), kept even when the import fails, and one audit event summarising the run.
- **after a successful import** — the kind of every affected organisation is recomputed
  (:mod:`cxo.registry.kind`) and :data:`import_succeeded` is sent inside the transaction, so
  derived data (the directory's search index) can follow.

A progress bar (tqdm) shows when asked for, which the ``cxo import`` command does when its
output is a terminal.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import sys
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from tqdm import tqdm

from cxo.core.audit import audit_record
from cxo.core.bounds import NUL
from cxo.core.errors import ServiceError
from cxo.core.models import User
from cxo.registry.importers.bulk import bulk_insert as bulk_insert  # importers take it from here too
from cxo.registry.kind import organisation_kinds_refresh
from cxo.registry.models import ImportRun

#: Sent inside the import's transaction after a successful import, with ``run`` (the ImportRun)
#: and ``organisation_ids`` (a frozenset of the organisations whose registry data changed).
import_succeeded = Signal()

MAX_ERRORS_SHOWN = 20

RowT = TypeVar("RowT")
#: One record as read: column -> value (a CSV record has the key None for fields beyond the header).
Record = Mapping[str | None, Any]


class ImportFailed(ServiceError):
    """The file was not imported; nothing was written. ``run`` is the ImportRun that records the failure."""

    def __init__(self, message: str, *, rejections: Iterable[Rejection] = (), run: ImportRun | None = None) -> None:
        super().__init__(message)
        self.rejections = list(rejections)
        self.run = run


class RowRejected(Exception):
    """Raised by :meth:`Importer.parse` for a record that cannot be imported; the message is the reason.

    ``line`` overrides the record's line when the importer knows better (e.g. where an XML file breaks).
    """

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class RowSkipped(Exception):
    """Raised by :meth:`Importer.parse` for a record that is not bad but adds nothing (an exact repeat of an
    earlier one); it is counted among the rows read and the importer reports it in its notes."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str
    record: Record


@dataclass
class Outcome:
    """What :meth:`Importer.apply` did: per-row counts, the organisations it touched, its own figures."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organisation_ids: set[int] = field(default_factory=set)
    notes: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)


@dataclass
class ImportContext:
    """What an importer's ``apply`` may use: the run, who runs it, and a progress bar when wanted."""

    run: ImportRun
    actor: User | None
    show_progress: bool = False

    def progress(self, items: Iterable[RowT], *, desc: str, total: int | None = None) -> Iterable[RowT]:
        if not self.show_progress:
            return items
        return tqdm(items, desc=desc, total=total, unit="row", file=sys.stdout, leave=False)


@dataclass
class ImportResult:
    """A successful run: its record and the figures to show."""

    run: ImportRun
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    rejected_path: Path | None
    notes: dict[str, Any]
    details: list[str]

    def counts_line(self) -> str:
        return (
            f"created {self.created:,} / updated {self.updated:,} / unchanged {self.unchanged:,} "
            f"/ rejected {self.rejected:,}"
        )

    def summary_lines(self) -> list[str]:
        """The summary to print: what was imported, the source's own figures, and the counts last."""
        lines = [f"{self.run.source} import of {self.run.file_name}: {self.rows:,} rows", *self.details]
        if self.rejected_path is not None:
            lines.append(f"Rejected rows written to {self.rejected_path}")
        return [*lines, self.counts_line()]


class Importer(ABC, Generic[RowT]):
    """One source's importer. Subclasses set ``source`` and ``columns`` and implement ``parse`` and ``apply``.

    The default reader is CSV (``delimiter``, ``encoding``); override :meth:`records` for other
    formats. An importer instance serves one run: ``parse`` may keep state (e.g. ids seen so far,
    to reject a duplicate with the line of the first).
    """

    source: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    delimiter: ClassVar[str] = ","
    encoding: ClassVar[str] = "utf-8-sig"
    #: Whether ``path`` may be a folder (the importer's :meth:`records` then reads the files in it).
    accepts_directory: ClassVar[bool] = False
    #: Whether what it imports can change an organisation's kind (capabilities and evidence do;
    #: compliance records do not), so the kinds of the organisations it touched are recomputed.
    affects_kinds: ClassVar[bool] = True

    def records(self, path: Path) -> Iterator[tuple[int, Record]]:
        """(line number, record) for each data record. Raises ImportFailed if the header lacks a column.

        A gzipped file (``.csv.gz``) is read as it is.
        """
        with open_text(path, encoding=self.encoding) as f:
            reader = csv.DictReader(f, delimiter=self.delimiter)
            header = reader.fieldnames or []
            missing = [c for c in self.columns if c not in header]
            if missing:
                raise ImportFailed(
                    f"line 1: the file lacks the column(s) {', '.join(missing)} "
                    f"(a {self.label} file has {', '.join(self.columns)})."
                )
            line = 1
            for record in reader:
                start = line + 1
                line = reader.line_num
                yield start, record

    def check_shape(self, record: Record) -> None:
        """Reject a CSV record with more or fewer fields than the header."""
        if None in record:
            raise RowRejected(f"{len(record) - 1 + len(record[None])} fields where the header has {len(record) - 1}")
        if any(v is None for v in record.values()):
            raise RowRejected(
                f"{sum(v is not None for v in record.values())} fields where the header has {len(record)}"
            )

    @abstractmethod
    def parse(self, *, line: int, record: Record) -> RowT:
        """The typed row for one record; raise RowRejected(reason) if it cannot be imported."""

    @abstractmethod
    def apply(self, *, rows: list[RowT], context: ImportContext) -> Outcome:
        """Write the rows (in bulk) inside the import's transaction and count what changed."""


def is_gzip(path: Path) -> bool:
    with path.open("rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed if it is gzipped (whatever its name)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile is a binary IO
    return path.open("rb")


def open_text(path: Path, *, encoding: str) -> IO[str]:
    """The file as text (universal newlines left to the csv module), decompressed if it is gzipped."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, newline="")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file; of a folder, over each file's relative path and content, in path order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _actor_label(actor: User | None, actor_label: str) -> str:
    if actor_label:
        return actor_label
    return actor.get_username() if actor is not None and actor.is_authenticated else "system"


def _parse_all(
    importer: Importer[RowT], path: Path, *, show_progress: bool
) -> tuple[list[RowT], list[Rejection], int, list[str]]:
    rows: list[RowT] = []
    rejections: list[Rejection] = []
    count = 0
    header: list[str] = []
    records = importer.records(path)
    if show_progress:
        records = tqdm(records, desc=f"reading {path.name}", unit="row", file=sys.stdout, leave=False)
    try:
        for line, record in records:
            count += 1
            if not header:
                header = [k for k in record if k is not None]
            try:
                importer.check_shape(record)
                _check_text(record)
                rows.append(importer.parse(line=line, record=record))
            except RowSkipped:
                continue
            except RowRejected as exc:
                rejections.append(Rejection(line=exc.line or line, reason=exc.reason, record=record))
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"The file is not {importer.encoding} text (byte {exc.start}): {exc.reason}.") from exc
    except csv.Error as exc:
        raise ImportFailed(f"The file is not valid CSV: {exc}.") from exc
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise ImportFailed(gzip_unreadable(path, exc)) from exc
    return rows, rejections, count, header


def gzip_unreadable(path: Path, exc: BaseException) -> str:
    """The message for a ``.gz`` file that cannot be decompressed (truncated by a download, or corrupt)."""
    return f"{path.name} is not a readable gzip file ({exc}): it may be truncated or corrupt; download it again."


def _check_text(record: Record) -> None:
    """Reject a record with a NUL character in a value: PostgreSQL cannot store one in text."""
    for column, value in record.items():
        if isinstance(value, str) and NUL in value:
            raise RowRejected(f"{column} contains a NUL character")


def _rejections_message(rejections: list[Rejection]) -> str:
    shown = [f"line {r.line}: {r.reason}" for r in rejections[:MAX_ERRORS_SHOWN]]
    more = len(rejections) - len(shown)
    tail = [f"… and {more} more bad rows"] if more else []
    return "\n".join([f"{len(rejections)} bad row(s); nothing was imported.", *shown, *tail])


def _write_rejections(rejections: list[Rejection], header: list[str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["line", "reason", *header])
        for r in rejections:
            values = [r.record.get(c) or "" for c in header]
            extra = r.record.get(None) or []  # fields beyond the header, kept so nothing is lost
            writer.writerow([r.line, r.reason, *values, *extra])


def default_rejected_path(source: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "imports" / f"{source}-{stamp}.rejected.csv"


def _fail(run: ImportRun, *, error: str, rows: int, rejected: int, actor: User | None) -> None:
    with transaction.atomic():
        run.status = ImportRun.Status.FAILED
        run.error = error
        run.rows = rows
        run.rejected = rejected
        run.created = run.updated = run.unchanged = 0
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            actor=actor,
            organisation=None,
            action="registry.import",
            obj=run,
            actor_label=run.actor_label,
            changes={"status": [None, run.status], "rows": [None, rows], "rejected": [None, rejected]},
            reason=f"{run.source} import of {run.file_name} failed: {error}"[:2000],
        )


def registry_import(
    *,
    actor: User | None,
    importer: Importer[Any],
    path: Path | str,
    skip_bad: bool = False,
    rejected_path: Path | str | None = None,
    show_progress: bool = False,
    actor_label: str = "",
) -> ImportResult:
    """Import one file with ``importer``: whole or not at all unless ``skip_bad``; see the module docstring.

    Raises :class:`ImportFailed` (with the failed ImportRun attached) if nothing was imported.
    """
    path = Path(path)
    if not (path.is_file() or (importer.accepts_directory and path.is_dir())):
        raise ImportFailed(f"No such file: {path}")
    run = ImportRun.objects.create(
        source=importer.source,
        file_name=path.name[:255],
        checksum=file_sha256(path),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=_actor_label(actor, actor_label)[:150],
    )
    rows: list[Any] = []
    rejections: list[Rejection] = []
    count = 0
    try:
        # Parse before the transaction: SQLite takes its write lock when the transaction begins.
        rows, rejections, count, header = _parse_all(importer, path, show_progress=show_progress)
        if rejections and not skip_bad:
            raise ImportFailed(_rejections_message(rejections), rejections=rejections)
        with transaction.atomic():
            outcome = importer.apply(
                rows=rows, context=ImportContext(run=run, actor=actor, show_progress=show_progress)
            )
            kinds_changed = (
                organisation_kinds_refresh(organisation_ids=outcome.organisation_ids) if importer.affects_kinds else 0
            )
            import_succeeded.send(sender=type(importer), run=run, organisation_ids=frozenset(outcome.organisation_ids))
            written_to: Path | None = None
            if rejections:
                written_to = Path(rejected_path) if rejected_path else default_rejected_path(importer.source)
                _write_rejections(rejections, header, written_to)
            run.status = ImportRun.Status.SUCCEEDED
            run.rows = count
            run.created, run.updated, run.unchanged = outcome.created, outcome.updated, outcome.unchanged
            run.rejected = len(rejections)
            run.notes = {**outcome.notes, "kinds_changed": kinds_changed}
            run.rejected_path = str(written_to or "")[:500]
            run.finished_at = timezone.now()
            run.save()
            result = ImportResult(
                run=run,
                rows=count,
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
                rejected=len(rejections),
                rejected_path=written_to,
                notes=run.notes,
                details=[
                    *outcome.summary,
                    *([f"Organisation kinds recomputed: {kinds_changed:,} changed."] if importer.affects_kinds else []),
                ],
            )
            audit_record(
                actor=actor,
                organisation=None,
                action="registry.import",
                obj=run,
                actor_label=run.actor_label,
                changes={
                    "status": [None, run.status],
                    **{k: [None, getattr(run, k)] for k in ("rows", "created", "updated", "unchanged", "rejected")},
                },
                reason="; ".join(result.summary_lines())[:2000],
            )
    except ImportFailed as exc:
        _fail(run, error=exc.message, rows=count, rejected=len(rejections), actor=actor)
        exc.run = run
        raise
    except Exception as exc:
        _fail(run, error=f"{type(exc).__name__}: {exc}", rows=count, rejected=len(rejections), actor=actor)
        raise
    return result
