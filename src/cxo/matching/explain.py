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
from functools import cache
from typing import Any

import numpy as np

from cxo.matching import rules
from cxo.matching.engine import EngineResult
from cxo.matching.index import MatchIndex, expand_groups
from cxo.matching.need import ResolvedNeed, TermRef
from cxo.matching.record import compliance_entry
from cxo.matching.snapshot import EVIDENCE_KINDS
from cxo.registry import geo

KIND_LABEL: dict[str, str] = {
    "fda_registration": "FDA establishment registration",
    "ndc_listing": "NDC product listing",
    "ndc_unfinished": "NDC unfinished-drug listing",
    "spl_establishment": "SPL establishment record",
    "clinical_trial": "Clinical trial record",
    "audit": "Audit",
    "self_declared": "Self-declared",
}
MET, PARTLY, NOT_MET = "met", "partly", "not_met"
CRITERION_LABEL: dict[str, str] = {
    "service_fit": "Service fit",
    "product_fit": "Product fit",
    "evidence_strength": "Evidence strength",
    "recency": "Recency",
    "breadth": "Breadth",
    "country": "Country",
    "excluded_countries": "Excluded countries",
    "excluded_organisations": "Excluded organisations",
}
MAX_EVIDENCE_SHOWN = 5
MEMO_ROWS = 20_000  # rows whose parts an index keeps; the memo starts afresh when it is full
MEMO_KEYS_PER_ROW = 32  # service sets (and product sets) remembered per row


@dataclass
class _Ev:
    kind: str
    source_ref: str
    observed_on: dt.date | None
    capability: str  # the service term's name
    where: str  # "site" or "organisation"
    _dict: dict[str, Any] | None = None

    @property
    def points(self) -> int:
        return rules.EVIDENCE_POINTS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        if self._dict is None:
            self._dict = self._as_dict()
        return self._dict

    def _as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": KIND_LABEL[self.kind],
            "source_ref": self.source_ref,
            "observed_on": _iso(self.observed_on),
            "capability": self.capability,
            "level": self.where,
        }

    def label(self) -> str:
        when = f", observed {_iso(self.observed_on)}" if self.observed_on else ", undated"
        return f"{KIND_LABEL[self.kind]} {self.source_ref}{when}"


def _entry(
    criterion: str,
    status: str,
    detail: str,
    points: int | None = None,
    maximum: int | None = None,
    evidence: list[_Ev] | None = None,
) -> dict[str, Any]:
    label = (
        CRITERION_LABEL.get(criterion)
        or f"Required: {KIND_LABEL.get(criterion.partition(':')[2], 'current FDA registration')}"
    )
    out: dict[str, Any] = {"criterion": criterion, "label": label, "status": status, "detail": detail}
    if points is not None:
        out["points"] = points
        out["max_points"] = maximum
    out["evidence"] = [e.as_dict() for e in (evidence or [])[:MAX_EVIDENCE_SHOWN]]
    return out


_DATES: dict[int, dt.date] = {}
_ISO: dict[dt.date, str] = {}


def _iso(date: dt.date | None) -> str | None:
    if date is None:
        return None
    text = _ISO.get(date)
    if text is None:
        text = _ISO[date] = date.isoformat()
    return text


def _date(day: int) -> dt.date | None:
    if not day:
        return None
    date = _DATES.get(day)
    if date is None:
        date = _DATES[day] = dt.date.fromordinal(day)
    return date


def _strength(ev: _Ev) -> tuple[int, int, str]:
    """Order of evidence: kind strength, then date, then (for a stable choice) the reference, reversed."""
    return (ev.points, ev.observed_on.toordinal() if ev.observed_on else 0, ev.source_ref)


def _status(points: int, maximum: int) -> str:
    return MET if points >= maximum else PARTLY if points > 0 else NOT_MET


@cache
def country_name(code: str) -> str:
    return geo.country_name(code)


def _country(code: str) -> str:
    return f"{country_name(code)} ({code})" if code else "no country on record"


@dataclass(slots=True)
class _ServiceParts:
    """A row's entries for one list of requested services on one day, and the evidence behind them."""

    fit: dict[str, Any]
    strength: dict[str, Any]
    recency: dict[str, Any]
    groups: list[list[_Ev]]  # evidence of the deciding capabilities, per requested service


@dataclass(slots=True)
class _Row:
    """What explaining a row needs that no request changes, and its parts per request seen so far."""

    here: list[int]  # site-level capabilities
    here_terms: list[int]  # their service term idx
    there: list[int]  # organisation-level capabilities
    there_terms: list[int]
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


def _gather(index: MatchIndex, rows: list[int]) -> list[_Row]:
    """The request-independent facts of ``rows``, read from the index arrays a few times for all of them."""
    snap = index.snapshot
    arr = np.asarray(rows, dtype=np.int64)
    orgs = index.row_org[arr]
    here: list[list[int]] = [[] for _ in rows]
    here_terms: list[list[int]] = [[] for _ in rows]
    there: list[list[int]] = [[] for _ in rows]
    there_terms: list[list[int]] = [[] for _ in rows]
    item, cap = expand_groups(index.row_caps_ptr, index.row_caps, arr)
    for k, c, term in zip(item.tolist(), cap.tolist(), index.cap_term[cap].tolist(), strict=True):
        here[k].append(c)
        here_terms[k].append(term)
    item, cap = expand_groups(index.org_caps_ptr, index.org_caps, orgs)
    for k, c, term in zip(item.tolist(), cap.tolist(), index.cap_term[cap].tolist(), strict=True):
        there[k].append(c)
        there_terms[k].append(term)
    org_fams: list[list[int]] = [[] for _ in rows]
    item, fam = expand_groups(index.org_families_ptr, index.org_families, orgs)
    for k, f in zip(item.tolist(), fam.tolist(), strict=True):
        org_fams[k].append(f)
    breadth_points = index.row_breadth[arr].tolist()
    out = []
    for k, site_pos in enumerate(index.row_site[arr].tolist()):
        site_fams = tuple(sorted({index.family[term] for term in here_terms[k]}))
        other = tuple(sorted(set(org_fams[k]) - set(site_fams)))
        out.append(
            _Row(
                here=here[k],
                here_terms=here_terms[k],
                there=there[k],
                there_terms=there_terms[k],
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
    entry = memo.get((site_fams, other))
    if entry is None:
        name = index.snapshot.terms.name
        detail = f"Service families at this site: {', '.join(name[f] for f in site_fams) or 'none'}."
        if other:
            detail += f" Elsewhere in the organisation: {', '.join(name[f] for f in other)}."
        entry = _entry("breadth", _status(points, rules.BREADTH_MAX), detail, points, rules.BREADTH_MAX)
        _remember(memo, (site_fams, other), entry, MEMO_ROWS)
    return entry


def _cap_evidence(index: MatchIndex, cap: int, term: int, where: str) -> list[_Ev]:
    found = index.memo.setdefault("explain.evidence", {}).get(cap)
    return found if found is not None else _load_evidence(index, [(cap, term, where)])[cap]


def _load_evidence(index: MatchIndex, wanted: list[tuple[int, int, str]]) -> dict[int, list[_Ev]]:
    """The evidence records of the (capability, service term idx, level): those not remembered yet are
    made in one read of the index arrays. Returned too, since another request may empty the memo."""
    memo: dict[int, list[_Ev]] = index.memo.setdefault("explain.evidence", {})
    known = {cap: memo.get(cap) for cap, _, _ in wanted}
    todo = list({cap: (cap, term, where) for cap, term, where in wanted if known[cap] is None}.values())
    if not todo:
        return known  # type: ignore[return-value]  # none is None
    if len(memo) + len(todo) > 4 * MEMO_ROWS:
        memo.clear()
    caps = np.fromiter((cap for cap, _, _ in todo), dtype=np.int64, count=len(todo))
    item, ev = expand_groups(index.cap_ev_ptr, index.cap_ev, caps)
    made: dict[int, list[_Ev]] = {cap: [] for cap, _, _ in todo}
    source_ref, name = index.snapshot.evidence.source_ref, index.snapshot.terms.name
    for k, j, kind, day in zip(
        item.tolist(), ev.tolist(), index.ev_kind[ev].tolist(), index.ev_day[ev].tolist(), strict=True
    ):
        cap, term, where = todo[k]
        made[cap].append(_Ev(EVIDENCE_KINDS[kind], source_ref[j], _date(day), name[term], where))
    memo.update(made)
    return {**known, **made}  # type: ignore[dict-item]  # every None was made


# Per requested service: where the row offers it ("site" or "organisation") and the deciding
# capabilities with their service term idx (README.md, "Terms").
_Deciding = list[tuple[str, list[tuple[int, int]]]]


def _deciding(index: MatchIndex, row: _Row, service_terms: list[int]) -> _Deciding:
    ancestors = index.ancestors
    out: _Deciding = []
    for term in service_terms:
        at_site = [(c, ct) for c, ct in zip(row.here, row.here_terms, strict=True) if term in ancestors[ct]]
        if at_site:
            out.append(("site", at_site))
        else:
            out.append(
                (
                    "organisation",
                    [(c, ct) for c, ct in zip(row.there, row.there_terms, strict=True) if term in ancestors[ct]],
                )
            )
    if not service_terms:
        if row.here:
            out.append(("site", list(zip(row.here, row.here_terms, strict=True))))
        else:
            out.append(("organisation", list(zip(row.there, row.there_terms, strict=True))))
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
        names = ", ".join(sorted({name[ct] for _, ct in caps}))
        if where == "site":
            parts.append(f"{name[term]}: at this site ({names})")
        else:
            parts.append(f"{name[term]}: organisation-wide only ({names}), not tied to this site")
    deciding = [[ev for c, ct in caps for ev in _cap_evidence(index, c, ct, where)] for where, caps in deciding_caps]
    fit, strength, rec = points

    # The record shown for each service: its strongest, then newest evidence.
    group_best = [max(group, key=_strength) for group in deciding if group]
    fit_entry = _entry(
        "service_fit",
        _status(fit, rules.SERVICE_FIT_MAX),
        "; ".join(parts) + "." if parts else "No service requested.",
        fit,
        rules.SERVICE_FIT_MAX,
        group_best,
    )

    if group_best:
        best = max(group_best, key=_strength)
        records = sum(len(group) for group in deciding)
        detail = f"Best evidence: {best.label()}; {_records(records)} on the deciding capabilities."
        if best.kind == "fda_registration" and row.expiry is not None:
            if row.expiry < today:
                detail += f" That registration expired on {_iso(row.expiry)}; no renewal is on record."
            else:
                detail += f" Registration current until {_iso(row.expiry)}."
        shown = [best]
    else:
        detail, shown = "No evidence on record for the deciding capabilities.", []
    strength_entry = _entry(
        "evidence_strength", _status(strength, rules.EVIDENCE_MAX), detail, strength, rules.EVIDENCE_MAX, shown
    )

    newest: _Ev | None = None
    for group in deciding:
        for ev in group:
            if ev.observed_on is None:
                continue
            if newest is None or newest.observed_on is None or ev.observed_on > newest.observed_on:
                newest = ev
    if newest is not None and newest.observed_on is not None:
        age = today.toordinal() - newest.observed_on.toordinal()
        detail = (
            f"Newest evidence observed {_iso(newest.observed_on)}, {age} days before {_iso(today)} "
            f"(full points up to {rules.RECENCY_FULL_DAYS} days, none from {rules.RECENCY_ZERO_DAYS})."
        )
        shown = [newest]
    else:
        detail, shown = "No dated evidence.", []
    recency_entry = _entry("recency", _status(rec, rules.RECENCY_MAX), detail, rec, rules.RECENCY_MAX, shown)
    return _ServiceParts(fit_entry, strength_entry, recency_entry, deciding)


def _records(n: int) -> str:
    return f"{n:,} evidence record{'s' if n != 1 else ''}"


def _product_entry(
    index: MatchIndex, row: _Row, refs: list[TermRef], substance: str, service_terms: list[int], points: int
) -> dict[str, Any]:
    """Product fit: per requested dosage form, route, modality, scale and substance, where the row has it,
    with the strongest record of the capabilities that have it (of a requested service, if any is)."""
    ancestors = index.ancestors
    levels = (
        ("site", "at this site", row.here, row.here_terms),
        ("organisation", "organisation-wide only", row.there, row.there_terms),
    )
    products = [index.cap_products[caps].tolist() if caps else [] for _, _, caps, _ in levels]
    substances = [index.cap_substance[caps].tolist() if caps else [] for _, _, caps, _ in levels]
    wanted = index.substance_index.get(substance, -2)
    asked: list[tuple[str, Any]] = [(ref.name, index.term_index[ref.id]) for ref in refs]
    if substance:
        asked.append((substance, None))
    parts, shown = [], []
    for label, term in asked:
        for (where, text, caps, terms), cap_products, cap_substance in zip(levels, products, substances, strict=True):
            having = [
                (c, ct)
                for c, ct, p, sub in zip(caps, terms, cap_products, cap_substance, strict=True)
                if (
                    sub == wanted and (not service_terms or any(t in ancestors[ct] for t in service_terms))
                    if term is None
                    else any(x >= 0 and term in ancestors[x] for x in p)
                )
            ]
            if having:
                records = sum(int(index.cap_ev_ptr[c + 1] - index.cap_ev_ptr[c]) for c, _ in having)
                parts.append(f"{label}: {text} ({_records(records)})")
                requested = [(c, ct) for c, ct in having if any(t in ancestors[ct] for t in service_terms)]
                evidence = [ev for c, ct in requested or having for ev in _cap_evidence(index, c, ct, where)]
                if evidence:
                    shown.append(max(evidence, key=_strength))
                break
        else:
            parts.append(f"{label}: no record")
    return _entry(
        "product_fit",
        _status(points, rules.PRODUCT_FIT_MAX),
        "; ".join(parts) + ".",
        points,
        rules.PRODUCT_FIT_MAX,
        shown,
    )


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
        nothing_asked = _entry(
            "product_fit",
            MET,
            "No dosage form, route, modality, scale or substance requested.",
            rules.PRODUCT_FIT_MAX,
            rules.PRODUCT_FIT_MAX,
        )
    country_seen: dict[str, dict[str, Any]] = {}
    barred_seen: dict[str, dict[str, Any]] = {}
    unexcluded = (
        _entry("excluded_organisations", MET, "Not one of the organisations the need excludes.")
        if criteria.exclude_organisations
        else None
    )
    wanted = [*(_country(c) for c in resolved.countries), *(geo.region_name(r) for r in resolved.regions)]
    barred = [
        *(_country(c) for c in resolved.exclude_countries),
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
    _load_evidence(index, [(c, ct, where) for found in new_parts.values() for where, caps in found for c, ct in caps])

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
            entry = country_seen.get(country)
            if entry is None:
                entry = country_seen[country] = _entry(
                    "country", MET, f"{_country(country)}, within the requested {', '.join(wanted)}."
                )
            entries.append(entry)
        if criteria.exclude_countries:
            entry = barred_seen.get(country)
            if entry is None:
                entry = barred_seen[country] = _entry(
                    "excluded_countries", MET, f"{_country(country)}, not in the excluded {', '.join(barred)}."
                )
            entries.append(entry)
        if unexcluded is not None:
            entries.append(unexcluded)
        for required in criteria.require_evidence:
            kind = "fda_registration" if required == rules.FDA_REGISTRATION_CURRENT else required
            proof = [ev for group in parts.groups for ev in group if ev.kind == kind]
            detail = f"{KIND_LABEL[kind]} on every requested service: " + "; ".join(ev.label() for ev in proof[:3])
            if required == rules.FDA_REGISTRATION_CURRENT and row.expiry is not None:
                detail += f". Registration current until {_iso(row.expiry)}"
            entries.append(_entry(f"required_evidence:{required}", MET, detail + ".", evidence=proof))
        explanations.append(entries)
    return explanations
