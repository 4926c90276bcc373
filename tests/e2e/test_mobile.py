"""Pages on a phone (390 by 844 px): the menu folds behind one button, results use the screen's width, nothing
scrolls sideways — the directory, Find providers, an RFP and the provider's inbox."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from cxo.core.models import Organisation, User
from cxo.matching import live
from cxo.registry.importers import registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.taxonomy import taxonomy_load
from cxo.testing.sourcing import provider_in_registry, sourcing_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "cxo" / "registry" / "tests" / "fixtures" / "decrs_sample.csv"
PHONE: ViewportSize = {"width": 390, "height": 844}
Shot = Callable[..., Path]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def mobile_world(
    transactional_db: None,
    sponsor: Organisation,
    sponsor_user: User,
    provider: Organisation,
    provider_user: User,
) -> SimpleNamespace:
    taxonomy_load()
    registry_import(actor=None, importer=DecrsImporter(), path=SAMPLE)
    provider_in_registry(provider)
    live.forget()
    objects = sourcing_world(sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user)
    return SimpleNamespace(sponsor=sponsor, provider=provider, **objects)


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard/")


def assert_fits_the_phone(page: Page, results: str) -> None:
    """The bar is one row, nothing makes the page scroll sideways, the results take the screen's width."""
    bar = page.locator("header.topbar").bounding_box()
    assert bar is not None and bar["height"] <= 64, bar
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator(results).bounding_box()
    assert box is not None and box["width"] >= width - 40, (results, box)
    expect(page.locator(".mainnav")).to_be_hidden()


def test_the_menu_folds_and_opens(phone: Page, live_server: Any, shot: Shot, mobile_world: Any, password: str) -> None:
    base = live_server.url
    sign_in(phone, base, "alice", password)
    assert_fits_the_phone(phone, "main")
    expect(phone.get_by_test_id("nav-notifications")).to_be_visible()  # the unread badge stays in sight
    phone.get_by_test_id("nav-toggle").click()
    nav = phone.locator(".mainnav")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Sourcing")).to_be_visible()
    shot("mobile-menu-open", of=phone)
    nav.get_by_role("link", name="Sourcing").click()
    expect(phone.get_by_role("heading", name="Sourcing")).to_be_visible()
    expect(phone.locator(".mainnav")).to_be_hidden()  # a new page starts folded


def test_the_directory_on_a_phone(phone: Page, live_server: Any, shot: Shot, mobile_world: Any, password: str) -> None:
    base = live_server.url
    sign_in(phone, base, "alice", password)
    phone.goto(f"{base}/registry/")
    expect(phone.get_by_test_id("total")).to_contain_text("sites")
    assert_fits_the_phone(phone, "#directory .results")
    # The filters come after the results; the link above them jumps there.
    results_top = phone.locator("#directory .results").bounding_box()
    facets_top = phone.get_by_test_id("facets").bounding_box()
    assert results_top and facets_top and facets_top["y"] > results_top["y"]
    shot("mobile-directory", of=phone)


def test_find_providers_on_a_phone(phone: Page, live_server: Any, shot: Shot, mobile_world: Any, password: str) -> None:
    base = live_server.url
    sign_in(phone, base, "alice", password)
    phone.goto(f"{base}/o/{mobile_world.sponsor.slug}/match/?services=svc.mfg.api&go=1")
    expect(phone.get_by_test_id("match-total")).to_contain_text("match")
    assert_fits_the_phone(phone, "#results")
    first = phone.get_by_test_id("result").first.bounding_box()
    assert first is not None and first["width"] >= 340
    shot("mobile-match", of=phone)
    # The explanation (evidence references, long capability names) opens inside the phone's width.
    phone.get_by_text("Why this score?").first.click()
    why = phone.locator("details.why[open]").first
    expect(why).to_be_visible()
    assert_fits_the_phone(phone, "#results")
    box = why.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    shot("mobile-match-why", of=phone)


def test_an_rfp_on_a_phone(phone: Page, live_server: Any, shot: Shot, mobile_world: Any, password: str) -> None:
    base = live_server.url
    sign_in(phone, base, "alice", password)
    phone.goto(f"{base}/o/{mobile_world.sponsor.slug}/rfps/{mobile_world.rfp.pk}/")
    expect(phone.get_by_test_id("rfp-status")).to_have_text("Issued")
    assert_fits_the_phone(phone, ".grid.main-side")
    shot("mobile-rfp", of=phone)


def test_the_inbox_on_a_phone(phone: Page, live_server: Any, shot: Shot, mobile_world: Any, password: str) -> None:
    base = live_server.url
    sign_in(phone, base, "priya", password)
    phone.goto(f"{base}/o/{mobile_world.provider.slug}/inbox/")
    expect(phone.get_by_test_id("inbox")).to_contain_text(mobile_world.rfp.reference)
    assert_fits_the_phone(phone, "main")
    phone.get_by_role("link", name=mobile_world.rfp.reference).click()
    expect(phone.locator("#questions")).to_be_visible()
    assert_fits_the_phone(phone, ".grid.main-side")
    shot("mobile-inbox-rfp", of=phone)
