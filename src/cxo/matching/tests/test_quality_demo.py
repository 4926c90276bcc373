"""Needs a sourcing expert would ask, on the whole demo registry (every public file CXO ships).

The demo registry is loaded once for this module (about a minute; marked ``slow``) inside a
transaction that is rolled back at the end, so no other test sees it. Each need is written with
taxonomy codes (free-text reading is the resolver's, tested with it). A need must return at least
ten ranked results whose top ten the evidence tells apart, and every result must show, in its
explanation, evidence for every criterion the need asked for.

The substance check reads the NDC unfinished file itself (gzip and csv, not the importer): for the
20 substances with the most bulk-ingredient labelers, ``cxo match --service "API MANUFACTURE"
--substance S --all --json`` must find at least 60 % of those labelers that the registry holds,
and at least 80 % of its results must carry API evidence for S.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from cxo.matching import live
from cxo.matching.index import MatchIndex
from cxo.matching.need import Need
from cxo.matching.selectors import need_match
from cxo.registry import geo
from cxo.registry.demo import demo_registry_load
from cxo.registry.models import Evidence, EvidenceKind, Term, Vocabulary
from cxo.registry.substances import substance_moiety
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
    """Whether the product-fit entry says the row holds ``name`` (at the site or organisation-wide)."""
    return f"{name}: at this site" in product_fit["detail"] or f"{name}: organisation-wide" in product_fit["detail"]


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


def _bulk_labelers() -> dict[str, set[str]]:
    """Substance as written -> the labelers with a bulk-ingredient listing of it, from the shipped file."""
    with gzip.open(DATA_DIR / "ndc_unfinished" / "unfinished_product.txt.gz") as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="latin-1", newline=""), delimiter="\t", quoting=3)
        labelers: dict[str, set[str]] = defaultdict(set)
        for r in reader:
            if r["MARKETINGCATEGORYNAME"].startswith("BULK INGREDIENT"):
                for substance in r["SUBSTANCENAME"].split(";"):
                    if substance.strip():
                        labelers[substance.strip().upper()].add(r["LABELERNAME"].strip())
    return labelers


def test_api_need_for_a_substance_finds_its_bulk_labelers(
    demo_index: MatchIndex, db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    labelers = _bulk_labelers()
    top = sorted(labelers, key=lambda s: (-len(labelers[s]), s))[:20]
    held: dict[str, set[int]] = defaultdict(set)  # labeler as written -> the organisations holding its listings
    for org, labeler in (
        Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED)
        .values_list("capability__organisation_id", "detail__labeler")
        .distinct()
    ):
        held[str(labeler).strip()].add(org)
    api = _service_names("svc.mfg.api")
    assert len(top) == 20 and len(labelers[top[-1]]) >= 30  # the file's 20th substance has 32 labelers

    for substance in top:
        capsys.readouterr()
        call_command(
            "match", "--service", "API MANUFACTURE", "--substance", substance, "--all", "--json",
            "--today", TODAY.isoformat(),
        )  # fmt: skip
        results = json.loads(capsys.readouterr().out)["results"]
        found = {r["organisation"]["id"] for r in results}
        registry_holds = [name for name in labelers[substance] if held.get(name)]
        recalled = [name for name in registry_holds if held[name] & found]
        assert len(registry_holds) >= 0.9 * len(labelers[substance]), substance
        assert len(recalled) >= 0.6 * len(registry_holds), (substance, len(recalled), len(registry_holds))

        moiety = substance_moiety(substance)
        with_api_evidence = [
            r
            for r in results
            if _holds(entry := _entry(r, "product_fit"), moiety)
            and entry["evidence"]
            and all(ev["capability"] in api for ev in entry["evidence"])
        ]
        assert len(with_api_evidence) >= 0.8 * len(results) > 0, (substance, len(with_api_evidence), len(results))
