"""Faceted directory search over the facet index: filters, facet counts, one page of hits.

Facet counts follow the usual faceted-search rule: each facet is counted with every *other*
filter applied, so choosing "China" still shows how many sites India has. Values of one facet
are alternatives (OR); different facets narrow each other (AND). Every count is a
``GROUP BY`` over one column of the index (a few distinct signatures), expanded in Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import or_
from typing import Any, Generic, TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from cxo.core.errors import ServiceError
from cxo.registry import geo
from cxo.registry.facets import TermNode, TermTree, search_normalise, signature_contains, signature_values
from cxo.registry.kind import Role, role_label
from cxo.registry.models import EvidenceKind, Vocabulary
from cxo.registry.record_facets import (
    COMPLIANCE_COLUMNS,
    COMPLIANCE_VALUES,
    REGISTRATION_COLUMNS,
    REGISTRATION_VALUES,
    compliance_parse,
    compliance_values,
    compliance_where,
    registration_label,
    registration_parse,
    registration_values,
    registration_where,
)
from cxo.registry.registration import RegistrationSource, RegistrationStatus
from cxo.registry.terms import COUNTRY, REGION, TermResolver, TermRow, resolver_cached

PAGE_SIZE = 25

# Facet key -> (query parameter, label). The order is the order of the directory's left column.
FACETS: dict[str, tuple[str, str]] = {
    "country": ("country", "Country"),
    "region": ("region", "Region"),
    "service": ("service", "Service"),
    "dosage_form": ("dosage_form", "Dosage form"),
    "route": ("route", "Route"),
    "kind": ("kind", "Organisation kind"),
    "evidence": ("evidence", "Evidence source"),
    "registration": ("registration", "FDA registration"),
    "compliance": ("compliance", "FDA compliance record"),
}


@cache
def country_name(alpha3: str) -> str:
    """The country's name (cached: a pycountry lookup per facet value and search adds up)."""
    return geo.country_name(alpha3)


def kind_label(kind: str) -> str:
    """A role's name (the directory's "kind" facet holds roles, cxo.registry.kind)."""
    return role_label(kind)


TERM_FACETS: dict[str, tuple[str, str]] = {
    # facet key -> (vocabulary, index column)
    "service": (Vocabulary.SERVICE, "services"),
    "dosage_form": (Vocabulary.DOSAGE_FORM, "dosage_forms"),
    "route": (Vocabulary.ROUTE, "routes"),
}


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what to put in the query string, what to show, how many hits it has."""

    code: str
    name: str
    count: int
    selected: bool = False
    depth: int = 0


@dataclass(frozen=True)
class DirectoryFilters:
    """Validated filters: countries as ISO alpha-3, regions as region codes, terms resolved from the taxonomy."""

    q: str = ""
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    services: tuple[TermNode, ...] = ()
    dosage_forms: tuple[TermNode, ...] = ()
    routes: tuple[TermNode, ...] = ()
    kinds: tuple[str, ...] = ()
    evidence_kinds: tuple[str, ...] = ()
    registrations: tuple[str, ...] = ()
    compliance: tuple[str, ...] = ()
    #: The day the search is for, and the newest registration file's validity: what "current" and
    #: "in the last five years" are measured against.
    as_of: RegistrationSource = field(
        default_factory=lambda: RegistrationSource(today=timezone.localdate(), valid_until=None)
    )

    @property
    def tokens(self) -> list[str]:
        return search_normalise(self.q).split()

    def terms(self, facet: str) -> tuple[TermNode, ...]:
        return {"service": self.services, "dosage_form": self.dosage_forms, "route": self.routes}[facet]

    @property
    def geo_countries(self) -> set[str]:
        """The countries the geography filters allow: the chosen countries and those of the chosen regions."""
        countries = set(self.countries)
        for region in self.regions:
            countries.update(geo.countries_in_region(region))
        return countries

    def active(self, dimension: str) -> bool:
        """Whether a filter of this dimension (``geo`` for countries and regions, or a facet) is set."""
        return bool(
            {
                "geo": self.countries or self.regions,
                "service": self.services,
                "dosage_form": self.dosage_forms,
                "route": self.routes,
                "kind": self.kinds,
                "evidence": self.evidence_kinds,
                "registration": self.registrations,
                "compliance": self.compliance,
            }[dimension]
        )

    @property
    def is_empty(self) -> bool:
        return not (self.q.strip() or any(self.active(d) for d in DIMENSIONS))

    @property
    def empty_reason(self) -> str:
        """Why these filters must find nothing whatever the registry holds, or "" (e.g. only current
        registrations asked for, when the newest registration file has expired)."""
        if self.registrations and set(self.registrations) <= {RegistrationStatus.CURRENT}:
            return self.as_of.current_filter_empty_reason()
        return ""


# --- parsing ------------------------------------------------------------------------------------


def _term(resolver: TermResolver, tree: TermTree, facet: str, value: str) -> TermNode:
    return tree.nodes[resolver.resolve(TERM_FACETS[facet][0], value, field=FACETS[facet][0]).id]


def _kind(value: str) -> str:
    wanted = value.strip().casefold()
    for code, label in Role.choices:
        if wanted in {code, str(label).casefold()}:
            return code
    raise ServiceError(f"Unknown organisation role '{value}'. Known roles: {', '.join(Role.values)}.", field="kind")


def _evidence_kind(value: str) -> str:
    wanted = value.strip().casefold()
    for code, label in EvidenceKind.choices:
        if wanted in {code, str(label).casefold()}:
            return code
    raise ServiceError(
        f"Unknown evidence source '{value}'. Known sources: {', '.join(EvidenceKind.values)}.", field="evidence"
    )


def _unique(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def directory_filters_parse(
    *,
    tree: TermTree,
    q: str = "",
    countries: Sequence[str] = (),
    regions: Sequence[str] = (),
    services: Sequence[str] = (),
    dosage_forms: Sequence[str] = (),
    routes: Sequence[str] = (),
    kinds: Sequence[str] = (),
    evidence_kinds: Sequence[str] = (),
    registrations: Sequence[str] = (),
    compliance: Sequence[str] = (),
    as_of: RegistrationSource | None = None,
) -> DirectoryFilters:
    """Resolve raw filter values (codes, names or synonyms; :mod:`cxo.registry.terms`) or raise
    :class:`~cxo.registry.terms.TermNotFound` naming the bad one and the closest terms."""
    resolver = resolver_cached(
        "directory",
        tuple(tree.nodes.values()),
        lambda: TermResolver(
            (TermRow(n.id, n.vocabulary, n.code, n.name, n.parent_id, n.cdisc_code) for n in tree.nodes.values()),
            synonyms=lambda: {i: tree.synonyms(i) for i in tree.nodes},
        ),
    )
    return DirectoryFilters(
        q=q.strip()[:200],
        countries=tuple(r.code for r in resolver.resolve_all(COUNTRY, countries, field="country")),
        regions=tuple(r.code for r in resolver.resolve_all(REGION, regions, field="region")),
        services=_unique([_term(resolver, tree, "service", v) for v in services if v.strip()]),
        dosage_forms=_unique([_term(resolver, tree, "dosage_form", v) for v in dosage_forms if v.strip()]),
        routes=_unique([_term(resolver, tree, "route", v) for v in routes if v.strip()]),
        kinds=_unique([_kind(v) for v in kinds if v.strip()]),
        evidence_kinds=_unique([_evidence_kind(v) for v in evidence_kinds if v.strip()]),
        registrations=_unique([registration_parse(v) for v in registrations if v.strip()]),
        compliance=_unique([compliance_parse(v) for v in compliance if v.strip()]),
        **({"as_of": as_of} if as_of is not None else {}),
    )


# --- the search ---------------------------------------------------------------------------------

M = TypeVar("M", bound=Model)
H = TypeVar("H")


@dataclass
class SearchPage(Generic[H]):
    """One page of hits, the total, and every facet's values with counts."""

    hits: list[H]
    total: int
    page: int
    page_size: int
    sort: str
    filters: DirectoryFilters
    facets: dict[str, list[FacetValue]]
    tree: TermTree = field(repr=False)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _any_contains(column: str, values: Sequence[object]) -> Q:
    return reduce(or_, (Q(**{f"{column}__contains": signature_contains(v)}) for v in values))


# The dimensions a filter or a facet count can be about. Facet counts come from two joint GROUP BY
# queries, one per family, each reading one covering index in its column order (see SiteFacets):
# the small-valued columns together, and the product columns (whose signatures vary more) together.
DIMENSIONS = ("geo", "kind", "service", "evidence", "dosage_form", "route", "registration", "compliance")
FAMILIES = (("geo", "kind", "service", "evidence"), ("dosage_form", "route"), ("registration", "compliance"))


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
            "registration": frozenset(filters.registrations),
            "compliance": frozenset(filters.compliance),
            **{f: frozenset(str(t.id) for t in filters.terms(f)) for f in TERM_FACETS},
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


@dataclass(frozen=True)
class FacetIndex(Generic[M]):
    """How one index table answers the directory's filters: which column holds which facet."""

    model: type[M]
    countries_column: str  # "country" (one value) or "countries" (a signature)
    sorts: dict[str, tuple[str, ...]]
    text_filter: Callable[[str], Q]

    @property
    def multi_country(self) -> bool:
        return self.countries_column == "countries"

    def column(self, dimension: str) -> str:
        columns = {"geo": self.countries_column, "kind": "kind", "evidence": "evidence"}
        return columns.get(dimension) or TERM_FACETS[dimension][1]

    def columns(self, dimension: str) -> tuple[str, ...]:
        """The index columns a dimension reads: one, or several for the date-relative facets."""
        if dimension == "registration":
            return REGISTRATION_COLUMNS
        if dimension == "compliance":
            return COMPLIANCE_COLUMNS
        return (self.column(dimension),)

    def where(self, filters: DirectoryFilters, *, dimensions: Sequence[str] = DIMENSIONS) -> Q:
        """The free text and the filters of ``dimensions`` as a Q."""
        where = Q()
        for token in filters.tokens:
            where &= self.text_filter(token)
        for dimension in dimensions:
            if not filters.active(dimension):
                continue
            column = (
                self.column(dimension) if dimension in TERM_FACETS or dimension in ("geo", "kind", "evidence") else ""
            )
            if dimension == "geo":
                countries = sorted(filters.geo_countries)
                if not countries:
                    where &= Q(pk__in=[])
                elif self.multi_country:
                    where &= _any_contains(column, countries)
                else:
                    where &= Q(**{f"{column}__in": countries})
            elif dimension == "kind":
                where &= _any_contains("kind", filters.kinds)
            elif dimension == "evidence":
                where &= _any_contains(column, filters.evidence_kinds)
            elif dimension == "registration":
                where &= registration_where(filters.registrations, filters.as_of)
            elif dimension == "compliance":
                where &= compliance_where(filters.compliance, filters.as_of.today)
            else:
                where &= _any_contains(column, [t.id for t in filters.terms(dimension)])
        return where

    def facets(self, filters: DirectoryFilters, tree: TermTree) -> tuple[dict[str, list[FacetValue]], int]:
        """Every facet's values with counts, and the total number of hits: two queries.

        Each family's query applies the text and the *other* family's filters in SQL and groups by
        its own columns; its own filters are applied to the groups in Python (:class:`_Tally`).
        """
        tally = _Tally(self, filters)
        for family in FAMILIES:
            others = [d for d in DIMENSIONS if d not in family]
            rows = (
                self.model._default_manager.filter(self.where(filters, dimensions=others))
                .order_by()
                .values_list(*[c for d in family for c in self.columns(d)])
                .annotate(n=Count("*"))
            )
            tally.add(family, rows)

        counts = tally.counts
        labels = dict(EvidenceKind.choices)
        facets: dict[str, list[FacetValue]] = {
            "country": _values(
                {c: n for c, n in counts["geo"].items() if c}, selected=filters.countries, name=country_name
            ),
            "region": _values(counts["region"], selected=filters.regions, name=geo.region_name),
        }
        for facet, (vocabulary, _) in TERM_FACETS.items():
            term_counts = counts[facet]
            selected = {t.id for t in filters.terms(facet)}
            facets[facet] = [
                FacetValue(
                    node.code, node.name, term_counts.get(str(node.id), 0), node.id in selected, tree.depth(node.id)
                )
                for node in tree.vocabulary(vocabulary)
                if term_counts.get(str(node.id)) or node.id in selected
            ]
        facets["kind"] = _values(
            {k: n for k, n in counts["kind"].items() if k}, selected=filters.kinds, name=kind_label
        )
        facets["evidence"] = _values(
            counts["evidence"], selected=filters.evidence_kinds, name=lambda k: str(labels.get(k, k))
        )
        # Fixed order (status, then outcome); every registration status is shown, so a 0 says "none".
        facets["registration"] = [
            FacetValue(
                code,
                registration_label(code, filters.as_of),
                counts["registration"].get(code, 0),
                code in filters.registrations,
            )
            for code in REGISTRATION_VALUES
        ]
        facets["compliance"] = [
            FacetValue(code, name, counts["compliance"].get(code, 0), code in filters.compliance)
            for code, name in COMPLIANCE_VALUES.items()
            if counts["compliance"].get(code) or code in filters.compliance
        ]
        return facets, tally.total

    def page(self, where: Q, *, sort: str, page: int, page_size: int) -> QuerySet[M]:
        offset = (page - 1) * page_size
        return self.model._default_manager.filter(where).order_by(*self.sorts[sort])[offset : offset + page_size]


def _values(counts: dict[str, int], *, selected: Sequence[str], name: Callable[[str], str]) -> list[FacetValue]:
    """Facet values by count (then name), the selected ones kept even when nothing matches them."""
    codes = set(counts) | set(selected)
    values = [FacetValue(code, name(code), counts.get(code, 0), code in selected) for code in codes]
    return sorted(values, key=lambda v: (-v.count, v.name))


def sort_check(index: FacetIndex[Any], sort: str) -> str:
    if sort not in index.sorts:
        raise ServiceError(f"Unknown sort '{sort}'. Sort by one of: {', '.join(index.sorts)}.", field="sort")
    return sort
