"""Reads: matching a need against the registry, and the sponsor's shortlists."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db.models import Count, F, QuerySet
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils import timezone

from cxo.core.errors import NotFound
from cxo.core.models import Organisation, User
from cxo.matching import engine, live, rules
from cxo.matching.explain import MEMO_ROWS, country_name, explain
from cxo.matching.index import MatchIndex
from cxo.matching.models import Shortlist, ShortlistEntry
from cxo.matching.need import Need, ResolvedNeed, index_resolver, need_resolve
from cxo.registry.kind import roles_of
from cxo.registry.models import Site
from cxo.registry.registration import registration_source
from cxo.registry.terms import REGION

_PLACEHOLDER = "0000000000"
_url_templates: dict[tuple[str, str], str] = {}


def _url(name: str, key: str, value: object) -> str:
    """``reverse(name, kwargs={key: value})``, reversed once per process and then filled in (hot path)."""
    urlconf = str(get_urlconf() or settings.ROOT_URLCONF)
    template = _url_templates.get((urlconf, name))
    if template is None:
        try:
            template = reverse(name, kwargs={key: _PLACEHOLDER})
        except NoReverseMatch:  # the directory pages are not mounted in this configuration
            template = ""
        _url_templates[(urlconf, name)] = template
    return template.replace(_PLACEHOLDER, str(value)) if template else ""


def registry_site_url(site_id: int) -> str:
    return _url("registry:site", "site_id", site_id)


def registry_organisation_url(slug: str) -> str:
    return _url("registry:organisation", "slug", slug)


@dataclass
class MatchResult:
    """The ranked answer to a need. ``as_json()`` is the shape the API and ``cxo match --json`` return."""

    total: int
    results: list[dict[str, Any]]
    resolved: ResolvedNeed
    today: dt.date
    index_version: object = None
    points: list[dict[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "results": self.results, "notes": self.notes}


def need_match(
    *, need: Need, today: dt.date | None = None, index: MatchIndex | None = None, offset: int = 0
) -> MatchResult:
    """Rank the registry for ``need`` (any signed-in user may: the registry is public).

    ``offset`` skips that many of the best rows (a later page of ``need.limit`` rows); explanations
    are built for the returned rows only. Raises ServiceError (400) for a need that names unknown
    terms, countries or regions.
    """
    today = today or timezone.localdate()
    index = index or live.match_index()
    resolved = need_resolve(need=need, index=index)
    criteria = resolved.criteria
    if offset and criteria.limit is not None:
        criteria = replace(criteria, limit=offset + criteria.limit)
    ranked = engine.rank(index, criteria, today=today).after(offset)
    explanations = explain(index, resolved, ranked, today=today)
    cards = _cards(index)
    ties = _ties(ranked)
    results = [
        {"rank": rank, "score": score, "site": site, "organisation": organisation, "explanation": expl, "tie": tie}
        for rank, (score, (site, organisation), expl, tie) in enumerate(
            zip(
                ranked.scores.tolist(),
                (cards(row) for row in ranked.rows.tolist()),
                explanations,
                ties,
                strict=True,
            ),
            start=offset + 1,
        )
    ]
    notes = list(resolved.readings)
    if rules.FDA_REGISTRATION_CURRENT in need.require_evidence:  # say why it must find nothing, if it must
        reason = registration_source(today=today).current_filter_empty_reason()
        if reason:
            notes.append(reason)
    return MatchResult(
        total=ranked.total,
        results=results,
        resolved=resolved,
        today=today,
        index_version=index.version,
        notes=notes,
    )


def _ties(ranked: engine.EngineResult) -> list[str]:
    """Per returned row, what decided its place against an equal score, or that nothing did.

    Equal scores are ordered by evidence records, then the newest evidence; rows equal on all three
    are listed by name, and say so — the order among them means nothing."""
    keys = list(zip(ranked.scores.tolist(), ranked.records.tolist(), ranked.newest.tolist(), strict=True))
    counts = Counter(keys)
    out = []
    for i, key in enumerate(keys):
        same_score = (i > 0 and keys[i - 1][0] == key[0]) or (i + 1 < len(keys) and keys[i + 1][0] == key[0])
        equal = counts[key] - 1
        if equal:
            out.append(f"Equal to {equal} other result{'s' if equal != 1 else ''} on score, evidence and dates; "
                       "listed by name.")  # fmt: skip
        elif same_score:
            out.append("Same score as a neighbour; placed by its number of evidence records, then the newest.")
        else:
            out.append("")
    return out


_NO_SITE: dict[str, Any] = dict.fromkeys(("id", "duns", "fei", "name", "country", "country_name", "url"))


@functools.cache
def _roles(kind: str) -> tuple[str, ...]:
    return tuple(roles_of(kind))  # a few distinct signatures among many organisations


def _cards(index: MatchIndex) -> Callable[[int], tuple[dict[str, Any], dict[str, Any]]]:
    """The "site" and "organisation" parts of a row's result, made once per index and URL layout.

    They are shared by every result that shows the row: treat them as read-only."""
    site_url = _url("registry:site", "site_id", _PLACEHOLDER)  # reversed once, filled per row
    org_url = _url("registry:organisation", "slug", _PLACEHOLDER)
    memo: dict[int, tuple[dict[str, Any], dict[str, Any]]] = index.memo.setdefault(f"cards:{site_url}|{org_url}", {})
    snap = index.snapshot

    def card(row: int) -> tuple[dict[str, Any], dict[str, Any]]:
        found = memo.get(row)
        if found is not None:
            return found
        site_pos = int(index.row_site[row])
        org_pos = int(index.row_org[row])
        site = _NO_SITE
        if site_pos >= 0:
            site_id = int(snap.sites.id[site_pos])
            country = snap.sites.country[site_pos]
            site = {
                "id": site_id,
                "duns": snap.sites.duns[site_pos],
                "fei": snap.sites.fei[site_pos] or None,
                "name": snap.sites.name[site_pos],
                "country": country or None,
                "country_name": country_name(country) if country else None,
                "url": site_url.replace(_PLACEHOLDER, str(site_id)) if site_url else "",
            }
        slug = snap.organisations.slug[org_pos]
        organisation = {
            "id": int(snap.organisations.id[org_pos]),
            "name": snap.organisations.name[org_pos],
            "kind": roles[0] if (roles := _roles(snap.organisations.kind[org_pos])) else None,
            "roles": list(roles),
            "slug": slug,
            "url": org_url.replace(_PLACEHOLDER, slug) if org_url else "",
        }
        if len(memo) >= MEMO_ROWS:
            memo.clear()
        found = memo[row] = (site, organisation)
        return found

    return card


def need_scores(*, need: Need, picks: list[tuple[int | None, int]], today: dt.date | None = None) -> list[int | None]:
    """The score the need gives each (site id, organisation id) pick — a site, or with no site the
    organisation's pseudo-row; None where it does not match. One ranking for all the picks."""
    import dataclasses

    index = live.match_index()
    resolved = need_resolve(need=need, index=index)
    criteria = dataclasses.replace(resolved.criteria, limit=None, per_organisation=False)
    ranked = engine.rank(index, criteria, today=today or timezone.localdate())
    score_of = dict(zip(ranked.rows.tolist(), ranked.scores.tolist(), strict=True))
    out: list[int | None] = []
    for site_id, organisation_id in picks:
        row = index.site_row.get(site_id) if site_id is not None else index.org_pseudo_row.get(organisation_id)
        out.append(None if row is None else score_of.get(row))
    return out


def shortlist_list(*, organisation: Organisation) -> QuerySet[Shortlist]:
    """The organisation's shortlists, with their entry counts, by name."""
    return (
        Shortlist.objects.for_organisation(organisation)
        .select_related("created_by")
        .annotate(entry_count=Count("entries"))
        .order_by("name", "id")
    )


def shortlist_get(*, organisation: Organisation, shortlist_id: int) -> Shortlist:
    """One of the organisation's shortlists, or NotFound (also for another organisation's)."""
    shortlist = Shortlist.objects.for_organisation(organisation).filter(pk=shortlist_id).first()
    if shortlist is None:
        raise NotFound("No such shortlist.")
    return shortlist


def shortlist_entry_list(*, shortlist: Shortlist) -> QuerySet[ShortlistEntry]:
    return (
        ShortlistEntry.objects.for_organisation(shortlist.organisation)
        .filter(shortlist=shortlist)
        .select_related("provider", "site", "added_by")
        .order_by(F("score").desc(nulls_last=True), "provider_name", "site_name", "id")
    )


@dataclass(frozen=True)
class ShortlistRow:
    """A shortlist entry as its page shows it: links into the registry and what it was found with, in words."""

    entry: ShortlistEntry
    site_url: str
    provider_url: str
    found_with: str


def _found_with(need: dict[str, Any]) -> str:
    resolver = index_resolver(live.match_index())
    services = ", ".join(resolver.label("service", s) for s in need.get("services") or [])
    places = [country_name(c) or c for c in need.get("countries") or []]
    places += [resolver.label(REGION, r) for r in need.get("regions") or []]
    return " · ".join(part for part in (services, ", ".join(places)) if part)


def shortlist_rows(*, shortlist: Shortlist) -> list[ShortlistRow]:
    """The shortlist's entries, best score first, each with its registry links and the need it was found by
    (services by their names however they were typed, countries by name)."""
    entries = list(shortlist_entry_list(shortlist=shortlist))
    return [
        ShortlistRow(
            entry=e,
            site_url=registry_site_url(e.site_id) if e.site_id else "",
            provider_url=registry_organisation_url(e.provider.slug),
            found_with=_found_with(e.need or {}),
        )
        for e in entries
    ]


def shortlist_entry_get(*, shortlist: Shortlist, entry_id: int) -> ShortlistEntry:
    """One entry of the shortlist, or NotFound."""
    entry = shortlist_entry_list(shortlist=shortlist).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("No such entry on this shortlist.")
    return entry


@dataclass(frozen=True)
class Candidate:
    """Something to put on a shortlist: a registry site with its organisation, or an organisation as a whole."""

    provider: Organisation
    site: Site | None = None


def shortlist_candidates(*, site_ids: Sequence[int] = (), organisation_ids: Sequence[int] = ()) -> list[Candidate]:
    """The registry sites and organisations with these ids, sites first, in the order given; NotFound names
    the first id that is not in the registry."""
    sites = Site.objects.select_related("organisation").in_bulk(list(site_ids))
    organisations = Organisation.objects.in_bulk(list(organisation_ids))
    if missing := [i for i in site_ids if i not in sites]:
        raise NotFound(f"No registry site {missing[0]}.")
    if missing := [i for i in organisation_ids if i not in organisations]:
        raise NotFound(f"No organisation {missing[0]}.")
    return [Candidate(sites[i].organisation, sites[i]) for i in site_ids] + [
        Candidate(organisations[i]) for i in organisation_ids
    ]


def shortlists_visible_to(*, user: User) -> QuerySet[Shortlist]:
    """Every shortlist of every organisation the user belongs to."""
    return Shortlist.objects.visible_to(user).select_related("organisation").order_by("organisation__name", "name")
