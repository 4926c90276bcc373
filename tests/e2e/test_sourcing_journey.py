"""The sourcing journey in a real browser: need → matches → shortlist → RFP → question → proposal and revision →
comparison → scores → e-signed award → work order with the right budget.

Debian's Chromium only (see conftest.py): skipped without it, failed when CXO_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cxo.contracts.models import WorkOrder
from cxo.core.models import Organisation, User
from cxo.sourcing.models import Award, Rfp
from cxo.testing.sourcing import provider_in_registry, sourcing_terms
from e2e.conftest import sign_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.e2e

Shot = Callable[..., Path]


@pytest.fixture
def registry_provider(provider: Organisation) -> Organisation:
    """The provider, listed in the registry with a site that makes the needed service (so matching finds it)."""
    provider_in_registry(provider)
    return provider


def test_the_whole_sourcing_journey(
    another_page: Callable[[], Page],
    page: Page,
    live_server: Any,
    shot: Shot,
    sponsor: Organisation,
    sponsor_user: User,
    teammate: User,
    registry_provider: Organisation,
    provider_user: User,
    password: str,
) -> None:
    base = live_server.url
    terms = sourcing_terms()
    page.on("dialog", lambda dialog: dialog.accept())

    # --- the sponsor: programme, need, matches, shortlist, RFP, issue ---------------------------------
    sign_in(page, base, "alice", password)
    page.get_by_test_id("nav-sourcing").click()
    expect(page.get_by_role("heading", name="Sourcing")).to_be_visible()
    page.get_by_role("link", name="New programme").click()
    page.get_by_label("Name").fill("Glucora tablets")
    page.get_by_label("Code").fill("GLC-7")
    page.get_by_label("Lifecycle stage").select_option("phase_2")
    page.get_by_label("Indication").fill("Type 2 diabetes")
    shot("sourcing-programme-form")
    page.get_by_role("button", name="Create programme").click()
    expect(page.get_by_role("heading", name="Glucora tablets")).to_be_visible()
    page.get_by_role("link", name="Add a need").click()
    page.get_by_label("Title").fill("Phase II clinical supply")
    # Typed, not picked from the suggestions: the resolver reads the text on saving.
    page.get_by_test_id("q-services").fill(terms["service"].name)
    page.get_by_test_id("q-dosage_forms").fill(terms["dosage_form"].code)
    page.get_by_label("Quantity").fill("3")
    page.get_by_label("Unit").fill("batches")
    page.get_by_role("button", name="Save and find providers").click()
    matches = page.get_by_test_id("matches")
    expect(matches).to_contain_text("Provan CDMO")
    expect(page.get_by_label("Shortlist Provan CDMO")).to_be_checked()
    shot("sourcing-need-matches")
    page.get_by_test_id("start-rfp").click()

    expect(page.get_by_role("heading", name="Edit the RFP")).to_be_visible()
    page.locator("#id_q-0-text").fill("Which site would manufacture the batches?")
    shot("sourcing-rfp-edit")
    page.get_by_test_id("save-rfp").click()
    expect(page.get_by_test_id("invitation")).to_contain_text("Provan CDMO")
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("rfp-status")).to_have_text("Issued")
    shot("sourcing-rfp-issued")
    rfp = Rfp.objects.for_organisation(sponsor).get()

    # --- the provider: inbox, question, proposal, revision ------------------------------------------
    provider_page = another_page()
    provider_page.on("dialog", lambda dialog: dialog.accept())
    sign_in(provider_page, base, "priya", password)
    provider_page.get_by_test_id("nav-inbox").click()
    provider_page.get_by_role("link", name=rfp.reference).click()
    provider_page.get_by_label("Question").fill("Is the API supplied by the sponsor?")
    provider_page.get_by_test_id("ask").click()
    expect(provider_page.get_by_test_id("clarification")).to_contain_text("your question")
    provider_page.get_by_test_id("proposal-link").click()
    items = list(rfp.line_items.all())
    prices = ["12000", "85000.50", "4000"]
    for item, price in zip(items, prices, strict=True):
        provider_page.locator(f"#id_price_{item.pk}").fill(price)
        provider_page.locator(f"#id_assumption_{item.pk}").fill("As in our assumptions")
    provider_page.locator("#id_ms_name_0").fill("GMP batches released")
    provider_page.locator("#id_ms_date_0").fill("2026-12-01")
    provider_page.locator("#id_price_" + str(items[1].pk)).fill("-1")
    provider_page.get_by_test_id("submit-proposal").click()
    expect(provider_page.get_by_test_id("proposal-errors")).to_contain_text(
        "The unit price of line 2 ('Phase II clinical supply') cannot be negative."
    )
    provider_page.locator("#id_price_" + str(items[1].pk)).fill("85000.50")
    shot("sourcing-provider-proposal-form", of=provider_page)
    provider_page.get_by_test_id("submit-proposal").click()
    expect(provider_page.locator(".msg.success")).to_contain_text("Proposal submitted: total USD 339,001.50")
    provider_page.get_by_test_id("proposal-link").click()
    provider_page.locator("#id_price_" + str(items[1].pk)).fill("84000")
    provider_page.get_by_label("What changed in this revision").fill("Better batch price")
    provider_page.get_by_test_id("submit-proposal").click()
    expect(provider_page.locator(".msg.success")).to_contain_text("revised (version 2): total USD 336,000.00")
    shot("sourcing-provider-inbox-rfp", of=provider_page)

    # --- the sponsor's home: told of the question and both versions, with the count in the bar -----------
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("3")  # the question, the proposal, its revision
    expect(page.get_by_test_id("home-sourcing.questions_to_answer")).to_contain_text(
        "Is the API supplied by the sponsor?"
    )
    expect(page.get_by_test_id("home-sourcing.proposals_received")).to_contain_text("Provan CDMO")
    unread = page.get_by_test_id("home-notifications")
    expect(unread).to_contain_text("Provan CDMO asked a question")
    shot("home-sponsor")
    unread.get_by_role("link", name="Provan CDMO asked a question").first.click()
    expect(page.get_by_test_id("rfp-status")).to_have_text("Issued")
    expect(page.get_by_test_id("unread-count")).to_have_text("2")  # the one opened counts as read

    # --- the sponsor: answer, close, compare, score, award with a signature ----------------------
    page.reload()
    page.get_by_label("Answer").fill("Yes, micronised API is supplied.")
    page.get_by_role("button", name="Send answer").click()
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("rfp-status")).to_have_text("Closed")
    page.get_by_test_id("compare").click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison).to_contain_text("Provan CDMO")
    expect(comparison).to_contain_text("changed from 85,000.50")
    expect(page.get_by_test_id("total")).to_have_text("USD 336,000.00")
    expect(page.get_by_test_id("timelines")).to_contain_text("01 Dec 2026")
    page.get_by_test_id(f"score-{registry_provider.slug}").click()
    for criterion, score in zip(rfp.criteria.all(), ["8", "7", "9", "6"], strict=True):
        page.locator(f"#id_score_{criterion.pk}").fill(score)
    page.get_by_role("button", name="Save scores").click()
    expect(page.get_by_test_id("weighted")).to_have_text("7.60")
    shot("sourcing-compare")
    page.get_by_role("link", name="Award…").click()
    page.get_by_label("Provan CDMO").check()
    page.get_by_label("Your password (to sign)").fill("wrong password")
    page.get_by_test_id("sign-award").click()
    expect(page.get_by_test_id("award-errors")).to_contain_text(
        "The password is not correct: the signature was not applied."
    )
    page.get_by_label("Provan CDMO").check()
    page.get_by_label("Your password (to sign)").fill(password)
    shot("sourcing-award-form")
    page.get_by_test_id("sign-award").click()
    record = page.get_by_test_id("award-record")
    expect(record).to_contain_text("Awarded to Provan CDMO")
    expect(record).to_contain_text("award approved")
    shot("sourcing-awarded")
    page.get_by_test_id("work-order-link").click()
    expect(page.get_by_test_id("budget-total")).to_have_text("USD 336,000.00")
    shot("sourcing-work-order")

    award = Award.objects.for_organisation(sponsor).get(rfp=rfp)
    assert award.signature.signer_username == "alice"
    assert award.signature.content_sha256 == award.version.content_sha256
    work_order = WorkOrder.objects.for_organisation(sponsor).get(award=award)
    assert work_order.budget_total == Decimal("336000.00")
    assert [b.amount for b in work_order.budget_lines.all()] == [
        Decimal("72000.00"),
        Decimal("252000.00"),
        Decimal("12000.00"),
    ]

    provider_page.reload()
    expect(provider_page.get_by_test_id("outcome")).to_contain_text("awarded this RFP to you")
    expect(provider_page.get_by_test_id("proposal-link")).to_have_count(0)  # no form the award would refuse
    provider_page.context.close()
