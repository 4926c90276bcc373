"""A need for a dosage form, on real data: the establishments a label names for it must rank first.

The shipped DECRS FY2025 file and the two real SPL labels of the registry's test fixtures (Lipitor,
TABLET, FILM COATED; a cough SYRUP) are imported with the ``cxo import`` commands. What each label
says — which establishment performs which operation on which product, and each product's dosage
form — is read here from the XML with ElementTree, not from the database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from cxo.core.models import User
from cxo.core.services import api_token_create
from cxo.matching import live

ROOT = Path(__file__).resolve().parents[2]
DECRS = ROOT / "registry" / "data" / "decrs" / "drls_reg_2025_redacted.csv"
SPL_DIR = ROOT / "registry" / "tests" / "fixtures" / "spl"
TODAY = "2026-11-25"
V3 = "{urn:hl7-org:v3}"


def label_operations() -> dict[str, set[tuple[str, str]]]:
    """DUNS -> {(operation, dosage form)} over every label: an operation that names no product covers all of them."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in sorted(SPL_DIR.glob("*.xml")):
        root = ET.parse(path).getroot()
        form: dict[str, str] = {}
        for product in root.iter(f"{V3}manufacturedProduct"):
            code, form_code = product.find(f"{V3}code"), product.find(f"{V3}formCode")
            if code is not None and form_code is not None and code.get("codeSystem") == "2.16.840.1.113883.6.69":
                form.setdefault(str(code.get("code")), str(form_code.get("displayName")))
        establishments = (
            f"{V3}author/{V3}assignedEntity/{V3}representedOrganization/{V3}assignedEntity/"
            f"{V3}assignedOrganization/{V3}assignedEntity"
        )
        for entity in root.findall(establishments):
            duns = str(entity.find(f"{V3}assignedOrganization/{V3}id").get("extension"))  # type: ignore[union-attr]  # known to exist in this fixture
            for act in entity.findall(f"{V3}performance/{V3}actDefinition"):
                operation = str(act.find(f"{V3}code").get("displayName"))  # type: ignore[union-attr]  # known to exist in this fixture
                products = [str(c.get("code")) for c in act.iter(f"{V3}code") if c.get("code") in form]
                for ndc in products or list(form):
                    found[duns].add((operation, form[ndc]))
    return found


def cli(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("match", *args, "--today", TODAY, "--json", stdout=out)
    return json.loads(out.getvalue())


def by_criterion(row: dict[str, Any], criterion: str) -> dict[str, Any]:
    return next(e for e in row["explanation"] if e["criterion"] == criterion)


@pytest.mark.django_db
@pytest.mark.slow  # imports a whole real file: run once, in the SQLite half of make test
def test_spl_establishments_of_a_dosage_form_rank_above_sites_without_that_evidence(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, sponsor_user: User
) -> None:
    settings.CXO_MATCH_VERSION_TTL = 0
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date.fromisoformat(TODAY))
    live.forget()
    call_command("taxonomy", stdout=io.StringIO())
    call_command("import", "decrs", str(DECRS), stdout=io.StringIO())
    call_command("import", "spl", str(SPL_DIR), stdout=io.StringIO())
    labels = label_operations()
    film_coated = {duns for duns, ops in labels.items() if ("MANUFACTURE", "TABLET, FILM COATED") in ops}
    syrup = {duns for duns, ops in labels.items() if ("MANUFACTURE", "SYRUP") in ops}
    assert film_coated == {"829084552", "341970073", "985052076"} and syrup == {"129836151"}  # the labels' own words

    got = cli("--service", "MANUFACTURE", "--dosage-form", "TABLET, FILM COATED", "--all")
    results: list[dict[str, Any]] = got["results"]
    duns = [r["site"]["duns"] for r in results]
    # The dosage form is a filter: only the label's establishments hold it on this record (no NDC file
    # is loaded here), and the cough syrup's establishment does not.
    assert len(results) == got["total"] == len(film_coated)
    assert set(duns) == film_coated and not syrup & set(duns)
    for row in results[: len(film_coated)]:
        product = by_criterion(row, "product_fit")
        # Graded by the records: each establishment here has one or a few SPL records for the form.
        assert product["status"] == "partly" and 125 <= product["points"] < 200
        assert product["detail"].startswith("Tablet, film coated: at this site (")  # SPL says "TABLET, FILM COATED"
        assert "evidence record" in product["detail"]
        (record,) = product["evidence"]
        assert record["kind"] == "spl_establishment" and record["level"] == "site"
        site_duns = row["site"]["duns"]
        assert record["source_ref"] == f"SPL c6e131fe-e7df-4876-83f7-9156fc4e8228 v11 DUNS {site_duns} MANUFACTURE"
        assert record["observed_on"] == "2014-01-13"
    # The family finds the same establishments (TABLET, FILM COATED is filed under Solid oral).
    parent = cli("--service", "MANUFACTURE", "--dosage-form", "Solid oral", "--limit", "3")
    assert {r["site"]["duns"] for r in parent["results"]} == film_coated

    # Syrup: the cough label's establishment comes first, and the API ranks as the CLI does.
    _, secret = api_token_create(user=sponsor_user, name="quality")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.post(
        "/api/v1/match", {"services": ["MANUFACTURE"], "dosage_forms": ["SYRUP"]}, content_type="application/json"
    )
    assert response.status_code == 200
    via_api = response.json()["results"]
    assert via_api[0]["site"]["duns"] in syrup and by_criterion(via_api[0], "product_fit")["points"] > 0
    assert [(r["site"]["duns"], r["score"]) for r in via_api] == [
        (r["site"]["duns"], r["score"]) for r in cli("--service", "MANUFACTURE", "--dosage-form", "SYRUP")["results"]
    ]
