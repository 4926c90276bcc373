"""Score a need against the index with NumPy: hard filters as masks, soft points as integer arrays.

The work is proportional to the candidates of the most selective requested service (all rows
when none is asked for): postings are sorted row lists, other services and product terms are
looked up in them with ``searchsorted``, and the top of the ranking is cut with a score histogram.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from cxo.matching import rules
from cxo.matching.criteria import Criteria, RankedRow, Ranking
from cxo.matching.index import KIND_BIT, MatchIndex, Postings

CRITERIA = ("service_fit", "product_fit", "evidence_strength", "recency", "breadth", "compliance")


@dataclass
class EngineResult:
    total: int
    rows: NDArray[np.int32]  # ranked rows of the index
    scores: NDArray[np.int32]
    points: dict[str, NDArray[np.int32]]  # per criterion, aligned with rows
    # What breaks ties, aligned with rows: evidence records (capped) and the newest evidence's ordinal.
    records: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    newest: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def after(self, offset: int) -> EngineResult:
        """The rows from ``offset`` on (a later page of the same ranking)."""
        if not offset:
            return self
        return EngineResult(
            total=self.total,
            rows=self.rows[offset:],
            scores=self.scores[offset:],
            points={name: values[offset:] for name, values in self.points.items()},
            records=self.records[offset:],
            newest=self.newest[offset:],
        )

    def ranking(self, index: MatchIndex) -> Ranking:
        site_ids = index.snapshot.sites.id
        org_ids = index.snapshot.organisations.id
        out = []
        for row, score in zip(self.rows.tolist(), self.scores.tolist(), strict=True):
            pos = int(index.row_site[row])
            site = int(site_ids[pos]) if pos >= 0 else None
            out.append(RankedRow(site, int(org_ids[index.row_org[row]]), int(score)))
        return Ranking(total=self.total, rows=tuple(out))


_EMPTY = np.zeros(0, dtype=np.int32)


def _empty() -> EngineResult:
    return EngineResult(0, _EMPTY, _EMPTY, {name: _EMPTY for name in CRITERIA})


def _lookup(postings: Postings, key: int, rows: NDArray[np.int32]) -> tuple[NDArray[np.bool_], NDArray[np.intp]]:
    """Which of ``rows`` (sorted) are in key's posting, and where."""
    span = postings.span(key)
    posted = postings.rows[span]
    if len(posted) == 0:
        return np.zeros(len(rows), dtype=bool), np.zeros(len(rows), dtype=np.intp)
    pos = np.searchsorted(posted, rows)
    np.minimum(pos, len(posted) - 1, out=pos)
    found = posted[pos] == rows
    return found, pos + span.start


def _levels(postings: Postings, key: int, rows: NDArray[np.int32]) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """The posting's level and evidence records for each of ``rows`` (0 where the row is not in it)."""
    found, pos = _lookup(postings, key, rows)
    levels = np.zeros(len(rows), dtype=np.int32)
    levels[found] = postings.level[pos[found]]
    records = np.zeros(len(rows), dtype=np.int32)
    assert postings.count is not None
    records[found] = postings.count[pos[found]]
    return levels, records


_DEPTH = np.array(rules.DEPTH_WEIGHT, dtype=np.int32)
_COMPLIANCE_BASE = np.array(rules.COMPLIANCE_BASE, dtype=np.int32)
_COMPLIANCE_FRESH = np.array(rules.COMPLIANCE_FRESH, dtype=np.int32)


def _within(record: NDArray[np.int32], today: int) -> NDArray[np.bool_]:
    """Which of a record's days (columns 0, 2, 3 matter) fall within the compliance window before today."""
    return (record > 0) & (record <= today) & (today - record <= rules.COMPLIANCE_WINDOW_DAYS)


def _as_of(index: MatchIndex, today: int) -> tuple[NDArray[np.int16], NDArray[np.bool_]]:
    """Every row's compliance points on ``today``, and whether its record is flagged (an OAI inspection, a
    warning letter or a Class I recall within the window): they depend on the day alone, so they are
    worked out once a day for all rows rather than for every need's candidates."""
    found = index.daily.get(today)
    if found is None:
        record = index.row_record
        within = _within(record, today)
        cls = np.where(within[:, 0], record[:, 1], 0)
        age = today - record[:, 0]
        fresh = _COMPLIANCE_FRESH[cls] * (rules.COMPLIANCE_WINDOW_DAYS - age) // rules.COMPLIANCE_WINDOW_DAYS
        base = _COMPLIANCE_BASE[cls] + np.where(cls > 0, fresh, 0)
        penalty = np.where(within[:, 2], rules.WARNING_LETTER_PENALTY, 0) + np.where(
            within[:, 3], rules.CLASS1_RECALL_PENALTY, 0
        )
        points = np.maximum(base - penalty, 0).astype(np.int16)
        oai = (record[:, 1] == rules.INSPECTION_CLASS["OAI"]) & within[:, 0]
        found = (points, oai | within[:, 2] | within[:, 3])
        if len(index.daily) >= 4:  # a server running past midnight, or a test's frozen clocks
            index.daily.clear()
        index.daily[today] = found
    return found


_DAY_SPAN = 1_000_000  # day ordinals (year 2738 and before) in the tie-break key


def _depth(records: NDArray[np.int32], cap: int = rules.DEPTH_CAP) -> NDArray[np.int32]:
    return _DEPTH[np.minimum(records, cap)]


def _substance_levels(
    index: MatchIndex, substance: str, terms: list[int], rows: NDArray[np.int32]
) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Per row, the best (level, records) — level 2 site, 1 organisation-wide, 0 none — at which capabilities
    of one of the requested services (of any service when none is requested) name the substance."""
    sub = index.substance_index.get(substance)
    levels = np.zeros(len(rows), dtype=np.int32)
    records = np.zeros(len(rows), dtype=np.int32)
    if sub is None:
        return levels, records
    if not terms:
        assert index.substances is not None
        return _levels(index.substances, sub, rows)
    assert index.service_substances is not None
    for term in dict.fromkeys(terms):
        key = index.service_substance_index.get((sub, term))
        if key is not None:
            level, count = _levels(index.service_substances, key, rows)
            better = (level > levels) | ((level == levels) & (count > records))
            levels[better], records[better] = level[better], count[better]
    return levels, records


def _recency(newest: NDArray[np.int32], today: int) -> NDArray[np.int32]:
    age = today - newest
    span = rules.RECENCY_ZERO_DAYS - rules.RECENCY_FULL_DAYS
    middle = rules.RECENCY_MAX * np.clip(rules.RECENCY_ZERO_DAYS - age, 0, span) // span
    points = np.where(age <= rules.RECENCY_FULL_DAYS, rules.RECENCY_MAX, middle)
    return np.where(newest > 0, points, 0).astype(np.int32)


def _best(score: NDArray[np.int32], key: NDArray[np.int64], limit: int) -> NDArray[np.intp]:
    """Positions of the ``limit`` best candidates: highest score, then smallest tie-break ``key``.

    Scores are small integers, so a histogram finds the lowest score that makes the cut in one pass;
    only the candidates above it, and the best of those at it, are sorted."""
    if limit <= 0:
        return np.zeros(0, dtype=np.intp)
    if limit < len(score):
        at_least = np.cumsum(np.bincount(score, minlength=rules.SCORE_MAX + 1)[::-1])
        cut = rules.SCORE_MAX - int(np.searchsorted(at_least, limit))
        above = np.flatnonzero(score > cut)
        at = np.flatnonzero(score == cut)
        need = limit - len(above)
        if len(at) > need:
            at = at[np.argpartition(key[at], need - 1)[:need]]
        picked = np.concatenate([above, at])
    else:
        picked = np.arange(len(score))
    return picked[np.argsort(key[picked], kind="stable")]


def rank(index: MatchIndex, criteria: Criteria, *, today: dt.date) -> EngineResult:
    services = index.services
    assert services is not None and index.products is not None and index.substances is not None
    n_rows = index.size
    today_ord = today.toordinal()

    terms = []
    for term_id in criteria.services:
        term = index.term_index.get(term_id)
        if term is None:
            return _empty()
        terms.append(term)
    # Most selective first; a service asked for twice counts twice, as in the rules.
    terms.sort(key=lambda k: int(services.ptr[k + 1] - services.ptr[k]))
    assert services.best is not None and services.kinds is not None and services.newest is not None
    assert services.country is not None and services.count is not None

    # --- candidates: the rows of the most selective service, or every row ----------------------------
    # Each requested service (or "any service") is a group: its value arrays, and where each
    # candidate's values are in them — a slice until a filter drops candidates. Values are read
    # once, for the candidates that pass every filter.
    sources: list[
        tuple[NDArray[np.int8], NDArray[np.int16], NDArray[np.uint8], NDArray[np.int32], NDArray[np.int32]]
    ] = []
    at: list[slice | NDArray[np.intp]] = []
    if terms:
        span = services.span(terms[0])
        rows = services.rows[span]
        country = services.country[span]
        sources.append((services.level, services.best, services.kinds, services.newest, services.count))
    else:
        span = slice(0, n_rows)
        rows = np.arange(n_rows, dtype=np.int32)
        country = index.row_country
        sources.append((index.any_level, index.any_best, index.any_kinds, index.any_newest, index.any_count))
    at.append(span)

    def keep(mask: NDArray[np.bool_]) -> None:
        nonlocal rows
        picked = np.flatnonzero(mask)
        rows = rows[picked]
        at[:] = [picked + a.start if isinstance(a, slice) else a[picked] for a in at]

    # --- hard filters ------------------------------------------------------------------------------------
    if criteria.countries is not None or criteria.exclude_countries:  # first: ``country`` is aligned
        allowed = np.ones(len(index.countries), dtype=bool)
        if criteria.countries is not None:
            allowed[:] = False
            allowed[[i for i, cc in enumerate(index.countries) if cc and cc in criteria.countries]] = True
        allowed[[i for i, cc in enumerate(index.countries) if cc and cc in criteria.exclude_countries]] = False
        keep(allowed[country])
    if criteria.exclude_organisations:
        excluded = [index.org_index[o] for o in criteria.exclude_organisations if o in index.org_index]
        if excluded:
            barred = np.zeros(len(index.org_index), dtype=bool)
            barred[excluded] = True
            keep(~barred[index.row_org[rows]])
    for term in terms[1:]:
        found, pos = _lookup(services, term, rows)
        keep(found)
        sources.append((services.level, services.best, services.kinds, services.newest, services.count))
        at.append(pos[found])
    if criteria.require_evidence:
        bits = 0
        for required in criteria.require_evidence:
            bits |= KIND_BIT["fda_registration" if required == rules.FDA_REGISTRATION_CURRENT else required]
        mask = np.ones(len(rows), dtype=bool)
        for (_, _, kinds, _, _), where in zip(sources, at, strict=True):
            mask &= (kinds[where] & bits) == bits
        if not terms:
            mask &= sources[0][0][at[0]] > 0
        if rules.FDA_REGISTRATION_CURRENT in criteria.require_evidence:
            mask &= index.row_expiry[rows] >= today_ord
        keep(mask)
    if criteria.exclude_flagged:
        _, flagged = _as_of(index, today_ord)
        keep(~flagged[rows])
    product_held = []
    if criteria.products:  # a filter: every requested product term on record (site or organisation-wide)
        assert index.products is not None
        mask = np.ones(len(rows), dtype=bool)
        for term_id in criteria.products:
            term = index.term_index.get(term_id)
            if term is None:
                return _empty()
            level, count = _levels(index.products, term, rows)
            product_held.append((level, count))
            mask &= level > 0
        keep(mask)
        product_held = [(level[mask], count[mask]) for level, count in product_held]
    substance_held = None
    if criteria.substance:  # a filter: the substance on a capability of a requested service (or any)
        level, count = _substance_levels(index, criteria.substance, terms, rows)
        found = level > 0
        keep(found)
        substance_held = (level[found], count[found])
        product_held = [(pl[found], pc[found]) for pl, pc in product_held]

    # --- soft points ---------------------------------------------------------------------------------------
    groups = [(lv[where], b[where], n[where], c[where]) for (lv, b, _, n, c), where in zip(sources, at, strict=True)]
    if terms:
        levels = np.zeros(len(rows), dtype=np.int32)
        for group_level, _, _, _ in groups:
            levels += group_level
        service_fit = rules.SERVICE_FIT_MAX * levels // (2 * len(terms))
    else:
        service_fit = np.full(len(rows), rules.SERVICE_FIT_MAX, dtype=np.int32)

    product_count = criteria.product_count
    if product_count:
        weighted = np.zeros(len(rows), dtype=np.int32)
        for level, count in product_held:
            weighted += level * (rules.PRODUCT_BASE + _depth(count, rules.PRODUCT_DEPTH_CAP))
        if substance_held is not None:
            weighted += substance_held[0] * (rules.PRODUCT_BASE + _depth(substance_held[1], rules.PRODUCT_DEPTH_CAP))
        product_fit = rules.PRODUCT_FIT_MAX * weighted // (2 * product_count * rules.PRODUCT_UNIT)
    else:
        product_fit = np.full(len(rows), rules.PRODUCT_FIT_MAX, dtype=np.int32)

    best, newest, records = groups[0][1], groups[0][2], groups[0][3].astype(np.int32)
    for _, b, n, c in groups[1:]:
        best = np.maximum(best, b)
        newest = np.maximum(newest, n)
        records = records + c
    evidence = best.astype(np.int32) + rules.EVIDENCE_DEPTH_MAX * _depth(records) // rules.DEPTH_MAX
    recency = _recency(newest, today_ord)
    breadth = index.row_breadth[rows].astype(np.int32)
    compliance, _ = _as_of(index, today_ord)
    compliance = compliance[rows].astype(np.int32)
    score = (service_fit + product_fit + evidence + recency + breadth + compliance).astype(np.int32)

    # --- ranking: score descending, then more evidence records, then newer evidence, then row ---------
    # (rows are stored in name order, so names decide only between rows equal on every measure). One
    # int64 key, smallest first: score, records and the newest date fit with room for 8M rows.
    tie_records = np.minimum(records, rules.TIE_COUNT_CAP).astype(np.int64)
    key = (
        ((rules.SCORE_MAX - score).astype(np.int64) * (rules.TIE_COUNT_CAP + 1) + (rules.TIE_COUNT_CAP - tie_records))
        * _DAY_SPAN
        + (_DAY_SPAN - 1 - newest.astype(np.int64))
    ) * max(n_rows, 1) + rows
    if criteria.per_organisation and len(rows):
        orgs = index.row_org[rows]
        best_key = np.full(len(index.org_index), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best_key, orgs, key)
        candidates = np.flatnonzero(key == best_key[orgs])
    else:
        candidates = np.arange(len(rows))
    total = len(candidates)
    limit = total if criteria.limit is None else min(criteria.limit, total)
    top = candidates[_best(score[candidates], key[candidates], limit)]
    points = {
        "service_fit": service_fit[top].astype(np.int32),
        "product_fit": product_fit[top].astype(np.int32),
        "evidence_strength": evidence[top],
        "recency": recency[top],
        "breadth": breadth[top],
        "compliance": compliance[top],
    }
    return EngineResult(
        total=total,
        rows=rows[top],
        scores=score[top],
        points=points,
        records=tie_records[top].astype(np.int32),
        newest=newest[top].astype(np.int32),
    )
