"""Explanations of the returned rows, criterion by criterion, with the evidence that decided each.

Only the rows returned are explained. Most of a row's explanation does not depend on the request:
its capabilities and their evidence records, its breadth entry, and, for one set of requested
services on one day, its service-fit, evidence and recency entries (their points follow from
those alone). The index keeps these in a bounded memo (``MatchIndex.memo``), so a row explained
before costs a few dictionary lookups; rows met for the first time are gathered with a few
vectorised reads of the index arrays. Entries are shared between results: treat them as read-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxo.matching import rules
from cxo.matching.engine import EngineResult
from cxo.matching.entries import (
    KIND_LABEL,
    MET,
    Ev,
    EvidenceGroup,
    country_label,
    country_name,
    entry,
    evidence_group,
    iso,
    newest,
    of_kind,
    record_count,
    records_text,
    status,
    strength,
    strongest,
)
from cxo.matching.index import MatchIndex
from cxo.matching.need import ResolvedNeed, TermRef
from cxo.matching.record import compliance_entry
from cxo.registry import geo

__all__ = ["KIND_LABEL", "MEMO_ROWS", "country_name", "explain"]

MEMO_ROWS = 20_000  # rows whose parts an index keeps; the memo starts afresh when it is full
MEMO_KEYS_PER_ROW = 32  # service sets (and product sets) remembered per row
I64 = NDArray[np.int64]


@dataclass(slots=True)
class _ServiceParts:
    """A row's entries for one list of requested services on one day, and the evidence behind them."""

    fit: dict[str, Any]
    strength: dict[str, Any]
    recency: dict[str, Any]
    groups: list[EvidenceGroup]  # evidence of the deciding capabilities, per requested service


@dataclass(slots=True)
class _Row:
    """What explaining a row needs that no request changes, and its parts per request seen so far."""

    here: I64  # site-level capabilities
    here_terms: I64  # their service term idx
    there: I64  # organisation-level capabilities
    there_terms: I64
    country: str
    expiry: dt.date | None
    breadth: dict[str, Any]
    services: dict[tuple[Any, ...], _ServiceParts]
    products: dict[tuple[Any, ...], dict[str, Any]]


def _remember(memo: dict[Any, Any], key: Any, value: Any, limit: int) -> None:
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value


def _subtree(index: MatchIndex, term: int) -> NDArray[np.bool_]:
    """term idx -> whether it is ``term`` or below it (remembered per index). One more entry, False, at
    the end: indexed with -1 (no term, in ``cap_products``) it says no."""
    memo: dict[int, NDArray[np.bool_]] = index.memo.setdefault("explain.subtree", {})
    mask = memo.get(term)
    if mask is None:
        n = len(index.ancestors)
        mask = memo[term] = np.fromiter((t < n and term in index.ancestors[t] for t in range(n + 1)), bool, n + 1)
    return mask


def _any_subtree(index: MatchIndex, terms: list[int]) -> NDArray[np.bool_]:
    """Like :func:`_subtree`, for being below any of ``terms``."""
    memo: dict[tuple[int, ...], NDArray[np.bool_]] = index.memo.setdefault("explain.subtrees", {})
    mask = memo.get(tuple(terms))
    if mask is None:
        mask = np.zeros(len(index.ancestors) + 1, dtype=bool)
        for term in terms:
            mask |= _subtree(index, term)
        memo[tuple(terms)] = mask
    return mask


def _families(index: MatchIndex) -> NDArray[np.int64]:
    found = index.memo.get("explain.families")
    if found is None:
        found = index.memo["explain.families"] = np.asarray(index.family, dtype=np.int64)
    return found


def _rows(index: MatchIndex, rows: list[int]) -> list[_Row]:
    memo: dict[int, _Row] = index.memo.setdefault("explain.rows", {})
    found = [memo.get(row) for row in rows]
    missing = [k for k, facts in enumerate(found) if facts is None]
    if missing:
        if len(memo) + len(missing) > MEMO_ROWS:
            memo.clear()
        for k, facts in zip(missing, _gather(index, [rows[k] for k in missing]), strict=True):
            found[k] = memo[rows[k]] = facts
    return found  # type: ignore[return-value]  # every None was filled


def _gather(index: MatchIndex, rows: list[int]) -> list[_Row]:
    """The request-independent facts of ``rows``: slices of the index arrays, and their breadth entries."""
    snap = index.snapshot
    arr = np.asarray(rows, dtype=np.int64)
    orgs = index.row_org[arr].tolist()
    families = _families(index)
    breadth_points = index.row_breadth[arr].tolist()
    row_ptr, org_ptr, fam_ptr = index.row_caps_ptr, index.org_caps_ptr, index.org_families_ptr
    out = []
    for k, (row, site_pos) in enumerate(zip(rows, index.row_site[arr].tolist(), strict=True)):
        here = index.row_caps[row_ptr[row] : row_ptr[row + 1]].astype(np.int64)
        there = index.org_caps[org_ptr[orgs[k]] : org_ptr[orgs[k] + 1]].astype(np.int64)
        here_terms, there_terms = index.cap_term[here].astype(np.int64), index.cap_term[there].astype(np.int64)
        site_fams = tuple(sorted(set(families[here_terms].tolist())))
        org_fams = set(index.org_families[fam_ptr[orgs[k]] : fam_ptr[orgs[k] + 1]].tolist())
        other = tuple(sorted(org_fams - set(site_fams)))
        out.append(
            _Row(
                here=here,
                here_terms=here_terms,
                there=there,
                there_terms=there_terms,
                country=snap.sites.country[site_pos] if site_pos >= 0 else "",
                expiry=snap.sites.registration_expiry[site_pos] if site_pos >= 0 else None,
                breadth=_breadth(index, site_fams, other, breadth_points[k]),
                services={},
                products={},
            )
        )
    return out


def _breadth(index: MatchIndex, site_fams: tuple[int, ...], other: tuple[int, ...], points: int) -> dict[str, Any]:
    """The breadth entry, shared by every row with the same families (the points follow from them)."""
    memo: dict[tuple[Any, ...], dict[str, Any]] = index.memo.setdefault("explain.breadth", {})
    found = memo.get((site_fams, other))
    if found is None:
        name = index.snapshot.terms.name
        detail = f"Service families at this site: {', '.join(name[f] for f in site_fams) or 'none'}."
        if other:
            detail += f" Elsewhere in the organisation: {', '.join(name[f] for f in other)}."
        found = entry("breadth", status(points, rules.BREADTH_MAX), detail, points, rules.BREADTH_MAX)
        _remember(memo, (site_fams, other), found, MEMO_ROWS)
    return found


# Per requested service: where the row offers it ("site" or "organisation") and the deciding
# capabilities (README.md, "Terms").
_Deciding = list[tuple[str, I64]]


def _deciding(index: MatchIndex, row: _Row, service_terms: list[int]) -> _Deciding:
    out: _Deciding = []
    for term in service_terms:
        sub = _subtree(index, term)
        at_site = row.here[sub[row.here_terms]]
        if len(at_site):
            out.append(("site", at_site))
        else:
            out.append(("organisation", row.there[sub[row.there_terms]]))
    if not service_terms:
        out.append(("site", row.here) if len(row.here) else ("organisation", row.there))
    return out


def _service_parts(
    index: MatchIndex,
    row: _Row,
    service_terms: list[int],
    deciding_caps: _Deciding,
    points: tuple[int, int, int],
    today: dt.date,
) -> _ServiceParts:
    """The service-fit, evidence-strength and recency entries of a row; ``points`` are the engine's."""
    name = index.snapshot.terms.name
    parts = []
    for term, (where, caps) in zip(service_terms, deciding_caps, strict=False):
        names = ", ".join(sorted({name[ct] for ct in index.cap_term[caps].tolist()}))
        if where == "site":
            parts.append(f"{name[term]}: at this site ({names})")
        else:
            parts.append(f"{name[term]}: organisation-wide only ({names}), not tied to this site")
    groups = [evidence_group(index, caps, where) for where, caps in deciding_caps]
    fit, strength_points, rec = points

    # The record shown for each service: its strongest, then newest evidence.
    group_best = [ev for ev in (strongest(index, group) for group in groups) if ev is not None]
    fit_entry = entry(
        "service_fit",
        status(fit, rules.SERVICE_FIT_MAX),
        "; ".join(parts) + "." if parts else "No service requested.",
        fit,
        rules.SERVICE_FIT_MAX,
        group_best,
    )

    shown: list[Ev]
    if group_best:
        best = max(group_best, key=strength)
        records = sum(len(group) for group in groups)
        detail = f"Best evidence: {best.label()}; {records_text(records)} on the deciding capabilities."
        if best.kind == "fda_registration" and row.expiry is not None:
            if row.expiry < today:
                detail += f" That registration expired on {iso(row.expiry)}; no renewal is on record."
            else:
                detail += f" Registration current until {iso(row.expiry)}."
        shown = [best]
    else:
        detail, shown = "No evidence on record for the deciding capabilities.", []
    strength_entry = entry(
        "evidence_strength", status(strength_points, rules.EVIDENCE_MAX), detail, strength_points, rules.EVIDENCE_MAX,
        shown,
    )  # fmt: skip

    latest = newest(index, groups)
    if latest is not None and latest.observed_on is not None:
        age = today.toordinal() - latest.observed_on.toordinal()
        detail = (
            f"Newest evidence observed {iso(latest.observed_on)}, {age} days before {iso(today)} "
            f"(full points up to {rules.RECENCY_FULL_DAYS} days, none from {rules.RECENCY_ZERO_DAYS})."
        )
        shown = [latest]
    else:
        detail, shown = "No dated evidence.", []
    recency_entry = entry("recency", status(rec, rules.RECENCY_MAX), detail, rec, rules.RECENCY_MAX, shown)
    return _ServiceParts(fit_entry, strength_entry, recency_entry, groups)


def _product_entry(
    index: MatchIndex, row: _Row, refs: list[TermRef], substance: str, service_terms: list[int], points: int
) -> dict[str, Any]:
    """Product fit: per requested dosage form, route, modality, scale and substance, where the row has it,
    with the strongest record of the capabilities that have it (of a requested service, if any is)."""
    levels = (
        ("site", "at this site", row.here, row.here_terms),
        ("organisation", "organisation-wide only", row.there, row.there_terms),
    )
    of_services = _any_subtree(index, service_terms)
    wanted = index.substance_index.get(substance, -2)
    asked: list[tuple[str, int | None]] = [(ref.name, index.term_index[ref.id]) for ref in refs]
    if substance:
        asked.append((substance, None))
    parts, shown = [], []
    for label, term in asked:
        for where, text, caps, terms in levels:
            if term is None:
                mask = index.cap_substance[caps] == wanted
                if service_terms:
                    mask &= of_services[terms]
            else:
                mask = _subtree(index, term)[index.cap_products[caps]].any(axis=1)
            having, having_terms = caps[mask], terms[mask]
            if len(having):
                parts.append(f"{label}: {text} ({records_text(record_count(index, having))})")
                requested = having[of_services[having_terms]] if service_terms else having[:0]
                best = strongest(index, evidence_group(index, requested if len(requested) else having, where))
                if best is not None:
                    shown.append(best)
                break
        else:
            parts.append(f"{label}: no record")
    return entry(
        "product_fit", status(points, rules.PRODUCT_FIT_MAX), "; ".join(parts) + ".", points, rules.PRODUCT_FIT_MAX,
        shown,
    )  # fmt: skip


def explain(
    index: MatchIndex, resolved: ResolvedNeed, result: EngineResult, *, today: dt.date
) -> list[list[dict[str, Any]]]:
    """One list of explanation entries per returned row, in the order of ``result.rows``."""
    rows = result.rows.tolist()
    if not rows:
        return []
    criteria = resolved.criteria
    service_terms = [index.term_index[r.id] for r in resolved.terms.get("services", [])]
    service_key = (tuple(service_terms), today)
    product_refs = [r for f in ("dosage_forms", "routes", "modalities", "scales") for r in resolved.terms.get(f, [])]
    product_key = (tuple(r.id for r in product_refs), criteria.substance, service_key[0])
    points = {name: arr.tolist() for name, arr in result.points.items()}
    fit_l, strength_l, rec_l, pfit_l = (
        points["service_fit"],
        points["evidence_strength"],
        points["recency"],
        points["product_fit"],
    )

    # Entries that depend only on the request (and the row's country) are written once per call.
    nothing_asked = None
    if not criteria.product_count:
        nothing_asked = entry(
            "product_fit",
            MET,
            "No dosage form, route, modality, scale or substance requested.",
            rules.PRODUCT_FIT_MAX,
            rules.PRODUCT_FIT_MAX,
        )
    country_seen: dict[str, dict[str, Any]] = {}
    barred_seen: dict[str, dict[str, Any]] = {}
    unexcluded = (
        entry("excluded_organisations", MET, "Not one of the organisations the need excludes.")
        if criteria.exclude_organisations
        else None
    )
    wanted = [*(country_label(c) for c in resolved.countries), *(geo.region_name(r) for r in resolved.regions)]
    barred = [
        *(country_label(c) for c in resolved.exclude_countries),
        *(geo.region_name(r) for r in resolved.exclude_regions),
    ]

    facts = _rows(index, rows)
    record_of = [tuple(r) for r in index.row_record[rows].tolist()]
    compliance_l = points["compliance"]
    # Rows explained for these services before reuse their parts; the others' deciding capabilities
    # are found first, so that all their evidence is read at once.
    new_parts = {
        k: _deciding(index, row, service_terms) for k, row in enumerate(facts) if service_key not in row.services
    }

    explanations: list[list[dict[str, Any]]] = []
    for k, row in enumerate(facts):
        parts = row.services.get(service_key)
        if parts is None:
            points_k = (fit_l[k], strength_l[k], rec_l[k])
            deciding = new_parts[k] if k in new_parts else _deciding(index, row, service_terms)
            parts = _service_parts(index, row, service_terms, deciding, points_k, today)
            _remember(row.services, service_key, parts, MEMO_KEYS_PER_ROW)
        entries = [parts.fit]
        if nothing_asked is not None:
            entries.append(nothing_asked)
        else:
            product = row.products.get(product_key)
            if product is None:
                product = _product_entry(index, row, product_refs, criteria.substance, service_terms, pfit_l[k])
                _remember(row.products, product_key, product, MEMO_KEYS_PER_ROW)
            entries.append(product)
        entries += (parts.strength, parts.recency, row.breadth)
        entries.append(compliance_entry(record_of[k], compliance_l[k], today))

        # the hard filters that the need applied
        country = row.country
        if criteria.countries is not None:
            entry_ = country_seen.get(country)
            if entry_ is None:
                entry_ = country_seen[country] = entry(
                    "country", MET, f"{country_label(country)}, within the requested {', '.join(wanted)}."
                )
            entries.append(entry_)
        if criteria.exclude_countries:
            entry_ = barred_seen.get(country)
            if entry_ is None:
                entry_ = barred_seen[country] = entry(
                    "excluded_countries", MET, f"{country_label(country)}, not in the excluded {', '.join(barred)}."
                )
            entries.append(entry_)
        if unexcluded is not None:
            entries.append(unexcluded)
        for required in criteria.require_evidence:
            kind = "fda_registration" if required == rules.FDA_REGISTRATION_CURRENT else required
            proof = of_kind(index, parts.groups, kind)
            detail = f"{KIND_LABEL[kind]} on every requested service: " + "; ".join(ev.label() for ev in proof[:3])
            if required == rules.FDA_REGISTRATION_CURRENT and row.expiry is not None:
                detail += f". Registration current until {iso(row.expiry)}"
            entries.append(entry(f"required_evidence:{required}", MET, detail + ".", evidence=proof))
        explanations.append(entries)
    return explanations
