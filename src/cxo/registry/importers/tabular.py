"""Spreadsheet-shaped files as users download them: CSV (plain or gzipped) or Excel XLSX, columns by any known name.

FDA's Data Dashboard exports the same data as XLSX or CSV, with Title Case headers ("FEI Number",
"Inspection End Date"); copies made by other tools rename them ("fei_number", "inspection_end_date")
or use older names ("firm_name" for "Legal Name"). An importer declares each field it reads as a
:class:`Column` with every header name it accepts; :func:`table_records` finds the header row (the
first of the first :data:`HEADER_ROWS` rows that has every required column), maps each accepted
name to its field, and yields ``(line, record)`` with the record keyed by field. Header names are
compared as :func:`header_key` makes them: case, spacing and punctuation ignored.

The format is told by the file's first bytes, not its name: ``PK`` is XLSX (its first sheet),
gzip magic a gzipped CSV, anything else CSV text (UTF-8, a BOM allowed). Line numbers are the
CSV's record start line or the sheet's row number, as a spreadsheet program shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxo.registry.importers.base import ImportFailed, Record, RowRejected, open_text

HEADER_ROWS = 10
_NON_WORD = re.compile(r"[^0-9a-z]+")


def header_key(name: object) -> str:
    """A header name as compared: "Case/Injunction ID" -> "case_injunction_id", "FEI Number" -> "fei_number"."""
    return _NON_WORD.sub("_", str(name or "").casefold()).strip("_")


@dataclass(frozen=True)
class Column:
    """A field an importer reads, and the header names it accepts (any spelling :func:`header_key` equates)."""

    field: str  # the Data Dashboard's own header where it has one: what records are keyed by, and messages say
    names: tuple[str, ...] = ()
    required: bool = True

    @property
    def keys(self) -> set[str]:
        return {header_key(n) for n in (self.field, *self.names)}


def _mapping(header: Sequence[object], columns: Sequence[Column]) -> dict[int, str] | None:
    """Header position -> field, or None if a required column is missing. The first matching position wins."""
    keys = [header_key(h) for h in header]
    found: dict[int, str] = {}
    for column in columns:
        position = next((i for i, k in enumerate(keys) if k in column.keys and i not in found), None)
        if position is None:
            if column.required:
                return None
            continue
        found[position] = column.field
    return found


def _missing(header: Sequence[object], columns: Sequence[Column]) -> list[Column]:
    keys = {header_key(h) for h in header}
    return [c for c in columns if c.required and not (c.keys & keys)]


def _no_header(rows: list[Sequence[object]], columns: Sequence[Column], label: str) -> ImportFailed:
    first = next((r for r in rows if any(v not in (None, "") for v in r)), [])
    missing = _missing(first, columns)
    wanted = "; ".join(" or ".join(repr(n) for n in (c.field, *c.names)) for c in missing)
    return ImportFailed(
        f"No header row with the columns of an {label} file in its first {HEADER_ROWS} rows: "
        f"missing {wanted}. Export it again from its source, or rename the columns."
    )


def _records(
    rows: Iterable[tuple[int, Sequence[object]]], columns: Sequence[Column], label: str
) -> Iterator[tuple[int, Record]]:
    iterator = iter(rows)
    seen: list[Sequence[object]] = []
    mapping: dict[int, str] | None = None
    width = 0
    for _, row in iterator:
        seen.append(row)
        mapping = _mapping(row, columns)
        if mapping is not None:
            width = len(row)
            break
        if len(seen) >= HEADER_ROWS:
            break
    if mapping is None:
        raise _no_header(seen, columns, label)
    fields = [c.field for c in columns]
    for line, row in iterator:
        if not any(v not in (None, "") for v in row):
            continue  # blank rows (spreadsheets end with some) are not records
        record: dict[str | None, Any] = dict.fromkeys(fields, None)
        for position, field in mapping.items():
            if position < len(row):
                record[field] = row[position]
        extra = [v for v in row[width:] if v not in (None, "")]
        if extra:
            record[None] = extra
        yield line, record


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with open_text(path, encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        line = 1
        for row in reader:
            yield line, row
            line = reader.line_num + 1


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[object, ...]]]:
    from openpyxl import load_workbook  # only when an XLSX file is imported

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFailed(f"The file is not a readable XLSX workbook: {exc}.") from exc
    try:
        sheet = workbook.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def table_records(path: Path, columns: Sequence[Column], *, label: str) -> Iterator[tuple[int, Record]]:
    """``(line, record)`` per data row of a CSV, gzipped CSV or XLSX file, keyed by the columns' fields.

    A record has every field (None where the file lacks an optional column or the cell is empty)
    and, under the key None, any non-empty values beyond the header.
    """
    with path.open("rb") as probe:
        magic = probe.read(4)
    rows = _xlsx_rows(path) if magic.startswith(b"PK\x03\x04") else _csv_rows(path)
    yield from _records(rows, columns, label)


# --- cell values --------------------------------------------------------------------------------


def cell_text(record: Record, field: str, *, limit: int | None = None) -> str:
    """The cell as text with whitespace collapsed (numbers from a spreadsheet without a trailing ".0")."""
    value = record.get(field)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = " ".join(str(value).split())
    if limit is not None and len(text) > limit:
        raise RowRejected(f"{field} is longer than {limit} characters")
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d-%b-%Y", "%Y%m%d")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def cell_date(record: Record, field: str, *, required: bool = False) -> dt.date | None:
    """A date from a spreadsheet date, ISO ``YYYY-MM-DD``, US ``MM/DD/YYYY``, ``YYYYMMDD`` or an Excel day number."""
    value = record.get(field)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 200_000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = cell_text(record, field)
    if not text or text == "-":
        if required:
            raise RowRejected(f"{field} is empty")
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowRejected(f"{field} {text[:40]!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")
