"""Company names from public data linked to registry organisations: NDC labelers, warning-letter recipients.

One linker for every source that names a company without an identifier FDA's registrations share
(:class:`cxo.registry.names.OrganisationIndex`: exact on the normalised name, then fuzzy against
FDA-registered organisations). :func:`names_link` links the names and, for sources whose names are
companies that belong in the registry (labelers), creates an organisation for each name that links
to nothing — one per normalised name, named by its most used spelling. The figures it returns are
the same for every source, so the import runs' notes can be compared.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from cxo.core.roles import OrganisationType
from cxo.registry.importers.decrs import canonical_name
from cxo.registry.importers.upsert import organisations_create
from cxo.registry.names import EXACT, FUZZY, NameLink, OrganisationIndex, key_clusters, name_key

MAX_LISTED = 500
NEW = "new"
EARLIER_IMPORT = "earlier_import"
UNLINKED = "unlinked"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"


@dataclass
class NamesLinked:
    """Each name's organisation (None when it linked to nothing and none was created), and the figures."""

    organisation_of: dict[str, int | None]
    links: dict[str, NameLink | None]
    created: set[int] = field(default_factory=set)
    figures: dict[str, Any] = field(default_factory=dict)

    def site_of(self, name: str) -> int | None:
        """The one site a linked name points to (see :attr:`NameLink.site_id`), else None."""
        link = self.links.get(name)
        return link.site_id if link is not None else None


def names_link(counts: Counter[str], *, create_missing: bool, noun: str = "labeler") -> NamesLinked:
    """Link each name of ``counts`` (name -> how many records carry it) to a registry organisation.

    With ``create_missing``, names that link to nothing become new provider organisations;
    otherwise they stay unlinked and are listed (most records first) in the figures' ``unlinked``.
    ``noun`` names a name in the fuzzy-link list ("labeler", "company").
    """
    links = OrganisationIndex.load().links(counts)
    # Names that link to nothing, by key; keys that are spellings of one name make one organisation.
    weights: Counter[str] = Counter()
    for name, link in links.items():
        if link is None:
            weights[name_key(name) or name.casefold()] += counts[name]
    cluster = key_clusters(dict(weights))
    unmatched: dict[str, Counter[str]] = defaultdict(Counter)
    for name, link in links.items():
        if link is None:
            unmatched[cluster[name_key(name) or name.casefold()]][name] += counts[name]
    created: dict[str, int] = {}
    if create_missing:
        created = organisations_create(
            names={key: canonical_name(variants) for key, variants in unmatched.items()},
            type=OrganisationType.PROVIDER,
        )
    organisation_of: dict[str, int | None] = {}
    method: dict[str, str] = {}
    for name, link in links.items():
        if link is None:
            organisation_of[name] = created.get(cluster[name_key(name) or name.casefold()])
            method[name] = NEW if create_missing else UNLINKED
        else:
            organisation_of[name] = link.organisation_id
            method[name] = link.method if link.registered else EARLIER_IMPORT
    names = Counter(method.values())
    covered = Counter({m: 0 for m in (EXACT, FUZZY, EARLIER_IMPORT, NEW, UNLINKED)})
    for name, m in method.items():
        covered[m] += counts[name]
    fuzzy = sorted(
        (
            {noun: name, "organisation": link.matched, "score": link.score}
            for name, link in links.items()
            if link is not None and link.method == FUZZY
        ),
        key=lambda item: str(item[noun]),
    )
    figures: dict[str, Any] = {
        "names": len(links),
        "exact": names[EXACT],
        "fuzzy": names[FUZZY],
        "earlier_import": names[EARLIER_IMPORT],
        "new": names[NEW],
        "unmatched": names[EARLIER_IMPORT] + names[NEW] + names[UNLINKED],
        "organisations_created": len(created),
        "records": {
            "exact": covered[EXACT],
            "fuzzy": covered[FUZZY],
            "unmatched": covered[EARLIER_IMPORT] + covered[NEW] + covered[UNLINKED],
        },
        "fuzzy_links": fuzzy[:MAX_LISTED],
    }
    if not create_missing:
        figures["unlinked"] = [
            {noun: name, "records": counts[name]}
            for name in sorted((n for n, m in method.items() if m == UNLINKED), key=lambda n: (-counts[n], n))
        ][:MAX_LISTED]
    return NamesLinked(organisation_of=organisation_of, links=links, created=set(created.values()), figures=figures)


def link_summary(figures: dict[str, Any], *, noun: str = "Labelers") -> str:
    """One line: how many names linked exactly, fuzzily, and how many did not (and what became of them)."""
    total = figures["names"]
    line = (
        f"{noun}: {total:,} names. Linked to FDA-registered organisations by exact name "
        f"{figures['exact']:,} ({percent(figures['exact'], total)}), by fuzzy name {figures['fuzzy']:,} "
        f"({percent(figures['fuzzy'], total)}); unmatched {figures['unmatched']:,} "
        f"({percent(figures['unmatched'], total)})"
    )
    if "unlinked" in figures:
        earlier = figures["earlier_import"]
        return line + f": {earlier:,} found among organisations from earlier imports, the rest listed in the notes."
    return (
        line + f": {figures['organisations_created']:,} new organisations created, "
        f"{figures['earlier_import']:,} names found among organisations from earlier imports."
    )
