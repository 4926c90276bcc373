"""The scoring rules of README.md, read literally, in plain Python over a registry snapshot.

Slow and simple on purpose: the property tests hold the NumPy engine to it, row for row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from cxo.matching import rules
from cxo.matching.criteria import Criteria, RankedRow, Ranking
from cxo.matching.record import NONE, SiteRecord, site_record_of, site_records
from cxo.matching.snapshot import EVIDENCE_KINDS, NO_ID, RegistrySnapshot


def _date(ordinal: int) -> dt.date | None:
    return dt.date.fromordinal(ordinal) if ordinal else None


@dataclass
class _Cap:
    id: int
    organisation: int
    site: int | None
    service: int
    products: tuple[int, ...]
    substance: str
    evidence: list[tuple[str, dt.date | None]]


@dataclass
class _Row:
    site_id: int | None
    organisation: int
    org_name: str
    site_name: str
    country: str
    expiry: dt.date | None
    record: SiteRecord = NONE


def rank(snapshot: RegistrySnapshot, criteria: Criteria, *, today: dt.date) -> Ranking:
    t = snapshot.terms
    parent = dict(zip(t.id, t.parent, strict=True))

    def ancestors(term: int) -> list[int]:
        chain = [term]
        while (up := parent.get(chain[-1])) is not None:
            chain.append(up)
        return chain

    def in_subtree(term: int | None, root: int) -> bool:
        return term is not None and root in ancestors(term)

    code = dict(zip(t.id, t.code, strict=True))

    def family(term: int) -> int:
        chain = ancestors(term)
        if code[chain[-1]] in rules.SPLIT_FAMILY_ROOTS and len(chain) >= 2:
            return chain[-2]
        return chain[-1]

    org_name = dict(zip(snapshot.organisations.id.tolist(), snapshot.organisations.name, strict=True))
    e = snapshot.evidence
    evidence_of: dict[int, list[tuple[str, dt.date | None]]] = defaultdict(list)
    for cap_id, kind, observed in zip(e.capability.tolist(), e.kind.tolist(), e.observed_on.tolist(), strict=True):
        evidence_of[cap_id].append((EVIDENCE_KINDS[kind], _date(observed)))

    c = snapshot.capabilities
    caps_at_site: dict[int, list[_Cap]] = defaultdict(list)
    caps_of_org: dict[int, list[_Cap]] = defaultdict(list)  # organisation-level only
    all_caps_of_org: dict[int, list[_Cap]] = defaultdict(list)
    cap_ids, cap_sites = c.id.tolist(), c.site.tolist()
    products = list(zip(c.dosage_form.tolist(), c.route.tolist(), c.modality.tolist(), c.scale.tolist(), strict=True))
    for i, cap_id in enumerate(cap_ids):
        cap = _Cap(
            id=cap_id,
            organisation=int(c.organisation[i]),
            site=None if cap_sites[i] == NO_ID else cap_sites[i],
            service=int(c.service[i]),
            products=tuple(x for x in products[i] if x != NO_ID),
            substance=rules.normalise_substance(c.substance_of(i)),
            evidence=evidence_of.get(cap_id, []),
        )
        all_caps_of_org[cap.organisation].append(cap)
        if cap.site is None:
            caps_of_org[cap.organisation].append(cap)
        else:
            caps_at_site[cap.site].append(cap)

    s = snapshot.sites
    site_facts = site_records(snapshot)
    site_ids, site_orgs, expiry = s.id.tolist(), s.organisation.tolist(), s.registration_expiry.tolist()
    rows = [
        _Row(
            site_ids[i],
            site_orgs[i],
            org_name[site_orgs[i]],
            s.name[i],
            s.country[i] or "",
            _date(expiry[i]),
            site_record_of(site_facts, s.fei[i]),
        )
        for i in range(len(site_ids))
    ]
    orgs_with_sites = set(site_orgs)
    rows += [_Row(None, o, org_name[o], "", "", None) for o in sorted(caps_of_org) if o not in orgs_with_sites]

    matched: list[tuple[tuple[int, int, int, str, str, int, int], RankedRow]] = []
    for row in rows:
        site_caps = caps_at_site.get(row.site_id, []) if row.site_id is not None else []
        org_caps = caps_of_org.get(row.organisation, [])

        # (a) services, and the capabilities that decide each
        groups: list[list[_Cap]] = []
        levels = 0
        offered = True
        for service in criteria.services:
            here = [cap for cap in site_caps if in_subtree(cap.service, service)]
            there = [cap for cap in org_caps if in_subtree(cap.service, service)]
            if here:
                groups.append(here)
                levels += 2
            elif there:
                groups.append(there)
                levels += 1
            else:
                offered = False
                break
        if not offered:
            continue
        if not criteria.services:
            groups.append(site_caps or org_caps)

        # (b) countries
        if criteria.countries is not None and row.country not in criteria.countries:
            continue
        if row.country and row.country in criteria.exclude_countries:
            continue
        # (c) organisations
        if row.organisation in criteria.exclude_organisations:
            continue
        if criteria.exclude_flagged and rules.compliance_flagged(*row.record, today.toordinal()):
            continue
        # (d) required evidence, for every service
        passes = True
        for required in criteria.require_evidence:
            kind = "fda_registration" if required == rules.FDA_REGISTRATION_CURRENT else required
            for group in groups:
                if not any(k == kind for cap in group for k, _ in cap.evidence):
                    passes = False
            if required == rules.FDA_REGISTRATION_CURRENT and (row.expiry is None or row.expiry < today):
                passes = False
        if not passes:
            continue

        service_fit = rules.fit_points(levels, len(criteria.services), rules.SERVICE_FIT_MAX)

        def held(having: list[_Cap], level: int) -> tuple[int, int]:
            """(level, evidence records) when some capability has it, else (0, 0)."""
            return (level, sum(len(cap.evidence) for cap in having)) if having else (0, 0)

        weighted = 0
        lacking = False  # every requested dosage form, route, modality and scale is a filter too
        for product in criteria.products:
            level, records = held([cap for cap in site_caps if any(in_subtree(p, product) for p in cap.products)], 2)
            if not level:
                level, records = held([cap for cap in org_caps if any(in_subtree(p, product) for p in cap.products)], 1)
            lacking = lacking or not level
            weighted += level * (rules.PRODUCT_BASE + rules.product_depth(records))
        if lacking:
            continue
        if criteria.substance:
            # Only capabilities of a requested service (of any, when none is) count; a filter.
            best_held = (0, 0)
            wanted: list[int | None] = list(dict.fromkeys(criteria.services)) if criteria.services else [None]
            for of_service in wanted:

                def names_it(cap: _Cap, of_service: int | None = of_service) -> bool:
                    return cap.substance == criteria.substance and (
                        of_service is None or in_subtree(cap.service, of_service)
                    )

                found = held([cap for cap in site_caps if names_it(cap)], 2)
                if not found[0]:
                    found = held([cap for cap in org_caps if names_it(cap)], 1)
                best_held = max(best_held, found)
            if not best_held[0]:
                continue
            weighted += best_held[0] * (rules.PRODUCT_BASE + rules.product_depth(best_held[1]))
        product_fit = rules.product_points(weighted, criteria.product_count)

        deciding = [ev for group in groups for cap in group for ev in cap.evidence]
        best_kind = max((rules.EVIDENCE_POINTS[k] for k, _ in deciding), default=0)
        evidence_points = rules.evidence_points(best_kind, len(deciding))
        dates = [d for _, d in deciding if d is not None]
        newest = max(dates).toordinal() if dates else 0
        recency = rules.recency_points((today - max(dates)).days) if dates else 0

        site_families = {family(cap.service) for cap in site_caps}
        org_families = {family(cap.service) for cap in all_caps_of_org.get(row.organisation, [])}
        breadth = rules.breadth_points(len(site_families), len(org_families - site_families))
        compliance = rules.compliance_points(*row.record, today.toordinal())

        score = service_fit + product_fit + evidence_points + recency + breadth + compliance
        # Ties: more evidence records first, then newer evidence, then names (only when equal on all).
        key = (
            -score,
            -min(len(deciding), rules.TIE_COUNT_CAP),
            -newest,
            row.org_name.casefold(),
            row.site_name.casefold(),
            row.site_id or 0,
            row.organisation,
        )
        matched.append((key, RankedRow(row.site_id, row.organisation, score)))

    matched.sort(key=lambda pair: pair[0])
    ranked = [r for _, r in matched]
    if criteria.per_organisation:
        seen: set[int] = set()
        best = []
        for r in ranked:
            if r.organisation_id not in seen:
                seen.add(r.organisation_id)
                best.append(r)
        ranked = best
    limit = len(ranked) if criteria.limit is None else criteria.limit
    return Ranking(total=len(ranked), rows=tuple(ranked[:limit]))
