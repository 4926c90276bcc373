"""Facet counts of the directory: joint GROUP BY rows of the facet index, tallied per facet in Python.

Each facet is counted with every *other* filter applied (:mod:`cxo.registry.search` runs one query per
family of dimensions and hands the rows here). :class:`_Tally` counts index rows; :class:`_GroupTally`
counts distinct sites or organisations over fact groups (:class:`~cxo.registry.models.FacetGroup`),
so that filters combine facts of one site, and counts apart the hits that hold a value only through
organisation-wide facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cxo.registry import geo
from cxo.registry.facets import signature_values
from cxo.registry.models import FactScope
from cxo.registry.record_facets import compliance_values, registration_values

if TYPE_CHECKING:
    from cxo.registry.search import DirectoryFilters, FacetIndex

#: The taxonomy facets (their values are term ids).
TERM_DIMENSIONS = ("service", "dosage_form", "route")

# The dimensions a filter or a facet count can be about. Facet counts come from two joint GROUP BY
# queries, one per family, each reading one covering index in its column order (see SiteFacets):
# the small-valued columns together, and the product columns (whose signatures vary more) together.
DIMENSIONS = (
    "geo", "kind", "service", "evidence", "dosage_form", "route", "substance", "registration", "compliance",
)  # fmt: skip
FAMILIES = (
    ("geo", "kind", "service", "evidence"), ("dosage_form", "route", "substance"), ("registration", "compliance"),
)  # fmt: skip


class _Tally:
    """Facet counts accumulated from joint GROUP BY rows, each facet with every *other* filter applied.

    A row that passes every filter counts for every facet (and the total); a row that fails exactly
    one filter counts only for that filter's facet, which leaves its own filter out; others count
    for nothing. Column values repeat across rows, so each is split and tested once.
    """

    def __init__(self, index: FacetIndex[Any], filters: DirectoryFilters) -> None:
        self.index = index
        self.as_of = filters.as_of
        self.active = {d for d in DIMENSIONS if filters.active(d)}
        self.wanted: dict[str, frozenset[str]] = {
            "geo": frozenset(filters.geo_countries),
            "kind": frozenset(filters.kinds),
            "evidence": frozenset(filters.evidence_kinds),
            "substance": frozenset(filters.substances),
            "registration": frozenset(filters.registrations),
            "compliance": frozenset(filters.compliance),
            **{f: frozenset(str(t.id) for t in filters.terms(f)) for f in TERM_DIMENSIONS},
        }
        single = set() if index.multi_country else {"geo"}
        self.is_signature = {d: d not in single for d in DIMENSIONS}
        self.counts: dict[str, dict[str, int]] = {d: defaultdict(int) for d in (*DIMENSIONS, "region")}
        self.total = 0
        self._seen: dict[tuple[str, tuple[Any, ...]], tuple[tuple[str, ...], bool]] = {}

    def _values(self, dimension: str, raw: tuple[Any, ...]) -> tuple[str, ...]:
        if dimension == "registration":
            return registration_values(raw, self.as_of)
        if dimension == "compliance":
            return compliance_values(raw, self.as_of.today)
        text = raw[0] or ""
        return tuple(signature_values(text)) if self.is_signature[dimension] else (text,)

    def _value(self, dimension: str, raw: tuple[Any, ...]) -> tuple[tuple[str, ...], bool]:
        """The values in a dimension's raw column values, and whether they pass the dimension's filter."""
        key = (dimension, raw)
        seen = self._seen.get(key)
        if seen is None:
            values = self._values(dimension, raw)
            wanted = self.wanted[dimension]
            passes = dimension not in self.active or any(v in wanted for v in values)
            seen = self._seen[key] = (values, passes)
        return seen

    def add(self, family: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        counts = self.counts
        first_family = family == FAMILIES[0]
        widths = [len(self.index.columns(d)) for d in family]
        for *raw, n in rows:
            parts, start = [], 0
            for width in widths:
                parts.append(tuple(raw[start : start + width]))
                start += width
            parsed = [self._value(d, r) for d, r in zip(family, parts, strict=True)]
            failed = [d for d, (_, passes) in zip(family, parsed, strict=True) if not passes]
            if len(failed) > 1:
                continue
            if not failed and first_family:
                self.total += n
            for dimension, (values, _) in zip(family, parsed, strict=True):
                if failed and dimension != failed[0]:
                    continue
                dimension_counts = counts[dimension]
                for value in values:
                    dimension_counts[value] += n
                if dimension == "geo":
                    for region in {geo.region_of(c) for c in values if c}:
                        if region:
                            counts["region"][region] += n


class _GroupTally(_Tally):
    """The counts of a grouped index: rows are fact groups (:class:`~cxo.registry.models.FacetGroup`)
    prefixed by the hit they belong to and the group's scope; a hit counts once per value, however
    many of its groups hold it, and the hits that hold a value only through organisation-wide
    groups are counted apart. Rows with the same scope and columns are tested together (see ``add``)."""

    def __init__(self, index: FacetIndex[Any], filters: DirectoryFilters) -> None:
        super().__init__(index, filters)
        self.members: dict[str, dict[str, set[int]]] = {d: defaultdict(set) for d in (*DIMENSIONS, "region")}
        self.own: dict[str, dict[str, set[int]]] = {d: defaultdict(set) for d in (*DIMENSIONS, "region")}
        self.hits: set[int] = set()

    def add(self, family: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        # At 100k sites a family reads over a hundred thousand group rows but few distinct (scope,
        # columns) combinations: gather each combination's hits first, then parse and test it once
        # and add its hits to the member sets in one set operation each.
        combinations: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for row in rows:
            combinations[row[1:]].append(row[0])
        first_family = family == FAMILIES[0]
        widths = [len(self.index.columns(d)) for d in family]
        for (scope, *raw), hits in combinations.items():
            parts, start = [], 0
            for width in widths:
                parts.append(tuple(raw[start : start + width]))
                start += width
            parsed = [self._value(d, r) for d, r in zip(family, parts, strict=True)]
            failed = [d for d, (_, passes) in zip(family, parsed, strict=True) if not passes]
            if len(failed) > 1:
                continue
            if not failed and first_family:
                self.hits.update(hits)
            own = scope == FactScope.SITE
            for dimension, (values, _) in zip(family, parsed, strict=True):
                if failed and dimension != failed[0]:
                    continue
                if dimension == "geo":
                    values = (*values, *(f"region:{r}" for c in values if c and (r := geo.region_of(c))))
                members, own_members = self.members[dimension], self.own[dimension]
                for value in values:
                    members[value].update(hits)
                    if own:
                        own_members[value].update(hits)

    def finish(self) -> None:
        """Turn the member sets into the counts :class:`_Tally` keeps (and the organisation-wide counts)."""
        self.total = len(self.hits)
        self.wide: dict[str, dict[str, int]] = {d: {} for d in (*DIMENSIONS, "region")}
        for dimension, members in self.members.items():
            for value, hits in members.items():
                target = dimension
                if dimension == "geo" and value.startswith("region:"):
                    target, value = "region", value.removeprefix("region:")
                self.counts[target][value] = len(hits)
                self.wide[target][value] = len(hits - self.own[dimension].get(value, set()))
