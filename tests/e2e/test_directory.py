"""The registry directory in a real browser: facet search over 200 real DECRS rows, with and without JavaScript.

Expected numbers are counted from the fixture CSV with the csv module, not read back from the app.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cxo.core.models import User
from cxo.registry.importers import registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.taxonomy import taxonomy_load
from e2e.conftest import sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]
SAMPLE = Path(__file__).resolve().parents[2] / "src" / "cxo" / "registry" / "tests" / "fixtures" / "decrs_sample.csv"


def raw_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def raw_count(*, country: str | None = None, operation: str | None = None) -> int:
    return sum(
        1
        for row in raw_rows()
        if (country is None or row["COUNTRY_ISO3"] == country)
        and (operation is None or operation in row["OPERATIONS"].split("; "))
    )


@pytest.fixture
def decrs_sample(transactional_db: None) -> None:
    taxonomy_load()
    registry_import(actor=None, importer=DecrsImporter(), path=SAMPLE)


def total(page: Page) -> Any:
    return page.get_by_test_id("total")


def facet(page: Page, key: str) -> Any:
    return page.locator(f'section.facet[data-facet="{key}"]')


def test_facet_search_updates_in_place_and_keeps_a_url(
    page: Page, live_server: Any, shot: Shot, decrs_sample: None, sponsor_user: User, password: str
) -> None:
    base = live_server.url
    sign_in(page, base, "alice", password)
    page.locator(".mainnav").get_by_role("link", name="Registry").click()
    expect(page).to_have_url(f"{base}/registry/")
    expect(total(page)).to_contain_text(f"{len(raw_rows())} sites")
    us = raw_count(country="USA")
    expect(facet(page, "country").locator('a[data-code="USA"] .count')).to_have_text(str(us))
    shot("registry-directory")

    # Mark the document: an HTMX swap keeps it, a full page load would not.
    page.evaluate("window.__noReload = true")
    facet(page, "country").locator('a[data-code="USA"]').click()
    expect(total(page)).to_contain_text(f"{us} sites")
    expect(page).to_have_url(f"{base}/registry/?country=USA")
    expect(page.get_by_test_id("chips")).to_contain_text("Country: United States")

    facet(page, "service").locator('a[data-code="svc.mfg.api"]').click()
    expect(total(page)).to_contain_text(f"{raw_count(country='USA', operation='API MANUFACTURE')} site")
    expect(page).to_have_url(f"{base}/registry/?country=USA&service=svc.mfg.api")
    # With the service chosen, every country's count is its number of API makers.
    api_makers = Counter(
        row["COUNTRY_ISO3"] for row in raw_rows() if "API MANUFACTURE" in row["OPERATIONS"].split("; ")
    )
    china = api_makers["CHN"]
    expect(facet(page, "country").locator('a[data-code="CHN"] .count')).to_have_text(str(china))
    assert page.evaluate("window.__noReload") is True
    shot("registry-directory-filtered")

    # Free text narrows as one types.
    first_name = page.get_by_test_id("results").locator("tbody tr .entry-name").first.inner_text()
    page.get_by_label("Search text").fill(first_name)
    expect(page).to_have_url(re.compile(r"[?&]q=[^&]+"))
    expect(page.get_by_test_id("results").locator("tbody tr").first).to_contain_text(first_name)

    # Removing the country chip keeps the service and the text.
    page.get_by_test_id("chips").get_by_role("link", name=re.compile("Country: United States")).click()
    expect(page.get_by_test_id("chips")).not_to_contain_text("Country")
    expect(page.get_by_test_id("chips")).to_contain_text("Service: Drug substance (API) manufacture")

    # The browser's back button returns to the earlier state.
    page.go_back()
    expect(page.get_by_test_id("chips")).to_contain_text("Country: United States")
    assert page.evaluate("window.__noReload") is True

    page.get_by_role("link", name="Clear all").click()
    expect(total(page)).to_contain_text(f"{len(raw_rows())} sites")
    expect(page).to_have_url(f"{base}/registry/")


def test_the_directory_works_without_javascript(
    browser: Browser, live_server: Any, shot: Shot, decrs_sample: None, sponsor_user: User, password: str
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "alice", password)
    page.goto(f"{base}/registry/")
    facet(page, "country").locator('a[data-code="CHN"]').click()
    expect(page).to_have_url(f"{base}/registry/?country=CHN")
    expect(total(page)).to_contain_text(f"{raw_count(country='CHN')} sites")
    page.get_by_label("Search text").fill("pharmaceutical")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{base}/registry/?q=pharmaceutical&country=CHN&sort=name")
    expected = sum(
        1
        for row in raw_rows()
        if row["COUNTRY_ISO3"] == "CHN"
        and "pharmaceutical" in f"{row['REGISTRANT_NAME']} {row['FIRM_NAME']} {row['ADDRESS']}".lower()
    )
    expect(total(page)).to_contain_text(f"{expected} site")
    context.close()


def test_from_the_directory_to_a_site_and_its_organisation(
    page: Page, live_server: Any, shot: Shot, decrs_sample: None, sponsor_user: User, password: str
) -> None:
    base = live_server.url
    row = next(r for r in raw_rows() if r["COUNTRY_ISO3"] == "IND")
    sign_in(page, base, "alice", password)
    page.goto(f"{base}/registry/?q={row['DUNS_NUMBER']}")
    expect(total(page)).to_contain_text("1 site")
    page.get_by_test_id("results").locator(".entry-name").click()
    expect(page.get_by_test_id("site-props")).to_contain_text(row["DUNS_NUMBER"])
    expect(page).to_have_url(re.compile(rf"{base}/registry/sites/\d+/$"))
    # The site's page replaces the directory: one header and footer, no directory left around it.
    expect(page.locator("header.topbar")).to_have_count(1)
    expect(page.locator("footer.footer")).to_have_count(1)
    expect(page.locator("#directory")).to_have_count(0)
    capabilities = page.get_by_test_id("capabilities")
    expect(capabilities.locator("tbody tr")).to_have_count(len(row["OPERATIONS"].split("; ")))
    expect(capabilities).to_contain_text("FDA establishment registration")
    expect(capabilities).to_contain_text(f"DECRS FY2025 DUNS {row['DUNS_NUMBER']}")
    expect(capabilities).to_contain_text("observed 1 Jan 2025")
    shot("registry-site")

    page.locator(".page-head").get_by_role("link").first.click()
    expect(page.get_by_test_id("kind-reason")).not_to_be_empty()
    expect(page.get_by_test_id("sites")).to_contain_text(row["DUNS_NUMBER"])
    shot("registry-organisation")

    # The same from the organisations directory: its name opens the organisation's page, not a nested one.
    page.goto(f"{base}/registry/organisations/?q={row['DUNS_NUMBER']}")
    page.get_by_test_id("results").locator(".entry-name").first.click()
    expect(page.get_by_test_id("kind-reason")).not_to_be_empty()
    expect(page.locator("header.topbar")).to_have_count(1)
    expect(page.locator("#directory")).to_have_count(0)

    page.locator(".mainnav").get_by_role("link", name="Registry").click()
    page.locator(".tabs").get_by_role("link", name="Statistics").click()
    expect(page.get_by_test_id("totals").locator(".stat").first).to_have_text(str(len(raw_rows())))
    bars = page.get_by_test_id("sites-per-country").locator("rect.bar-rect")
    expect(bars.first).to_be_visible()
    shot("registry-stats")
    page.locator(".tabs").get_by_role("link", name="Import runs").click()
    expect(page.get_by_test_id("imports")).to_contain_text("decrs_sample.csv")
    shot("registry-imports")
