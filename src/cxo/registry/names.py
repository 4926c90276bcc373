"""Organisation names as public data writes them, and linking them to registry organisations.

The NDC directory names a product's labeler, ClinicalTrials.gov a trial's sponsor and collaborators,
an SPL its labeler — all as free text, with no identifier shared with FDA's establishment
registrations. "Teva Pharmaceuticals USA, Inc.", "TEVA PHARMACEUTICALS USA INC" and
"Teva Pharmaceuticals USA" are one company. :func:`name_key` reduces a name to the form in which
such variants are equal:

- accents folded, case folded, ``&`` read as "and", apostrophes and the dots inside abbreviations
  dropped ("Reddy's" → "reddys", "S.A." → "sa", "L.N.K." → "lnk"), any other punctuation a space
  ("Dr.Reddy" → "dr reddy"); a trailing ", a subsidiary of …" dropped;
- a few spellings made one word: pharmaceutical(s)/pharmaceutica/pharm → "pharma",
  laboratories/laboratory/labs/laboratorios/laboratoires → "lab", plurals such as products/product;
- legal-form words (Inc, LLC, Ltd, Limited, Co, Corp, GmbH, S.A., S.p.A., Pvt, Private, B.V., …),
  the country qualifiers "USA", "US" and "America", and a dangling "and"/"of"/"The" removed from
  the end, repeatedly ("Co., Ltd." → both go), and a leading "The".

:class:`OrganisationIndex` then links a name to a registry organisation, in this order:

1. **exact** — the key equals the key of a registry organisation's name or of one of its sites'
   names (DECRS firm names). On a tie, an organisation's own name beats a site's name, an
   FDA-registered organisation (one with a registrant DUNS) beats others, then the one with more
   sites, then the older one.
2. **fuzzy** — only against FDA-registered organisations and their sites: the closest key by
   ``rapidfuzz.fuzz.ratio`` scoring at least :data:`FUZZY_THRESHOLD` (92 of 100), *and* passing a
   guard against generic names. The guard compares the *core* of both names — the key without
   generic words such as pharma, lab, healthcare, medical, products, international, USA
   (:data:`GENERIC_WORDS`): both cores must be at least :data:`MIN_CORE_LENGTH` (6) characters,
   score at least the same threshold, and start with the same word — or, for a typo in that
   word, words of at least :data:`MIN_TYPO_WORD_LENGTH` (9) letters scoring ≥ 90. So "Preferreed
   Pharmaceuticals" links to "Preferred Pharmaceuticals" and "Fresensius Kabi USA" to "Fresenius
   Kabi USA", while "Monroe Welding Supply" does not link to "Conroe Welding Supply", "Procaire" not
   to "Procare", and "ABC Pharma" not to "ABD Pharma".

Names that differ by more than spelling ("Lupin Pharmaceuticals, Inc." and "Lupin Limited") are
not linked: a wrong link would put one company's products on another's page, a missing one only
leaves a duplicate for a curator to merge.

Fuzzy links are tried against FDA-registered organisations only, so that which organisation a
name links to does not depend on what earlier imports of labelers or sponsors happened to create,
and importing the same file twice links every name the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Q
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from cxo.core.models import Organisation
from cxo.registry.models import Capability, OrganisationAlias, Site

EXACT = "exact"
FUZZY = "fuzzy"

FUZZY_THRESHOLD = 92.0
#: Names that link to no FDA-registered organisation meet organisations earlier imports created (and
#: each other, in one import) only above this stricter score: no registration backs either side.
AMONG_IMPORTS_THRESHOLD = 95.0
MIN_CORE_LENGTH = 6
MIN_TYPO_WORD_LENGTH = 9
FIRST_WORD_THRESHOLD = 90.0


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that say what legal form a company has, or which country's arm it is; dropped from the end.
LEGAL_SUFFIXES = _word_set(
    """
    inc incorporated llc lc llp lp ltd limited co corp corporation company cos plc pc
    gmbh mbh ag kg kgaa se sa sas sarl spa srl sl slu bv nv ab asa aps oy oyj kk
    pvt private pte pty bhd sdn tbk jsc ojsc pjsc zao ooo doo sro ulc cv de rl sab ltda cia
    usa us america and of the
    """
)

#: Spellings made one word before names are compared.
_CANONICAL_WORDS = {
    "pharmaceuticals": "pharma",
    "pharmaceutical": "pharma",
    "pharmaceutica": "pharma",
    "pharmaceutics": "pharma",
    "pharmaceutique": "pharma",
    "pharmaceutiques": "pharma",
    "pharmaceutiche": "pharma",
    "pharm": "pharma",
    "laboratories": "lab",
    "laboratory": "lab",
    "labs": "lab",
    "laboratorios": "lab",
    "laboratorio": "lab",
    "laboratoires": "lab",
    "laboratoire": "lab",
    "products": "product",
    "industries": "industry",
    "supplies": "supply",
    "sciences": "science",
    "services": "service",
    "technologies": "technology",
    "mfg": "manufacturing",
    "intl": "international",
    "corporation": "corp",
}

#: Words too common in company names to tell two companies apart (the guard of fuzzy links).
GENERIC_WORDS = _word_set(
    """
    pharma lab product healthcare health care medical medicine supply usa us america international
    industry group holdings holding enterprise enterprises global worldwide science life biosciences
    bioscience biotech biologics biopharma therapeutics manufacturing distributors distribution
    solutions solution service division div technology chemical chemicals company specialty
    generics consumer and of the north south east west new healthcare lifesciences
    """
)

# "Acme Inc dba Acme Labs", "Acme Inc (d/b/a Acme Labs)", "Acme Inc, doing business as Acme Labs": the
# legal name is what other sources write; the trade name after the clause is dropped from the key.
_DBA = re.compile(
    r"[\s,(\[]*\b(?:d\s*/\s*b\s*/\s*a|d\.\s*b\.\s*a\.?|dba|doing\s+business\s+as|t\s*/\s*a|trading\s+as)(?![\w/]).*$",
    re.IGNORECASE,
)
#: Two-word spellings of one generic word ("Health Care" is "Healthcare").
_JOINED = {("health", "care"): "healthcare", ("life", "sciences"): "lifesciences", ("bio", "tech"): "biotech"}
#: A misspelt generic word (of at least this many letters) is read as the word: "HealthCae" is "healthcare".
MIN_GENERIC_TYPO_LENGTH = 7
_LONG_GENERIC = sorted(w for w in GENERIC_WORDS if len(w) >= MIN_GENERIC_TYPO_LENGTH)
_SUBSIDIARY = re.compile(r",?\s*\b(?:a\s+)?(?:wholly[\s-]+owned\s+)?subsidiary\s+of\b.*$", re.IGNORECASE)
_DROPPED = re.compile("['`\u00b4\u2018\u2019]")  # apostrophes, acute accent, single quotes
_ABBREVIATION_DOT = re.compile(r"(?<=\b[^\W\d_])\.(?=[^\W\d_]\b)")  # the inner dots of "S.A.", "L.N.K."
_NON_WORD = re.compile(r"[^0-9a-z]+")


def dba_strip(name: str) -> str:
    """The name without a "dba" / "d/b/a" / "doing business as" / "t/a" clause: the legal name."""
    stripped = _DBA.sub("", name).strip()
    return stripped or name


@lru_cache(maxsize=65536)
def _spelling(word: str) -> str:
    """A word as keys write it: one spelling for variants, and a misspelt generic word read as that word."""
    word = _CANONICAL_WORDS.get(word, word)
    if len(word) < MIN_GENERIC_TYPO_LENGTH or word in GENERIC_WORDS or not word.isalpha():
        return word
    for generic in _LONG_GENERIC:
        # One letter dropped, added or swapped with its neighbour: a typo. One letter replaced is not
        # read as one ("internacional" stays Spanish; "chemica" is a typo, "chemico" a name).
        if OSA.distance(word, generic, score_cutoff=1) == 1 and not (
            len(word) == len(generic) and Levenshtein.distance(word, generic, score_cutoff=1) == 1
        ):
            return generic
    return word


def _joined(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if out and (out[-1], word) in _JOINED:
            out[-1] = _JOINED[(out[-1], word)]
        else:
            out.append(word)
    return out


def name_words(name: str) -> list[str]:
    """The words of a name's key (see the module docstring)."""
    text = _ABBREVIATION_DOT.sub("", _DROPPED.sub("", _SUBSIDIARY.sub("", dba_strip(name))))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
    words = [_spelling(w) for w in _joined(_NON_WORD.sub(" ", text).split())]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return words


def name_key(name: str) -> str:
    """The form in which spellings of one company's name are equal: "Teva Pharmaceuticals USA, Inc." → "teva pharma"."""
    return " ".join(name_words(name))


def name_core(key: str) -> list[str]:
    """The words of a key that tell companies apart (the key without :data:`GENERIC_WORDS`)."""
    return [w for w in key.split() if w not in GENERIC_WORDS]


def fuzzy_guard(a: str, b: str) -> bool:
    """Whether two keys that score above the threshold may be linked (see the module docstring)."""
    core_a, core_b = name_core(a), name_core(b)
    if not core_a or not core_b:
        return False
    text_a, text_b = " ".join(core_a), " ".join(core_b)
    if min(len(text_a), len(text_b)) < MIN_CORE_LENGTH:
        return False
    first_a, first_b = core_a[0], core_b[0]
    if first_a != first_b and (
        min(len(first_a), len(first_b)) < MIN_TYPO_WORD_LENGTH or fuzz.ratio(first_a, first_b) < FIRST_WORD_THRESHOLD
    ):
        return False
    return fuzz.ratio(text_a, text_b) >= FUZZY_THRESHOLD


@dataclass(frozen=True, slots=True)
class NameLink:
    """How a name was linked: to which organisation, by which method, matching which registry name."""

    organisation_id: int
    method: str  # EXACT or FUZZY
    registered: bool  # the organisation has a registrant DUNS (it is in FDA's establishment registrations)
    matched: str  # the registry name (organisation or site) that matched
    score: float = 100.0
    #: The one site the name points to: the site whose name matched (when no other site of the
    #: organisation has that name), or the organisation's only site; None when it has several or none.
    site_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    organisation_id: int
    registered: bool
    name: str
    rank: tuple[int, int, int, int]  # lower wins: (site name?, unregistered?, -sites, organisation id)
    site_id: int | None = None


@dataclass
class OrganisationIndex:
    """Registry organisations by name key, for linking names from public data (built with two queries)."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    # Fuzzy candidates (FDA-registered names only), blocked by the first two letters of their core.
    _blocks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # The other names (organisations earlier imports created), blocked the same way.
    _imported_blocks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> OrganisationIndex:
        """Every registry organisation (FDA-registered, or with sites or capabilities) and its sites' names."""
        in_registry = (
            Q(registrant_duns__isnull=False)
            | Q(pk__in=Site.objects.values("organisation_id"))
            | Q(pk__in=Capability.objects.values("organisation_id"))
        )
        organisations = list(
            Organisation.objects.filter(in_registry)
            .exclude(registry_merged_into__isnull=False)  # merged away: its names are aliases of another
            .values_list("pk", "name", "registrant_duns")
        )
        sites = list(Site.objects.values_list("organisation_id", "name", "pk"))
        aliases = list(OrganisationAlias.objects.values_list("organisation_id", "name"))
        site_counts: dict[int, int] = defaultdict(int)
        only_site: dict[int, int] = {}
        same_name: dict[tuple[int, str], list[int]] = defaultdict(list)
        for org_id, name, site_id in sites:
            site_counts[org_id] += 1
            only_site[org_id] = site_id
            same_name[(org_id, name_key(name))].append(site_id)
        registered = {pk for pk, _, duns in organisations if duns}
        index = cls()
        for org_id, name, _ in organisations:
            one = only_site[org_id] if site_counts[org_id] == 1 else None
            index._add(
                org_id, name, site_name=False, registered=org_id in registered, sites=site_counts[org_id], site_id=one
            )
        known = {pk for pk, _, _ in organisations}
        for org_id, name in aliases:  # names it had before a curator merged another entry into it
            if org_id in known:
                one = only_site[org_id] if site_counts[org_id] == 1 else None
                index._add(
                    org_id,
                    name,
                    site_name=False,
                    registered=org_id in registered,
                    sites=site_counts[org_id],
                    site_id=one,
                )
        for org_id, name, site_id in sites:
            named = same_name[(org_id, name_key(name))]
            index._add(
                org_id,
                name,
                site_name=True,
                registered=org_id in registered,
                sites=site_counts[org_id],
                site_id=site_id if len(named) == 1 else None,
            )
        for key, entry in index.entries.items():
            core = name_core(key)
            if core:
                (index._blocks if entry.registered else index._imported_blocks)[core[0][:2]].append(key)
        return index

    def _add(
        self, organisation_id: int, name: str, *, site_name: bool, registered: bool, sites: int, site_id: int | None
    ) -> None:
        key = name_key(name)
        if not key:
            return
        rank = (int(site_name), int(not registered), -sites, organisation_id)
        entry = _Entry(organisation_id, registered, name, rank, site_id)
        current = self.entries.get(key)
        if current is None or entry.rank < current.rank:
            self.entries[key] = entry

    def link(self, name: str) -> NameLink | None:
        """The registry organisation ``name`` names, exactly or fuzzily, or None."""
        return self.link_key(name_key(name))

    def link_key(self, key: str) -> NameLink | None:
        if not key:
            return None
        entry = self.entries.get(key)
        if entry is not None:
            return NameLink(entry.organisation_id, EXACT, entry.registered, entry.name, site_id=entry.site_id)
        core = name_core(key)
        if not core:
            return None
        candidates = self._blocks.get(core[0][:2], [])
        for candidate, score, _ in process.extract(
            key, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=5
        ):
            if fuzzy_guard(key, candidate):
                entry = self.entries[candidate]
                return NameLink(
                    entry.organisation_id, FUZZY, entry.registered, entry.name, round(score, 1), site_id=entry.site_id
                )
        # Organisations earlier imports created: "Preferred Pharmacetucals" meets "Preferred Pharmacetucials".
        imported = self._imported_blocks.get(core[0][:2], [])
        for candidate, score, _ in process.extract(
            key, imported, scorer=fuzz.ratio, score_cutoff=AMONG_IMPORTS_THRESHOLD, limit=5
        ):
            if fuzzy_guard(key, candidate):
                entry = self.entries[candidate]
                return NameLink(
                    entry.organisation_id, FUZZY, entry.registered, entry.name, round(score, 1), site_id=entry.site_id
                )
        return None

    def links(self, names: Iterable[str]) -> dict[str, NameLink | None]:
        """Each distinct name's link (each distinct key is looked up once)."""
        by_key: dict[str, NameLink | None] = {}
        out: dict[str, NameLink | None] = {}
        for name in names:
            if name in out:
                continue
            key = name_key(name)
            if key not in by_key:
                by_key[key] = self.link_key(key)
            out[name] = by_key[key]
        return out


def key_clusters(weights: dict[str, int]) -> dict[str, str]:
    """Keys that are spellings of one name (score ≥ :data:`AMONG_IMPORTS_THRESHOLD` and the guard), each
    mapped to its cluster's key with the most weight (then the first alphabetically): names one import meets
    that link to nothing, so that it creates one organisation for "Biocosmetic Research Labs" and
    "Biocosmetic Reasearch Labs"."""
    parent = {key: key for key in weights}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    blocks: dict[str, list[str]] = defaultdict(list)
    for key in sorted(weights):
        core = name_core(key)
        if core:
            blocks[core[0][:2]].append(key)
    for keys in blocks.values():
        for i, key in enumerate(keys):
            for other, _, _ in process.extract(
                key, keys[i + 1 :], scorer=fuzz.ratio, score_cutoff=AMONG_IMPORTS_THRESHOLD, limit=None
            ):
                if fuzzy_guard(key, other):
                    parent[find(other)] = find(key)
    members: dict[str, list[str]] = defaultdict(list)
    for key in weights:
        members[find(key)].append(key)
    out: dict[str, str] = {}
    for group in members.values():
        head = min(group, key=lambda k: (-weights[k], k))
        out.update({k: head for k in group})
    return out
