"""The taxonomy: loaded from the shipped data files, idempotent, and able to resolve what users and files write."""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter

import pytest

from cxo.core.models import AuditEvent
from cxo.registry.models import Term, Vocabulary
from cxo.registry.taxonomy import (
    CDISC_FILE,
    DATA_DIR,
    TermSpec,
    taxonomy_load,
    taxonomy_specs,
    term_lookup,
)
from cxo.registry.terms import term_normalise

NDC_PRODUCTS = DATA_DIR / "ndc" / "product.txt.gz"  # the whole 2019 directory, shipped for the demo


def _cdisc_rows() -> list[dict[str, str]]:
    with CDISC_FILE.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["Codelist Code"]]


def test_specs_have_unique_codes_known_parents_and_fit_the_model() -> None:
    specs = taxonomy_specs()
    codes = Counter(s.code for s in specs)
    assert [c for c, n in codes.items() if n > 1] == []
    assert all(s.parent in codes for s in specs if s.parent)
    assert max(len(s.code) for s in specs) <= Term._meta.get_field("code").max_length  # type: ignore[operator]  # max_length is set on this field
    assert max(len(s.name) for s in specs) <= 200


def test_no_synonym_names_two_terms_of_one_vocabulary() -> None:
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for spec in taxonomy_specs():
        for text in {spec.name, *spec.synonyms}:
            key = (spec.vocabulary, term_normalise(text))
            if key in seen and seen[key] != spec.code:
                clashes.append((text, seen[key], spec.code))
            seen.setdefault(key, spec.code)
    assert clashes == []


def test_load_creates_every_term_and_a_second_load_changes_nothing(db: None) -> None:
    first = taxonomy_load(actor=None)
    assert first.created == len(taxonomy_specs()) == Term.objects.count()
    assert AuditEvent.unscoped.filter(action="registry.taxonomy_load").count() == 1
    before = list(Term.objects.order_by("code").values())

    second = taxonomy_load(actor=None)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(taxonomy_specs()))
    assert list(Term.objects.order_by("code").values()) == before
    assert AuditEvent.unscoped.filter(action="registry.taxonomy_load").count() == 1


def test_load_is_an_upsert_by_code(db: None) -> None:
    taxonomy_load(actor=None)
    Term.objects.filter(code="svc.sterilize").update(name="Sterilization (old)", synonyms=[])
    Term.objects.filter(code="frm.tablet_film_coated").update(parent=None)
    result = taxonomy_load(actor=None)
    assert (result.created, result.updated) == (0, 2)
    assert result.codes_changed == ["frm.tablet_film_coated", "svc.sterilize"]
    assert Term.objects.get(code="svc.sterilize").name == "Sterilisation"
    assert Term.objects.get(code="frm.tablet_film_coated").parent.code == "frm.family.solid_oral"  # type: ignore[union-attr]  # known to exist in this fixture


def test_load_rejects_a_term_whose_parent_is_unknown(db: None) -> None:
    specs = [TermSpec(code="svc.x", vocabulary=Vocabulary.SERVICE, name="X", parent="svc.nowhere")]
    with pytest.raises(ValueError, match=r"unknown parent svc\.nowhere"):
        taxonomy_load(actor=None, specs=specs)


def test_every_cdisc_term_is_loaded_with_its_c_code_and_a_family(taxonomy: None) -> None:
    rows = _cdisc_rows()
    assert len(rows) == 338
    terms = {t.cdisc_code: t for t in Term.objects.exclude(cdisc_code="").select_related("parent")}
    assert set(terms) == {r["Code"] for r in rows}
    for row in rows:
        term = terms[row["Code"]]
        assert term.name == row["CDISC Submission Value"]
        vocabulary = Vocabulary.DOSAGE_FORM if row["Codelist Code"] == "C66726" else Vocabulary.ROUTE
        assert term.vocabulary == vocabulary
        assert term.parent is not None and term.parent.vocabulary == vocabulary and not term.parent.cdisc_code


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("TABLET, FILM COATED", "frm.family.solid_oral"),
        ("CAPSULE, DELAYED RELEASE", "frm.family.solid_oral"),
        ("INJECTION, POWDER, LYOPHILIZED, FOR SOLUTION", "frm.family.injectable"),
        ("CREAM", "frm.family.topical"),
        ("PATCH, EXTENDED RELEASE", "frm.family.topical"),
        ("AEROSOL, METERED", "frm.family.inhalation"),
        ("SOLUTION/ DROPS", "frm.family.ophthalmic"),
        ("SPRAY, METERED", "frm.family.nasal"),
        ("SYRUP", "frm.family.oral_liquid"),
        ("SUPPOSITORY", "frm.family.rectal_vaginal"),
        ("KIT", "frm.family.other"),
    ],
)
def test_dosage_forms_sit_in_their_family(taxonomy: None, text: str, family: str) -> None:
    lookup = term_lookup(vocabulary=Vocabulary.DOSAGE_FORM)
    term_id = lookup.id_of(text)
    assert term_id is not None, text
    term = Term.objects.select_related("parent").get(pk=term_id)
    assert term.parent is not None and term.parent.code == family


@pytest.mark.parametrize(
    ("route", "family"),
    [
        ("ORAL", "route.family.oral"),
        ("SUBLINGUAL", "route.family.oral"),
        ("INTRAVENOUS", "route.family.parenteral"),
        ("SUBCUTANEOUS", "route.family.parenteral"),
        ("TRANSDERMAL", "route.family.topical"),
        ("RESPIRATORY (INHALATION)", "route.family.inhalation"),
        ("INTRAVITREAL", "route.family.ophthalmic"),
        ("AURICULAR (OTIC)", "route.family.otic"),
        ("NASAL", "route.family.nasal"),
        ("VAGINAL", "route.family.rectal_vaginal"),
    ],
)
def test_routes_sit_in_their_family(taxonomy: None, route: str, family: str) -> None:
    term = Term.objects.select_related("parent").get(vocabulary=Vocabulary.ROUTE, name=route)
    assert term.parent is not None and term.parent.code == family


@pytest.mark.parametrize(
    ("vocabulary", "text", "code"),
    [
        (Vocabulary.SERVICE, "API MANUFACTURE", "svc.mfg.api"),
        (Vocabulary.SERVICE, "aseptic fill-finish", "svc.mfg.drug_product.sterile_fill_finish"),
        (Vocabulary.SERVICE, "Fill Finish", "svc.mfg.drug_product.sterile_fill_finish"),
        (Vocabulary.SERVICE, "QC testing", "svc.analysis"),
        (Vocabulary.SERVICE, "svc.sterilize", "svc.sterilize"),
        (Vocabulary.SERVICE, "  medicinal   chemistry ", "svc.research.medicinal_chemistry"),
        (Vocabulary.DOSAGE_FORM, "tablet, film coated", "frm.tablet_film_coated"),
        (Vocabulary.DOSAGE_FORM, "TABLET,FILM COATED", "frm.tablet_film_coated"),
        (Vocabulary.DOSAGE_FORM, "C42931", "frm.tablet_film_coated"),
        (Vocabulary.DOSAGE_FORM, "Film Coated Tablet Dosage Form", "frm.tablet_film_coated"),
        (Vocabulary.DOSAGE_FORM, "SUSPENSION/ DROPS", "frm.suspension_drops"),
        (Vocabulary.DOSAGE_FORM, "Gummy", "frm.gel_chewable"),
        (Vocabulary.ROUTE, "PO", "route.oral"),
        (Vocabulary.ROUTE, "SUBGINGIVAL", "route.periodontal"),
        (Vocabulary.MODALITY, "mAb", "mod.biologic.antibody"),
        (Vocabulary.SCALE, "phase 2", "scale.clinical.phase2"),
    ],
)
def test_lookup_resolves_codes_names_and_synonyms(taxonomy: None, vocabulary: str, text: str, code: str) -> None:
    assert term_lookup(vocabulary=vocabulary).code_of(text) == code


def test_lookup_answers_none_for_unknown_text(taxonomy: None) -> None:
    lookup = term_lookup(vocabulary=Vocabulary.SERVICE)
    assert lookup.code_of("time travel") is None
    assert lookup.code_of("") is None
    assert lookup.code_of("TABLET") is None  # a dosage form, not a service


@pytest.mark.slow  # reads the whole NDC directory: run once, in the SQLite half of make test
def test_every_dosage_form_and_route_of_the_ndc_directory_resolves(taxonomy: None) -> None:
    forms: set[str] = set()
    routes: set[str] = set()
    with gzip.open(NDC_PRODUCTS) as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="latin-1", newline=""), delimiter="\t"):
            forms.add(row["DOSAGEFORMNAME"])
            routes.update(r for r in row["ROUTENAME"].split("; ") if r)
    form_lookup = term_lookup(vocabulary=Vocabulary.DOSAGE_FORM)
    route_lookup = term_lookup(vocabulary=Vocabulary.ROUTE)
    assert sorted(f for f in forms if form_lookup.id_of(f) is None) == []
    assert sorted(r for r in routes if route_lookup.id_of(r) is None) == []
