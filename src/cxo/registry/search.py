"""Faceted directory search over the facet index: filters, facet counts, one page of hits.

Facet counts follow the usual faceted-search rule: each facet is counted with every *other*
filter applied, so choosing "China" still shows how many sites India has. Values of one facet
are alternatives (OR); different facets narrow each other (AND). Filters and counts read the fact
groups as columns held in memory (:mod:`cxo.registry.facet_columns`, :mod:`cxo.registry.facet_tally`);
the database is asked only for the free text and the page's rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

import numpy as np
from django.db.models import Model, Q
from django.utils import timezone
from numpy.typing import NDArray

from cxo.core.errors import ServiceError
from cxo.registry import geo
from cxo.registry.facet_columns import DIMENSIONS, GroupColumns, group_columns
from cxo.registry.facet_tally import Entities, Tally, tally
from cxo.registry.facets import TermAncestry, TermNode, search_normalise
from cxo.registry.kind import Role, role_label
from cxo.registry.models import EvidenceKind, Vocabulary
from cxo.registry.record_facets import (
    COMPLIANCE_VALUES,
    REGISTRATION_VALUES,
    compliance_parse,
    registration_label,
    registration_parse,
)
from cxo.registry.registration import RegistrationSource, RegistrationStatus
from cxo.registry.substances import substance_moiety
from cxo.registry.terms import COUNTRY, REGION, SUBSTANCE, TermResolver, TermRow, resolver_cached

PAGE_SIZE = 25

# Facet key -> (query parameter, label). The order is the order of the directory's left column.
FACETS: dict[str, tuple[str, str]] = {
    "country": ("country", "Country"),
    "region": ("region", "Region"),
    "service": ("service", "Service"),
    "dosage_form": ("dosage_form", "Dosage form"),
    "route": ("route", "Route"),
    "substance": ("substance", "Substance"),
    "kind": ("kind", "Organisation kind"),
    "evidence": ("evidence", "Evidence source"),
    "registration": ("registration", "FDA registration"),
    "compliance": ("compliance", "FDA compliance record"),
}


@cache
def country_name(alpha3: str) -> str:
    """The country's name (cached: a pycountry lookup per facet value and search adds up)."""
    return geo.country_name(alpha3)


def substance_label(moiety: str) -> str:
    """A moiety as people write it: "ATORVASTATIN" as "Atorvastatin"."""
    return moiety.capitalize()


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
    #: Of ``count``, the hits that have the value only through organisation-wide facts (their
    #: organisation's products, not a record of the site itself); see :class:`~cxo.registry.models.FactScope`.
    organisation_wide: int = 0


@dataclass(frozen=True)
class DirectoryFilters:
    """Validated filters: countries as ISO alpha-3, regions as region codes, terms resolved from the taxonomy."""

    q: str = ""
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    services: tuple[TermNode, ...] = ()
    dosage_forms: tuple[TermNode, ...] = ()
    routes: tuple[TermNode, ...] = ()
    substances: tuple[str, ...] = ()  # active moieties, as the index holds them
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
                "substance": self.substances,
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


def _term(resolver: TermResolver, tree: TermAncestry, facet: str, value: str) -> TermNode:
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


#: How many substances the facet lists (the most frequent, and any chosen): the registry holds thousands.
SUBSTANCES_SHOWN = 30


def _substances(values: Sequence[str]) -> tuple[str, ...]:
    """Substances as typed ("atorvastatin calcium") to the moieties the index holds, or TermNotFound with
    the closest ones on record (all substances on record are read only to suggest)."""
    from cxo.registry.models import Capability

    moieties = []
    for text in (v for v in values if v.strip()):
        moiety = substance_moiety(text)
        if not (moiety and moiety in group_columns().substances):
            known = {m for s in Capability.objects.exclude(substance="").values_list("substance", flat=True).distinct()
                     if (m := substance_moiety(s))}  # fmt: skip
            moiety = TermResolver((), substances=known).resolve(SUBSTANCE, text, field="substance").code
        moieties.append(moiety)
    return _unique(moieties)


def _unique(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def directory_filters_parse(
    *,
    tree: TermAncestry,
    q: str = "",
    countries: Sequence[str] = (),
    regions: Sequence[str] = (),
    services: Sequence[str] = (),
    dosage_forms: Sequence[str] = (),
    routes: Sequence[str] = (),
    substances: Sequence[str] = (),
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
        substances=_substances(substances),
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
    tree: TermAncestry = field(repr=False)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class Counted:
    """A search's counts, and what paging through its hits needs."""

    tally: Tally
    entities: Entities
    columns: GroupColumns
    text: NDArray[np.bool_] | None  # per hit: matches the free text (None: no text)
    filtered: bool  # any facet filter is set


@dataclass(frozen=True)
class FacetIndex(Generic[M]):
    """One directory: it filters and counts the fact groups (:mod:`cxo.registry.facet_columns`) and pages
    through ``hits``, one row per site or organisation, whose primary key is the groups' ``entity``."""

    hits: type[M]
    entity: str  # "site" or "organisation": the group column that names its hit
    sorts: dict[str, tuple[str, ...]]
    text_filter: Callable[[str], Q]

    def _entities(self, cols: GroupColumns) -> Entities:
        def make() -> Entities:
            ids = list(self.hits._default_manager.values_list("pk", flat=True))
            return Entities.of(hit_ids=ids, group_hit=getattr(cols, self.entity))

        entities: Entities = cols.remember(("entities", self.entity), make)
        return entities

    def _order(self, cols: GroupColumns, entities: Entities, sort: str) -> NDArray[np.int64]:
        """The hits' positions in the order of ``sort``, as the database orders them (its collation)."""

        def make() -> NDArray[np.int64]:
            ids = np.asarray(self.hits._default_manager.order_by(*self.sorts[sort]).values_list("pk", flat=True))
            return np.searchsorted(entities.ids, ids.astype(np.int64))

        order: NDArray[np.int64] = cols.remember(("order", self.entity, sort), make)
        return order

    def count(self, filters: DirectoryFilters) -> Counted:
        cols = group_columns()
        entities = self._entities(cols)
        text = None
        if filters.tokens:
            where = Q()
            for token in filters.tokens:
                where &= self.text_filter(token)
            text = entities.mask(list(self.hits._default_manager.filter(where).values_list("pk", flat=True)))
        counted = tally(cols=cols, entities=entities, key=self.entity, filters=filters, text=text)
        filtered = any(filters.active(d) for d in DIMENSIONS)
        return Counted(counted, entities, cols, text, filtered)

    def page_keys(self, counted: Counted, *, sort: str, page: int, page_size: int) -> list[int]:
        """The primary keys of one page of hits, in the order of ``sort``."""
        chosen = counted.tally.hits if counted.filtered else np.ones(len(counted.entities.ids), bool)
        if counted.text is not None:
            chosen = chosen & counted.text
        order = self._order(counted.columns, counted.entities, sort)
        offset = (page - 1) * page_size
        return [int(k) for k in counted.entities.ids[order[chosen[order]][offset : offset + page_size]]]

    def facets(self, filters: DirectoryFilters, tree: TermAncestry) -> tuple[dict[str, list[FacetValue]], int]:
        """Every facet's values with counts, and the total number of hits."""
        counted = self.count(filters)
        return facet_values(counted.tally, filters, tree), counted.tally.total


def facet_values(tally: Tally, filters: DirectoryFilters, tree: TermAncestry) -> dict[str, list[FacetValue]]:
    """The facets as the page lists them: values with counts, chosen ones kept, in the page's order."""
    wide = tally.wide
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
                node.code,
                node.name,
                term_counts.get(str(node.id), 0),
                node.id in selected,
                tree.depth(node.id),
                wide.get(facet, {}).get(str(node.id), 0),
            )
            for node in tree.vocabulary(vocabulary)
            if term_counts.get(str(node.id)) or node.id in selected
        ]
    # The most frequent substances (ties by name) and the chosen ones: thousands are on record.
    frequent = sorted(counts["substance"].items(), key=lambda item: (-item[1], item[0]))[:SUBSTANCES_SHOWN]
    shown = {code: n for code, n in frequent} | {c: counts["substance"].get(c, 0) for c in filters.substances}
    facets["substance"] = _values(
        shown, selected=filters.substances, name=substance_label, wide=wide.get("substance", {})
    )
    facets["kind"] = _values({k: n for k, n in counts["kind"].items() if k}, selected=filters.kinds, name=kind_label)
    facets["evidence"] = _values(
        counts["evidence"],
        selected=filters.evidence_kinds,
        name=lambda k: str(labels.get(k, k)),
        wide=wide.get("evidence", {}),
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
    return facets


def _values(
    counts: dict[str, int],
    *,
    selected: Sequence[str],
    name: Callable[[str], str],
    wide: dict[str, int] | None = None,
) -> list[FacetValue]:
    """Facet values by count (then name), the selected ones kept even when nothing matches them."""
    codes = set(counts) | set(selected)
    wide = wide or {}
    values = [
        FacetValue(code, name(code), counts.get(code, 0), code in selected, organisation_wide=wide.get(code, 0))
        for code in codes
    ]
    return sorted(values, key=lambda v: (-v.count, v.name))


def sort_check(index: FacetIndex[Any], sort: str) -> str:
    if sort not in index.sorts:
        raise ServiceError(f"Unknown sort '{sort}'. Sort by one of: {', '.join(index.sorts)}.", field="sort")
    return sort
