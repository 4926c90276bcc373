"""Candidate duplicate organisations for a registry curator to merge, each pair with its evidence.

Importers already link a name to the organisation whose name key it shares (:mod:`cxo.registry.names`),
so what is left are organisations whose names only *nearly* meet, or that are separate FDA registrants
under one name. A pair is a candidate when

- **same key** — their name keys are equal (e.g. two registrants "Bayer HealthCare LLC" with their own
  DUNS: FDA counts separate registrations, the curator decides whether they are one company); or
- **similar name** — the keys score at least :data:`~cxo.registry.names.FUZZY_THRESHOLD` with
  ``rapidfuzz.fuzz.ratio`` and pass the generic-name guard (:func:`~cxo.registry.names.fuzzy_guard`),
  *and* nothing on record says they are apart: when both have sites, they share a country.

The evidence lists what was compared: the keys and score, shared countries and addresses, DUNS.
Nothing is merged here; ``cxo registry merge`` or the merge page does that.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from rapidfuzz import fuzz, process

from cxo.core.errors import NotPermitted
from cxo.core.models import Organisation, User
from cxo.core.roles import PLATFORM_DOING, PlatformPermission, platform_can
from cxo.registry.facets import search_normalise
from cxo.registry.models import Capability, Site
from cxo.registry.names import FUZZY_THRESHOLD, fuzzy_guard, name_core, name_key

SAME_KEY = "same key"
SIMILAR = "similar name"


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    slug: str
    registrant_duns: str | None
    countries: frozenset[str]
    addresses: frozenset[str]
    sites: int


@dataclass(frozen=True)
class DuplicatePair:
    a: Entry
    b: Entry
    method: str  # SAME_KEY or SIMILAR
    score: float
    evidence: tuple[str, ...]

    @property
    def both_registered(self) -> bool:
        return bool(self.a.registrant_duns and self.b.registrant_duns)


def _entries() -> list[Entry]:
    in_registry = Q(pk__in=Site.objects.values("organisation_id")) | Q(
        pk__in=Capability.objects.values("organisation_id")
    )
    orgs = (
        Organisation.objects.filter(in_registry)
        .exclude(registry_merged_into__isnull=False)
        .values_list("pk", "name", "slug", "registrant_duns")
    )
    countries: dict[int, set[str]] = defaultdict(set)
    addresses: dict[int, set[str]] = defaultdict(set)
    sites: dict[int, int] = defaultdict(int)
    for org_id, country, address in Site.objects.values_list("organisation_id", "country", "address"):
        sites[org_id] += 1
        if country:
            countries[org_id].add(country)
        if address:
            addresses[org_id].add(search_normalise(address))
    return [
        Entry(pk, name, slug, duns, frozenset(countries[pk]), frozenset(addresses[pk]), sites[pk])
        for pk, name, slug, duns in orgs
    ]


def _evidence(a: Entry, b: Entry, key_a: str, key_b: str, score: float) -> tuple[str, ...] | None:
    """What speaks for the pair, or None when the record says they are apart (sites in other countries)."""
    lines = [f"name keys '{key_a}' and '{key_b}'" + ("" if key_a == key_b else f" score {score:.0f}")]
    shared = a.countries & b.countries
    if a.countries and b.countries and not shared and key_a != key_b:
        return None
    if shared:
        lines.append(f"sites in {', '.join(sorted(shared))}")
    elif not (a.countries and b.countries):
        lines.append("no site country on record for " + (a.name if not a.countries else b.name))
    if a.addresses & b.addresses:
        lines.append("a site at the same address")
    if a.registrant_duns and b.registrant_duns:
        lines.append(f"two FDA registrants (DUNS {a.registrant_duns}, {b.registrant_duns})")
    return tuple(lines)


def duplicate_candidates(*, curator: User | None, limit: int = 500) -> list[DuplicatePair]:
    """Candidate pairs (module docstring), same-key pairs first, then by score; ``curator`` None is the CLI."""
    if curator is not None and not platform_can(curator, PlatformPermission.CURATE_REGISTRY):
        raise NotPermitted(
            f"Only a registry curator may see this ({PLATFORM_DOING[PlatformPermission.CURATE_REGISTRY]})."
        )
    entries = _entries()
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        key = name_key(entry.name)
        if key:
            by_key[key].append(entry)
    pairs: list[DuplicatePair] = []
    for key, group in by_key.items():
        # One pair per other entry, with the one a merge would most likely keep (registered, most sites).
        a, *others = sorted(group, key=lambda e: (not e.registrant_duns, -e.sites, e.id))
        for b in others:
            evidence = _evidence(a, b, key, key, 100.0)
            if evidence is not None:
                pairs.append(DuplicatePair(a, b, SAME_KEY, 100.0, evidence))
    blocks: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        core = name_core(key)
        if core:
            blocks[core[0][:2]].append(key)
    for keys in blocks.values():
        for i, key in enumerate(keys):
            for other, score, _ in process.extract(
                key, keys[i + 1 :], scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
            ):
                if not fuzzy_guard(key, other):
                    continue
                for a in by_key[key]:
                    for b in by_key[other]:
                        evidence = _evidence(a, b, key, other, score)
                        if evidence is not None:
                            pairs.append(DuplicatePair(a, b, SIMILAR, round(score, 1), evidence))
    pairs.sort(key=lambda p: (p.method != SAME_KEY, -p.score, p.a.name.casefold(), p.b.name.casefold()))
    return pairs[:limit]
