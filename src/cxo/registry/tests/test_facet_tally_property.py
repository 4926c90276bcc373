"""The directory's column tally against a plain reading of the counting rule, on random fact groups.

The rule (cxo.registry.facet_tally): a hit counts for a dimension's value when one of its groups holds the
value and meets every active filter but perhaps that dimension's own; the total counts hits with a group that
meets them all; "wide" is the share that holds the value through no group of the site's own record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cxo.registry import geo
from cxo.registry.facet_columns import COLUMNS, DIMENSIONS, columns_of
from cxo.registry.facet_tally import TERM_DIMENSIONS, WIDE, Entities, tally
from cxo.registry.facets import TermNode, signature, signature_values
from cxo.registry.models import FactScope
from cxo.registry.record_facets import compliance_values, registration_values
from cxo.registry.registration import RegistrationSource
from cxo.registry.search import DirectoryFilters

TODAY = dt.date(2026, 3, 1)
AS_OF = RegistrationSource(today=TODAY, valid_until=dt.date(2026, 12, 31))
COUNTRIES = ("IND", "USA", "DEU", "CHN", "")
KINDS = ("cmo", "cro", "api_supplier")
TERMS = ("1", "2", "3", "4")
EVIDENCE = ("fda_registration", "ndc_listing", "spl_establishment")
SUBSTANCES = ("ATORVASTATIN", "HEPARIN", "METFORMIN")
DAYS = (None, dt.date(2019, 5, 1), dt.date(2025, 12, 31), dt.date(2026, 6, 30))
INSPECTIONS = ("", "|NAI|", "|VAI|", "|OAI|VAI|")


def sig(values: Any) -> st.SearchStrategy[str]:
    return st.sets(st.sampled_from(values), max_size=3).map(signature)


FACTS = st.tuples(
    st.sampled_from(COUNTRIES),
    sig(KINDS),
    sig(TERMS),
    sig(EVIDENCE),
    sig(TERMS),
    sig(TERMS),
    sig(SUBSTANCES),
    st.sampled_from(DAYS),
    st.sampled_from(INSPECTIONS),
    st.sampled_from(DAYS),
    st.sampled_from(DAYS),
)


def _group(site: int | None, organisation: int, inherited: bool, facts: tuple[Any, ...]) -> tuple[Any, ...]:
    """A fact group: a site's belongs to the site's organisation; one without a site is organisation-wide."""
    if site is None:
        return (None, organisation, FactScope.ORGANISATION, *facts)
    return (site, site % 3 + 1, FactScope.INHERITED if inherited else FactScope.SITE, *facts)


GROUPS = st.lists(
    st.builds(_group, st.one_of(st.none(), st.integers(1, 8)), st.integers(1, 4), st.booleans(), FACTS), max_size=25
)


def node(term: str) -> TermNode:
    return TermNode(int(term), "service", f"t{term}", f"Term {term}", None, "", 0)


@st.composite
def filters(draw: st.DrawFn) -> DirectoryFilters:
    def some(values: Any) -> tuple[Any, ...]:
        return tuple(draw(st.lists(st.sampled_from(values), max_size=2, unique=True)) if draw(st.booleans()) else ())

    return DirectoryFilters(
        countries=some(COUNTRIES[:-1]),
        regions=some(("europe", "south_asia")),
        services=tuple(node(t) for t in some(TERMS)),
        dosage_forms=tuple(node(t) for t in some(TERMS)),
        routes=tuple(node(t) for t in some(TERMS)),
        substances=some(SUBSTANCES),
        kinds=some(KINDS),
        evidence_kinds=some(EVIDENCE),
        registrations=some(("current", "expired", "unregistered")),
        compliance=some(("inspection_oai", "uninspected", "warning_letter_recent")),
        as_of=AS_OF,
    )


def plain(rows: list[tuple[Any, ...]], hit_of: int, chosen: DirectoryFilters) -> dict[str, Any]:
    """The rule read literally: per group its values per dimension, per hit the values it counts for."""
    start, raw_of = 3, {}
    for dimension in DIMENSIONS:
        raw_of[dimension] = row_slice = slice(start, start + len(COLUMNS[dimension]))
        start = row_slice.stop

    def values(row: tuple[Any, ...], dimension: str) -> set[str]:
        raw = row[raw_of[dimension]]
        if dimension == "geo":
            return {raw[0]} if raw[0] else set()
        if dimension == "registration":
            return set(registration_values(raw, AS_OF))
        if dimension == "compliance":
            return set(compliance_values(raw, TODAY))
        return set(signature_values(raw[0]))

    wanted = {
        "geo": chosen.geo_countries,
        "kind": set(chosen.kinds),
        "evidence": set(chosen.evidence_kinds),
        "substance": set(chosen.substances),
        "registration": set(chosen.registrations),
        "compliance": set(chosen.compliance),
        **{d: {str(t.id) for t in chosen.terms(d)} for d in TERM_DIMENSIONS},
    }
    counts: dict[str, dict[str, set[int]]] = {d: defaultdict(set) for d in (*DIMENSIONS, "region")}
    own: dict[str, dict[str, set[int]]] = {d: defaultdict(set) for d in DIMENSIONS}
    total: set[int] = set()
    for row in rows:
        hit = row[hit_of]
        if hit is None:
            continue
        held = {d: values(row, d) for d in DIMENSIONS}
        failed = {d for d in DIMENSIONS if chosen.active(d) and not held[d] & wanted[d]}
        if not failed:
            total.add(hit)
        for dimension in DIMENSIONS:
            if failed - {dimension}:
                continue
            for value in held[dimension]:
                counts[dimension][value].add(hit)
                if row[2] == FactScope.SITE:
                    own[dimension][value].add(hit)
            if dimension == "geo":
                for country in held["geo"]:
                    if region := geo.region_of(country):
                        counts["region"][region].add(hit)
    return {
        "counts": {d: {v: len(h) for v, h in by.items()} for d, by in counts.items()},
        "wide": {d: {v: len(h - own[d].get(v, set())) for v, h in counts[d].items()} for d in WIDE},
        "total": len(total),
    }


@given(rows=GROUPS, chosen=filters(), extra=st.sets(st.integers(1, 10), max_size=3))
def test_the_column_tally_counts_as_the_rule_reads(
    rows: list[tuple[Any, ...]], chosen: DirectoryFilters, extra: set[int]
) -> None:
    cols = columns_of(rows)
    for entity, hit_of in (("site", 0), ("organisation", 1)):
        ids = sorted({r[hit_of] for r in rows if r[hit_of] is not None} | extra)  # hits with no group too
        entities = Entities.of(hit_ids=ids, group_hit=getattr(cols, entity))
        found = tally(cols=cols, entities=entities, key=entity, filters=chosen, text=None)
        expected = plain(rows, hit_of, chosen)
        assert found.counts == expected["counts"], entity
        assert found.wide == expected["wide"], entity
        assert found.total == expected["total"] == int(found.hits.sum()), entity
