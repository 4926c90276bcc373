"""Needs whose answers are known from the raw DECRS file: the engine must return exactly those sites.

The shipped FY2025 file (``src/cxo/registry/data/decrs``) is imported once; the expected answers are
computed here from the CSV with the ``csv`` module, the shipped operation → service mapping and the
taxonomy file — not from the database. A requested service matches its subtree (README.md);
PARTICLE SIZE REDUCTION sits beside API manufacture, not under it, as FDA registers it apart, so
"API MANUFACTURE" finds exactly the sites that list that operation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from cxo.core.models import User
from cxo.core.services import api_token_create
from cxo.matching import live
from cxo.registry import geo

DATA = Path(__file__).resolve().parents[2] / "registry" / "data"
DECRS = DATA / "decrs" / "drls_reg_2025_redacted.csv"
TODAY = "2026-11-25"


def _taxonomy() -> tuple[dict[str, str], dict[str, str | None], dict[str, list[str]]]:
    """(operation -> service code, service code -> parent code, service code -> its names and synonyms)."""
    with (DATA / "decrs_operations.csv").open(newline="", encoding="utf-8") as f:
        operation_service = {row["operation"]: row["service_code"] for row in csv.DictReader(f)}
    terms = json.loads((DATA / "taxonomy.json").read_text(encoding="utf-8"))["service"]
    parent = {t["code"]: t.get("parent") for t in terms}
    names = {t["code"]: [t["name"], *t.get("synonyms", [])] for t in terms}
    return operation_service, parent, names


def _in_subtree(code: str, root: str, parent: dict[str, str | None]) -> bool:
    node: str | None = code
    while node is not None:
        if node == root:
            return True
        node = parent.get(node)
    return False


def expected_duns(*, requested: str, countries: set[str]) -> tuple[set[str], set[str]]:
    """(DUNS of sites whose operations fall in the requested service's subtree, DUNS with that very operation)."""
    operation_service, parent, names = _taxonomy()
    root = next(code for code, labels in names.items() if requested.casefold() in {x.casefold() for x in labels})
    subtree, literal = set(), set()
    with DECRS.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["COUNTRY_ISO3"] not in countries:
                continue
            operations = {op.strip() for op in row["OPERATIONS"].split(";") if op.strip()}
            if any(_in_subtree(operation_service[op], root, parent) for op in operations):
                subtree.add(row["DUNS_NUMBER"])
            if requested in operations:
                literal.add(row["DUNS_NUMBER"])
    return subtree, literal


def cli(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("match", *args, "--today", TODAY, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
@pytest.mark.slow  # imports a whole real file: run once, in the SQLite half of make test
def test_decrs_needs_return_exactly_the_sites_the_file_says(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, sponsor_user: User
) -> None:
    settings.CXO_MATCH_VERSION_TTL = 0
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date.fromisoformat(TODAY))
    live.forget()
    call_command("taxonomy", stdout=io.StringIO())
    call_command("import", "decrs", str(DECRS), stdout=io.StringIO())
    _, secret = api_token_create(user=sponsor_user, name="quality")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    # The acceptance need: API manufacture in India, every match, through the CLI and the API.
    got = cli("--service", "API MANUFACTURE", "--country", "IND", "--all")
    duns = {r["site"]["duns"] for r in got["results"]}
    subtree, literal = expected_duns(requested="API MANUFACTURE", countries={"IND"})
    assert got["total"] == len(got["results"]) == len(subtree)
    assert duns == subtree
    assert duns == literal and len(literal) == 527
    response = api.post(
        "/api/v1/match",
        {"services": ["API MANUFACTURE"], "countries": ["IND"], "all": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [(r["site"]["duns"], r["score"]) for r in response.json()["results"]] == [
        (r["site"]["duns"], r["score"]) for r in got["results"]
    ]

    # More operations and places, each against the file; the API agrees with the CLI on the ranking.
    cases = [
        ("MANUFACTURE", {"DEU"}, ["--country", "DEU"], {"countries": ["DEU"]}),
        ("ANALYSIS", {"CHN"}, ["--country", "China"], {"countries": ["China"]}),
        ("STERILIZE", {"USA"}, ["--country", "US"], {"countries": ["US"]}),
        ("PACK", set(geo.countries_in_region("europe")), ["--region", "europe"], {"regions": ["europe"]}),
        ("POSITRON EMISSION TOMOGRAPHY DRUG PRODUCTION", {"USA"}, ["--country", "USA"], {"countries": ["USA"]}),
    ]
    for operation, countries, flags, fields in cases:
        expected, literal = expected_duns(requested=operation, countries=countries)
        assert expected == literal, operation  # these services have no DECRS operation below them
        got = cli("--service", operation, *flags, "--all")
        assert {r["site"]["duns"] for r in got["results"]} == expected, operation
        assert got["total"] == len(expected), operation
        via_api = api.post(
            "/api/v1/match", {"services": [operation], "all": True, **fields}, content_type="application/json"
        ).json()
        assert [r["site"]["duns"] for r in via_api["results"]] == [r["site"]["duns"] for r in got["results"]], operation

    # Every explanation can be followed to the site's registry page, and its evidence is the DECRS record.
    top = cli("--service", "STERILIZE", "--country", "USA", "--limit", "5")
    for row in top["results"]:
        assert row["site"]["url"] == f"/registry/sites/{row['site']['id']}/"
        strength = next(e for e in row["explanation"] if e["criterion"] == "evidence_strength")
        assert strength["evidence"][0]["source_ref"] == f"DECRS FY2025 DUNS {row['site']['duns']}"
        assert "expired on 2025-12-31" in strength["detail"]

    # The FY2025 registrations all expired on 2025-12-31: none is current on 2026-11-25.
    none_current = cli("--service", "API MANUFACTURE", "--require-evidence", "fda_registration_current")
    assert none_current["total"] == 0  # and it says why, once, about the file
    assert none_current["notes"] == [
        "No registration can be current: the newest DECRS file imported is FY2025; registrations it lists expired on "
        "31 Dec 2025 — import the current file (cxo import decrs FILE)."
    ]
    assert cli("--service", "API MANUFACTURE", "--country", "IND", "--require-evidence", "fda_registration")[
        "total"
    ] == len(subtree)

    # One per organisation: as many results as registrants with a matching site in the country.
    with DECRS.open(newline="", encoding="utf-8") as f:
        registrants = {row["REGISTRANT_DUNS"] for row in csv.DictReader(f) if row["DUNS_NUMBER"] in subtree}
    assert cli("--service", "API MANUFACTURE", "--country", "IND", "--per-organisation")["total"] == len(registrants)
