"""Facet counts of the directory, from the fact groups as columns (:mod:`cxo.registry.facet_columns`).

The faceted-search rule: each facet is counted with every *other* filter applied. Per fact group that is:
a group counts for a dimension's values when it passes every active filter but perhaps that dimension's
own; it counts for the total when it passes them all. Filters must be met by one group (facts of one
site, :class:`~cxo.registry.models.FacetGroup`), while counts are of hits — sites or organisations — each
counted once per value however many of its groups hold the value; and the hits that hold a value only
through organisation-wide groups are counted apart ("wide"), so the page can say so.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cxo.registry.facet_columns import DATED, DIMENSIONS, I32, I64, Bools, GroupColumns, Incidence

if TYPE_CHECKING:
    from cxo.registry.search import DirectoryFilters

#: The taxonomy facets (their values are term ids).
TERM_DIMENSIONS = ("service", "dosage_form", "route")
#: The dimensions whose organisation-wide share the page shows.
WIDE = ("service", "dosage_form", "route", "substance", "evidence")


@dataclass(frozen=True)
class Entities:
    """The hits of one directory: their ids (the hits table's primary keys, sorted) and, per fact group,
    the position of its hit in ``ids`` (-1 when the group belongs to no hit of this directory)."""

    ids: I64
    of_group: I32

    @classmethod
    def of(cls, *, hit_ids: list[int], group_hit: I64) -> Entities:
        ids = np.unique(np.asarray(hit_ids, np.int64))
        pos = np.minimum(np.searchsorted(ids, group_hit), max(len(ids) - 1, 0))
        found = (group_hit >= 0) & (ids[pos] == group_hit) if len(ids) else np.zeros(len(group_hit), bool)
        return cls(ids, np.where(found, pos, -1).astype(np.int32))

    def mask(self, hit_ids: list[int]) -> Bools:
        """Per hit, whether its id is in ``hit_ids``."""
        wanted = np.asarray(hit_ids, np.int64)
        out = np.zeros(len(self.ids), bool)
        pos = np.searchsorted(self.ids, wanted)
        inside = pos < len(self.ids)
        pos, wanted = pos[inside], wanted[inside]
        out[pos[self.ids[pos] == wanted]] = True
        return out


class Counter:
    """Distinct hits per value of one dimension, over any selection of fact groups.

    Groups are first reduced to distinct (hit, code) segments. A hit with one segment counts through its
    code (a ``bincount`` over codes, spread to their values); a hit with several — a site's own record and
    its organisation's products, an organisation's sites — has its (value, hit) pairs laid out once, sorted,
    and counts each run of equal pairs once.
    """

    def __init__(self, *, entity: I32, code: I32, incidence: Incidence, hits: int) -> None:
        sizes = np.diff(incidence.ptr)
        self.hits, self.values, self.codes = max(hits, 1), len(incidence.vocabulary), len(sizes)
        self.inc_codes, self.inc_values = incidence.codes, incidence.values
        self.vocabulary = incidence.vocabulary
        groups = np.flatnonzero((entity >= 0) & (sizes[code] > 0))
        keys, inverse = np.unique(code[groups].astype(np.int64) * self.hits + entity[groups], return_inverse=True)
        self.group_segment = np.full(len(code), -1, np.int64)
        self.group_segment[groups] = inverse
        self.segment_code = keys // self.hits
        segment_hit = keys % self.hits
        self.multi = np.bincount(segment_hit, minlength=self.hits)[segment_hit] > 1
        multi = np.flatnonzero(self.multi)
        width = sizes[self.segment_code[multi]]
        self.pair_segment = np.repeat(multi, width)
        starts = np.repeat(incidence.ptr[self.segment_code[multi]] - (np.cumsum(width) - width), width)
        pair_value = incidence.values[starts + np.arange(int(width.sum()))]
        pair_key = pair_value.astype(np.int64) * self.hits + segment_hit[self.pair_segment]
        order = np.argsort(pair_key, kind="stable")
        self.pair_segment, self.pair_key = self.pair_segment[order], pair_key[order]

    def count(self, groups: Bools) -> I64:
        """Per value, the number of distinct hits with a selected group that holds it."""
        on = np.zeros(len(self.segment_code), bool)
        segments = self.group_segment[groups]
        on[segments[segments >= 0]] = True
        per_code = np.bincount(self.segment_code[on & ~self.multi], minlength=self.codes)
        counts = np.bincount(self.inc_values, weights=per_code[self.inc_codes], minlength=self.values)
        out = np.rint(counts).astype(np.int64)
        keys = self.pair_key[on[self.pair_segment]]
        if keys.size:
            first = np.ones(len(keys), bool)
            first[1:] = keys[1:] != keys[:-1]
            out += np.bincount(keys[first] // self.hits, minlength=self.values)
        return out


@dataclass
class Tally:
    counts: dict[str, dict[str, int]]  # dimension (and "region") -> value -> hits
    wide: dict[str, dict[str, int]]  # of those, the hits holding the value only through organisation-wide groups
    total: int
    hits: Bools  # per hit: it has a group that meets every filter


def _wanted(filters: DirectoryFilters, dimension: str) -> list[str]:
    if dimension in TERM_DIMENSIONS:
        return [str(t.id) for t in filters.terms(dimension)]
    return list(
        {
            "geo": filters.geo_countries,
            "kind": filters.kinds,
            "evidence": filters.evidence_kinds,
            "substance": filters.substances,
            "registration": filters.registrations,
            "compliance": filters.compliance,
        }[dimension]
    )


def _counter(
    cols: GroupColumns, entities: Entities, key: Hashable, dimension: str, filters: DirectoryFilters
) -> Counter:
    as_of = filters.as_of if dimension in DATED else None
    source = "geo" if dimension == "region" else dimension

    def make() -> Counter:
        incidence = cols.static["region"] if dimension == "region" else cols.incidence(dimension, filters.as_of)
        return Counter(entity=entities.of_group, code=cols.code[source], incidence=incidence, hits=len(entities.ids))

    counter: Counter = cols.remember(("counter", key, dimension), make, day=as_of)
    return counter


def tally(
    *, cols: GroupColumns, entities: Entities, key: Hashable, filters: DirectoryFilters, text: Bools | None
) -> Tally:
    """Every dimension's counts under ``filters`` (``text``: per hit, whether it matches the free text)."""
    base = entities.of_group >= 0
    if text is not None:
        base &= text[np.maximum(entities.of_group, 0)]
    fails: dict[str, Bools] = {}
    for dimension in DIMENSIONS:
        if filters.active(dimension):
            holds = cols.incidence(dimension, filters.as_of).holding(_wanted(filters, dimension))
            fails[dimension] = ~holds[cols.code[dimension]]
    failed = np.zeros(len(base), np.int8)
    for fail in fails.values():
        failed += fail
    passing = base & (failed == 0)
    failing_one = base & (failed == 1)
    counts: dict[str, dict[str, int]] = {}
    wide: dict[str, dict[str, int]] = {}

    def record(dimension: str, groups: Bools) -> None:
        counter = _counter(cols, entities, key, dimension, filters)
        vocabulary = counter.vocabulary
        found = counter.count(groups)
        counts[dimension] = {vocabulary[i]: int(found[i]) for i in np.flatnonzero(found)}
        if dimension in WIDE:
            own = counter.count(groups & cols.own)
            wide[dimension] = {vocabulary[i]: int(found[i] - own[i]) for i in np.flatnonzero(found)}

    for dimension in DIMENSIONS:
        groups = passing | (failing_one & fails[dimension]) if dimension in fails else passing
        record(dimension, groups)
        if dimension == "geo":
            record("region", groups)
    hits = np.zeros(len(entities.ids), bool)
    hits[entities.of_group[passing]] = True
    return Tally(counts=counts, wide=wide, total=int(hits.sum()), hits=hits)
