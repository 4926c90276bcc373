"""The deciding capabilities of many rows, and the evidence records that explain them, in one NumPy pass.

For each returned row and each requested service (a *group*: row k, service j is group ``k * J + j``)
the deciding capabilities are those of the service or below it at the site, or, when the site has
none, those of the organisation (README.md, "Terms"); with no service requested, the site's own
capabilities or else the organisation's. A group's strongest record (kind, then date, then the
reference) and a row's newest record are found with segmented reductions over all rows' evidence at
once, so a cold explanation of fifty rows costs a few array operations instead of fifty rounds of them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cxo.matching import rules
from cxo.matching.entries import Ev, EvidenceGroup, evidence_at
from cxo.matching.index import MatchIndex, expand_groups
from cxo.matching.snapshot import EVIDENCE_KINDS

I64 = NDArray[np.int64]
_KIND_POINTS = np.array([rules.EVIDENCE_POINTS[k] for k in EVIDENCE_KINDS], dtype=np.int64)
_DAY_SPAN = 1 << 22  # day ordinals fit below it (year 11 000): kind points and day in one key


@dataclass(slots=True)
class Deciding:
    """Per group: where the service is offered, the deciding capabilities' names and evidence, and the
    strongest record; per row: the newest record and the number of records behind its groups."""

    width: int  # groups per row: the requested services, or 1 when none is
    where: list[str]  # "site" or "organisation"
    names: list[list[str]]  # the deciding capabilities' service names, sorted, distinct
    groups: list[EvidenceGroup]
    best: list[Ev | None]
    latest: list[Ev | None]
    records: list[int]

    def of_row(self, k: int) -> range:
        return range(k * self.width, (k + 1) * self.width)


def _starts(sorted_keys: I64, n: int) -> I64:
    """CSR pointers of ``n`` keys over an array sorted by key."""
    return np.searchsorted(sorted_keys, np.arange(n + 1)).astype(np.int64)


def deciding_evidence(index: MatchIndex, rows: list[int], service_terms: list[int]) -> Deciding:
    k_rows, width = len(rows), max(len(service_terms), 1)
    n_groups = k_rows * width
    arr = np.asarray(rows, dtype=np.int64)
    site_item, site_caps = expand_groups(index.row_caps_ptr, index.row_caps, arr)
    org_item, org_caps = expand_groups(index.org_caps_ptr, index.org_caps, index.row_org[arr].astype(np.int64))
    site_terms, org_terms = index.cap_term[site_caps], index.cap_term[org_caps]

    at_site = np.zeros(n_groups, dtype=bool)
    keys: list[I64] = []
    caps: list[NDArray[np.int32]] = []
    for j, term in enumerate(service_terms or [-1]):
        site_mask = index.below[term][site_terms] if term >= 0 else np.ones(len(site_caps), dtype=bool)
        offered = np.zeros(k_rows, dtype=bool)
        offered[site_item[site_mask]] = True
        at_site[j::width] = offered
        org_mask = ~offered[org_item]
        if term >= 0:
            org_mask &= index.below[term][org_terms]
        keys += [site_item[site_mask] * width + j, org_item[org_mask] * width + j]
        caps += [site_caps[site_mask], org_caps[org_mask]]
    group = np.concatenate(keys)
    order = np.argsort(group, kind="stable")  # stable: capabilities keep their index order in a group
    group, cap = group[order], np.concatenate(caps)[order]
    cap_ptr = _starts(group, n_groups)

    where = ["site" if s else "organisation" for s in at_site.tolist()]
    ev, ev_ptr, groups = _evidence(index, group, cap, n_groups, where)

    name = index.snapshot.terms.name
    cap_terms = index.cap_term[cap].tolist()
    cap_bounds = cap_ptr.tolist()
    names = [sorted({name[t] for t in cap_terms[cap_bounds[g] : cap_bounds[g + 1]]}) for g in range(n_groups)]

    best = _strongest(index, ev, ev_ptr, groups)
    latest: list[Ev | None] = [None] * k_rows
    if len(ev):
        ev_group = np.repeat(np.arange(n_groups), np.diff(ev_ptr))
        # A row's newest record: the first with the row's latest date, over its groups in order.
        day = index.ev_day[ev]
        row_starts = ev_ptr[::width]
        filled = np.flatnonzero(row_starts[1:] > row_starts[:-1])
        newest_day = np.maximum.reduceat(day, row_starts[filled])
        is_newest = day == np.repeat(newest_day, np.diff(np.append(row_starts[filled], len(ev))))
        newest_pos = np.flatnonzero(is_newest)
        first_newest = newest_pos[np.searchsorted(newest_pos, row_starts[filled])]
        for k, d, p in zip(filled.tolist(), newest_day.tolist(), first_newest.tolist(), strict=True):
            if d > 0:
                g = int(ev_group[p])
                latest[k] = evidence_at(index, groups[g], p - int(ev_ptr[g]))
    records = np.diff(ev_ptr[::width]).tolist() if k_rows else []
    return Deciding(width, where, names, groups, best, latest, records)


def _evidence(
    index: MatchIndex, group: I64, cap: NDArray[np.integer], n_groups: int, where: list[str]
) -> tuple[NDArray[np.int32], I64, list[EvidenceGroup]]:
    """The evidence records of capabilities sorted by group: flat, with CSR pointers per group, and as
    one :class:`EvidenceGroup` per group (views of the flat arrays)."""
    item, ev = expand_groups(index.cap_ev_ptr, index.cap_ev, cap)
    ev_term = index.cap_term[cap][item]
    ev_ptr = _starts(group[item], n_groups)
    bounds = ev_ptr.tolist()
    groups = [EvidenceGroup(ev[a:b], ev_term[a:b], where[g]) for g, (a, b) in enumerate(itertools.pairwise(bounds))]
    return ev, ev_ptr, groups


def _strongest(index: MatchIndex, ev: NDArray[np.int32], ev_ptr: I64, groups: list[EvidenceGroup]) -> list[Ev | None]:
    """Each group's strongest record — strongest kind, then newest, then greatest reference (the first
    such) — or None for a group without records."""
    best: list[Ev | None] = [None] * len(groups)
    if not len(ev):
        return best
    nonempty = np.flatnonzero(ev_ptr[1:] > ev_ptr[:-1])
    starts = ev_ptr[nonempty]
    key = _KIND_POINTS[index.ev_kind[ev]] * _DAY_SPAN + index.ev_day[ev]
    top = np.maximum.reduceat(key, starts)
    is_top = key == np.repeat(top, np.diff(np.append(starts, len(ev))))
    top_pos = np.flatnonzero(is_top)
    first_top = top_pos[np.searchsorted(top_pos, starts)]
    ties = np.add.reduceat(is_top.astype(np.int64), starts)
    source_ref = index.snapshot.evidence.source_ref
    for g, start, first, tied in zip(
        nonempty.tolist(), starts.tolist(), first_top.tolist(), ties.tolist(), strict=True
    ):
        if tied > 1:  # equal kind and date: the greatest reference (the first of those)
            positions = top_pos[(top_pos >= start) & (top_pos < ev_ptr[g + 1])].tolist()
            refs = [source_ref[int(ev[p])] for p in positions]
            first = positions[refs.index(max(refs))]
        best[g] = evidence_at(index, groups[g], first - start)
    return best


@dataclass(slots=True)
class Held:
    """Where a row holds one requested product term or the substance, and the evidence behind it."""

    where: str  # "site", or "organisation" when only organisation-wide capabilities have it
    records: int  # evidence records of the capabilities that have it
    best: Ev | None  # their strongest (of those of a requested service, when any has it)


def product_evidence(
    index: MatchIndex, rows: list[int], asked: list[int | None], substance: int, service_terms: list[int]
) -> list[list[Held | None]]:
    """Per row, per asked product term idx (None: the substance ``substance``, on capabilities of a
    requested service when one is requested): where the row has it, site first, or None."""
    k_rows, width = len(rows), len(asked)
    if not width:
        return [[] for _ in rows]
    n_groups = k_rows * width
    arr = np.asarray(rows, dtype=np.int64)
    site_item, site_caps = expand_groups(index.row_caps_ptr, index.row_caps, arr)
    org_item, org_caps = expand_groups(index.org_caps_ptr, index.org_caps, index.row_org[arr].astype(np.int64))
    site_terms, org_terms = index.cap_term[site_caps], index.cap_term[org_caps]
    of_services: NDArray[np.bool_] | None = (
        np.asarray(index.below[service_terms].any(axis=0)) if service_terms else None
    )

    def having(term: int | None, caps: NDArray[np.int32], terms: NDArray[np.int32]) -> NDArray[np.bool_]:
        if term is None:
            mask = index.cap_substance[caps] == substance
            return mask & of_services[terms] if of_services is not None else mask
        return np.asarray(index.below[term][index.cap_products[caps]].any(axis=1))

    at_site = np.zeros(n_groups, dtype=bool)
    held = np.zeros(n_groups, dtype=bool)
    keys, caps, shown_keys, shown_caps = [], [], [], []
    for a, term in enumerate(asked):
        site_mask = having(term, site_caps, site_terms)
        on_site = np.zeros(k_rows, dtype=bool)
        on_site[site_item[site_mask]] = True
        org_mask = having(term, org_caps, org_terms) & ~on_site[org_item]
        on_org = np.zeros(k_rows, dtype=bool)
        on_org[org_item[org_mask]] = True
        at_site[a::width], held[a::width] = on_site, on_site | on_org
        group = np.concatenate([site_item[site_mask], org_item[org_mask]]) * width + a
        cap = np.concatenate([site_caps[site_mask], org_caps[org_mask]])
        keys.append(group)
        caps.append(cap)
        shown = np.ones(len(cap), dtype=bool)
        if of_services is not None:  # the record shown: of a requested service's capability, if any has it
            requested = of_services[index.cap_term[cap]]
            with_requested = np.zeros(n_groups, dtype=bool)
            with_requested[group[requested]] = True
            shown = requested | ~with_requested[group]
        shown_keys.append(group[shown])
        shown_caps.append(cap[shown])
    group, cap = np.concatenate(keys), np.concatenate(caps)
    records = np.bincount(group, weights=index.cap_ev_ptr[cap + 1] - index.cap_ev_ptr[cap], minlength=n_groups)
    group = np.concatenate(shown_keys)
    order = np.argsort(group, kind="stable")
    where = ["site" if s else "organisation" for s in at_site.tolist()]
    ev, ev_ptr, groups = _evidence(index, group[order], np.concatenate(shown_caps)[order], n_groups, where)
    best = _strongest(index, ev, ev_ptr, groups)
    counts, found = records.astype(np.int64).tolist(), held.tolist()
    return [
        [Held(where[g], counts[g], best[g]) if found[g] else None for g in range(k * width, (k + 1) * width)]
        for k in range(k_rows)
    ]
