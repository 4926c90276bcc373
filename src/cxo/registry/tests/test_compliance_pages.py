"""The compliance record on the site and organisation pages, in the directory's facets, and in the API.

On the real excerpts (``compliance_registry``): Specialty Process Labs (FEI 3017888878) with OAI
inspections, a warning letter and recalls; Hikma's Cherry Hill site with a published Form 483.
The clock is stopped on 1 December 2026 (what "the last five years" is measured from).
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from conftest import login_client
from django.test import Client
from django.urls import reverse

from cxo.core.models import User
from cxo.core.services import api_token_create
from cxo.registry.models import ComplianceEvent, Site

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def browser(compliance_registry: None, outsider: User, monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return login_client(outsider)


@pytest.fixture
def api(browser: Client, outsider: User) -> Client:
    _, secret = api_token_create(user=outsider, name="compliance")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def specialty() -> Site:
    return Site.objects.get(fei_key="3017888878")


def test_the_site_page_shows_the_compliance_record(browser: Client) -> None:
    response = browser.get(reverse("registry:site", kwargs={"site_id": specialty().pk}))
    page = text(response)
    assert "Latest inspection OAI" in page  # the head badge
    assert "Latest inspection OAI Official action indicated ended 29 Jul 2025" in page
    assert "Warning letters, last 5 years 1" in page
    assert "4 May 2022 Warning letter Warning Letter (Drugs)" in page
    assert "Also in FDA's warning-letter listing: “CGMP/Active Pharmaceutical Ingredient (API)/Adulterated”" in page
    recalls = ComplianceEvent.objects.filter(fei="3017888878", kind="recall")
    events = {r.detail["event_id"] for r in recalls}
    assert page.count("Recall Class") == len(events) == 2  # one line per recall event, of 26 products
    assert f"{recalls.count() - 3} more products in this recall event" in page  # 26 = 2 events of 2 and 24
    ongoing = {r.detail["event_id"] for r in recalls.filter(status="Ongoing")}
    assert f"Open actions {len(ongoing) + 1}" in page  # ongoing recalls and the letter with no close-out on record


def test_a_published_483_links_to_its_pdf(browser: Client) -> None:
    site = Site.objects.get(duns="946499746")  # Hikma, Cherry Hill
    html = browser.get(reverse("registry:site", kwargs={"site_id": site.pk})).content.decode()
    assert 'href="https://www.fda.gov/media/179799/download"' in html and "Form 483 (PDF at fda.gov)" in html


def test_a_site_with_nothing_on_record_says_so(browser: Client) -> None:
    on_record = set(ComplianceEvent.objects.values_list("fei", flat=True))
    quiet = Site.objects.exclude(fei_key="").exclude(fei_key__in=on_record).first()
    assert quiet is not None
    page = text(browser.get(reverse("registry:site", kwargs={"site_id": quiet.pk})))
    assert f"No FDA inspection, citation, Form 483, warning letter or recall on record for FEI {quiet.fei_key}" in page
    no_fei = Site.objects.filter(fei_key="").first()
    assert no_fei is not None
    page = text(browser.get(reverse("registry:site", kwargs={"site_id": no_fei.pk})))
    assert "This site has no FEI number on record" in page


def test_the_organisation_page_sums_up_its_sites(browser: Client) -> None:
    lnk = Site.objects.filter(fei_key="2432212").first()
    assert lnk is not None
    page = text(browser.get(reverse("registry:organisation", kwargs={"slug": lnk.organisation.slug})))
    assert "Sites with a record 9 of 9" in page
    assert "Latest inspection, per site VAI 9" in page
    # Its one letter (2019) is the Dashboard's letter to the shared FEI and the listing's: counted once, with
    # the sites, and more than five years old.
    assert "Warning letters, last 5 years 0" in page and "Letters naming the company" not in page


def test_the_directory_filters_by_the_compliance_record(browser: Client) -> None:
    page = text(browser.get(reverse("registry:directory")))
    assert "FDA compliance record" in page and "Latest inspection OAI" in page
    found = browser.get(reverse("registry:directory"), {"compliance": "warning_letter_recent"}).context["result"]
    recent = {
        s.pk
        for s in Site.objects.all()
        if ComplianceEvent.objects.filter(
            fei=s.fei_key, kind="warning_letter", occurred_on__gte=dt.date(2021, 12, 1)
        ).exists()
        and s.fei_key
    }
    assert {hit.site.pk for hit in found.hits} == recent and specialty().pk in recent
    badges = text(browser.get(reverse("registry:directory"), {"q": "Specialty Process"}))
    assert "Latest inspection OAI Warning letter in the last 5 years" in badges


def test_the_api_gives_the_summary_and_the_whole_timeline(api: Client) -> None:
    site = specialty()
    detail = api.get(f"/api/v1/registry/sites/{site.duns}").json()
    summary = detail["compliance_record"]
    assert (summary["latest_classification"], summary["latest_inspection_on"]) == ("OAI", "2025-07-29")
    assert summary["warning_letters_recent"] == 1 and summary["open_actions"]
    assert "inspection_oai" in detail["compliance"] and "warning_letter_recent" in detail["compliance"]
    first = api.get(f"/api/v1/registry/sites/{site.duns}/compliance", {"page_size": 5}).json()
    assert first["total"] > 5 and len(first["timeline"]) == 5 and first["pages"] == -(-first["total"] // 5)
    entry = first["timeline"][0]["event"]
    assert {"kind", "occurred_on", "classification", "source", "source_ref", "url"} <= set(entry)
    everything = api.get(f"/api/v1/registry/sites/{site.duns}/compliance", {"page_size": 100}).json()
    letter = next(e for e in everything["timeline"] if e["event"]["kind"] == "warning_letter")
    assert letter["also_listed"]["source"] == "fda-warning-letters" and letter["open"] is True
    listing = api.get("/api/v1/registry/sites", {"compliance": "inspection_oai", "page_size": "100"}).json()
    assert site.pk in {s["id"] for s in listing["results"]}
    assert all("inspection_oai" in s["compliance"] for s in listing["results"])


def test_an_unknown_compliance_value_is_a_400(api: Client) -> None:
    response = api.get("/api/v1/registry/sites", {"compliance": "spotless"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Unknown compliance value 'spotless'. Known values: inspection_oai")
    assert api.get("/api/v1/registry/sites/123456789/compliance").status_code == 404
