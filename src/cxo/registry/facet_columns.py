"""The directory's fact groups as NumPy columns, held per process and read again when the index changes.

A directory search filters and counts fact groups (:class:`~cxo.registry.models.FacetGroup`): at 100k
sites some 200k of them. Grouping them in SQL and tallying in Python took ~300 ms a search, yet the groups
change only when the facet index is rebuilt. So each process reads them once per version of the index
into columns of small codes — per dimension, the number of the group's distinct column value — and
:mod:`cxo.registry.facet_tally` answers every search from those: a filter is a boolean per distinct
value, a count a few gathers and a ``bincount``.

Two signals of change, as for the matching index (:mod:`cxo.matching.live`): a generation bumped by
:func:`facets_changed` (called by every rebuild in this process), and the groups' row count and highest id
(ids are never reused: a rebuild deletes and inserts), read at most every ``CXO_DIRECTORY_VERSION_TTL``
seconds (default 2; 0 reads it on every search) for rebuilds in other processes.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from numpy.typing import NDArray

from cxo.registry import geo
from cxo.registry.facets import signature_values
from cxo.registry.models import FacetGroup, FactScope
from cxo.registry.record_facets import (
    COMPLIANCE_COLUMNS,
    COMPLIANCE_VALUES,
    REGISTRATION_COLUMNS,
    REGISTRATION_VALUES,
    compliance_values,
    registration_values,
)
from cxo.registry.registration import RegistrationSource

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]

#: Dimension -> the FacetGroup columns it reads. Values of a dimension are alternatives of one filter.
COLUMNS: dict[str, tuple[str, ...]] = {
    "geo": ("country",),
    "kind": ("kind",),
    "service": ("services",),
    "evidence": ("evidence",),
    "dosage_form": ("dosage_forms",),
    "route": ("routes",),
    "substance": ("substances",),
    "registration": REGISTRATION_COLUMNS,
    "compliance": COMPLIANCE_COLUMNS,
}
DIMENSIONS = tuple(COLUMNS)
#: Decided as of the search's day (cxo.registry.record_facets): their values are worked out per day.
DATED = ("registration", "compliance")


@dataclass(frozen=True)
class Incidence:
    """Which values each distinct column value (code) holds, as CSR: code c holds ``values[ptr[c]:ptr[c+1]]``."""

    ptr: I64
    values: I32  # value numbers into ``vocabulary``
    vocabulary: tuple[str, ...]

    @classmethod
    def of(cls, per_code: Sequence[Sequence[str]], vocabulary: Sequence[str] | None = None) -> Incidence:
        if vocabulary is None:
            vocabulary = sorted({v for values in per_code for v in values})
        number = {v: i for i, v in enumerate(vocabulary)}
        sizes = np.fromiter((len(values) for values in per_code), np.int64, len(per_code))
        ptr = np.zeros(len(per_code) + 1, np.int64)
        np.cumsum(sizes, out=ptr[1:])
        flat = np.fromiter((number[v] for values in per_code for v in values), np.int32, int(ptr[-1]))
        return cls(ptr, flat, tuple(vocabulary))

    @cached_property
    def codes(self) -> I32:
        """The code of each entry of ``values``."""
        return np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int32), np.diff(self.ptr))

    @cached_property
    def number(self) -> dict[str, int]:
        """Each value's number (its position in ``vocabulary``)."""
        return {v: i for i, v in enumerate(self.vocabulary)}

    def holding(self, wanted: Sequence[str]) -> Bools:
        """Per code, whether it holds any of ``wanted``."""
        want = np.zeros(len(self.vocabulary), bool)
        want[[self.number[v] for v in wanted if v in self.number]] = True
        hits = np.bincount(self.codes[want[self.values]], minlength=len(self.ptr) - 1)
        return hits > 0


@dataclass
class GroupColumns:
    """Every fact group as columns: its site and organisation ids, whether it is the site's own record, and
    per dimension the code of its column values (``raw[dimension][code]`` is the tuple of column values)."""

    version: Hashable
    site: I64  # site id, -1 for an organisation-wide group
    organisation: I64
    own: Bools  # the site's own record (FactScope.SITE)
    code: dict[str, I32]
    raw: dict[str, list[tuple[Any, ...]]]
    static: dict[str, Incidence] = field(default_factory=dict)  # the undated dimensions, and "region"
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)  # derived parts that last
    daily: dict[RegistrationSource, dict[Hashable, Any]] = field(default_factory=dict, repr=False)

    def incidence(self, dimension: str, as_of: RegistrationSource) -> Incidence:
        """The values each code of ``dimension`` holds (as of ``as_of`` for the dated ones)."""
        if dimension not in DATED:
            return self.static[dimension]
        return self.remember(("incidence", dimension), lambda: _dated(dimension, self.raw[dimension], as_of), day=as_of)

    @property
    def substances(self) -> frozenset[str]:
        """Every substance (moiety) the index holds."""
        found: frozenset[str] = self.remember("substances", lambda: frozenset(self.static["substance"].vocabulary))
        return found

    def remember(self, key: Hashable, make: Callable[[], Any], *, day: RegistrationSource | None = None) -> Any:
        """``make()``, made once: for the life of these columns, or of the search day ``day`` if given."""
        memo = self.memo
        if day is not None:
            if day not in self.daily and len(self.daily) >= 4:  # searches "as of" other days are rare
                self.daily.clear()
            memo = self.daily.setdefault(day, {})
        if key not in memo:
            memo[key] = make()
        return memo[key]


def _dated(dimension: str, raw: list[tuple[Any, ...]], as_of: RegistrationSource) -> Incidence:
    if dimension == "registration":
        return Incidence.of([registration_values(r, as_of) for r in raw], tuple(REGISTRATION_VALUES))
    return Incidence.of([compliance_values(r, as_of.today) for r in raw], tuple(COMPLIANCE_VALUES))


def _static(dimension: str, raw: list[tuple[Any, ...]]) -> Incidence:
    if dimension == "geo":
        return Incidence.of([(r[0],) if r[0] else () for r in raw])
    return Incidence.of([signature_values(str(r[0] or "")) for r in raw])


#: The FacetGroup columns a row of :func:`columns_of` holds, in order.
ROW = ("site_id", "organisation_id", "scope", *(c for d in DIMENSIONS for c in COLUMNS[d]))


def columns_read(*, version: Hashable = None) -> GroupColumns:
    """Read every fact group from the database into columns (one query, streamed)."""
    rows = FacetGroup.objects.order_by("id").values_list(*ROW)
    return columns_of(rows.iterator(chunk_size=10_000), version=version)


def columns_of(rows: Iterable[Sequence[Any]], *, version: Hashable = None) -> GroupColumns:
    """Fact groups (rows of the columns in :data:`ROW`) as columns."""
    widths = [len(COLUMNS[d]) for d in DIMENSIONS]
    site, organisation, own = array("q"), array("q"), array("b")
    codes = {d: array("i") for d in DIMENSIONS}
    numbers: dict[str, dict[tuple[Any, ...], int]] = {d: {} for d in DIMENSIONS}
    for row in rows:
        site.append(-1 if row[0] is None else row[0])
        organisation.append(row[1])
        own.append(row[2] == FactScope.SITE)
        start = 3
        for dimension, width in zip(DIMENSIONS, widths, strict=True):
            raw = tuple(row[start : start + width])
            start += width
            seen = numbers[dimension]
            code = seen.get(raw)
            if code is None:
                code = seen[raw] = len(seen)
            codes[dimension].append(code)
    raws = {d: list(numbers[d]) for d in DIMENSIONS}
    cols = GroupColumns(
        version=version,
        site=np.array(site, np.int64),
        organisation=np.array(organisation, np.int64),
        own=np.array(own, bool),
        code={d: np.array(codes[d], np.int32) for d in DIMENSIONS},
        raw=raws,
    )
    cols.static = {d: _static(d, raws[d]) for d in DIMENSIONS if d not in DATED}
    cols.static["region"] = Incidence.of([(region,) if (region := geo.region_of(r[0])) else () for r in raws["geo"]])
    return cols


def _db_version() -> tuple[int, int]:
    found = FacetGroup.objects.aggregate(n=Count("id"), top=Max("id"))
    return int(found["n"]), int(found["top"] or 0)


_lock = threading.Lock()
_generation = 0
_columns: GroupColumns | None = None
_checked_at = 0.0
_checked: tuple[int, int] = (0, 0)


def facets_changed() -> None:
    """The facet index was rebuilt in this process: the next search reads the groups again."""
    global _generation
    _generation += 1


def group_columns() -> GroupColumns:
    """The current fact groups as columns: read on first use and again after the index changes."""
    global _columns, _checked_at, _checked
    ttl = float(getattr(settings, "CXO_DIRECTORY_VERSION_TTL", 2.0))
    now = time.monotonic()
    if _columns is None or ttl <= 0 or now - _checked_at >= ttl:
        _checked, _checked_at = _db_version(), now
    cols = _columns
    if cols is not None and cols.version == (_generation, _checked):
        return cols
    with _lock:
        generation = _generation
        if _columns is None or _columns.version != (generation, _checked):
            # The version read with the rows is the one checked from now on (after a rebuild in this
            # process the one checked before is out of date, and would read the rows on every search).
            _checked, _checked_at = _db_version(), time.monotonic()
            _columns = columns_read(version=(generation, _checked))
        return _columns
