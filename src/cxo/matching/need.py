"""The need: one schema for the API, the CLI, the "Find providers" page, the need form and sourcing.

:data:`NEED_FIELDS` is the need's one field list: every caller (the page's chips, the need form, the
programme service that stores a need's criteria, ``cxo match``'s options) reads it. Users write terms
the way they think of them — a code (``svc.mfg.api``), a name ("Drug product manufacture") or a
synonym ("API MANUFACTURE", "fill finish"); :func:`need_resolve` reads them with the one resolver
(:mod:`cxo.registry.terms`) over the index's taxonomy and substances, and turns the need into
:class:`~cxo.matching.criteria.Criteria` (ids), or raises
:class:`~cxo.registry.terms.TermNotFound` naming the closest terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from ninja import Field, Schema
from pydantic import field_validator

from cxo.core.errors import ServiceError
from cxo.matching import rules
from cxo.matching.criteria import Criteria
from cxo.matching.index import MatchIndex
from cxo.matching.snapshot import EVIDENCE_KINDS
from cxo.registry import geo
from cxo.registry.terms import COUNTRY, REGION, SUBSTANCE, TermRef, TermResolver, TermRow

REQUIRABLE_EVIDENCE: tuple[str, ...] = (*EVIDENCE_KINDS, rules.FDA_REGISTRATION_CURRENT)

# Kinds of need field beyond the resolver's vocabularies.
EVIDENCE, ORGANISATION, FLAG = "evidence", "organisation", "flag"


@dataclass(frozen=True)
class NeedField:
    """One criterion of a need: its name (the schema's field, the query parameter and the form field),
    what its values are (a vocabulary of :mod:`cxo.registry.terms`, or evidence / organisation / flag),
    and how it is labelled and typed on the page and the command line."""

    name: str
    kind: str
    label: str
    placeholder: str = ""
    option: str = ""  # cxo match's option
    many: bool = True

    @property
    def is_term(self) -> bool:
        """Values resolved by the resolver (taxonomy terms, countries, regions, the substance)."""
        return self.kind not in {EVIDENCE, ORGANISATION, FLAG}

    @property
    def is_taxonomy(self) -> bool:
        return self.is_term and self.kind not in {COUNTRY, REGION, SUBSTANCE}


NEED_FIELDS: tuple[NeedField, ...] = (
    NeedField("services", "service", "Services", "e.g. API manufacture, fill finish", "--service"),
    NeedField("dosage_forms", "dosage_form", "Dosage forms", "e.g. tablets, injection", "--dosage-form"),
    NeedField("routes", "route", "Routes", "e.g. oral, intravenous", "--route"),
    NeedField("modalities", "modality", "Modality", "e.g. small molecule, antibody", "--modality"),
    NeedField("scales", "scale", "Phase / scale", "e.g. commercial, phase I", "--scale"),
    NeedField("substance", SUBSTANCE, "Active substance", "e.g. atorvastatin", "--substance", many=False),
    NeedField("countries", COUNTRY, "Countries", "e.g. India, DEU", "--country"),
    NeedField("regions", REGION, "Regions", "e.g. Europe, EU, South Asia", "--region"),
    NeedField("exclude_countries", COUNTRY, "Exclude countries", "e.g. China", "--exclude-country"),
    NeedField("exclude_regions", REGION, "Exclude regions", "e.g. East Asia", "--exclude-region"),
    NeedField("require_evidence", EVIDENCE, "Required evidence", option="--require-evidence"),
    NeedField(
        "exclude_organisations",
        ORGANISATION,
        "Exclude organisations",
        "slug or id, e.g. acme-pharma",
        "--exclude-organisation",
    ),
    NeedField("exclude_flagged", FLAG, "Leave out flagged sites", option="--exclude-flagged", many=False),
)
NEED_FIELDS_BY_NAME = {f.name: f for f in NEED_FIELDS}


def evidence_choices() -> list[tuple[str, str]]:
    """(kind, label) of the evidence a need can require, for the page and the need form."""
    from cxo.matching.explain import KIND_LABEL  # explain reads needs: imported here, not at the top

    current = (rules.FDA_REGISTRATION_CURRENT, "Current FDA registration (unexpired)")
    return [current, *[(k, KIND_LABEL[k]) for k in REQUIRABLE_EVIDENCE if k != rules.FDA_REGISTRATION_CURRENT]]


#: Need field -> the taxonomy vocabulary its terms come from.
TERM_FIELDS: dict[str, str] = {f.name: f.kind for f in NEED_FIELDS if f.is_taxonomy}


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

    @field_validator(*(f.name for f in NEED_FIELDS if f.many))
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values if v and v.strip()]

    def is_empty(self) -> bool:
        """Whether the need asks for nothing (``exclude_flagged`` alone narrows, but is not a need)."""
        return not any(getattr(self, f.name) for f in NEED_FIELDS if f.kind != FLAG)

    def criteria(self) -> dict[str, Any]:
        """The need's criteria that are set (what a sourcing need stores): no paging or limits."""
        return {f.name: getattr(self, f.name) for f in NEED_FIELDS if getattr(self, f.name)}


@dataclass
class ResolvedNeed:
    """A need with its strings resolved, and the labels its explanations use."""

    need: Need
    criteria: Criteria
    terms: dict[str, list[TermRef]] = field(default_factory=dict)  # need field -> resolved terms
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)  # region codes
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


def _read_form_services(resolver: TermResolver, terms: dict[str, list[TermRef]]) -> list[str]:
    """Rewrite form-named services (:data:`FORM_SERVICES`) in place; returns a note per rewrite."""
    parent = resolver.find("service", DRUG_PRODUCT)
    notes: list[str] = []
    if parent is None:
        return notes
    services: list[TermRef] = []
    for ref in terms["services"]:
        family = resolver.find("dosage_form", FORM_SERVICES.get(ref.code, ""), exact=True)
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


def need_values(data: QueryDict) -> dict[str, Any]:
    """The need fields a submitted form or query string holds (the page and the need form post the same):
    each list field's chosen values (repeated parameters) plus what is typed in its ``<name>_text`` box,
    several values separated by ";" (CDISC names hold commas)."""
    values: dict[str, Any] = {}
    for f in NEED_FIELDS:
        if f.kind == FLAG:
            values[f.name] = data.get(f.name, "") in {"1", "on", "true"}
        elif not f.many:
            values[f.name] = (data.get(f.name, "") or "").strip()
        else:
            items = [v.strip() for v in data.getlist(f.name) if v.strip()]
            for typed in (data.get(f"{f.name}_text", "") or "").split(";"):
                if typed.strip() and typed.strip() not in items:
                    items.append(typed.strip())
            values[f.name] = items
    return values


def _ids(refs: list[TermRef]) -> tuple[int, ...]:
    return tuple(r.id for r in refs if r.id)


def need_resolve(*, need: Need, index: MatchIndex) -> ResolvedNeed:
    """Resolve the need's strings against the index, or raise TermNotFound / ServiceError naming the closest."""
    resolver = index_resolver(index)
    terms = {name: resolver.resolve_all(kind, getattr(need, name), field=name) for name, kind in TERM_FIELDS.items()}
    readings = _read_form_services(resolver, terms)

    def codes(name: str) -> list[str]:
        return [r.code for r in resolver.resolve_all(NEED_FIELDS_BY_NAME[name].kind, getattr(need, name), field=name)]

    countries, regions = codes("countries"), codes("regions")
    exclude_countries, exclude_regions = codes("exclude_countries"), codes("exclude_regions")
    include = set(countries).union(*(geo.countries_in_region(r) for r in regions))
    exclude = set(exclude_countries).union(*(geo.countries_in_region(r) for r in exclude_regions))

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
        org_id = int(text) if text.isdigit() and int(text) in index.org_index else index.organisation_by_slug(text)
        if org_id is None:
            raise ServiceError(f"Unknown organisation '{text}' (give its id or slug).", field="exclude_organisations")
        excluded_orgs.add(org_id)

    substance = resolver.resolve(SUBSTANCE, need.substance, field="substance").code if need.substance.strip() else ""
    products = tuple(i for f in ("dosage_forms", "routes", "modalities", "scales") for i in _ids(terms[f]))
    criteria = Criteria(
        services=_ids(terms["services"]),
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
        regions=regions,
        exclude_countries=exclude_countries,
        exclude_regions=exclude_regions,
        readings=readings,
    )


_resolvers: dict[int, tuple[MatchIndex, TermResolver]] = {}


def index_resolver(index: MatchIndex) -> TermResolver:
    """The resolver over an index's taxonomy and substances (cached for the current index)."""
    cached = _resolvers.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    t = index.snapshot.terms
    cdisc = t.cdisc_code or ("",) * len(t.id)
    rows = (
        TermRow(t.id[i], t.vocabulary[i], t.code[i], t.name[i], t.parent[i], cdisc[i] or "", tuple(t.synonyms[i] or ()))
        for i in range(len(t.id))
    )
    resolver = TermResolver(
        rows, substances=frozenset(index.substance_index), countries=[c for c in index.countries if c]
    )
    _resolvers.clear()
    _resolvers[id(index)] = (index, resolver)
    return resolver
