"""Terms in a real browser, at desktop and phone widths: the need form edits every criterion, and a term that
names nothing is refused with the closest terms on the match page and in the directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from cxo.core.models import Organisation, User
from cxo.matching import live
from cxo.matching.tests.registry import small_registry
from cxo.registry.facets import facets_rebuild
from cxo.sourcing.services.programme import need_create, programme_create
from e2e.conftest import SCREENSHOTS, sign_in, watch_csp

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": 1440, "phone": 390}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_need_form_and_refused_terms(
    browser: Browser,
    csp_violations: list[str],
    live_server: Any,
    sponsor: Organisation,
    sponsor_user: User,
    password: str,
    width: str,
) -> None:
    live.forget()
    small_registry()
    facets_rebuild()
    programme = programme_create(actor=sponsor_user, organisation=sponsor, name="Ibuprofen")
    need = need_create(
        actor=sponsor_user,
        programme=programme,
        title="Ibuprofen API",
        criteria={
            "services": ["svc.mfg.api", "svc.analysis"],
            "dosage_forms": ["frm.tablet_film_coated"],
            "countries": ["IND"],
            "exclude_countries": ["CHN"],
            "require_evidence": ["fda_registration"],
        },
    )
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="en-GB")
    page = watch_csp(context.new_page(), csp_violations)
    SCREENSHOTS.mkdir(exist_ok=True)

    def shot(name: str) -> Path:
        path = SCREENSHOTS / f"{name}-{WIDTHS[width]}.png"
        page.screenshot(path=path, full_page=True, caret="initial")
        return path

    base = live_server.url
    sign_in(page, base, "alice", password)

    # The edit form shows every criterion the need holds; adding a country by typing keeps the rest.
    page.goto(f"{base}/o/{sponsor.slug}/needs/{need.pk}/edit/")
    chips = page.locator("#chips-services .chip")
    expect(chips).to_have_count(2)
    expect(page.locator("#chips-exclude_countries .chip")).to_contain_text(["China (CHN)"])
    expect(page.get_by_label("FDA establishment registration")).to_be_checked()
    page.get_by_test_id("q-countries").fill("Germany")
    shot("need-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Need saved.")).to_be_visible()
    need.refresh_from_db()
    assert need.criteria["countries"] == ["IND", "DEU"]
    assert need.criteria["services"] == ["svc.mfg.api", "svc.analysis"]
    assert need.criteria["exclude_countries"] == ["CHN"]

    # A typo on the match page: refused on its field with the closest term, no results.
    page.goto(f"{base}/o/{sponsor.slug}/match/?services_text=fil+finsh&countries_text=Germany&go=1")
    expect(page.get_by_test_id("error-services")).to_contain_text("Did you mean: Sterile / aseptic fill-finish")
    expect(page.get_by_test_id("match-error")).to_be_visible()
    shot("match-refused")

    # The directory: a filter that names nothing lists no rows, only why.
    page.goto(f"{base}/registry/?service=xyz&country=India")
    expect(page.get_by_test_id("refused")).to_contain_text("Unknown service 'xyz'")
    expect(page.get_by_test_id("results")).to_have_count(0)  # no table of sites at all
    expect(page.get_by_test_id("chips")).to_contain_text("Country: India")
    shot("directory-refused")
    context.close()
