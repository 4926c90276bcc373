"""Explanations of the returned rows, criterion by criterion, with the evidence that decided each.

Only the rows returned are explained. The arrays they need are gathered once for all of them,
then each row is a few small Python loops over its own capabilities.
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
from cxo.matching.need import ResolvedNeed
from cxo.matching.snapshot import EVIDENCE_KINDS
from cxo.registry import geo

KIND_LABEL: dict[str, str] = {
    "fda_registration": "FDA establishment registration",
    "ndc_listing": "NDC product listing",
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


def explain(
    index: MatchIndex, resolved: ResolvedNeed, result: EngineResult, *, today: dt.date
) -> list[list[dict[str, Any]]]:
    """One list of explanation entries per returned row, in the order of ``result.rows``."""
    rows = result.rows
    if len(rows) == 0:
        return []
    snap = index.snapshot
    t = snap.terms
    criteria = resolved.criteria
    today_ord = today.toordinal()

    # Gather the capabilities of every returned row (its site's and its organisation's), and their
    # evidence, with a few vectorised gathers; the per-row work below is then plain Python on small lists.
    rows_l = rows.tolist()
    orgs = index.row_org[rows]
    site_item, site_cap = expand_groups(index.row_caps_ptr, index.row_caps, rows)
    org_item, org_cap = expand_groups(index.org_caps_ptr, index.org_caps, orgs)
    site_caps: list[list[int]] = [[] for _ in rows_l]
    org_caps: list[list[int]] = [[] for _ in rows_l]
    for item, cap in zip(site_item.tolist(), site_cap.tolist(), strict=True):
        site_caps[item].append(cap)
    for item, cap in zip(org_item.tolist(), org_cap.tolist(), strict=True):
        org_caps[item].append(cap)
    cap_arr = np.unique(np.concatenate([site_cap, org_cap]).astype(np.int64))
    caps = cap_arr.tolist()
    cap_term = dict(zip(caps, index.cap_term[cap_arr].tolist(), strict=True))
    cap_products = dict(zip(caps, index.cap_products[cap_arr].tolist(), strict=True))
    cap_substance = dict(zip(caps, index.cap_substance[cap_arr].tolist(), strict=True))
    site_cap_set = set(site_cap.tolist())
    # Evidence of every gathered capability in three flat lists, grouped by capability; the _Ev
    # records are made on first use, since only the deciding capabilities' evidence is shown.
    counts = (index.cap_ev_ptr[cap_arr + 1] - index.cap_ev_ptr[cap_arr]).tolist()
    _, ev = expand_groups(index.cap_ev_ptr, index.cap_ev, cap_arr)
    ev_l, kind_l, day_l = ev.tolist(), index.ev_kind[ev].tolist(), index.ev_day[ev].tolist()
    ev_start: dict[int, tuple[int, int]] = {}
    offset = 0
    for cap, count in zip(caps, counts, strict=True):
        ev_start[cap] = (offset, offset + count)
        offset += count
    source_ref = snap.evidence.source_ref
    evidence_cache: dict[int, list[_Ev]] = {}

    def cap_evidence(cap: int) -> list[_Ev]:
        found = evidence_cache.get(cap)
        if found is None:
            a, b = ev_start[cap]
            where = "site" if cap in site_cap_set else "organisation"
            name = t.name[cap_term[cap]]
            found = evidence_cache[cap] = [
                _Ev(EVIDENCE_KINDS[kind_l[j]], source_ref[ev_l[j]], _date(day_l[j]), name, where) for j in range(a, b)
            ]
        return found

    substance_idx = index.substance_index.get(criteria.substance, -2) if criteria.substance else -2
    row_site_l = index.row_site[rows].tolist()
    fam_item, fam = expand_groups(index.org_families_ptr, index.org_families, orgs)
    org_fams_of: list[list[int]] = [[] for _ in rows_l]
    for item, f in zip(fam_item.tolist(), fam.tolist(), strict=True):
        org_fams_of[item].append(f)

    service_terms = [index.term_index[r.id] for r in resolved.terms.get("services", [])]
    product_refs = [r for f in ("dosage_forms", "routes", "modalities", "scales") for r in resolved.terms.get(f, [])]
    family_name = {i: t.name[i] for i in set(index.family)}
    points = {name: arr.tolist() for name, arr in result.points.items()}

    explanations: list[list[dict[str, Any]]] = []
    # Entries that depend only on what the need asked and a few row traits are built once per call.
    nothing_asked: dict[str, Any] | None = None
    breadth_seen: dict[tuple[tuple[int, ...], tuple[int, ...]], dict[str, Any]] = {}
    country_seen: dict[str, dict[str, Any]] = {}
    for k in range(len(rows_l)):
        here, there = site_caps[k], org_caps[k]
        site_pos = row_site_l[k]
        country = snap.sites.country[site_pos] if site_pos >= 0 else ""
        expiry = snap.sites.registration_expiry[site_pos] if site_pos >= 0 else None
        entries: list[dict[str, Any]] = []

        # service fit, and the deciding capabilities of each service
        deciding: list[tuple[list[int], str]] = []
        parts = []
        for term in service_terms:
            at_site = [c for c in here if term in index.ancestors[cap_term[c]]]
            if at_site:
                deciding.append((at_site, "site"))
                names = ", ".join(sorted({t.name[cap_term[c]] for c in at_site}))
                parts.append(f"{t.name[term]}: at this site ({names})")
            else:
                at_org = [c for c in there if term in index.ancestors[cap_term[c]]]
                deciding.append((at_org, "organisation"))
                names = ", ".join(sorted({t.name[cap_term[c]] for c in at_org}))
                parts.append(f"{t.name[term]}: organisation-wide only ({names}), not tied to this site")
        if not service_terms:
            deciding.append((here, "site") if here else (there, "organisation"))
        group_evidence = [[ev for c in group for ev in cap_evidence(c)] for group, _ in deciding]
        # The record shown for each service: its strongest, then newest evidence.
        group_best = [max(group, key=_strength) for group in group_evidence if group]
        all_evidence = [ev for group in group_evidence for ev in group]
        fit = points["service_fit"][k]
        entries.append(
            _entry(
                "service_fit",
                _status(fit, rules.SERVICE_FIT_MAX),
                "; ".join(parts) + "." if parts else "No service requested.",
                fit,
                rules.SERVICE_FIT_MAX,
                group_best,
            )
        )

        # product fit (the same entry for every row when nothing was asked for)
        pfit = points["product_fit"][k]
        if not criteria.product_count:
            if nothing_asked is None:
                nothing_asked = _entry(
                    "product_fit",
                    MET,
                    "No dosage form, route, modality, scale or substance requested.",
                    pfit,
                    rules.PRODUCT_FIT_MAX,
                )
            entries.append(nothing_asked)
        pparts = []
        for ref in product_refs:
            term = index.term_index[ref.id]
            if any(p >= 0 and term in index.ancestors[p] for c in here for p in cap_products[c]):
                pparts.append(f"{ref.name}: at this site")
            elif any(p >= 0 and term in index.ancestors[p] for c in there for p in cap_products[c]):
                pparts.append(f"{ref.name}: organisation-wide only")
            else:
                pparts.append(f"{ref.name}: no record")
        if criteria.substance:
            if any(cap_substance[c] == substance_idx for c in here):
                pparts.append(f"{criteria.substance}: at this site")
            elif any(cap_substance[c] == substance_idx for c in there):
                pparts.append(f"{criteria.substance}: organisation-wide only")
            else:
                pparts.append(f"{criteria.substance}: no record")
        if pparts:
            entries.append(
                _entry(
                    "product_fit",
                    _status(pfit, rules.PRODUCT_FIT_MAX),
                    "; ".join(pparts) + ".",
                    pfit,
                    rules.PRODUCT_FIT_MAX,
                )
            )

        # evidence strength
        strength = points["evidence_strength"][k]
        if all_evidence:
            best = max(all_evidence, key=_strength)
            detail = f"Best evidence: {best.label()}."
            if best.kind == "fda_registration" and expiry is not None:
                if expiry < today:
                    detail += f" That registration expired on {_iso(expiry)}; no renewal is on record."
                else:
                    detail += f" Registration current until {_iso(expiry)}."
        else:
            detail = "No evidence on record for the deciding capabilities."
        entries.append(
            _entry(
                "evidence_strength",
                _status(strength, rules.EVIDENCE_MAX),
                detail,
                strength,
                rules.EVIDENCE_MAX,
                [best] if all_evidence else [],
            )
        )

        # recency
        rec = points["recency"][k]
        dated = [ev for ev in all_evidence if ev.observed_on is not None]
        if dated:
            newest = max(dated, key=lambda ev: ev.observed_on or dt.date.min)
            assert newest.observed_on is not None
            age = today_ord - newest.observed_on.toordinal()
            detail = (
                f"Newest evidence observed {_iso(newest.observed_on)}, {age} days before {_iso(today)} "
                f"(full points up to {rules.RECENCY_FULL_DAYS} days, none from {rules.RECENCY_ZERO_DAYS})."
            )
            shown = [newest]
        else:
            detail, shown = "No dated evidence.", []
        entries.append(_entry("recency", _status(rec, rules.RECENCY_MAX), detail, rec, rules.RECENCY_MAX, shown))

        # breadth
        br = points["breadth"][k]
        site_fams = tuple(sorted({index.family[cap_term[c]] for c in here}))
        org_fams = org_fams_of[k]
        other = tuple(sorted(set(org_fams) - set(site_fams)))
        breadth_entry = breadth_seen.get((site_fams, other))
        if breadth_entry is None:
            families_here = ", ".join(family_name[f] for f in site_fams) or "none"
            detail = f"Service families at this site: {families_here}."
            if other:
                detail += f" Elsewhere in the organisation: {', '.join(family_name[f] for f in other)}."
            breadth_entry = _entry("breadth", _status(br, rules.BREADTH_MAX), detail, br, rules.BREADTH_MAX)
            breadth_seen[(site_fams, other)] = breadth_entry
        entries.append(breadth_entry)

        # hard filters that the need applied
        if criteria.countries is not None:
            country_entry = country_seen.get(country)
            if country_entry is None:
                wanted = [*(_country(c) for c in resolved.countries), *(geo.region_name(r) for r in resolved.regions)]
                country_entry = country_seen[country] = _entry(
                    "country", MET, f"{_country(country)}, within the requested {', '.join(wanted)}."
                )
            entries.append(country_entry)
        if criteria.exclude_countries:
            barred = [
                *(_country(c) for c in resolved.exclude_countries),
                *(geo.region_name(r) for r in resolved.exclude_regions),
            ]
            entries.append(
                _entry("excluded_countries", MET, f"{_country(country)}, not in the excluded {', '.join(barred)}.")
            )
        if criteria.exclude_organisations:
            entries.append(_entry("excluded_organisations", MET, "Not one of the organisations the need excludes."))
        for required in criteria.require_evidence:
            kind = "fda_registration" if required == rules.FDA_REGISTRATION_CURRENT else required
            proof = [ev for group in group_evidence for ev in group if ev.kind == kind]
            detail = f"{KIND_LABEL[kind]} on every requested service: " + "; ".join(ev.label() for ev in proof[:3])
            if required == rules.FDA_REGISTRATION_CURRENT and expiry is not None:
                detail += f". Registration current until {_iso(expiry)}"
            entries.append(_entry(f"required_evidence:{required}", MET, detail + ".", evidence=proof))
        explanations.append(entries)
    return explanations
