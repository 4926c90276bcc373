"""Needs a sourcing expert would ask, on the whole demo registry (every public file CXO ships).

The demo registry is loaded once for this module (about a minute; marked ``slow``) inside a
transaction that is rolled back at the end, so no other test sees it. Each need is written with
taxonomy codes (free-text reading is the resolver's, tested with it). A need must return at least
ten ranked results whose top ten the evidence tells apart, and every result must show, in its
explanation, evidence for every criterion the need asked for.

The substance check (``cxo.matching.recall``) reads the NDC unfinished file itself: for the 20
substances with the most bulk-ingredient labelers, ``cxo match --service "API MANUFACTURE"
--substance S --all --json`` must find at least 60 % of those labelers that the registry holds,
and at least 80 % of its results must carry API evidence for S.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction

from cxo.matching import live
from cxo.matching.index import MatchIndex
from cxo.matching.need import Need
from cxo.matching.recall import PRECISION_BAR, RECALL_BAR, substance_recall
from cxo.matching.selectors import need_match
from cxo.registry import geo
from cxo.registry.demo import demo_registry_load
from cxo.registry.models import Term, Vocabulary
from cxo.registry.taxonomy import DATA_DIR

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_registry")]

TODAY = dt.date(2026, 11, 25)
EUROPE = set(geo.countries_in_region("europe"))


@dataclass(frozen=True)
class Expect:
    """What a need asks for, as its explanation must show it."""

    service: str  # the service whose subtree the deciding evidence must be in (as the need is read)
    products: tuple[str, ...] = ()  # the names the product-fit entry must name, each with evidence
    substance: str = ""
    countries: frozenset[str] = field(default_factory=frozenset)  # empty: anywhere


NEEDS: dict[str, tuple[Need, Expect]] = {
    "sterile / aseptic fill-finish in Europe": (
        Need(services=["svc.mfg.drug_product.sterile_fill_finish"], regions=["europe"]),
        # FDA registers no fill-finish operation: read as drug product manufacture of injectables.
        Expect("svc.mfg.drug_product", ("Injectable / parenteral",), countries=frozenset(EUROPE)),
    ),
    "injectables in Europe": (
        Need(services=["svc.mfg.drug_product.injectable"], regions=["europe"]),
        Expect("svc.mfg.drug_product", ("Injectable / parenteral",), countries=frozenset(EUROPE)),
    ),
    "film-coated tablets in the USA": (
        Need(services=["svc.mfg.drug_product"], dosage_forms=["frm.tablet_film_coated"], countries=["USA"]),
        Expect("svc.mfg.drug_product", ("TABLET, FILM COATED",), countries=frozenset({"USA"})),
    ),
    "capsules in India": (
        Need(services=["svc.mfg.drug_product"], dosage_forms=["frm.capsule"], countries=["IND"]),
        Expect("svc.mfg.drug_product", ("CAPSULE",), countries=frozenset({"IND"})),
    ),
    "API manufacture of atorvastatin in India": (
        Need(services=["svc.mfg.api"], substance="atorvastatin", countries=["IND"]),
        Expect("svc.mfg.api", substance="ATORVASTATIN", countries=frozenset({"IND"})),
    ),
    "API manufacture of metformin": (
        Need(services=["svc.mfg.api"], substance="metformin"),
        Expect("svc.mfg.api", substance="METFORMIN"),
    ),
    "API manufacture of heparin": (
        Need(services=["svc.mfg.api"], substance="heparin"),
        Expect("svc.mfg.api", substance="HEPARIN"),
    ),
    "topical ointment": (
        Need(services=["svc.mfg.drug_product"], dosage_forms=["frm.ointment"]),
        Expect("svc.mfg.drug_product", ("OINTMENT",)),
    ),
    "analytical testing in Germany": (
        Need(services=["svc.analysis"], countries=["DEU"]),
        Expect("svc.analysis", countries=frozenset({"DEU"})),
    ),
    "packaging in Ireland": (
        Need(services=["svc.packaging"], countries=["IRL"]),
        Expect("svc.packaging", countries=frozenset({"IRL"})),
    ),
}


@pytest.fixture(scope="module")
def demo_index(django_db_setup: None, django_db_blocker: Any) -> Iterator[MatchIndex]:
    """The demo registry, loaded once for the module and rolled back after it; its match index."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_registry_load()
        live.forget()
        yield live.match_index(force=True)
        live.forget()
        transaction.set_rollback(True)


def _service_names(root: str) -> set[str]:
    """The display names of a service and every service below it (what an explanation's evidence names)."""
    terms = list(Term.objects.filter(vocabulary=Vocabulary.SERVICE).values_list("code", "name", "parent__code"))
    parent = {code: up for code, _, up in terms}

    def under(code: str | None) -> bool:
        while code is not None:
            if code == root:
                return True
            code = parent.get(code)
        return False

    return {name for code, name, _ in terms if under(code)}


def _entry(row: dict[str, Any], criterion: str) -> dict[str, Any]:
    found = [e for e in row["explanation"] if e["criterion"] == criterion]
    assert len(found) == 1, (criterion, [e["criterion"] for e in row["explanation"]])
    return found[0]


def _holds(product_fit: dict[str, Any], name: str) -> bool:
    """Whether the product-fit entry says the row holds ``name`` (at the site or organisation-wide); term names
    are shown in sentence case ("Tablet, film coated"), whatever case the vocabulary writes them in."""
    detail, name = product_fit["detail"].casefold(), name.casefold()
    return f"{name}: at this site" in detail or f"{name}: organisation-wide" in detail


@pytest.mark.parametrize("title", list(NEEDS))
def test_a_need_returns_ranked_results_backed_by_evidence(demo_index: MatchIndex, db: None, title: str) -> None:
    need, expect = NEEDS[title]
    result = need_match(need=need, index=demo_index, today=TODAY)
    rows = result.results
    assert result.total >= 10 and len(rows) >= 10, (title, result.total, result.notes)
    services = _service_names(expect.service)

    for row in rows:
        who = (title, row["rank"], row["organisation"]["name"], row["site"]["name"])
        points = [e["points"] for e in row["explanation"] if "points" in e]
        assert sum(points) == row["score"], who

        service = _entry(row, "service_fit")
        assert service["status"] != "not_met" and service["evidence"], who
        assert {ev["capability"] for ev in service["evidence"]} <= services, who

        if expect.products or expect.substance:
            product = _entry(row, "product_fit")
            assert product["status"] != "not_met" and product["evidence"], who
            for name in (*expect.products, expect.substance):
                if name:
                    assert _holds(product, name), (who, product["detail"])
        if expect.substance:  # the substance's evidence is of the requested service: API, not a finished product
            assert {ev["capability"] for ev in _entry(row, "product_fit")["evidence"]} <= services, who

        if expect.countries:
            assert row["site"]["country"] in expect.countries, who
            assert _entry(row, "country")["status"] == "met", who

    # The top ten are told apart by their evidence — at least five different scores — and results with a
    # neighbour's score say how they were placed, or that they are truly equal (then listed by name).
    top = rows[:10]
    scores = Counter(r["score"] for r in top)
    assert len(scores) >= 5, (title, [r["score"] for r in top])
    for before, after in itertools.pairwise(rows):
        if before["score"] == after["score"]:
            assert before["tie"] and after["tie"], (title, before["rank"], after["rank"])
        elif before["tie"].startswith("Equal to"):
            assert rows.index(before) == 0 or rows[rows.index(before) - 1]["score"] == before["score"], title
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True), title


def test_api_need_for_a_substance_finds_its_bulk_labelers(demo_index: MatchIndex, db: None) -> None:
    figures = substance_recall(path=DATA_DIR / "ndc_unfinished" / "unfinished_product.txt.gz", today=TODAY)
    assert len(figures) == 20 and figures[-1].labelers >= 30  # the file's 20th substance has 32 labelers
    for f in figures:
        assert f.held >= 0.9 * f.labelers, f  # the importer links or creates an organisation per labeler
        assert f.recall >= RECALL_BAR, f
        assert f.precision >= PRECISION_BAR and f.results > 0, f
