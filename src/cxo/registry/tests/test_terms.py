"""The one resolver: codes, names, synonyms and everyday words of every vocabulary; refusal with suggestions;
the ambiguity rule; the same answers from the database and from the rows matching builds it from."""

from __future__ import annotations

import pytest

from cxo.core.errors import ServiceError
from cxo.registry.taxonomy import taxonomy_specs
from cxo.registry.terms import (
    COUNTRY,
    REGION,
    SUBSTANCE,
    TermAmbiguous,
    TermNotFound,
    TermResolver,
    TermRow,
    term_resolver,
)


@pytest.fixture(scope="module")
def resolver() -> TermResolver:
    """The shipped taxonomy, without a database (ids are positions), and two substances on record."""
    specs = taxonomy_specs()
    ids = {s.code: i for i, s in enumerate(specs, 1)}
    rows = [
        TermRow(ids[s.code], s.vocabulary, s.code, s.name, ids.get(s.parent or ""), s.cdisc_code, s.synonyms)
        for s in specs
    ]
    return TermResolver(rows, substances={"ATORVASTATIN", "METFORMIN"})


@pytest.mark.parametrize(
    ("vocabulary", "text", "code"),
    [
        # DECRS operation names
        ("service", "API MANUFACTURE", "svc.mfg.api"),
        ("service", "MANUFACTURE", "svc.mfg.drug_product"),
        ("service", "manufacture", "svc.mfg.drug_product"),
        ("service", "ANALYSIS", "svc.analysis"),
        # curated synonyms and everyday words
        ("service", "R&D", "svc.research"),
        ("service", "fill-finish", "svc.mfg.drug_product.sterile_fill_finish"),
        ("service", "fill finish", "svc.mfg.drug_product.sterile_fill_finish"),
        ("service", "Fill - Finish", "svc.mfg.drug_product.sterile_fill_finish"),
        ("service", "aseptic", "svc.mfg.drug_product.sterile_fill_finish"),
        ("service", "sterile", "svc.mfg.drug_product.sterile_fill_finish"),
        ("service", "solid dose", "svc.mfg.drug_product.solid_dose"),
        ("service", "tablets", "svc.mfg.drug_product.solid_dose"),
        ("service", "injectables", "svc.mfg.drug_product.injectable"),
        ("service", "analytical testing", "svc.analysis"),
        ("service", "packaging", "svc.packaging.pack"),
        ("service", "svc.mfg.api", "svc.mfg.api"),
        ("service", "Drug substance (API) manufacture", "svc.mfg.api"),
        # SPL / CDISC names in any case, their C-codes, and plurals
        ("dosage_form", "TABLET, FILM COATED", "frm.tablet_film_coated"),
        ("dosage_form", "tablet,film coated", "frm.tablet_film_coated"),
        ("dosage_form", "Tablet, Film Coated", "frm.tablet_film_coated"),
        ("dosage_form", "tablets", "frm.tablet"),
        ("dosage_form", "capsules", "frm.capsule"),
        ("dosage_form", "ointment", "frm.ointment"),
        ("dosage_form", "injectables", "frm.family.injectable"),
        ("dosage_form", "solid dose", "frm.family.solid_oral"),
        ("dosage_form", "C42998", "frm.tablet"),
        ("route", "oral", "route.oral"),
        ("route", "Intravenous", "route.intravenous"),
        # countries: names, ISO alpha-3 and alpha-2, everyday names
        (COUNTRY, "Germany", "DEU"),
        (COUNTRY, "DEU", "DEU"),
        (COUNTRY, "deu", "DEU"),
        (COUNTRY, "DE", "DEU"),
        (COUNTRY, "United States", "USA"),
        (COUNTRY, "UK", "GBR"),
        (COUNTRY, "South Korea", "KOR"),
        # regions and groups
        (REGION, "Europe", "europe"),
        (REGION, "europe", "europe"),
        (REGION, "EU", "eu"),
        (REGION, "EEA", "eea"),
        (REGION, "south_asia", "south_asia"),
        (REGION, "Latin America and Caribbean", "latin_america"),
        # substances: salt and hydrate forms meet their moiety
        (SUBSTANCE, "Atorvastatin calcium trihydrate", "ATORVASTATIN"),
        (SUBSTANCE, "metformin hydrochloride", "METFORMIN"),
    ],
)
def test_every_vocabulary_resolves_codes_names_synonyms_and_everyday_words(
    resolver: TermResolver, vocabulary: str, text: str, code: str
) -> None:
    assert resolver.resolve(vocabulary, text).code == code


@pytest.mark.parametrize("vocabulary", ["service", "dosage_form", "route", "modality", "scale", COUNTRY, REGION])
def test_text_that_names_nothing_is_refused_with_a_message(resolver: TermResolver, vocabulary: str) -> None:
    with pytest.raises(TermNotFound) as refused:
        resolver.resolve(vocabulary, "xyz", field="f")
    error = refused.value
    assert isinstance(error, ServiceError) and error.status_code == 400
    assert (error.vocabulary, error.text, error.field) == (vocabulary, "xyz", "f")
    assert error.message.startswith("Unknown ") and "'xyz'" in error.message
    assert error.suggestions == []  # nothing is close: the message says what to write instead
    assert "Use " in error.message or "Known regions" in error.message


@pytest.mark.parametrize(
    ("vocabulary", "typo", "suggested"),
    [
        ("service", "fil finsh", "svc.mfg.drug_product.sterile_fill_finish"),
        ("service", "analytcal testing", "svc.analysis"),
        ("dosage_form", "tablett", "frm.tablet"),
        (COUNTRY, "Germny", "DEU"),
        (REGION, "Eurpe", "europe"),
        (SUBSTANCE, "atorvastatn", "ATORVASTATIN"),
    ],
)
def test_a_typo_is_refused_with_the_closest_terms(
    resolver: TermResolver, vocabulary: str, typo: str, suggested: str
) -> None:
    with pytest.raises(TermNotFound) as refused:
        resolver.resolve(vocabulary, typo)
    assert refused.value.suggestions[0].code == suggested
    assert "Did you mean: " in refused.value.message


def test_an_unknown_substance_says_no_capability_names_it(resolver: TermResolver) -> None:
    with pytest.raises(TermNotFound, match="Unknown substance 'ibuprofen': no capability on record names it"):
        resolver.resolve(SUBSTANCE, "ibuprofen")


def test_files_resolve_exactly_and_typed_text_also_by_the_singular(resolver: TermResolver) -> None:
    tablet = resolver.resolve("dosage_form", "TABLET").id
    assert resolver.id_of("dosage_form", "TABLET") == tablet
    assert resolver.id_of("dosage_form", "TABLETS") is None  # importers: a file's value is exact
    assert resolver.find("dosage_form", "TABLETS", exact=False) == resolver.ref(tablet)


def _tree() -> TermResolver:
    # Two children of one parent share a synonym; two roots share another.
    return TermResolver(
        [
            TermRow(1, "service", "svc.mfg", "Manufacturing"),
            TermRow(2, "service", "svc.mfg.a", "Line A", parent_id=1, synonyms=("fill line",)),
            TermRow(3, "service", "svc.mfg.b", "Line B", parent_id=1, synonyms=("fill line",)),
            TermRow(4, "service", "svc.lab", "Laboratory", synonyms=("testing",)),
            TermRow(5, "service", "svc.qc", "Quality control", synonyms=("testing",)),
        ]
    )


def test_ambiguous_text_resolves_to_the_common_parent_or_is_refused_listing_the_choices() -> None:
    tree = _tree()
    assert tree.resolve("service", "fill line").code == "svc.mfg"  # the broader term covers both
    with pytest.raises(TermAmbiguous) as refused:
        tree.resolve("service", "testing", field="services")
    error = refused.value
    assert [c.code for c in error.suggestions] == ["svc.lab", "svc.qc"]
    assert error.message == ("'testing' names several service terms: Laboratory; Quality control. Give one of them.")
    assert error.field == "services"
    assert tree.id_of("service", "testing") is None  # a file's ambiguous value is not guessed either


def test_a_code_wins_over_a_name_and_a_name_over_a_synonym() -> None:
    tree = TermResolver(
        [
            TermRow(1, "scale", "pilot", "Clinical", synonyms=("commercial",)),
            TermRow(2, "scale", "commercial", "Commercial"),
            TermRow(3, "scale", "scale.c", "Pilot"),
        ]
    )
    assert tree.resolve("scale", "commercial").id == 2  # the code "commercial", not 1's synonym
    assert tree.resolve("scale", "pilot").id == 1  # the code "pilot", not 3's name


def test_synonyms_load_only_when_a_code_or_name_does_not_match() -> None:
    loads: list[int] = []

    def synonyms() -> dict[int, tuple[str, ...]]:
        loads.append(1)
        return {1: ("aseptic lines",)}

    tree = TermResolver([TermRow(1, "service", "svc.ff", "Fill-finish")], synonyms=synonyms)
    assert tree.resolve("service", "svc.ff").id == 1 and loads == []
    assert tree.resolve("service", "FILL FINISH").id == 1 and loads == []  # the name, hyphen or not
    assert tree.resolve("service", "aseptic line").id == 1 and loads == [1]  # a synonym's singular: read once
    assert tree.resolve("service", "Aseptic lines").id == 1 and loads == [1]


def test_the_database_resolver_answers_as_the_rows_do(taxonomy: None, resolver: TermResolver) -> None:
    db = term_resolver()
    assert term_resolver() is db  # cached while the taxonomy is unchanged
    for vocabulary, text in [("service", "R&D"), ("service", "fill finish"), ("dosage_form", "tablets")]:
        assert db.resolve(vocabulary, text).code == resolver.resolve(vocabulary, text).code
    assert db.label("dosage_form", "frm.tablet_film_coated") == "Tablet, film coated"
    assert db.label(COUNTRY, "DEU") == "Germany (DEU)"
    assert db.label("service", "not a term") == "not a term"
