"""Reading FDA's NDC text files — ``product.txt`` and ``unfinished_product.txt`` alike.

Both are tab-separated with CRLF line ends, in latin-1 with a few Windows-1252 quotes, fields never
quoted (a few names contain ``"``); a ``.gz`` file is read as it is. One row is one listing, unique
by ``PRODUCTID``; dates are ``YYYYMMDD``; multi-valued fields (routes, substances) are ``;``-joined.
:class:`NdcFile` reads them and checks the fields every listing has.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cxo.registry.importers.base import Importer, ImportFailed, Record, RowRejected, gzip_unreadable, open_text

NDC_CODE = re.compile(r"\d{4}-\d{4}|\d{5}-\d{3,4}")

# The file is latin-1 with a few Windows-1252 bytes (0x92 for the apostrophe of "Dr. Reddy's"): read those as
# Windows-1252 meant them. Bytes that Windows-1252 leaves undefined stay as they are.
_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in {0x81, 0x8D, 0x8F, 0x90, 0x9D}}


def ndc_text(record: Record, column: str) -> str:
    """The field with Windows-1252 quotes read as meant and whitespace collapsed."""
    value = record.get(column) or ""
    if not value.isascii():  # most fields are: skip the translation (a fifth of parsing time)
        value = value.translate(_CP1252)
    return " ".join(value.split())


def ndc_date(record: Record, column: str) -> dt.date | None:
    raw = (record.get(column) or "").strip()
    if not raw:
        return None
    try:
        if len(raw) != 8 or not raw.isdigit():
            raise ValueError(raw)
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise RowRejected(f"{column} {raw!r} is not a date in YYYYMMDD form") from None


def ndc_split(value: str) -> tuple[str, ...]:
    """The distinct parts of a ``;``-joined field, in order."""
    return tuple(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))


@dataclass(frozen=True, slots=True)
class ListingFields:
    """What every NDC listing has: its ids, labeler, dosage form and substances (upper case, as listed)."""

    product_id: str
    ndc: str
    labeler: str
    dosage_form: str
    substances: tuple[str, ...]


def listing_observed_on(certified_through: dt.date | None, start: dt.date | None) -> dt.date | None:
    """A listing certified through 31 December of year Y was current for year Y: dated 1 January of Y;
    one never certified is dated by its start of marketing."""
    if certified_through is not None:
        return dt.date(certified_through.year, 1, 1)
    return start


def listing_dates(start: dt.date | None, end: dt.date | None, certified_through: dt.date | None) -> dict[str, str]:
    """A listing's dates for its evidence detail, as ISO text: only those it has."""
    named = {"marketed_from": start, "marketed_until": end, "certified_through": certified_through}
    return {key: day.isoformat() for key, day in named.items() if day is not None}


RowT = TypeVar("RowT")


class NdcFile(Importer[RowT]):
    """An importer of one of FDA's NDC text files; subclasses set ``source``, ``label`` and ``columns``."""

    delimiter = "\t"
    encoding = "latin-1"

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def records(self, path: Path) -> Iterator[tuple[int, Record]]:
        try:
            with open_text(path, encoding=self.encoding) as f:
                reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                header = reader.fieldnames or []
                missing = [c for c in self.columns if c not in header]
                if missing:
                    raise ImportFailed(
                        f"line 1: the file lacks the column(s) {', '.join(missing)} "
                        f"(an {self.label} file has {', '.join(self.columns)}; it is tab-separated)."
                    )
                line = 1
                for record in reader:
                    start = line + 1
                    line = reader.line_num
                    yield start, record
        except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
            raise ImportFailed(gzip_unreadable(path, exc)) from exc
        except OSError as exc:
            raise ImportFailed(f"{path.name} cannot be read: {exc}.") from exc

    def listing_fields(self, *, line: int, record: Record) -> ListingFields:
        """The fields every listing must have, checked; raises RowRejected with the reason."""
        product_id = ndc_text(record, "PRODUCTID")
        if not product_id:
            raise RowRejected("PRODUCTID is empty")
        if len(product_id) > 255:
            raise RowRejected("PRODUCTID is longer than 255 characters")
        if product_id in self._seen:
            raise RowRejected(f"PRODUCTID {product_id} is already on line {self._seen[product_id]}")
        ndc = ndc_text(record, "PRODUCTNDC")
        if not NDC_CODE.fullmatch(ndc):
            raise RowRejected(f"PRODUCTNDC {ndc!r} is not an NDC product code (4-4, 5-3 or 5-4 digits)")
        labeler = ndc_text(record, "LABELERNAME")
        if not labeler:
            raise RowRejected("LABELERNAME is empty")
        if len(labeler) > 255:
            raise RowRejected("LABELERNAME is longer than 255 characters")
        dosage_form = ndc_text(record, "DOSAGEFORMNAME")
        if not dosage_form:
            raise RowRejected("DOSAGEFORMNAME is empty")
        substances = tuple(dict.fromkeys(s.upper() for s in ndc_split(ndc_text(record, "SUBSTANCENAME"))))
        too_long = [s for s in substances if len(s) > 255]
        if too_long:
            raise RowRejected(f"SUBSTANCENAME {too_long[0][:40]!r}… is longer than 255 characters")
        return ListingFields(product_id, ndc, labeler, dosage_form, substances)

    def seen(self, product_id: str, line: int) -> None:
        """Remember a parsed listing, so a later row with the same PRODUCTID is rejected naming this line."""
        self._seen[product_id] = line
