"""Faceted directory search over the facet index: filters, facet counts, one page of hits.

Facet counts follow the usual faceted-search rule: each facet is counted with every *other*
filter applied, so choosing "China" still shows how many sites India has. Values of one facet
are alternatives (OR); different facets narrow each other (AND). Every count is a
``GROUP BY`` over one column of the index (a few distinct signatures), expanded in Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, Generic, TypeVar

import pycountry
from django.db.models import Count, Model, Q, QuerySet

from cxo.core.errors import ServiceError
from cxo.registry import geo
from cxo.registry.facets import TermNode, TermTree, search_normalise, signature_contains, signature_values
from cxo.registry.kind import Kind
from cxo.registry.models import EvidenceKind, Vocabulary

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

# Facet key -> (query parameter, label). The order is the order of the directory's left column.
FACETS: dict[str, tuple[str, str]] = {
    "country": ("country", "Country"),
    "region": ("region", "Region"),
    "service": ("service", "Service"),
    "dosage_form": ("dosage_form", "Dosage form"),
    "route": ("route", "Route"),
    "kind": ("kind", "Organisation kind"),
    "evidence": ("evidence", "Evidence source"),
}


def kind_label(kind: str) -> str:
    return str(dict(Kind.choices).get(kind, kind))


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

    def active(self, facet: str) -> bool:
        return bool(
            {
                "geo": self.countries or self.regions,
                "service": self.services,
                "dosage_form": self.dosage_forms,
                "route": self.routes,
                "kind": self.kinds,
                "evidence": self.evidence_kinds,
            }[facet]
        )

    @property
    def is_empty(self) -> bool:
        return not (self.q.strip() or any(self.active(f) for f in ("geo", *TERM_FACETS, "kind", "evidence")))


# --- parsing ------------------------------------------------------------------------------------


def _country_code(value: str) -> str:
    text = value.strip()
    if geo.country_exists(text):
        return text.upper()
    try:
        return str(pycountry.countries.lookup(text).alpha_3)
    except LookupError:
        raise ServiceError(
            f"Unknown country '{value}'. Use an ISO 3166 code such as USA, IN or DEU, or a country name.",
            field="country",
        ) from None


def _region_code(value: str) -> str:
    wanted = value.strip().casefold()
    for code, name in (*geo.REGION_NAMES.items(), *geo.GROUP_NAMES.items()):
        if wanted in {code, name.casefold()}:
            return code
    known = ", ".join([*geo.REGION_NAMES, *geo.GROUP_NAMES])
    raise ServiceError(f"Unknown region '{value}'. Known regions: {known}.", field="region")


def _term(tree: TermTree, facet: str, value: str) -> TermNode:
    vocabulary = TERM_FACETS[facet][0]
    node = tree.resolve(vocabulary, value)
    if node is None:
        label = FACETS[facet][1].lower()
        raise ServiceError(
            f"Unknown {label} '{value}'. Use a code, name or synonym from GET /api/v1/registry/taxonomy"
            f"?vocabulary={vocabulary}.",
            field=FACETS[facet][0],
        )
    return node


def _kind(value: str) -> str:
    wanted = value.strip().casefold()
    for code, label in Kind.choices:
        if wanted in {code, str(label).casefold()}:
            return code
    raise ServiceError(f"Unknown organisation kind '{value}'. Known kinds: {', '.join(Kind.values)}.", field="kind")


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
) -> DirectoryFilters:
    """Resolve raw filter values (codes, names or synonyms) or raise ServiceError naming the bad one."""
    return DirectoryFilters(
        q=q.strip()[:200],
        countries=_unique([_country_code(v) for v in countries if v.strip()]),
        regions=_unique([_region_code(v) for v in regions if v.strip()]),
        services=_unique([_term(tree, "service", v) for v in services if v.strip()]),
        dosage_forms=_unique([_term(tree, "dosage_form", v) for v in dosage_forms if v.strip()]),
        routes=_unique([_term(tree, "route", v) for v in routes if v.strip()]),
        kinds=_unique([_kind(v) for v in kinds if v.strip()]),
        evidence_kinds=_unique([_evidence_kind(v) for v in evidence_kinds if v.strip()]),
    )


def page_check(*, page: int, page_size: int) -> None:
    if page < 1:
        raise ServiceError(f"Page {page} does not exist: pages are numbered from 1.", field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ServiceError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}.", field="page_size")


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

    def where(self, filters: DirectoryFilters, *, without: str | None = None) -> Q:
        """The filters as a Q, leaving out facet ``without`` (``"geo"``, ``"service"``, …)."""
        where = Q()
        for token in filters.tokens:
            where &= self.text_filter(token)
        if without != "geo" and filters.active("geo"):
            countries = sorted(filters.geo_countries)
            if self.multi_country:
                where &= _any_contains(self.countries_column, countries) if countries else Q(pk__in=[])
            else:
                where &= Q(**{f"{self.countries_column}__in": countries})
        for facet, (_, column) in TERM_FACETS.items():
            if without != facet and filters.active(facet):
                where &= _any_contains(column, [t.id for t in filters.terms(facet)])
        if without != "kind" and filters.kinds:
            where &= Q(kind__in=filters.kinds)
        if without != "evidence" and filters.evidence_kinds:
            where &= _any_contains("evidence", filters.evidence_kinds)
        return where

    def group(self, where: Q, column: str) -> dict[str, int]:
        """Row counts per distinct value of ``column`` among the rows matching ``where``."""
        rows = self.model._default_manager.filter(where).order_by().values_list(column).annotate(n=Count("*"))
        return {value or "": n for value, n in rows}

    def facets(self, filters: DirectoryFilters, tree: TermTree) -> tuple[dict[str, list[FacetValue]], int | None]:
        """Every facet's values, and the total number of hits when a facet query already tells it."""
        total: int | None = None
        geo_counts = self.group(self.where(filters, without="geo"), self.countries_column)
        country_counts: dict[str, int] = defaultdict(int)
        region_counts: dict[str, int] = defaultdict(int)
        for value, n in geo_counts.items():
            countries = signature_values(value) if self.multi_country else [value]
            for country in countries:
                country_counts[country] += n
            for region in {geo.region_of(c) for c in countries}:
                if region:
                    region_counts[region] += n
        if not filters.active("geo") and not self.multi_country:
            total = sum(geo_counts.values())

        facets: dict[str, list[FacetValue]] = {
            "country": _values(
                {c: n for c, n in country_counts.items() if c},
                selected=filters.countries,
                name=geo.country_name,
            ),
            "region": _values(region_counts, selected=filters.regions, name=geo.region_name),
        }
        for facet, (vocabulary, column) in TERM_FACETS.items():
            term_counts: dict[int, int] = defaultdict(int)
            for value, n in self.group(self.where(filters, without=facet), column).items():
                for term_id in signature_values(value):
                    term_counts[int(term_id)] += n
            selected = {t.id for t in filters.terms(facet)}
            facets[facet] = [
                FacetValue(node.code, node.name, term_counts.get(node.id, 0), node.id in selected, tree.depth(node.id))
                for node in tree.vocabulary(vocabulary)
                if term_counts.get(node.id) or node.id in selected
            ]
        kind_counts = self.group(self.where(filters, without="kind"), "kind")
        if not filters.kinds:
            total = sum(kind_counts.values())
        facets["kind"] = _values({k: n for k, n in kind_counts.items() if k}, selected=filters.kinds, name=kind_label)
        evidence_counts: dict[str, int] = defaultdict(int)
        for value, n in self.group(self.where(filters, without="evidence"), "evidence").items():
            for kind in signature_values(value):
                evidence_counts[kind] += n
        labels = dict(EvidenceKind.choices)
        facets["evidence"] = _values(
            evidence_counts, selected=filters.evidence_kinds, name=lambda k: str(labels.get(k, k))
        )
        return facets, total

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
