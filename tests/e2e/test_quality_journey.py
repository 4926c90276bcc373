"""The quality journey in a real browser: the sponsor's quality manager qualifies a site for a service (e-signed),
plans and records an audit with a major finding; the provider answers with a CAPA and its evidence; the sponsor
accepts, verifies and closes it (e-signed); the approved supplier list shows the state and exports XLSX and PDF.

Debian's Chromium only (see conftest.py): skipped without it, failed when CXO_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cxo.core.models import Organisation, User
from cxo.quality.models import Capa, CapaStatus, Qualification, QualificationStatus
from cxo.registry.facets import facets_rebuild
from cxo.registry.models import Site
from cxo.testing.quality import provider_site, quality_terms
from e2e.conftest import sign_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.e2e

Shot = Callable[..., Path]


@pytest.fixture
def listed_site(provider: Organisation) -> Site:
    """The provider's site in the registry, indexed so the directory search finds it."""
    quality_terms()
    site = provider_site(provider, name="Provan Leeds plant", fei="0003004005")
    facets_rebuild(organisation_ids=[provider.pk])
    return site


def test_the_whole_quality_journey(
    browser: Browser,
    page: Page,
    live_server: Any,
    shot: Shot,
    sponsor: Organisation,
    teammate: User,
    provider: Organisation,
    provider_user: User,
    listed_site: Site,
    password: str,
    tmp_path: Path,
) -> None:
    base = live_server.url
    today = timezone.localdate()

    # --- the sponsor's quality manager puts the site on the list and approves it, e-signed ---------------
    sign_in(page, base, "bob", password)
    page.get_by_test_id("nav-quality").click()
    page.get_by_test_id("tab-asl").click()
    page.get_by_test_id("site-search").fill("Provan Leeds")
    page.get_by_test_id("site-choices").get_by_text("Provan Leeds plant").click()
    page.get_by_test_id("asl-add").get_by_label("Service").select_option("svc.mfg.drug_product")
    page.get_by_test_id("asl-add-submit").click()
    expect(page.get_by_test_id("q-state")).to_have_text("In qualification")
    decide = page.get_by_test_id("decide")
    decide.get_by_label("Decision", exact=True).select_option("approved")
    decide.get_by_label("Reason for the decision").fill(
        "Paper assessment and FDA record satisfactory; audit to follow."
    )
    decide.get_by_label("Password").fill(password)
    page.get_by_test_id("decide-submit").click()
    expect(page.get_by_test_id("q-state")).to_have_text("Approved")
    expect(page.get_by_test_id("history")).to_contain_text("meaning “site approved for the service”")
    shot("quality-qualification-approved")
    qualification = Qualification.objects.for_organisation(sponsor).get(site=listed_site)
    assert qualification.status == QualificationStatus.APPROVED
    assert qualification.events.filter(signature__signer_username="bob").count() == 1

    # --- plans and records an audit with a major finding, then issues the report ------------------------
    page.get_by_role("link", name="Plan an audit").click()
    form = page.get_by_test_id("audit-plan-form")
    form.get_by_label("Services audited").select_option("svc.mfg.drug_product")
    form.get_by_label("Planned for").fill(today.isoformat())
    page.get_by_test_id("audit-plan-submit").click()
    expect(page.get_by_test_id("audit-state")).to_have_text("Planned")
    start = today - dt.timedelta(days=1)
    schedule = page.get_by_test_id("schedule-form")
    schedule.get_by_label("Starts on").fill(start.isoformat())
    schedule.get_by_label("Ends on").fill(today.isoformat())
    page.get_by_test_id("schedule-submit").click()
    expect(page.get_by_test_id("audit-state")).to_have_text("Scheduled")
    page.get_by_text("Record a finding").click()
    finding = page.get_by_test_id("finding-form")
    finding.get_by_label("Classification").select_option("major")
    finding.get_by_label("Title").fill("Deviation investigations not concluded")
    finding.get_by_label("What was found").fill("Three deviations open beyond 30 days without an interim assessment.")
    finding.get_by_label("Clause").fill("21 CFR 211.192")
    page.get_by_test_id("finding-submit").click()
    expect(page.get_by_test_id("finding")).to_contain_text("Major")
    page.get_by_test_id("conduct-form").get_by_label("Last day of the audit").fill(today.isoformat())
    page.get_by_test_id("conduct-submit").click()
    expect(page.get_by_test_id("audit-state")).to_have_text("Conducted")
    page.get_by_test_id("report-form").get_by_label("The report's conclusion").fill(
        "Acceptable with one major finding."
    )
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("audit-state")).to_have_text("Report issued")
    shot("quality-audit-reported")

    # --- the provider answers with a CAPA, later records its implementation with evidence -------------------
    provider_page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB").new_page()
    sign_in(provider_page, base, "priya", password)
    provider_page.get_by_test_id("nav-quality").click()
    provider_page.get_by_test_id("tab-findings").click()
    provider_page.get_by_role("link", name="Deviation investigations not concluded").click()
    proposal = provider_page.get_by_test_id("proposal-form")
    proposal.get_by_label("Root cause").fill("No procedure set a time limit for interim assessments.")
    proposal.locator("[name=description_0]").fill("Conclude the three open investigations")
    proposal.locator("[name=due_on_0]").fill((today + dt.timedelta(days=14)).isoformat())
    provider_page.get_by_test_id("proposal-submit").click()
    expect(provider_page.get_by_test_id("capa-state")).to_have_text("Proposed, to assess")
    shot("quality-provider-capa-proposed", of=provider_page)

    # --- the sponsor accepts -------------------------------------------------------------------------------
    page.get_by_role("link", name="CAPAs").click()
    page.get_by_role("link", name="Deviation investigations not concluded").click()
    page.get_by_test_id("assess-form").get_by_text("Accept the proposal").click()
    page.get_by_test_id("assess-submit").click()
    expect(page.get_by_test_id("capa-state")).to_have_text("Accepted, being implemented")

    provider_page.reload()
    provider_page.get_by_text("Record as done").click()
    done = provider_page.get_by_test_id("complete-1")
    done.get_by_label("What was done").fill("Investigations DEV-26-014, -019, -023 concluded.")
    done.get_by_test_id("evidence-file").set_input_files(
        {"name": "closure.txt", "mimeType": "text/plain", "buffer": b"DEV-26-014, -019, -023 closed.\n"}
    )
    done.get_by_role("button", name="Save").click()
    expect(provider_page.get_by_test_id("actions")).to_contain_text("closure.txt")

    # --- the sponsor verifies and closes it, e-signed -----------------------------------------------------
    page.reload()
    effectiveness = page.get_by_test_id("effectiveness-form")
    effectiveness.get_by_text("Effective", exact=True).click()
    effectiveness.get_by_label("How effectiveness was checked").fill("No deviation open beyond 30 days since.")
    page.get_by_test_id("effectiveness-submit").click()
    expect(page.get_by_test_id("capa-state")).to_have_text("Verified effective")
    close = page.get_by_test_id("close-form")
    close.get_by_label("Password").fill(password)
    page.get_by_test_id("close-submit").click()
    expect(page.get_by_test_id("capa-state")).to_have_text("Closed")
    expect(page.locator(".signature-line")).to_contain_text("meaning “CAPA verified effective and closed”")
    shot("quality-capa-closed")
    capa = Capa.objects.for_organisation(sponsor).get()
    assert capa.status == CapaStatus.CLOSED and capa.closure_signature is not None

    # --- the list shows the state and exports it --------------------------------------------------------------
    page.get_by_test_id("tab-asl").click()
    row = page.get_by_test_id("asl-row")
    expect(row).to_contain_text("Provan Leeds plant")
    expect(row.get_by_test_id("q-state")).to_have_text("Approved")
    shot("quality-asl")
    for testid, magic in (("asl-xlsx", b"PK"), ("asl-pdf", b"%PDF-")):
        with page.expect_download() as download:
            page.get_by_test_id(testid).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.read_bytes().startswith(magic)
