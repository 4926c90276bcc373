"""The one resolver of every term a user types: services, dosage forms, routes, modalities, scales,
substances, countries and regions.

Every caller — the matching page and API, the need form and services, the CLI, the directory's
filters and the importers — reads user text through :class:`TermResolver`, so a word means the same
everywhere. The rules (also in ``docs/registry-directory.md``):

- **Taxonomy terms** resolve by code or CDISC C-code, else by name, else by synonym (CXO's curated
  synonyms cover DECRS operation names such as "API MANUFACTURE" and everyday words such as
  "fill finish" or "analytical testing"; CDISC's cover SPL spellings), else — only for typed text,
  not for files — by the singular of each word ("tablets" is TABLET, "injectables" is Injectables).
  Case, spacing, hyphens and the spaces around "," and "/" do not matter.
- **Ambiguity**: text naming several terms of one vocabulary at the same rank resolves to their
  nearest common ancestor when they have one (the broader term covers them all), and is refused,
  listing the choices, when they do not.
- **Countries**: ISO 3166 alpha-3 or alpha-2 codes, names (pycountry's name, common and official
  names) and a few everyday names ("UK", "Russia"). **Regions**: the codes and names of
  :mod:`cxo.registry.geo` ("europe", "Europe", "EU", "EEA"). **Substances**: the active moiety
  (:func:`~cxo.registry.substances.substance_moiety`), known when some capability names it.
- Text that resolves to nothing is **refused, never dropped**: :class:`TermNotFound` carries the
  vocabulary, the text and the closest terms (rapidfuzz), and its message says "Did you mean …?".
  It is a :class:`~cxo.core.errors.ServiceError`: the API answers 400 ``{"detail": message}``,
  forms show it on the field, the CLI exits with code 2.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

import pycountry
from rapidfuzz import fuzz, process

from cxo.core.errors import ServiceError
from cxo.registry import geo
from cxo.registry.models import term_display
from cxo.registry.substances import substance_moiety

#: Vocabularies beyond the taxonomy's: these resolve from ISO 3166, the regions of geo, and substances on record.
COUNTRY, REGION, SUBSTANCE = "country", "region", "substance"

LABELS: dict[str, str] = {
    "service": "service",
    "dosage_form": "dosage form",
    "route": "route",
    "modality": "modality",
    "scale": "phase / scale",
    COUNTRY: "country",
    REGION: "region",
    SUBSTANCE: "substance",
}

# Everyday country names pycountry does not know (its names are ISO's: "Russian Federation").
COUNTRY_ALIASES: dict[str, str] = {
    "UK": "GBR",
    "GREAT BRITAIN": "GBR",
    "ENGLAND": "GBR",
    "SCOTLAND": "GBR",
    "WALES": "GBR",
    "RUSSIA": "RUS",
    "SOUTH KOREA": "KOR",
    "KOREA": "KOR",
    "NORTH KOREA": "PRK",
    "IRAN": "IRN",
    "VIETNAM": "VNM",
    "TURKEY": "TUR",
    "CZECH REPUBLIC": "CZE",
    "HOLLAND": "NLD",
    "THE NETHERLANDS": "NLD",
    "UNITED STATES OF AMERICA": "USA",
    "AMERICA": "USA",
    "US": "USA",
}


def term_normalise(text: str) -> str:
    """The form in which names are compared: upper case, single spaces, no space around ``,`` and ``/``.

    NDC and SPL files write "SUSPENSION/ DROPS" and "SUSPENSION/DROPS", "TABLET,FILM COATED" and
    "TABLET, FILM COATED" for the same thing.
    """
    text = re.sub(r"\s+", " ", text.strip().upper())
    return re.sub(r"\s*([,/])\s*", r"\1", text)


def term_key(text: str) -> str:
    """:func:`term_normalise`, and a hyphen is a space ("fill-finish" is "fill finish")."""
    return term_normalise(re.sub(r"\s*-\s*", " ", text))


_PLURAL_KEEP = ("SS", "IS", "US", "OS")


def _singular(key: str) -> str:
    """Each word of a key in the singular, roughly ("TABLETS" -> "TABLET"); enough for the taxonomy's words."""

    def word(w: str) -> str:
        if len(w) > 3 and w.endswith("S") and not w.endswith(_PLURAL_KEEP):
            return w[:-1]
        return w

    return re.sub(r"[A-Z]+", lambda m: word(m.group(0)), key)


@dataclass(frozen=True)
class TermRef:
    """A resolved term. For countries the code is ISO alpha-3, for regions geo's code, for substances the
    moiety; ``id`` is the taxonomy term's primary key (0 outside the taxonomy: primary keys start at 1)."""

    id: int
    code: str
    name: str
    vocabulary: str

    @property
    def label(self) -> str:
        """How messages name it, in words people can type back: "Tablet, film coated", "Germany (DEU)"."""
        return f"{self.name} ({self.code})" if self.vocabulary == COUNTRY else term_display(self.name)


class TermNotFound(ServiceError):
    """Text that names no term of ``vocabulary``; ``suggestions`` are the closest terms, best first."""

    def __init__(
        self, *, vocabulary: str, text: str, suggestions: Sequence[TermRef] = (), field: str | None = None
    ) -> None:
        self.vocabulary = vocabulary
        self.text = text
        self.suggestions = list(suggestions)
        why = ": no capability on record names it" if vocabulary == SUBSTANCE else ""
        message = f"Unknown {LABELS.get(vocabulary, vocabulary)} '{text.strip()}'{why}."
        if self.suggestions:
            message += f" Did you mean: {'; '.join(s.label for s in self.suggestions)}?"
        elif hint := _no_suggestion_hint(vocabulary):
            message += f" {hint}"
        super().__init__(message, field=field or vocabulary)


def _no_suggestion_hint(vocabulary: str) -> str:
    """What to write instead, when nothing is close to the text."""
    if vocabulary == COUNTRY:
        return "Use an ISO 3166 code such as USA, IN or DEU, or a country name."
    if vocabulary == REGION:
        return f"Known regions: {', '.join([*geo.REGION_NAMES, *geo.GROUP_NAMES])}."
    if vocabulary == SUBSTANCE:
        return ""
    return f"Use a code, name or synonym from GET /api/v1/registry/taxonomy?vocabulary={vocabulary}."


class TermAmbiguous(TermNotFound):
    """Text that names several terms with no common broader term; ``suggestions`` are those terms."""

    def __init__(self, *, vocabulary: str, text: str, choices: Sequence[TermRef], field: str | None = None) -> None:
        super().__init__(vocabulary=vocabulary, text=text, suggestions=choices, field=field)
        names = "; ".join(c.label for c in self.suggestions)
        self.message = (
            f"'{text.strip()}' names several {LABELS.get(vocabulary, vocabulary)} terms: {names}. Give one of them."
        )
        self.args = (self.message,)


@dataclass(frozen=True)
class TermRow:
    """A taxonomy term as the resolver needs it (from the database or the matching snapshot)."""

    id: int
    vocabulary: str
    code: str
    name: str
    parent_id: int | None = None
    cdisc_code: str = ""
    synonyms: tuple[str, ...] = ()


#: How close (rapidfuzz WRatio, 0 to 100) a term must be to be suggested: "Germny" is Germany (92), "xyz" is nothing.
SUGGEST_CUTOFF = 65.0

# Ranks of a key: code or C-code, name, synonym, then (typed text only) the singular of any of those.
_EXACT_RANKS = 3


class TermResolver:
    """Resolves user text to terms of every vocabulary (see the module docstring for the rules).

    Built from taxonomy rows (:func:`term_resolver` reads them from the database; matching builds one
    from its snapshot) and, optionally, the substances on record (active moieties).
    """

    def __init__(
        self,
        rows: Iterable[TermRow],
        *,
        substances: Collection[str] | None = None,
        countries: Collection[str] | None = None,
        synonyms: Callable[[], Mapping[int, Sequence[str]]] | None = None,
    ) -> None:
        """``countries`` (ISO alpha-3 codes on record) narrows the autocomplete of countries to them; any
        country still resolves. ``synonyms``, when given, loads the rows' synonyms (the costly part of the
        taxonomy to read) the first time a text is not found by code or name — directory filters are mostly codes."""
        self.rows: dict[int, TermRow] = {r.id: r for r in rows}
        self._substances = substances
        self._countries = None if countries is None else frozenset(countries)
        self._load_synonyms = synonyms
        # vocabulary -> rank -> key -> term ids
        self._keys: dict[str, list[dict[str, list[int]]]] = {}
        for row in self.rows.values():
            self._index(row, [[row.code, row.cdisc_code], [row.name], [] if synonyms else list(row.synonyms)])

    def _index(self, row: TermRow, labels: list[list[str]]) -> None:
        ranks = self._keys.setdefault(row.vocabulary, [{} for _ in range(_EXACT_RANKS + 1)])
        for rank, keys in enumerate(labels):
            for label in keys:
                if not label:
                    continue
                for r, key in ((rank, term_key(label)), (_EXACT_RANKS, _singular(term_key(label)))):
                    ids = ranks[r].setdefault(key, [])
                    if row.id not in ids:
                        ids.append(row.id)

    def _synonyms_loaded(self) -> None:
        if self._load_synonyms is None:
            return
        loaded, self._load_synonyms = self._load_synonyms(), None
        for term_id, synonyms in loaded.items():
            row = self.rows.get(term_id)
            if row is not None:
                self.rows[term_id] = row = replace(row, synonyms=tuple(synonyms or ()))
                self._index(row, [[], [], list(row.synonyms)])
        self.__dict__.pop("_choices", None)

    @classmethod
    def from_db(cls, *, substances: Collection[str] | None = None) -> TermResolver:
        """A resolver over the registry's taxonomy as it is now (one query)."""
        from cxo.registry.models import Term

        rows = Term.objects.values_list("id", "vocabulary", "code", "name", "parent_id", "cdisc_code", "synonyms")
        return cls(
            (TermRow(i, v, c, n, p, cd or "", tuple(s or ())) for i, v, c, n, p, cd, s in rows), substances=substances
        )

    # --- taxonomy terms ---------------------------------------------------------------------------

    def ref(self, term_id: int) -> TermRef:
        row = self.rows[term_id]
        return TermRef(id=row.id, code=row.code, name=row.name, vocabulary=row.vocabulary)

    def _ancestors(self, term_id: int) -> list[int]:
        """The term and its ancestors, nearest first."""
        chain = [term_id]
        parent = self.rows[term_id].parent_id
        while parent is not None and parent in self.rows and parent not in chain:
            chain.append(parent)
            parent = self.rows[parent].parent_id
        return chain

    def _one(self, vocabulary: str, text: str, ids: list[int], field: str | None) -> TermRef:
        if len(ids) == 1:
            return self.ref(ids[0])
        chains = [self._ancestors(i) for i in ids]
        common = [a for a in chains[0] if all(a in chain for chain in chains[1:])]
        if common:
            return self.ref(common[0])
        raise TermAmbiguous(vocabulary=vocabulary, text=text, choices=[self.ref(i) for i in ids], field=field)

    def find(self, vocabulary: str, text: str, *, exact: bool = False, field: str | None = None) -> TermRef | None:
        """The term ``text`` names, or None. ``exact`` (for files) skips the singular reading.

        Raises :class:`TermAmbiguous` when it names several unrelated terms.
        """
        if vocabulary == COUNTRY:
            code = country_code(text)
            return None if code is None else TermRef(0, code, geo.country_name(code), COUNTRY)
        if vocabulary == REGION:
            code = region_code(text)
            return None if code is None else TermRef(0, code, geo.region_name(code), REGION)
        if vocabulary == SUBSTANCE:
            moiety = substance_moiety(text)
            known = self._substances
            if not moiety or (known is not None and moiety not in known):
                return None
            return TermRef(0, moiety, moiety.capitalize(), SUBSTANCE)
        ranks = self._keys.get(vocabulary)
        if not ranks or not text or not text.strip():
            return None
        key = term_key(text)
        for rank in range(_EXACT_RANKS):
            if rank == _EXACT_RANKS - 1:
                self._synonyms_loaded()
            if key in ranks[rank]:
                return self._one(vocabulary, text, ranks[rank][key], field)
        if not exact:
            ids = ranks[_EXACT_RANKS].get(_singular(key))
            if ids:
                return self._one(vocabulary, text, ids, field)
        return None

    def resolve(self, vocabulary: str, text: str, *, field: str | None = None) -> TermRef:
        """The term ``text`` names, or :class:`TermNotFound` with the closest terms."""
        ref = self.find(vocabulary, text, field=field)
        if ref is None:
            raise TermNotFound(
                vocabulary=vocabulary, text=text, suggestions=self.suggest(vocabulary, text), field=field
            )
        return ref

    def resolve_all(self, vocabulary: str, texts: Iterable[str], *, field: str | None = None) -> list[TermRef]:
        """Each text resolved (blank ones skipped), duplicates once, in the order given."""
        out: list[TermRef] = []
        for text in texts:
            if text and text.strip():
                ref = self.resolve(vocabulary, text, field=field)
                if ref not in out:
                    out.append(ref)
        return out

    def id_of(self, vocabulary: str, text: str) -> int | None:
        """For importers: the id of the term a file's value names exactly (code, name or synonym), or None."""
        try:
            ref = self.find(vocabulary, text, exact=True)
        except TermAmbiguous:
            return None
        return None if ref is None else ref.id

    # --- suggestions and autocomplete -------------------------------------------------------------

    @cached_property
    def _choices(self) -> dict[str, list[tuple[str, TermRef]]]:
        """vocabulary -> (label as written, term) for fuzzy suggestions and autocomplete."""
        self._synonyms_loaded()
        out: dict[str, list[tuple[str, TermRef]]] = {}
        for row in self.rows.values():
            ref = self.ref(row.id)
            for label in (row.name, row.code, *row.synonyms):
                out.setdefault(row.vocabulary, []).append((label, ref))
        countries = [ref for ref in _country_refs() if self._countries is None or ref.code in self._countries]
        out[COUNTRY] = [(label, ref) for ref in countries for label in (ref.name, ref.code)]
        regions = [TermRef(0, code, name, REGION) for code, name in _region_names().items()]
        out[REGION] = [(label, ref) for ref in regions for label in (ref.name, ref.code)]
        out[SUBSTANCE] = [
            (name, TermRef(0, name, name.capitalize(), SUBSTANCE)) for name in sorted(self._substances or ())
        ]
        return out

    def suggest(self, vocabulary: str, text: str, *, limit: int = 5, cutoff: float = SUGGEST_CUTOFF) -> list[TermRef]:
        """The terms closest to ``text`` (by name, code or synonym), best first; none under ``cutoff``."""
        choices = self._choices.get(vocabulary, [])
        if not choices or not text.strip():
            return []
        found = process.extract(
            text,
            [label for label, _ in choices],
            scorer=fuzz.WRatio,
            processor=str.casefold,
            limit=limit * 4,
            score_cutoff=cutoff,
        )
        refs: list[TermRef] = []
        for _, _, pos in found:
            ref = choices[pos][1]
            if ref not in refs:
                refs.append(ref)
        return refs[:limit]

    def search(self, vocabulary: str, text: str, *, limit: int = 8) -> list[TermRef]:
        """Autocomplete: terms whose name, code or synonym starts with or contains ``text``, then fuzzy ones."""
        wanted = text.strip().casefold()
        if not wanted:
            return []
        choices = self._choices.get(vocabulary, [])
        starts = [ref for label, ref in choices if label.casefold().startswith(wanted)]
        contains = [ref for label, ref in choices if wanted in label.casefold()]
        refs = list(dict.fromkeys(starts + contains))[:limit]
        if len(refs) < limit:
            close = self.suggest(vocabulary, text, limit=limit, cutoff=50)
            refs += [r for r in close if r not in refs][: limit - len(refs)]
        return refs

    def label(self, vocabulary: str, value: str) -> str:
        """How a value (a code, usually) is shown: the term's name, or the value itself if it names none."""
        try:
            ref = self.find(vocabulary, value)
        except TermAmbiguous:
            ref = None
        return value if ref is None else ref.label


# --- countries and regions ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _country_refs() -> tuple[TermRef, ...]:
    return tuple(TermRef(0, str(c.alpha_3), geo.country_name(c.alpha_3), COUNTRY) for c in pycountry.countries)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Upper-case name (ISO name, common name, official name) -> alpha-3."""
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value: Any = getattr(c, attr, None)
            if value:
                names.setdefault(term_key(str(value)), str(c.alpha_3))
    for alias, code in COUNTRY_ALIASES.items():
        names.setdefault(alias, code)
    return names


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """ISO alpha-3 for an alpha-3 or alpha-2 code or a country's name, or None."""
    value = text.strip()
    if not value:
        return None
    if len(value) == 3 and geo.country_exists(value):
        return value.upper()
    if len(value) == 2:
        country: Any = pycountry.countries.get(alpha_2=value.upper())
        if country is not None:
            return str(country.alpha_3)
    return _country_names().get(term_key(value))


def _region_names() -> dict[str, str]:
    return {**geo.REGION_NAMES, **geo.GROUP_NAMES}


def region_code(text: str) -> str | None:
    """geo's code of a region or group, by code or name ("europe", "Europe", "EU"), or None."""
    wanted = term_key(text.replace("_", " ")).replace("&", "AND")
    if not wanted:
        return None
    for code, name in _region_names().items():
        if wanted in {term_key(code.replace("_", " ")), term_key(name).replace("&", "AND")}:
            return code
    return None


# --- the registry's resolver ----------------------------------------------------------------------

_cached: tuple[tuple[object, ...], TermResolver] | None = None


def term_resolver() -> TermResolver:
    """The resolver over the registry's taxonomy, rebuilt when the taxonomy changes (one cheap query to check).

    Substances are not known to it (a need's substance is checked against the matching index).
    """
    global _cached
    from django.db.models import Count, Max

    from cxo.registry.models import Term

    version = tuple(Term.objects.aggregate(n=Count("id"), top=Max("id"), parents=Count("parent_id")).values())
    if _cached is None or _cached[0] != version:
        _cached = (version, TermResolver.from_db())
    return _cached[1]


_built: dict[str, tuple[Hashable, TermResolver]] = {}


def resolver_cached(name: str, key: Hashable, build: Callable[[], TermResolver]) -> TermResolver:
    """The resolver ``build`` makes, kept under ``name`` while ``key`` (what it was built from) is unchanged:
    building one reads every label of the taxonomy, too slow to do per request."""
    cached = _built.get(name)
    if cached is None or cached[0] != key:
        cached = _built[name] = (key, build())
    return cached[1]


def term_resolver_reset() -> None:
    """Forget the cached resolvers (the taxonomy's synonyms changed)."""
    global _cached
    _cached = None
    _built.clear()
