"""Explanations of the returned rows, criterion by criterion, with the evidence that decided each.

Only the rows returned are explained. Most of a row's explanation does not depend on the request:
its capabilities and their evidence records, its breadth entry, and, for one set of requested
services on one day, its service-fit, evidence and recency entries (their points follow from
those alone). The index keeps these in a bounded memo (``MatchIndex.memo``), so a row explained
before costs a few dictionary lookups; the rows met for the first time are read together, in one
vectorised pass over the index arrays for all of them (:mod:`cxo.matching.deciding`). Entries are
shared between results: treat them as read-only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxo.matching import rules
from cxo.matching.deciding import Deciding, Held, deciding_evidence, product_evidence
from cxo.matching.engine import EngineResult
from cxo.matching.entries import (
    KIND_LABEL,
    MET,
    Ev,
    EvidenceGroup,
    country_label,
    country_name,
    day_date,
    entry,
    iso,
    of_kind,
    records_text,
    status,
    strength,
)
from cxo.matching.index import MatchIndex, expand_groups
from cxo.matching.need import ResolvedNeed
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


def _per_row(item: I64, values: NDArray[np.integer], k_rows: int, n_values: int) -> list[list[int]]:
    """The distinct ``values`` of each of ``k_rows`` rows, ascending (``item`` says whose each value is)."""
    keys = np.unique(item * n_values + values)
    bounds = np.searchsorted(keys, np.arange(k_rows + 1) * n_values).tolist()
    flat = (keys % n_values).tolist()
    return [flat[a:b] for a, b in itertools.pairwise(bounds)]


def _gather(index: MatchIndex, rows: list[int]) -> list[_Row]:
    """The request-independent facts of ``rows``: their capabilities (views of two flat arrays read at
    once), and their breadth entries."""
    snap = index.snapshot
    arr = np.asarray(rows, dtype=np.int64)
    k_rows, n_terms = len(rows), max(len(index.family_of), 1)
    orgs = index.row_org[arr].astype(np.int64)
    site_item, site_caps = expand_groups(index.row_caps_ptr, index.row_caps, arr)
    org_item, org_caps = expand_groups(index.org_caps_ptr, index.org_caps, orgs)
    here, there = site_caps.astype(np.int64), org_caps.astype(np.int64)
    here_terms, there_terms = index.cap_term[here].astype(np.int64), index.cap_term[there].astype(np.int64)
    here_at = np.searchsorted(site_item, np.arange(k_rows + 1)).tolist()
    there_at = np.searchsorted(org_item, np.arange(k_rows + 1)).tolist()
    site_fams = _per_row(site_item, index.family_of[here_terms], k_rows, n_terms)
    fam_item, fams = expand_groups(index.org_families_ptr, index.org_families, orgs)
    org_fams = _per_row(fam_item, fams, k_rows, n_terms)
    breadth_points = index.row_breadth[arr].tolist()
    out = []
    for k, site_pos in enumerate(index.row_site[arr].tolist()):
        a, b, c, d = here_at[k], here_at[k + 1], there_at[k], there_at[k + 1]
        at_site = tuple(site_fams[k])
        other = tuple(f for f in org_fams[k] if f not in at_site)
        out.append(
            _Row(
                here=here[a:b],
                here_terms=here_terms[a:b],
                there=there[c:d],
                there_terms=there_terms[c:d],
                country=snap.sites.country[site_pos] if site_pos >= 0 else "",
                expiry=day_date(int(snap.sites.registration_expiry[site_pos])) if site_pos >= 0 else None,
                breadth=_breadth(index, at_site, other, breadth_points[k]),
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


def _service_parts(
    index: MatchIndex,
    row: _Row,
    service_terms: list[int],
    deciding: Deciding,
    k: int,
    points: tuple[int, int, int],
    today: dt.date,
) -> _ServiceParts:
    """The service-fit, evidence-strength and recency entries of the ``k``-th row of ``deciding``;
    ``points`` are the engine's."""
    name = index.snapshot.terms.name
    of_row = deciding.of_row(k)
    parts = []
    for term, g in zip(service_terms, of_row, strict=False):
        names = ", ".join(deciding.names[g])
        if deciding.where[g] == "site":
            parts.append(f"{name[term]}: at this site ({names})")
        else:
            parts.append(f"{name[term]}: organisation-wide only ({names}), not tied to this site")
    groups = [deciding.groups[g] for g in of_row]
    fit, strength_points, rec = points

    # The record shown for each service: its strongest, then newest evidence.
    group_best = [ev for g in of_row if (ev := deciding.best[g]) is not None]
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
        detail = f"Best evidence: {best.label()}; {records_text(deciding.records[k])} on the deciding capabilities."
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

    latest = deciding.latest[k]
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


def _product_entry(labels: list[str], held: list[Held | None], points: int) -> dict[str, Any]:
    """Product fit: per requested dosage form, route, modality, scale and substance, where the row has it,
    with the strongest record of the capabilities that have it (of a requested service, if any is)."""
    parts, shown = [], []
    for label, where in zip(labels, held, strict=True):
        if where is None:
            parts.append(f"{label}: no record")
            continue
        text = "at this site" if where.where == "site" else "organisation-wide only"
        parts.append(f"{label}: {text} ({records_text(where.records)})")
        if where.best is not None:
            shown.append(where.best)
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
    compliance_seen: dict[tuple[tuple[int, ...], int], dict[str, Any]] = {}
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
    # and evidence are found together, in one pass (cxo.matching.deciding).
    unexplained = [k for k, row in enumerate(facts) if service_key not in row.services]
    deciding = deciding_evidence(index, [rows[k] for k in unexplained], service_terms)
    batch_of = {k: i for i, k in enumerate(unexplained)}
    product_labels = [r.name for r in product_refs] + ([criteria.substance] if criteria.substance else [])
    held_of: dict[int, list[Held | None]] = {}
    if nothing_asked is None:
        asked: list[int | None] = [index.term_index[r.id] for r in product_refs]
        if criteria.substance:
            asked.append(None)
        unheld = [k for k, row in enumerate(facts) if product_key not in row.products]
        wanted_substance = index.substance_index.get(criteria.substance, -2)
        held = product_evidence(index, [rows[k] for k in unheld], asked, wanted_substance, service_terms)
        held_of = dict(zip(unheld, held, strict=True))

    explanations: list[list[dict[str, Any]]] = []
    for k, row in enumerate(facts):
        parts = row.services.get(service_key)
        if parts is None:
            points_k = (fit_l[k], strength_l[k], rec_l[k])
            parts = _service_parts(index, row, service_terms, deciding, batch_of[k], points_k, today)
            _remember(row.services, service_key, parts, MEMO_KEYS_PER_ROW)
        entries = [parts.fit]
        if nothing_asked is not None:
            entries.append(nothing_asked)
        else:
            product = row.products.get(product_key)
            if product is None:
                product = _product_entry(product_labels, held_of[k], pfit_l[k])
                _remember(row.products, product_key, product, MEMO_KEYS_PER_ROW)
            entries.append(product)
        entries += (parts.strength, parts.recency, row.breadth)
        compliance_key = (record_of[k], compliance_l[k])  # most rows share one: no inspection on record
        compliance = compliance_seen.get(compliance_key)
        if compliance is None:
            compliance = compliance_seen[compliance_key] = compliance_entry(*compliance_key, today)
        entries.append(compliance)

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
