"""The compact in-memory index the engine scores with, built from a registry snapshot.

Rows are the candidates of README.md (every site, plus one pseudo-row per organisation that has
organisation-level capabilities but no sites), **stored in tie-break order**, so that "score
descending, then row number" is the final ranking.

Per taxonomy term the index keeps a *posting*: the sorted rows that offer the term or one of its
descendants, with what the deciding capabilities of that row bring (level 2 site-level / 1
organisation-level, best evidence points, evidence kinds as bits, newest evidence date). Product
terms (dosage forms, routes, modalities, scales) and substances have postings of levels only.
Postings of all terms live in a few concatenated arrays with an offset table (CSR), so a term's
posting is a slice, not a copy.

Everything a row needs that does not depend on the need (breadth points, country, registration
expiry) is a dense per-row array. The capability and evidence tables are kept as CSR too, so that
the explanations of the returned rows can be written without touching the database.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxo.matching import rules
from cxo.matching.record import site_record_of, site_records
from cxo.matching.snapshot import EVIDENCE_KINDS, RegistrySnapshot

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]

KIND_BIT: dict[str, int] = {kind: 1 << i for i, kind in enumerate(EVIDENCE_KINDS)}
_KIND_POINTS = np.array([rules.EVIDENCE_POINTS[k] for k in EVIDENCE_KINDS], dtype=np.int16)


@dataclass
class Postings:
    """Per key (term or substance) a sorted slice of rows, with values aligned to it."""

    ptr: I64  # key k's entries are [ptr[k], ptr[k + 1])
    rows: I32
    level: NDArray[np.int8]
    best: NDArray[np.int16] | None = None  # best evidence points of the deciding capabilities
    kinds: NDArray[np.uint8] | None = None  # evidence kinds present, as KIND_BIT bits
    newest: I32 | None = None  # newest evidence date as a proleptic ordinal, 0 when none
    count: I32 | None = None  # evidence records of the capabilities behind the entry
    country: NDArray[np.int16] | None = None  # the row's country, so a country filter reads a slice

    def span(self, key: int) -> slice:
        return slice(int(self.ptr[key]), int(self.ptr[key + 1]))

    def nbytes(self) -> int:
        arrays: list[np.ndarray | None] = [
            self.ptr,
            self.rows,
            self.level,
            self.best,
            self.kinds,
            self.newest,
            self.country,
            self.count,
        ]
        return sum(a.nbytes for a in arrays if a is not None)


@dataclass
class MatchIndex:
    snapshot: RegistrySnapshot
    version: object = None
    # terms
    term_index: dict[int, int] = field(default_factory=dict)  # term id -> term idx
    ancestors: list[frozenset[int]] = field(default_factory=list)  # term idx -> itself and its ancestors
    family: list[int] = field(default_factory=list)  # term idx -> family term idx
    family_of: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # the same, as an array
    # below[a, t]: term t is a or one of its descendants; one more column, False, for "no term" (-1)
    below: NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 1), bool))
    # organisations and rows
    org_index: dict[int, int] = field(default_factory=dict)  # organisation id -> org idx
    countries: list[str] = field(default_factory=list)  # country idx -> ISO alpha-3 ("" = unknown)
    row_site: I32 = field(default_factory=lambda: np.zeros(0, np.int32))  # row -> site position, -1 pseudo-row
    row_org: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    row_country: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    row_expiry: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    row_breadth: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    # the site's compliance record (cxo.matching.record.SiteRecord) per row, shape (rows, 4); 0 = none
    row_record: I32 = field(default_factory=lambda: np.zeros((0, 4), np.int32))
    row_site_families: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    row_other_families: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    site_row: dict[int, int] = field(default_factory=dict)  # site id -> row
    org_pseudo_row: dict[int, int] = field(default_factory=dict)  # organisation id -> its pseudo-row
    # the "any service" group of each row (used when the need names no service)
    any_level: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    any_best: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    any_kinds: NDArray[np.uint8] = field(default_factory=lambda: np.zeros(0, np.uint8))
    any_newest: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    any_count: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    services: Postings | None = None
    products: Postings | None = None
    substances: Postings | None = None  # per substance, over capabilities of any service
    substance_index: dict[str, int] = field(default_factory=dict)
    # per (substance, service term): over capabilities of that service or a descendant of it
    service_substances: Postings | None = None
    service_substance_index: dict[tuple[int, int], int] = field(default_factory=dict)  # (substance, term idx)
    # capability and evidence tables for explanations
    row_caps_ptr: I64 = field(default_factory=lambda: np.zeros(1, np.int64))
    row_caps: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    org_caps_ptr: I64 = field(default_factory=lambda: np.zeros(1, np.int64))  # organisation-level caps
    org_caps: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    org_families_ptr: I64 = field(default_factory=lambda: np.zeros(1, np.int64))
    org_families: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    cap_ev_ptr: I64 = field(default_factory=lambda: np.zeros(1, np.int64))
    cap_ev: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    cap_term: I32 = field(default_factory=lambda: np.zeros(0, np.int32))  # service term idx
    cap_products: NDArray[np.int32] = field(default_factory=lambda: np.zeros((0, 4), np.int32))  # term idx, -1
    cap_substance: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    ev_kind: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    ev_day: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    build_seconds: float = 0.0
    # Derived, need-independent display parts (explanations, result cards), filled on first use;
    # the index is never changed after it is built, so they stay true for its life.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _org_by_slug: dict[str, int] | None = field(default=None, repr=False)
    # Per day ordinal, what every row's compliance record is worth that day (cxo.matching.engine._as_of).
    daily: dict[int, tuple[NDArray[np.int16], NDArray[np.bool_]]] = field(default_factory=dict, repr=False)

    def organisation_by_slug(self, slug: str) -> int | None:
        """The id of the organisation with this slug (the map is made on first use: few needs exclude any)."""
        if self._org_by_slug is None:
            orgs = self.snapshot.organisations
            self._org_by_slug = dict(zip(orgs.slug, orgs.id.tolist(), strict=True))
        return self._org_by_slug.get(slug)

    @property
    def size(self) -> int:
        return len(self.row_org)

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (the snapshot's strings are counted separately)."""
        total = 0
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                total += value.nbytes
            elif isinstance(value, Postings):
                total += value.nbytes()
        return total

    def strings_nbytes(self) -> int:
        """An estimate of the memory of the names, codes and references kept for display."""
        s = self.snapshot
        columns: list[Sequence[object]] = [
            s.sites.name,
            s.sites.country,
            s.sites.duns,
            s.sites.fei,
            s.organisations.name,
            s.organisations.slug,
        ]
        # A string held in many places (a country code) is counted once.
        held = sum(sys.getsizeof(col) + sum(map(sys.getsizeof, {id(v): v for v in col}.values())) for col in columns)
        return held + s.evidence.source_ref.nbytes


def _positions(ids: Sequence[int] | NDArray[np.integer], wanted: NDArray[np.integer]) -> I64:
    """Index in ``ids`` of each of ``wanted``, -1 where it is absent (``NO_ID``, or an unknown id)."""
    ids_arr = np.asarray(ids, dtype=np.int64)
    want = wanted.astype(np.int64, copy=False)
    if len(ids_arr) == 0:
        return np.full(len(want), -1, dtype=np.int64)
    if np.all(ids_arr[1:] > ids_arr[:-1]):  # the snapshot's tables are in id order
        pos = np.minimum(np.searchsorted(ids_arr, want), len(ids_arr) - 1)
    else:
        order = np.argsort(ids_arr, kind="stable")
        pos = order[np.minimum(np.searchsorted(ids_arr[order], want), len(ids_arr) - 1)]
    return np.where((want >= 0) & (ids_arr[pos] == want), pos, -1).astype(np.int64)


def _csr(keys: NDArray[np.integer], n_keys: int) -> tuple[I64, I32]:
    """Group item numbers by key: items of key k are ``items[ptr[k]:ptr[k+1]]``, in item order."""
    order = np.argsort(keys, kind="stable").astype(np.int32)
    counts = np.bincount(keys, minlength=n_keys) if len(keys) else np.zeros(n_keys, np.int64)
    ptr = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, order


def expand_groups(ptr: I64, flat: I32, keys: NDArray[np.integer]) -> tuple[I64, I32]:
    """For each item i with key keys[i], one pair (i, member) per member of the key's CSR group."""
    counts = (ptr[keys + 1] - ptr[keys]).astype(np.int64)
    total = int(counts.sum())
    item = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
    starts = np.repeat(ptr[keys], counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return item, flat[starts + offsets]


def _reduce(key: I64, values: dict[str, tuple[np.ndarray, np.ufunc]]) -> tuple[I64, dict[str, np.ndarray]]:
    """Unique keys (sorted) and each value reduced over the entries of a key."""
    order = np.argsort(key, kind="stable")
    k = key[order]
    if len(k) == 0:
        return k, {name: v[:0] for name, (v, _) in values.items()}
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    return k[starts], {name: fn.reduceat(v[order], starts) for name, (v, fn) in values.items()}


def _distinct(values: I64) -> I64:
    """The distinct values, ascending (as ``np.unique``, by sorting: faster here than its hash table)."""
    v = np.sort(values)
    return v[np.concatenate(([True], v[1:] != v[:-1]))] if len(v) else v


def build_index(snapshot: RegistrySnapshot, *, version: object = None) -> MatchIndex:
    """Build the index from a snapshot. Pure NumPy apart from small per-term and per-string loops."""
    import time

    started = time.perf_counter()
    ix = MatchIndex(snapshot=snapshot, version=version)
    t, o, s, c, e = snapshot.terms, snapshot.organisations, snapshot.sites, snapshot.capabilities, snapshot.evidence

    # --- terms: ancestors and families -----------------------------------------------------------
    ix.term_index = {tid: i for i, tid in enumerate(t.id)}
    n_terms = len(t.id)
    parent_idx = [ix.term_index.get(p, -1) if p is not None else -1 for p in t.parent]
    chains: list[list[int]] = []
    for i in range(n_terms):
        chain = [i]
        while parent_idx[chain[-1]] >= 0 and len(chain) <= n_terms:
            chain.append(parent_idx[chain[-1]])
        chains.append(chain)
    ix.ancestors = [frozenset(ch) for ch in chains]
    ix.family = [ch[-2] if len(ch) >= 2 and t.code[ch[-1]] in rules.SPLIT_FAMILY_ROOTS else ch[-1] for ch in chains]
    anc_ptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum([len(ch) for ch in chains], out=anc_ptr[1:])
    anc_flat = np.array([a for ch in chains for a in ch], dtype=np.int32)
    family_of = np.array(ix.family, dtype=np.int32)
    ix.family_of = family_of.astype(np.int64)
    ix.below = np.zeros((n_terms, n_terms + 1), dtype=bool)
    for i, chain in enumerate(chains):
        ix.below[chain, i] = True

    # --- organisations and rows, rows in tie-break order -------------------------------------------
    n_orgs = len(o.id)
    ix.org_index = {oid: i for i, oid in enumerate(o.id.tolist())}
    site_org = _positions(o.id, s.organisation).astype(np.int32)
    cap_org = _positions(o.id, c.organisation).astype(np.int32)
    if (site_org < 0).any() or (cap_org < 0).any():
        raise ValueError("a site or capability of an organisation that is not in the snapshot")
    cap_site_pos = _positions(s.id, c.site)
    org_level = cap_site_pos < 0
    has_sites = np.zeros(n_orgs, dtype=bool)
    has_sites[site_org] = True
    has_org_caps = np.zeros(n_orgs, dtype=bool)
    has_org_caps[cap_org[org_level]] = True
    pseudo_orgs = np.flatnonzero(has_org_caps & ~has_sites).astype(np.int32)

    n_sites = len(s.id)
    unit_org = np.concatenate([site_org, pseudo_orgs])
    unit_site = np.concatenate([np.arange(n_sites, dtype=np.int32), np.full(len(pseudo_orgs), -1, np.int32)])
    org_name_rank = _string_ranks([name.casefold() for name in o.name])
    site_name_rank = _string_ranks([name.casefold() for name in s.name] + [""] * len(pseudo_orgs))
    site_ids = np.concatenate([s.id, np.zeros(len(pseudo_orgs), np.int64)])
    org_ids = np.asarray(o.id, dtype=np.int64)
    order = np.lexsort((org_ids[unit_org], site_ids, site_name_rank, org_name_rank[unit_org]))
    n_rows = len(order)
    ix.row_site = unit_site[order]
    ix.row_org = unit_org[order]
    unit_row = np.empty(n_rows, dtype=np.int32)
    unit_row[order] = np.arange(n_rows, dtype=np.int32)
    site_row = unit_row[:n_sites]
    ix.site_row = dict(zip(s.id.tolist(), site_row.tolist(), strict=True))
    ix.org_pseudo_row = dict(zip(o.id[pseudo_orgs].tolist(), unit_row[n_sites:].tolist(), strict=True))

    ix.countries = ["", *sorted({cc for cc in s.country if cc})]
    country_idx = {cc: i for i, cc in enumerate(ix.countries)}
    site_country = np.array([country_idx[cc or ""] for cc in s.country], dtype=np.int16)
    ix.row_country = np.concatenate([site_country, np.zeros(len(pseudo_orgs), np.int16)])[order]
    ix.row_expiry = np.concatenate([s.registration_expiry, np.zeros(len(pseudo_orgs), np.int32)])[order]
    org_rows_ptr, org_rows = _csr(ix.row_org, n_orgs)  # rows of each organisation, in row order

    # --- capabilities and their evidence -------------------------------------------------------------
    n_caps = len(c.id)
    cap_row = np.where(org_level, -1, site_row[np.maximum(cap_site_pos, 0)] if n_sites else -1).astype(np.int32)
    term_ids = np.asarray(t.id, dtype=np.int64)
    ix.cap_term = _positions(term_ids, c.service).astype(np.int32)
    if (ix.cap_term < 0).any():
        raise ValueError("a capability of a service that is not in the taxonomy")
    ix.cap_products = np.empty((n_caps, 4), dtype=np.int32)
    for j, col in enumerate((c.dosage_form, c.route, c.modality, c.scale)):
        ix.cap_products[:, j] = _positions(term_ids, col)
    # Substances are normalised once per distinct text.
    substances = [rules.normalise_substance(x) for x in c.substances]
    ix.substance_index = {name: i for i, name in enumerate(sorted({x for x in substances if x}))}
    substance_of_code = np.array([ix.substance_index.get(x, -1) for x in substances], dtype=np.int32)
    ix.cap_substance = substance_of_code[c.substance] if n_caps else np.zeros(0, np.int32)

    ev_cap = _positions(c.id, e.capability).astype(np.int32)
    ix.ev_kind, ix.ev_day = e.kind, e.observed_on  # shared with the snapshot, never written
    cap_best = np.zeros(n_caps, dtype=np.int16)
    cap_kinds = np.zeros(n_caps, dtype=np.uint8)
    cap_newest = np.zeros(n_caps, dtype=np.int32)
    if len(ev_cap):
        np.maximum.at(cap_best, ev_cap, _KIND_POINTS[ix.ev_kind])
        np.bitwise_or.at(cap_kinds, ev_cap, (1 << ix.ev_kind.astype(np.int32)).astype(np.uint8))
        np.maximum.at(cap_newest, ev_cap, ix.ev_day)
    ix.cap_ev_ptr, ix.cap_ev = _csr(ev_cap, n_caps)
    cap_count = np.diff(ix.cap_ev_ptr).astype(np.int32)  # evidence records per capability

    site_caps = np.flatnonzero(~org_level).astype(np.int32)
    org_caps = np.flatnonzero(org_level).astype(np.int32)
    ix.row_caps_ptr, row_caps_local = _csr(cap_row[site_caps], n_rows)
    ix.row_caps = site_caps[row_caps_local]
    ix.org_caps_ptr, org_caps_local = _csr(cap_org[org_caps], n_orgs)
    ix.org_caps = org_caps[org_caps_local]

    values: dict[str, tuple[np.ndarray, np.ufunc]] = {
        "best": (cap_best, np.maximum),
        "kinds": (cap_kinds, np.bitwise_or),
        "newest": (cap_newest, np.maximum),
        "count": (cap_count, np.add),
    }

    def merge(
        site_key: I64, site_vals: dict[str, np.ndarray], org_key: I64, org_vals: dict[str, np.ndarray], n_keys: int
    ) -> Postings:
        """Site-level (key, row) entries win over organisation-level (key, org) ones spread to the org's rows."""
        org_term, org_org = org_key // max(n_orgs, 1), org_key % max(n_orgs, 1)
        item, rows = expand_groups(org_rows_ptr, org_rows, org_org)
        keys = np.concatenate([site_key, org_term[item] * n_rows + rows])
        level = np.concatenate([np.full(len(site_key), 2, np.int8), np.full(len(item), 1, np.int8)])
        merged = {name: np.concatenate([site_vals[name], org_vals[name][item]]) for name in site_vals}
        by_key = np.argsort(keys, kind="stable")
        k = keys[by_key]
        first = np.concatenate(([True], k[1:] != k[:-1])) if len(k) else np.zeros(0, bool)
        keep = by_key[first]
        k = keys[keep]
        term = k // max(n_rows, 1)
        ptr = np.zeros(n_keys + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=n_keys) if len(term) else np.zeros(n_keys, np.int64), out=ptr[1:])
        return Postings(
            ptr=ptr,
            rows=(k % max(n_rows, 1)).astype(np.int32),
            level=level[keep],
            best=merged["best"][keep] if "best" in merged else None,
            kinds=merged["kinds"][keep] if "kinds" in merged else None,
            newest=merged["newest"][keep] if "newest" in merged else None,
            count=merged["count"][keep] if "count" in merged else None,
        )

    # --- service postings (each capability counts for its term and every ancestor) -------------------
    cap_i, anc = expand_groups(anc_ptr, anc_flat, ix.cap_term)
    site_side = cap_row[cap_i] >= 0
    s_key, s_vals = _reduce(
        anc[site_side].astype(np.int64) * n_rows + cap_row[cap_i[site_side]],
        {name: (v[cap_i[site_side]], fn) for name, (v, fn) in values.items()},
    )
    o_key, o_vals = _reduce(
        anc[~site_side].astype(np.int64) * n_orgs + cap_org[cap_i[~site_side]],
        {name: (v[cap_i[~site_side]], fn) for name, (v, fn) in values.items()},
    )
    ix.services = merge(s_key, s_vals, o_key, o_vals, n_terms)
    ix.services.country = ix.row_country[ix.services.rows]

    # --- the "any service" group per row --------------------------------------------------------------
    ix.any_level = np.zeros(n_rows, np.int8)
    ix.any_best = np.zeros(n_rows, np.int16)
    ix.any_kinds = np.zeros(n_rows, np.uint8)
    ix.any_newest = np.zeros(n_rows, np.int32)
    ix.any_count = np.zeros(n_rows, np.int32)
    org_count = np.zeros(n_orgs, np.int32)
    np.add.at(org_count, cap_org[org_caps], cap_count[org_caps])
    np.add.at(ix.any_count, cap_row[site_caps], cap_count[site_caps])
    org_best = np.zeros(n_orgs, np.int16)
    org_kinds = np.zeros(n_orgs, np.uint8)
    org_newest = np.zeros(n_orgs, np.int32)
    org_any = np.zeros(n_orgs, bool)
    np.maximum.at(org_best, cap_org[org_caps], cap_best[org_caps])
    np.bitwise_or.at(org_kinds, cap_org[org_caps], cap_kinds[org_caps])
    np.maximum.at(org_newest, cap_org[org_caps], cap_newest[org_caps])
    org_any[cap_org[org_caps]] = True
    row_any = np.zeros(n_rows, bool)
    row_any[cap_row[site_caps]] = True
    np.maximum.at(ix.any_best, cap_row[site_caps], cap_best[site_caps])
    np.bitwise_or.at(ix.any_kinds, cap_row[site_caps], cap_kinds[site_caps])
    np.maximum.at(ix.any_newest, cap_row[site_caps], cap_newest[site_caps])
    ix.any_level[row_any] = 2
    use_org = ~row_any & org_any[ix.row_org]
    ix.any_level[use_org] = 1
    ix.any_best[use_org] = org_best[ix.row_org[use_org]]
    ix.any_kinds[use_org] = org_kinds[ix.row_org[use_org]]
    ix.any_newest[use_org] = org_newest[ix.row_org[use_org]]
    ix.any_count[use_org] = org_count[ix.row_org[use_org]]

    # --- product postings (dosage form, route, modality, scale) and substances -------------------------
    prod_cap = np.repeat(np.arange(n_caps, dtype=np.int64), 4)
    prod_term = ix.cap_products.reshape(-1)
    present = prod_term >= 0
    prod_cap, prod_term = prod_cap[present], prod_term[present]
    pi, panc = expand_groups(anc_ptr, anc_flat, prod_term)
    # One entry per (capability, term): a capability whose two product terms share an ancestor has it once.
    pair = _distinct(prod_cap[pi] * max(n_terms, 1) + panc)
    pcap, panc = pair // max(n_terms, 1), (pair % max(n_terms, 1)).astype(panc.dtype)
    pside = cap_row[pcap] >= 0
    ps_key, ps_vals = _reduce(
        panc[pside].astype(np.int64) * n_rows + cap_row[pcap[pside]], {"count": (cap_count[pcap[pside]], np.add)}
    )
    po_key, po_vals = _reduce(
        panc[~pside].astype(np.int64) * n_orgs + cap_org[pcap[~pside]], {"count": (cap_count[pcap[~pside]], np.add)}
    )
    ix.products = merge(ps_key, ps_vals, po_key, po_vals, n_terms)

    sub_caps = np.flatnonzero(ix.cap_substance >= 0)
    sside = cap_row[sub_caps] >= 0
    ss_key, ss_vals = _reduce(
        ix.cap_substance[sub_caps[sside]].astype(np.int64) * n_rows + cap_row[sub_caps[sside]],
        {"count": (cap_count[sub_caps[sside]], np.add)},
    )
    so_key, so_vals = _reduce(
        ix.cap_substance[sub_caps[~sside]].astype(np.int64) * n_orgs + cap_org[sub_caps[~sside]],
        {"count": (cap_count[sub_caps[~sside]], np.add)},
    )
    ix.substances = merge(ss_key, ss_vals, so_key, so_vals, len(ix.substance_index))

    # A substance counts for the service of its capability (an API need counts API evidence only):
    # one posting per (substance, service term or ancestor) pair that occurs.
    si, sanc = expand_groups(anc_ptr, anc_flat, ix.cap_term[sub_caps])
    pair = ix.cap_substance[sub_caps[si]].astype(np.int64) * max(n_terms, 1) + sanc
    pairs, pair_key = np.unique(pair, return_inverse=True)
    ix.service_substance_index = {
        (int(p) // max(n_terms, 1), int(p) % max(n_terms, 1)): i for i, p in enumerate(pairs.tolist())
    }
    scap = sub_caps[si]
    sside2 = cap_row[scap] >= 0
    pk = pair_key.astype(np.int64)
    sps_key, sps_vals = _reduce(
        pk[sside2] * n_rows + cap_row[scap[sside2]], {"count": (cap_count[scap[sside2]], np.add)}
    )
    spo_key, spo_vals = _reduce(
        pk[~sside2] * n_orgs + cap_org[scap[~sside2]], {"count": (cap_count[scap[~sside2]], np.add)}
    )
    ix.service_substances = merge(sps_key, sps_vals, spo_key, spo_vals, len(pairs))

    # --- breadth: service families at the site, and further ones of the organisation -----------------------
    fam = family_of[ix.cap_term] if n_caps else np.zeros(0, np.int32)
    rf_key, _ = _reduce(cap_row[site_caps].astype(np.int64) * max(n_terms, 1) + fam[site_caps], {})
    ix.row_site_families = np.bincount(rf_key // max(n_terms, 1), minlength=n_rows).astype(np.int16)
    of_key, _ = _reduce(cap_org.astype(np.int64) * max(n_terms, 1) + fam, {})
    of_org = (of_key // max(n_terms, 1)).astype(np.int32)
    ix.org_families_ptr, of_local = _csr(of_org, n_orgs)
    ix.org_families = (of_key % max(n_terms, 1)).astype(np.int32)[of_local]
    org_family_count = np.bincount(of_org, minlength=n_orgs).astype(np.int16)
    ix.row_other_families = (org_family_count[ix.row_org] - ix.row_site_families).astype(np.int16)
    ix.row_breadth = (
        rules.BREADTH_MAX
        * np.minimum(2 * ix.row_site_families.astype(np.int32) + ix.row_other_families, rules.BREADTH_CAP)
        // rules.BREADTH_CAP
    ).astype(np.int16)

    # --- the compliance record of each row's site ------------------------------------------------------
    records = site_records(snapshot)
    ix.row_record = np.zeros((n_rows, 4), dtype=np.int32)
    if records:
        of_fei = {fei: site_record_of(records, fei) for fei in set(s.fei)}  # copied sites share an FEI
        site_record = np.array([of_fei[fei] for fei in s.fei], dtype=np.int32).reshape(n_sites, 4)
        at_site = ix.row_site >= 0
        ix.row_record[at_site] = site_record[ix.row_site[at_site]]

    ix.build_seconds = time.perf_counter() - started
    return ix


def _string_ranks(values: list[str]) -> I64:
    """The rank of each string in sorted (code point) order; equal strings share a rank."""
    ranks = {v: i for i, v in enumerate(sorted(set(values)))}
    return np.fromiter((ranks[v] for v in values), dtype=np.int64, count=len(values))
