"""The public FDA record of qualified sites, read through the registry's selectors (never its tables).

:mod:`cxo.registry.compliance` holds inspections, citations, warning letters and other actions, Form 483s and
recalls, joined to sites by FEI; :mod:`cxo.registry.registration` decides a registration's status on the day
it is read. This module turns them into what the quality rules read — the triggers of the watch and the
signals of the risk level — for many sites at once, in a handful of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cxo.quality.rules import RECENT_YEARS
from cxo.registry.compliance import compliance_event_list, compliance_facts, years_before
from cxo.registry.models import ComplianceEvent, ComplianceKind, Site
from cxo.registry.registration import RegistrationSource, RegistrationStatus

K = ComplianceKind
WATCHED_KINDS = (K.INSPECTION, K.WARNING_LETTER, K.ACTION, K.RECALL)
LAPSED = {RegistrationStatus.EXPIRED, RegistrationStatus.UNREGISTERED}


def is_trigger(event: ComplianceEvent) -> bool:
    """Whether a record at a qualified site puts its qualification under review: an OAI inspection, a warning
    letter or other compliance action, or a Class I recall (``docs/quality.md``, the watch's rules)."""
    if event.kind == K.INSPECTION:
        return event.classification == "OAI"
    if event.kind == K.RECALL:
        return event.classification == "Class I"
    return event.kind in (K.WARNING_LETTER, K.ACTION)


def evidence_of(event: ComplianceEvent) -> dict[str, Any]:
    """The evidence as the watch names it: kind, date, classification, the source's reference and link."""
    names: dict[str, str] = {
        K.INSPECTION: f"{event.classification} inspection",
        K.RECALL: f"{event.classification} recall",
        K.WARNING_LETTER: "Warning letter",
        K.ACTION: "Compliance action",
    }
    what = names.get(event.kind, event.get_kind_display())
    day = f"{event.occurred_on:%d %b %Y}" if event.occurred_on else "undated"
    return {
        "kind": event.kind,
        "label": f"{what} {day} ({event.source} {event.source_ref})",
        "occurred_on": event.occurred_on.isoformat() if event.occurred_on else None,
        "classification": event.classification,
        "source": event.source,
        "source_ref": event.source_ref,
        "title": event.title,
        "url": event.url,
    }


def registration_lapse(site: Site, source: RegistrationSource) -> str:
    """Why the site's FDA registration is not current (expired, or none on record), or "" when it is (or when
    the newest file itself is out of date, so nobody knows)."""
    if source.status(site.registration_expiry) in LAPSED:
        return source.explain(site.registration_expiry)
    return ""


def _by_site(sites: Sequence[Site], events: Sequence[ComplianceEvent]) -> dict[int, list[ComplianceEvent]]:
    sites_by_fei: dict[str, list[int]] = defaultdict(list)
    for site in sites:
        if site.fei_key:
            sites_by_fei[site.fei_key].append(site.pk)
    out: dict[int, list[ComplianceEvent]] = defaultdict(list)
    for event in events:
        for site_id in sites_by_fei.get(event.fei, ()):
            out[site_id].append(event)
    return out


def triggers_since(*, sites: Sequence[Site], since: dt.date) -> dict[int, list[ComplianceEvent]]:
    """Per site, the watch's trigger records dated ``since`` or later (the caller narrows per qualification):
    one query for all the sites."""
    if not sites:
        return {}
    events = [e for e in compliance_event_list(sites=sites, kinds=WATCHED_KINDS, since=since) if is_trigger(e)]
    return dict(_by_site(sites, events))


@dataclass(frozen=True)
class PublicSignals:
    """What the site's public record says for its risk level."""

    inspected: bool = False
    latest_outcome: str = ""
    recent_oai_on: dt.date | None = None
    recent_warning_letter_on: dt.date | None = None
    recent_action_on: dt.date | None = None
    recent_class1_on: dt.date | None = None
    recent_class2_on: dt.date | None = None


def public_signals(*, sites: Sequence[Site], today: dt.date) -> dict[int, PublicSignals]:
    """Per site: its latest inspection outcome, and the newest OAI, warning letter, action, Class I and II recall
    within ``RECENT_YEARS`` of today. A few queries for any number of sites."""
    if not sites:
        return {}
    facts, _ = compliance_facts(feis=[s.fei_key for s in sites if s.fei_key], organisation_ids=[])
    since = years_before(today, RECENT_YEARS)
    recent = _by_site(sites, list(compliance_event_list(sites=sites, kinds=WATCHED_KINDS, since=since)))
    out: dict[int, PublicSignals] = {}
    for site in sites:
        fact = facts.get(site.fei_key) if site.fei_key else None
        newest: dict[str, dt.date] = {}
        for e in recent.get(site.pk, ()):
            keys: dict[str, str] = {
                K.INSPECTION: "oai" if e.classification == "OAI" else "",
                K.WARNING_LETTER: "wl",
                K.ACTION: "action",
                K.RECALL: {"Class I": "class1", "Class II": "class2"}.get(e.classification, ""),
            }
            key = keys.get(e.kind, "")
            if key and e.occurred_on and (key not in newest or e.occurred_on > newest[key]):
                newest[key] = e.occurred_on
        out[site.pk] = PublicSignals(
            inspected=bool(fact and fact.latest_inspection_on),
            latest_outcome=fact.latest_outcome if fact else "",
            recent_oai_on=newest.get("oai"),
            recent_warning_letter_on=newest.get("wl"),
            recent_action_on=newest.get("action"),
            recent_class1_on=newest.get("class1"),
            recent_class2_on=newest.get("class2"),
        )
    return out
