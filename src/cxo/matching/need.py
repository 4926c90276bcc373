"""The need: one schema for the API, the CLI, the "Find providers" page and sourcing.

Users write terms the way they think of them — a taxonomy code (``svc.mfg.api``), a name
("Drug product manufacture") or a synonym ("API MANUFACTURE", "aseptic fill-finish"). Resolution
turns a need into :class:`~cxo.matching.criteria.Criteria` (ids) against the in-memory index, or
fails with a message that lists the closest terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import pycountry
from ninja import Field, Schema
from pydantic import field_validator
from rapidfuzz import fuzz, process

from cxo.core.errors import ServiceError
from cxo.matching import rules
from cxo.matching.criteria import Criteria
from cxo.matching.index import MatchIndex
from cxo.matching.snapshot import EVIDENCE_KINDS
from cxo.registry import geo
from cxo.registry.taxonomy import term_normalise

REQUIRABLE_EVIDENCE: tuple[str, ...] = (*EVIDENCE_KINDS, rules.FDA_REGISTRATION_CURRENT)

# Need field -> the vocabulary its terms come from.
TERM_FIELDS: dict[str, str] = {
    "services": "service",
    "dosage_forms": "dosage_form",
    "routes": "route",
    "modalities": "modality",
    "scales": "scale",
}


class Need(Schema):
    """What a sponsor is looking for. Every list may be empty; an empty need ranks the whole registry."""

    services: list[str] = Field(default_factory=list, description="Service terms: code, name or synonym.")
    dosage_forms: list[str] = Field(default_factory=list, description="Dosage forms (CDISC/SPL), or families.")
    routes: list[str] = Field(default_factory=list, description="Routes of administration, or families.")
    modalities: list[str] = Field(default_factory=list)
    scales: list[str] = Field(default_factory=list, description="Phase / scale, e.g. 'commercial'.")
    substance: str = Field(
        default="",
        description="Active substance, any salt or hydrate form ('atorvastatin calcium trihydrate' is atorvastatin). "
        "A filter: a capability of a requested service must name it.",
    )
    countries: list[str] = Field(default_factory=list, description="ISO alpha-3 (or alpha-2, or name).")
    regions: list[str] = Field(default_factory=list, description="Region codes or names, e.g. 'south_asia'.")
    exclude_countries: list[str] = Field(default_factory=list)
    exclude_regions: list[str] = Field(default_factory=list)
    require_evidence: list[str] = Field(
        default_factory=list,
        description="Evidence kinds every requested service must carry; 'fda_registration_current' also "
        "requires an unexpired registration.",
    )
    exclude_organisations: list[str] = Field(default_factory=list, description="Organisation ids or slugs.")
    exclude_flagged: bool = Field(
        default=False,
        description="Leave out sites whose latest FDA inspection was OAI, or with a warning letter or a Class I "
        "recall, within the last five years.",
    )
    limit: int = Field(default=rules.DEFAULT_LIMIT, ge=1, le=rules.MAX_LIMIT)
    all: bool = Field(default=False, description="Return every match (ignores limit).")
    per_organisation: bool = Field(default=False, description="Only the best-ranked row of each organisation.")

    @field_validator(
        "services",
        "dosage_forms",
        "routes",
        "modalities",
        "scales",
        "countries",
        "regions",
        "exclude_countries",
        "exclude_regions",
        "require_evidence",
        "exclude_organisations",
    )
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values if v and v.strip()]

    def is_empty(self) -> bool:
        return not any(
            [
                self.services,
                self.dosage_forms,
                self.routes,
                self.modalities,
                self.scales,
                self.substance.strip(),
                self.countries,
                self.regions,
                self.exclude_countries,
                self.exclude_regions,
                self.require_evidence,
                self.exclude_organisations,
            ]
        )


@dataclass(frozen=True)
class TermRef:
    id: int
    code: str
    name: str
    vocabulary: str


@dataclass
class ResolvedNeed:
    """A need with its strings resolved, and the labels its explanations use."""

    need: Need
    criteria: Criteria
    terms: dict[str, list[TermRef]] = field(default_factory=dict)  # need field -> resolved terms
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    exclude_countries: list[str] = field(default_factory=list)
    exclude_regions: list[str] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)  # how words were read, for the result's notes


# Services named by what they make: FDA registers "MANUFACTURE" (drug product manufacture), and the
# dosage forms of the products show which kind, so such a service is read as drug product manufacture
# of that family of dosage forms (unless the need names dosage forms itself).
FORM_SERVICES: dict[str, str] = {
    "svc.mfg.drug_product.solid_dose": "frm.family.solid_oral",
    "svc.mfg.drug_product.injectable": "frm.family.injectable",
    "svc.mfg.drug_product.sterile_fill_finish": "frm.family.injectable",
    "svc.mfg.drug_product.topical": "frm.family.topical",
    "svc.mfg.drug_product.liquid": "frm.family.oral_liquid",
    "svc.mfg.drug_product.inhalation": "frm.family.inhalation",
}
DRUG_PRODUCT = "svc.mfg.drug_product"


def _read_form_services(directory: TermDirectory, terms: dict[str, list[TermRef]]) -> list[str]:
    """Rewrite form-named services (:data:`FORM_SERVICES`) in place; returns a note per rewrite."""
    parent = directory.resolve("service", DRUG_PRODUCT)
    notes: list[str] = []
    if parent is None:
        return notes
    services: list[TermRef] = []
    for ref in terms["services"]:
        family = directory.resolve("dosage_form", FORM_SERVICES.get(ref.code, ""))
        if family is None:
            services.append(ref)
            continue
        if parent not in services:
            services.append(parent)
        if not terms["dosage_forms"] or family in terms["dosage_forms"]:
            if family not in terms["dosage_forms"]:
                terms["dosage_forms"].append(family)
            notes.append(f"'{ref.name}' is read as {parent.name.lower()} of {family.name.lower()} dosage forms.")
        else:
            notes.append(f"'{ref.name}' is read as {parent.name.lower()} of the dosage forms named.")
    terms["services"] = services
    return notes


@dataclass
class TermDirectory:
    """The taxonomy of an index, by vocabulary, for resolving and suggesting terms."""

    index: MatchIndex

    @cached_property
    def keys(self) -> dict[str, dict[str, int]]:
        """vocabulary -> normalised code / C-code / name / synonym -> term idx (codes win over names over synonyms)."""
        t = self.index.snapshot.terms
        out: dict[str, dict[str, int]] = {}
        for rank in range(3):
            for i, vocabulary in enumerate(t.vocabulary):
                keys = [[t.code[i], t.cdisc_code[i] if t.cdisc_code else ""], [t.name[i]], list(t.synonyms[i] or ())]
                for key in keys[rank]:
                    if key:
                        out.setdefault(vocabulary, {}).setdefault(term_normalise(key), i)
        return out

    @cached_property
    def choices(self) -> dict[str, list[tuple[str, int]]]:
        """vocabulary -> (label as written, term idx) for fuzzy suggestions."""
        t = self.index.snapshot.terms
        out: dict[str, list[tuple[str, int]]] = {}
        for i, vocabulary in enumerate(t.vocabulary):
            for label in (t.name[i], t.code[i], *(t.synonyms[i] or ())):
                out.setdefault(vocabulary, []).append((label, i))
        return out

    @cached_property
    def substances(self) -> list[str]:
        return sorted(self.index.substance_index)

    def suggest_substances(self, text: str, *, limit: int = 5) -> list[str]:
        """The known substances (active moieties) closest to ``text``, best first."""
        if not text.strip() or not self.substances:
            return []
        found = process.extract(text.upper(), self.substances, scorer=fuzz.WRatio, limit=limit)
        return [name for name, _, _ in found]

    @cached_property
    def org_by_slug(self) -> dict[str, int]:
        orgs = self.index.snapshot.organisations
        return dict(zip(orgs.slug, orgs.id, strict=True))

    def ref(self, idx: int) -> TermRef:
        t = self.index.snapshot.terms
        return TermRef(id=t.id[idx], code=t.code[idx], name=t.name[idx], vocabulary=t.vocabulary[idx])

    def resolve(self, vocabulary: str, text: str) -> TermRef | None:
        idx = self.keys.get(vocabulary, {}).get(term_normalise(text))
        return None if idx is None else self.ref(idx)

    def suggest(self, vocabulary: str, text: str, *, limit: int = 5) -> list[TermRef]:
        """The terms closest to ``text`` (by name, code or synonym), best first."""
        choices = self.choices.get(vocabulary, [])
        if not choices or not text.strip():
            return []
        found = process.extract(
            text, [label for label, _ in choices], scorer=fuzz.WRatio, processor=str.casefold, limit=limit * 4
        )
        seen: list[int] = []
        for _, _, pos in found:
            idx = choices[pos][1]
            if idx not in seen:
                seen.append(idx)
        return [self.ref(i) for i in seen[:limit]]

    def search(self, vocabulary: str, text: str, *, limit: int = 8) -> list[TermRef]:
        """Autocomplete: terms whose name, code or synonym starts with or contains ``text``, then fuzzy ones."""
        wanted = text.strip().casefold()
        choices = self.choices.get(vocabulary, [])
        if not wanted:
            return []
        starts = [i for label, i in choices if label.casefold().startswith(wanted)]
        contains = [i for label, i in choices if wanted in label.casefold()]
        ordered = list(dict.fromkeys(starts + contains))
        refs = [self.ref(i) for i in ordered[:limit]]
        if len(refs) < limit:
            refs += [r for r in self.suggest(vocabulary, text, limit=limit) if r not in refs][: limit - len(refs)]
        return refs


_FIELD_LABEL = {
    "services": "service",
    "dosage_forms": "dosage form",
    "routes": "route",
    "modalities": "modality",
    "scales": "phase / scale",
}


@lru_cache(maxsize=1024)
def country_code(text: str) -> str | None:
    """ISO alpha-3 for a code (alpha-3 or alpha-2) or a country name, or None."""
    value = text.strip()
    if not value:
        return None
    if len(value) == 3 and geo.country_exists(value):
        return value.upper()
    try:
        country: Any = pycountry.countries.lookup(value)
    except LookupError:
        return None
    return str(country.alpha_3)


def _country_error(field_name: str, text: str) -> ServiceError:
    names = {str(getattr(c, "common_name", None) or c.name): c.alpha_3 for c in pycountry.countries}
    close = process.extract(text, list(names), scorer=fuzz.WRatio, processor=str.casefold, limit=3)
    hint = ", ".join(f"{name} ({names[name]})" for name, _, _ in close)
    return ServiceError(f"Unknown country '{text}'. Did you mean: {hint}?", field=field_name)


def _region_countries(field_name: str, text: str) -> list[str]:
    try:
        return geo.countries_in_region(text)
    except KeyError as exc:
        raise ServiceError(str(exc.args[0]), field=field_name) from exc


def need_resolve(*, need: Need, index: MatchIndex) -> ResolvedNeed:
    """Resolve the need's strings against the index, or raise ServiceError naming the closest terms."""
    directory = term_directory(index)
    terms: dict[str, list[TermRef]] = {}
    for field_name, vocabulary in TERM_FIELDS.items():
        refs: list[TermRef] = []
        for text in getattr(need, field_name):
            ref = directory.resolve(vocabulary, text)
            if ref is None:
                close = directory.suggest(vocabulary, text)
                hint = "; ".join(f"{r.name} ({r.code})" for r in close)
                message = f"Unknown {_FIELD_LABEL[field_name]} '{text}'."
                raise ServiceError(f"{message} Did you mean: {hint}?" if hint else message, field=field_name)
            if ref not in refs:
                refs.append(ref)
        terms[field_name] = refs
    readings = _read_form_services(directory, terms)

    def codes(field_name: str) -> list[str]:
        out = []
        for text in getattr(need, field_name):
            code = country_code(text)
            if code is None:
                raise _country_error(field_name, text)
            out.append(code)
        return list(dict.fromkeys(out))

    countries = codes("countries")
    exclude_countries = codes("exclude_countries")
    include: set[str] = set(countries)
    for region in need.regions:
        include.update(_region_countries("regions", region))
    exclude: set[str] = set(exclude_countries)
    for region in need.exclude_regions:
        exclude.update(_region_countries("exclude_regions", region))

    required: list[str] = []
    for text in need.require_evidence:
        kind = text.strip().lower().replace("-", "_").replace(" ", "_")
        if kind not in REQUIRABLE_EVIDENCE:
            raise ServiceError(
                f"Unknown evidence kind '{text}' (use one of: {', '.join(REQUIRABLE_EVIDENCE)}).",
                field="require_evidence",
            )
        if kind not in required:
            required.append(kind)

    excluded_orgs: set[int] = set()
    for text in need.exclude_organisations:
        org_id = int(text) if text.isdigit() and int(text) in index.org_index else directory.org_by_slug.get(text)
        if org_id is None:
            raise ServiceError(f"Unknown organisation '{text}' (give its id or slug).", field="exclude_organisations")
        excluded_orgs.add(org_id)

    substance = rules.normalise_substance(need.substance)
    if substance and substance not in index.substance_index:
        known = directory.suggest_substances(substance)
        message = f"Unknown substance '{need.substance.strip()}': no capability on record names it."
        hint = ", ".join(name.capitalize() for name in known)
        raise ServiceError(f"{message} Did you mean: {hint}?" if hint else message, field="substance")

    products = tuple(r.id for f in ("dosage_forms", "routes", "modalities", "scales") for r in terms[f])
    criteria = Criteria(
        services=tuple(r.id for r in terms["services"]),
        products=products,
        substance=substance,
        countries=frozenset(include) if (need.countries or need.regions) else None,
        exclude_countries=frozenset(exclude),
        exclude_organisations=frozenset(excluded_orgs),
        require_evidence=tuple(required),
        limit=None if need.all else need.limit,
        per_organisation=need.per_organisation,
        exclude_flagged=need.exclude_flagged,
    )
    return ResolvedNeed(
        need=need,
        criteria=criteria,
        terms=terms,
        countries=countries,
        regions=list(need.regions),
        exclude_countries=exclude_countries,
        exclude_regions=list(need.exclude_regions),
        readings=readings,
    )


_directories: dict[int, TermDirectory] = {}


def term_directory(index: MatchIndex) -> TermDirectory:
    """The (cached) term directory of an index."""
    directory = _directories.get(id(index))
    if directory is None or directory.index is not index:
        _directories.clear()
        directory = _directories[id(index)] = TermDirectory(index)
    return directory
