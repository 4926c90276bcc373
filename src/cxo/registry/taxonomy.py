"""The controlled taxonomy: loading it from the data files shipped in ``cxo/registry/data``, and looking terms up.

Sources (see ``data/PROVENANCE.md``):

- ``taxonomy.json`` — CXO's curated vocabularies: services, modalities, phases/scale, and the
  families that group dosage forms and routes. One term per line; ``parent`` refers to a code.
- ``sdtm_ct_…_FRM_C66726_ROUTE_C66729.tsv`` — the CDISC Dosage Form and Route of Administration
  codelists as published by NCI EVS. Each term keeps its C-code; its name is the CDISC submission
  value, which is the FDA SPL wording ("TABLET, FILM COATED"), so NDC and SPL strings resolve.
- ``cdisc_families.csv`` — which family each CDISC term belongs to, plus extra synonyms for the
  few SPL/NDC spellings that differ from the CDISC ones ("SUSPENSION/ DROPS").

Codes are stable: the CDISC ones are ``frm.<submission value>`` and ``route.<submission value>``
(lower case, words joined by ``_``). Loading is an upsert by code and never deletes a term (a
capability may refer to it).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from cxo.core.audit import audit_record
from cxo.core.models import User
from cxo.registry.models import Term, Vocabulary
from cxo.registry.terms import TermResolver, term_resolver_reset

DATA_DIR = Path(__file__).resolve().parent / "data"
CURATED_FILE = DATA_DIR / "taxonomy.json"
CDISC_FILE = DATA_DIR / "sdtm_ct_2025-03-28_FRM_C66726_ROUTE_C66729.tsv"
FAMILIES_FILE = DATA_DIR / "cdisc_families.csv"

_CODELISTS = {"C66726": ("frm", Vocabulary.DOSAGE_FORM), "C66729": ("route", Vocabulary.ROUTE)}
_TERM_FIELDS = ("vocabulary", "name", "synonyms", "cdisc_code", "description", "sort")


@dataclass(frozen=True)
class TermSpec:
    """A term as the data files describe it."""

    code: str
    vocabulary: str
    name: str
    parent: str | None = None
    synonyms: tuple[str, ...] = ()
    cdisc_code: str = ""
    description: str = ""
    sort: int = 0

    def values(self) -> dict[str, Any]:
        return {
            "vocabulary": self.vocabulary,
            "name": self.name,
            "synonyms": list(self.synonyms),
            "cdisc_code": self.cdisc_code,
            "description": self.description,
            "sort": self.sort,
        }


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _split_synonyms(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(";") if s.strip())


@cache
def taxonomy_specs() -> tuple[TermSpec, ...]:
    """Every term of the taxonomy, parents before children, read from the data files."""
    specs: list[TermSpec] = []
    curated = json.loads(CURATED_FILE.read_text(encoding="utf-8"))
    for vocabulary in Vocabulary.values:
        for sort, item in enumerate(curated.get(vocabulary, [])):
            specs.append(
                TermSpec(
                    code=item["code"],
                    vocabulary=vocabulary,
                    name=item["name"],
                    parent=item.get("parent"),
                    synonyms=tuple(item.get("synonyms", ())),
                    description=item.get("description", ""),
                    sort=sort,
                )
            )
    with FAMILIES_FILE.open(encoding="utf-8", newline="") as f:
        families = {row["cdisc_code"]: row for row in csv.DictReader(f)}
    with CDISC_FILE.open(encoding="utf-8", newline="") as f:
        rows = [row for row in csv.DictReader(f, delimiter="\t") if row["Codelist Code"] in _CODELISTS]
    for sort, row in enumerate(rows):
        prefix, vocabulary = _CODELISTS[row["Codelist Code"]]
        value = row["CDISC Submission Value"].strip()
        family = families.get(row["Code"])
        if family is None:
            raise ValueError(f"{FAMILIES_FILE.name} has no family for {row['Code']} {value!r}.")
        synonyms = [*_split_synonyms(row["CDISC Synonym(s)"]), row["NCI Preferred Term"].strip()]
        synonyms += _split_synonyms(family["extra_synonyms"])
        specs.append(
            TermSpec(
                code=f"{prefix}.{_slug(value)}",
                vocabulary=vocabulary,
                name=value,
                parent=family["family"],
                synonyms=tuple(dict.fromkeys(s for s in synonyms if s and s != value)),
                cdisc_code=row["Code"],
                description=row["CDISC Definition"].strip(),
                sort=sort,
            )
        )
    return tuple(specs)


@dataclass
class TaxonomyLoaded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes_changed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@transaction.atomic
def taxonomy_load(*, actor: User | None = None, specs: Iterable[TermSpec] | None = None) -> TaxonomyLoaded:
    """Create or update every taxonomy term from the shipped data files (an upsert by ``code``).

    Idempotent: a second run changes nothing and reports every term unchanged. Terms no longer in
    the data are left alone. One audit event summarises a load that changed anything.
    """
    specs = list(taxonomy_specs() if specs is None else specs)
    result = TaxonomyLoaded()
    existing = {t.code: t for t in Term.objects.all()}
    to_create: list[Term] = []
    to_update: list[Term] = []
    for spec in specs:
        term = existing.get(spec.code)
        if term is None:
            term = Term(code=spec.code, **spec.values())
            to_create.append(term)
            existing[spec.code] = term
            continue
        values = spec.values()
        if any(getattr(term, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(term, name, value)
            to_update.append(term)
    Term.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Term.objects.bulk_update(to_update, list(_TERM_FIELDS), batch_size=500)

    # Parents in a second pass: every term now has a primary key.
    reparented: list[Term] = []
    for spec in specs:
        term = existing[spec.code]
        if spec.parent and spec.parent not in existing:
            raise ValueError(f"Term {spec.code} names an unknown parent {spec.parent}.")
        parent_id = existing[spec.parent].pk if spec.parent else None
        if term.parent_id != parent_id:
            term.parent_id = parent_id
            reparented.append(term)
    if reparented:
        Term.objects.bulk_update(reparented, ["parent"], batch_size=500)

    created_codes = {t.code for t in to_create}
    updated_codes = {t.code for t in [*to_update, *reparented]} - created_codes
    result.created, result.updated = len(created_codes), len(updated_codes)
    result.unchanged = len(specs) - result.created - result.updated
    result.codes_changed = sorted(created_codes | updated_codes)
    if result.changed:
        term_resolver_reset()
        audit_record(
            actor=actor,
            organisation=None,
            action="registry.taxonomy_load",
            object_type="registry.term",
            object_id="taxonomy",
            object_repr="Registry taxonomy",
            changes={"created": [None, result.created], "updated": [None, result.updated]},
            reason=f"{result.created} terms created, {result.updated} updated, {result.unchanged} unchanged.",
        )
    return result


def term_lookup(*, vocabulary: str) -> VocabularyLookup:
    """For importers: one vocabulary of the resolver (:mod:`cxo.registry.terms`), built with one query
    (build it once per import, not per row). Files' values resolve exactly — no singular reading."""
    return VocabularyLookup(vocabulary=vocabulary, resolver=TermResolver.from_db())


@dataclass(frozen=True)
class VocabularyLookup:
    """One vocabulary of a :class:`~cxo.registry.terms.TermResolver`, as importers use it."""

    vocabulary: str
    resolver: TermResolver

    def id_of(self, text: str) -> int | None:
        """The id of the term ``text`` names (code, C-code, name or synonym), or None."""
        return self.resolver.id_of(self.vocabulary, text) if text else None

    def code_of(self, text: str) -> str | None:
        """The code of the term ``text`` names, or None."""
        term_id = self.id_of(text)
        return None if term_id is None else self.resolver.rows[term_id].code
