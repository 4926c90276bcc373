"""Registry API: search with facets and paging, 4xx messages, details with evidence, taxonomy, imports, OpenAPI.

The last test checks the directory against the shipped FDA DECRS file: for several (country,
operation) pairs the API's total equals the number of raw CSV rows, counted with the csv module.
"""

from __future__ import annotations

import csv
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import login_client
from django.test import Client

from cxo.config.api import api
from cxo.core import services
from cxo.core.models import Organisation, User
from cxo.registry import schemas as registry_schemas
from cxo.registry.importers import registry_import
from cxo.registry.importers.decrs import DEMO_FILE, DecrsImporter
from cxo.testing.registry_factories import decrs_row_country

pytestmark = pytest.mark.django_db

BASE = "/api/v1/registry"


class Api:
    """A client that sends a bearer token."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.auth = f"Bearer {secret}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(BASE + path, params or {}, HTTP_AUTHORIZATION=self.auth)


@pytest.fixture
def reader(outsider: User) -> Api:
    """Any signed-in user reads the registry (here the outsider persona)."""
    _, secret = services.api_token_create(user=outsider, name="registry")
    return Api(secret)


def test_anonymous_gets_401(small_registry: SimpleNamespace) -> None:
    for path in ("/sites", "/organisations", "/sites/111111111", "/organisations/acme-pharma", "/taxonomy", "/imports"):
        assert Client().get(BASE + path).status_code == 401


def test_the_browser_session_works_too(small_registry: SimpleNamespace, outsider: User) -> None:
    assert login_client(outsider).get(BASE + "/sites").json()["total"] == 6


def test_site_search(small_registry: SimpleNamespace, reader: Api) -> None:
    body = reader.get("/sites", {"country": ["IND", "CHN"], "service": "svc.mfg", "page_size": 2}).json()
    assert (body["total"], body["page"], body["page_size"], body["pages"], body["sort"]) == (2, 1, 2, 1, "name")
    assert [s["name"] for s in body["results"]] == ["Acme Hyderabad", "Chengdu Plant 1"]
    hyderabad = body["results"][0]
    assert hyderabad["duns"] == "222222222"
    assert hyderabad["organisation"] == {
        "id": small_registry.acme.pk,
        "slug": "acme-pharma",
        "name": "Acme Pharma",
        "kind": "cmo",
        "roles": ["cmo"],
    }
    assert (hyderabad["country"], hyderabad["country_name"], hyderabad["region"]) == ("IND", "India", "south_asia")
    assert [t["code"] for t in hyderabad["services"]] == ["svc.mfg.drug_product", "svc.packaging.pack"]
    assert [t["code"] for t in hyderabad["dosage_forms"]] == ["frm.tablet"]
    assert hyderabad["evidence_kinds"] == ["fda_registration", "ndc_listing"]
    facets = body["facets"]
    assert {v["code"]: v["count"] for v in facets["country"]} == {"USA": 2, "IND": 1, "CHN": 1}
    assert [v["code"] for v in facets["country"] if v["selected"]] == ["IND", "CHN"] or [
        v["code"] for v in facets["country"] if v["selected"]
    ] == ["CHN", "IND"]
    assert {v["code"]: v["count"] for v in facets["kind"]} == {"cmo": 1, "cdmo": 1}
    assert set(facets) == {
        *("country", "region", "service", "dosage_form", "route", "substance", "kind", "evidence"),
        *("registration", "compliance"),
    }


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        ({"service": "analytical testing", "country": "India"}, {"service": "svc.analysis", "country": "IND"}),
        ({"service": "MANUFACTURE", "country": "in"}, {"service": "svc.mfg.drug_product", "country": "IND"}),
        ({"service": "R&D"}, {"service": "svc.research"}),
        ({"service": "fill finish"}, {"service": "svc.mfg.drug_product.sterile_fill_finish"}),
        ({"dosage_form": "tablets"}, {"dosage_form": "frm.tablet"}),
        ({"country": ["Germany", "DEU"]}, {"country": "DEU"}),
        ({"region": "EU"}, {"region": "eu"}),
    ],
)
def test_filters_read_words_as_the_one_resolver_does(
    small_registry: SimpleNamespace, reader: Api, words: dict[str, Any], codes: dict[str, Any]
) -> None:
    for path in ("/sites", "/organisations"):
        by_word, by_code = reader.get(path, words), reader.get(path, codes)
        assert by_word.status_code == by_code.status_code == 200
        assert by_word.json()["results"] == by_code.json()["results"]
        assert by_word.json()["total"] == by_code.json()["total"]


def test_filters_take_names_and_paging_walks_every_hit(small_registry: SimpleNamespace, reader: Api) -> None:
    assert reader.get("/sites", {"service": "API manufacture", "country": "India"}).json()["total"] == 0
    assert reader.get("/sites", {"service": "API MANUFACTURE", "country": "China"}).json()["total"] == 1
    assert reader.get("/sites", {"dosage_form": "TABLET", "route": "ORAL"}).json()["total"] == 1
    assert reader.get("/sites", {"q": "genome valley"}).json()["results"][0]["name"] == "Acme Hyderabad"
    seen = []
    for page in (1, 2, 3):
        body = reader.get("/sites", {"page": page, "page_size": 2, "sort": "-name"}).json()
        assert body["pages"] == 3
        seen += [s["name"] for s in body["results"]]
    assert len(seen) == len(set(seen)) == 6
    assert reader.get("/sites", {"page": 4, "page_size": 2}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"country": "XYZ"}, 400, "Unknown country 'XYZ'. Use an ISO 3166 code such as USA, IN or DEU"),
        ({"region": "mars"}, 400, "Unknown region 'mars'. Known regions: north_america"),
        ({"service": "svc.nope"}, 400, "Unknown service 'svc.nope'. Did you mean: "),
        ({"service": "xyz"}, 400, "Unknown service 'xyz'. Use a code, name or synonym from GET"),
        ({"dosage_form": "pill-ish"}, 400, "Unknown dosage form 'pill-ish'"),
        ({"route": "osmosis"}, 400, "Unknown route 'osmosis'"),
        (
            {"kind": "giant"},
            400,
            "Unknown organisation role 'giant'. Known roles: sponsor, generic, cdmo, cmo, maker, api, cro, lab, "
            "logistics.",
        ),
        ({"evidence": "rumour"}, 400, "Unknown evidence source 'rumour'"),
        ({"page": 0}, 400, "Page 0 does not exist: pages are numbered from 1 to at most 100,000."),
        ({"page": -3}, 400, "Page -3 does not exist"),
        ({"page_size": 0}, 400, "page_size must be between 1 and 100, not 0."),
        ({"page_size": 1000}, 400, "page_size must be between 1 and 100, not 1000."),
        ({"sort": "popularity"}, 400, "Unknown sort 'popularity'. Sort by one of: name, -name, country."),
        ({"page": "two"}, 422, "Invalid request."),
    ],
)
def test_bad_filters_are_4xx_with_a_message(
    small_registry: SimpleNamespace, reader: Api, params: dict[str, Any], status: int, message: str
) -> None:
    for path in ("/sites", "/organisations"):
        response = reader.get(path, params)
        assert response.status_code == status
        if path == "/organisations" and "sort" in params:
            assert "Sort by one of: name, -name, sites." in response.json()["detail"]
        else:
            assert message in response.json()["detail"]


def test_organisation_search(small_registry: SimpleNamespace, reader: Api) -> None:
    body = reader.get("/organisations", {"region": "south_asia", "sort": "sites"}).json()
    assert body["total"] == 2
    acme, bharat = body["results"]
    assert (acme["name"], acme["site_count"], acme["countries"], acme["kind"]) == (
        "Acme Pharma",
        2,
        ["IND", "USA"],
        "cmo",
    )
    assert bharat["name"] == "Bharat Analytics"
    assert {v["code"]: v["count"] for v in body["facets"]["kind"]} == {"cmo": 1, "cro": 1}


def test_site_detail_by_duns_or_id(small_registry: SimpleNamespace, reader: Api, during_fy2025: None) -> None:
    body = reader.get("/sites/222222222").json()
    assert reader.get(f"/sites/{small_registry.hyderabad.pk}").json() == body
    assert body["address"].startswith("Plot 12, Genome Valley")
    assert (body["us_agent_name"], body["us_agent_duns"]) == ("Acme US Agent LLC", "999999999")
    assert (body["status"], body["registration_expiry"]) == ("current", "2025-12-31")
    assert body["registration"]["text"] == "Registered with FDA until 31 Dec 2025."
    assert body["registration_source"]["notice"] == ""
    pack = next(c for c in body["capabilities"] if c["service"]["code"] == "svc.packaging.pack")
    assert pack["site_id"] == small_registry.hyderabad.pk
    assert pack["evidence"] == [
        {
            "kind": "fda_registration",
            "kind_name": "FDA establishment registration",
            "source_ref": "FEI 3002222222",
            "observed_on": "2025-01-15",
            "detail": {},
            "import_run_id": small_registry.run.pk,
        }
    ]
    (listing,) = body["organisation_capabilities"]
    assert (listing["site_id"], listing["dosage_form"]["code"], listing["route"]["code"]) == (
        None,
        "frm.tablet",
        "route.oral",
    )
    assert listing["evidence"][0]["observed_on"] == "2019-04-29"
    assert [r["source"] for r in body["import_runs"]] == ["ndc", "decrs"]
    assert body["import_runs"][1]["checksum"] == small_registry.run.checksum


def test_organisation_detail_by_id_or_slug(small_registry: SimpleNamespace, reader: Api) -> None:
    body = reader.get("/organisations/chengdu-bioworks").json()
    assert reader.get(f"/organisations/{small_registry.chengdu.pk}").json() == body
    assert (body["kind"], body["kind_reason"]) == ("cdmo", small_registry.chengdu.kind_reason)
    assert [s["name"] for s in body["sites"]] == ["Chengdu Plant 1", "Chengdu Mainz"]
    spl = next(c for c in body["capabilities"] if c["dosage_form"])
    assert spl["evidence"][0]["kind"] == "spl_establishment"
    assert spl["evidence"][0]["observed_on"] == "2017-06-01"
    assert spl["route"] == {"code": "route.intravenous", "name": "INTRAVENOUS"}


def test_details_404_with_a_message(small_registry: SimpleNamespace, reader: Api, sponsor: Organisation) -> None:
    for path, message in [
        ("/sites/999999999", "No site with DUNS 999999999."),
        ("/sites/987654", "No site with id 987654."),
        ("/sites/acme", "No site 'acme': give a nine-digit DUNS number or a site id."),
        ("/organisations/no-such-org", "No organisation 'no-such-org' in the registry."),
        (f"/organisations/{sponsor.slug}", f"No organisation '{sponsor.slug}' in the registry."),
    ]:
        response = reader.get(path)
        assert (response.status_code, response.json()["detail"]) == (404, message)


def test_taxonomy(taxonomy: None, reader: Api) -> None:
    body = reader.get("/taxonomy", {"vocabulary": "dosage_form"}).json()
    (vocabulary,) = body["vocabularies"]
    assert (vocabulary["code"], vocabulary["name"]) == ("dosage_form", "Dosage form")
    terms = {t["code"]: t for t in vocabulary["terms"]}
    assert terms["frm.tablet"]["cdisc_code"] == "C42998"
    assert terms["frm.tablet"]["parent"] == "frm.family.solid_oral"
    assert (terms["frm.tablet"]["depth"], terms["frm.family.solid_oral"]["depth"]) == (1, 0)
    everything = reader.get("/taxonomy").json()
    assert [v["code"] for v in everything["vocabularies"]] == ["service", "dosage_form", "route", "modality", "scale"]
    response = reader.get("/taxonomy", {"vocabulary": "colour"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Unknown vocabulary 'colour'.")


def test_import_runs(small_registry: SimpleNamespace, reader: Api) -> None:
    body = reader.get("/imports").json()
    assert (body["total"], body["page"], body["pages"]) == (2, 1, 1)
    assert [r["source"] for r in reader.get("/imports", {"page_size": 1, "page": 2}).json()["results"]] == ["decrs"]
    decrs = next(r for r in body["results"] if r["source"] == "decrs")
    assert (decrs["file_name"], decrs["checksum"], decrs["actor"], decrs["rows"], decrs["status"]) == (
        "drls_reg_2025_redacted.csv",
        small_registry.run.checksum,
        "curator",
        6,
        "succeeded",
    )
    response = reader.get("/imports", {"page": 0})
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "Page 0 does not exist: pages are numbered from 1 to at most 100,000.",
    )


def test_every_registry_operation_and_field_is_described() -> None:
    schema = api.get_openapi_schema()
    operations = [(path, op) for path, ops in schema["paths"].items() if "/registry/" in path for op in ops.values()]
    assert len(operations) == 8
    for path, operation in operations:
        assert operation.get("description") or operation.get("summary"), path
        assert len(operation.get("description", "")) > 40, f"{path} needs a real description"
        for parameter in operation.get("parameters", []):
            described = parameter.get("description") or parameter.get("schema", {}).get("description")
            assert described, f"{path}: parameter {parameter['name']} has no description"
    components = schema["components"]["schemas"]
    ours = {name for name in components if hasattr(registry_schemas, name)}
    assert {"SitePageOut", "SiteDetailOut", "OrganisationDetailOut", "TaxonomyOut", "ImportRunPageOut"} <= ours
    for name in ours:
        for field, spec in components[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"


# --- against the real DECRS file ----------------------------------------------------------------


@pytest.mark.slow  # imports a whole real file: run once, in the SQLite half of make test
def test_directory_totals_match_the_raw_decrs_file(taxonomy: None, reader: Api) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=DEMO_FILE)  # the search index follows the import
    with DEMO_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    pairs: Counter[tuple[str, str]] = Counter(
        (decrs_row_country(row), operation) for row in rows for operation in set(row["OPERATIONS"].split("; "))
    )
    checked = [
        ("USA", "MANUFACTURE"),
        ("CHN", "API MANUFACTURE"),
        ("IND", "ANALYSIS"),
        ("DEU", "PACK"),
        ("USA", "STERILIZE"),
        ("CAN", "LABEL"),
        ("USA", "MEDICATED ANIMAL FEED MANUFACTURE"),
        ("USA", "REPACK"),
        ("JPN", "ANALYSIS"),
    ]
    for country, operation in checked:
        expected = pairs[(country, operation)]
        body = reader.get("/sites", {"country": country, "service": operation, "page_size": 1}).json()
        assert body["total"] == expected > 0, (country, operation)
    # And the unfiltered facets are the file's own distributions.
    body = reader.get("/sites", {"page_size": 1}).json()
    assert body["total"] == len(rows)
    by_country = Counter(decrs_row_country(row) for row in rows if decrs_row_country(row))
    assert {v["code"]: v["count"] for v in body["facets"]["country"]} == dict(by_country)


def test_details_cap_evidence_and_page_the_rest(heavy_registry: SimpleNamespace, reader: Api) -> None:
    body = reader.get("/organisations/heavy-labeler").json()
    assert sorted((c["evidence_count"], len(c["evidence"])) for c in body["capabilities"]) == [
        (50, 5),
        (100, 5),
        (150, 5),
    ]
    site = reader.get(f"/sites/{heavy_registry.east.pk}").json()
    assert [(c["evidence_count"], len(c["evidence"])) for c in site["capabilities"]] == [(150, 5)]
    assert site["evidence_kinds"] == ["fda_registration", "ndc_listing"]
    path = f"/capabilities/{heavy_registry.tablet.pk}/evidence"
    first = reader.get(path, {"page_size": 100}).json()
    assert (first["total"], first["pages"], len(first["results"])) == (150, 2, 100)
    assert first["results"][0]["source_ref"] == "NDC 00149"
    second = reader.get(path, {"page": 2, "page_size": 100}).json()
    assert len(second["results"]) == 50 and second["results"][-1]["kind"] == "fda_registration"
    assert reader.get(path, {"page_size": 500}).status_code == 400
    assert reader.get("/capabilities/0/evidence").status_code == 404
