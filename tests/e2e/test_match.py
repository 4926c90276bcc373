"""Find providers in a real browser: autocomplete the need, read an explanation, save to a shortlist."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cxo.core.models import Organisation
from cxo.matching import live
from cxo.matching.models import Shortlist
from cxo.matching.tests.registry import small_registry

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.e2e

Shot = Callable[..., Path]


def test_find_providers_and_shortlist_them(
    page: Page,
    live_server: Any,
    shot: Shot,
    sponsor: Organisation,
    password: str,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.CXO_MATCH_VERSION_TTL = 0
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 25))
    live.forget()
    small_registry()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    page.locator(".mainnav").get_by_role("link", name="Find providers").click()
    expect(page).to_have_url(f"{base}/o/{sponsor.slug}/match/")
    expect(page.get_by_role("heading", name="What do you need made, tested or run?")).to_be_visible()
    # htmx binds its triggers once the page has loaded; typing before that sends no request.
    page.wait_for_load_state("load")

    # Autocomplete: type part of a synonym, pick the term; the same for the country.
    page.get_by_test_id("q-services").fill("drug prod")
    page.locator("#sugg-services .suggestion", has_text="Drug product manufacture").click()
    expect(page.locator("#chips-services .chip")).to_contain_text(["Drug product manufacture"])
    expect(page.get_by_test_id("q-services")).to_have_value("")
    page.get_by_test_id("q-countries").fill("indi")
    page.locator("#sugg-countries .suggestion", has_text="India").click()
    expect(page.locator("#chips-countries .chip")).to_contain_text(["India (IND)"])
    page.get_by_test_id("find").click()

    expect(page.get_by_test_id("match-total")).to_have_text("2 matches")
    results = page.get_by_test_id("result")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("Acme Hyderabad")
    expect(results.nth(0)).to_contain_text("855")
    expect(results.nth(1)).to_contain_text("Bharat Pune")
    assert "services=svc.mfg.drug_product" in page.url and "countries=IND" in page.url

    # The explanation is one click away, with the record that decided it.
    results.nth(0).get_by_text("Why this score?").click()
    why = results.nth(0).locator("table.explain")
    expect(why).to_contain_text("SPL establishment record")
    expect(why).to_contain_text("SPL 1234-abcd")
    strength = why.locator("tr", has_text="Evidence strength")
    expect(strength).to_contain_text("1 evidence record on the deciding capabilities")
    expect(why.locator("tr", has_text="Compliance record")).to_contain_text("No FDA inspection on record")
    shot("match-results")

    results.nth(0).locator("input[name=pick]").check()
    page.get_by_test_id("new-shortlist").fill("Tablets, India")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("shortlist-name")).to_have_text("Tablets, India")
    entries = page.get_by_test_id("entries")
    expect(entries).to_contain_text("Acme Hyderabad")
    expect(entries).to_contain_text("855")
    shot("shortlist")
    shortlist = Shortlist.objects.for_organisation(sponsor).get()
    assert [e.site_name for e in shortlist.entries.all()] == ["Acme Hyderabad"]

    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Nothing on this shortlist yet.")).to_be_visible()


def test_a_dosage_form_need_on_real_labels_shows_the_spl_record(
    page: Page,
    live_server: Any,
    shot: Shot,
    sponsor: Organisation,
    password: str,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real DECRS rows and SPL labels of the registry fixtures: Lipitor's establishments come first
    for film-coated tablets, and the product-fit row names the label's record."""
    from cxo.registry.importers import registry_import
    from cxo.registry.importers.decrs import DecrsImporter
    from cxo.registry.importers.spl import SplImporter
    from cxo.registry.taxonomy import taxonomy_load

    settings.CXO_MATCH_VERSION_TTL = 0
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 25))
    live.forget()
    fixtures = Path(__file__).resolve().parents[2] / "src/cxo/registry/tests/fixtures"
    taxonomy_load()
    registry_import(actor=None, importer=DecrsImporter(), path=fixtures / "decrs_sample.csv")
    registry_import(actor=None, importer=DecrsImporter(), path=fixtures / "decrs_spl_sites.csv")
    registry_import(actor=None, importer=SplImporter(), path=fixtures / "spl")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/o/{sponsor.slug}/match/?services=MANUFACTURE&dosage_forms=TABLET%2C+FILM+COATED&go=1")
    results = page.get_by_test_id("result")
    for k in range(3):
        expect(results.nth(k)).to_contain_text("DUNS")
    first = results.nth(0)
    first.get_by_text("Why this score?").click()
    product = first.locator("table.explain tr", has_text="Product fit")
    expect(product).to_contain_text("Tablet, film coated: at this site (")
    expect(product).to_contain_text("SPL establishment record")
    expect(product).to_contain_text("SPL c6e131fe-e7df-4876-83f7-9156fc4e8228 v11 DUNS")
    expect(product).to_contain_text("2014-01-13")
    expect(product).to_contain_text("200")
    shot("match-spl")
    # The record links to the site page, where the same record is listed.
    product.get_by_role("link", name="SPL c6e131fe", exact=False).first.click()
    expect(page.get_by_text("SPL c6e131fe-e7df-4876-83f7-9156fc4e8228 v11", exact=False).first).to_be_visible()
    shot("match-spl-site")
