"""The contracts journey in a real browser: the sponsor edits and sends the work order, the provider countersigns,
the sponsor signs and activates; the provider reports a milestone with a document, the sponsor accepts it; the
provider invoices it; the sponsor approves and marks it paid; the money view shows the hand-computed figures.

Debian's Chromium only (see conftest.py): skipped without it, failed when CXO_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from cxo.contracts.models import WorkOrder
from cxo.testing.contracts import awarded_work_order
from cxo.testing.factories import TEST_PASSWORD

from .test_sourcing_journey import sign_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.e2e

Shot = Callable[..., Path]


def test_the_work_order_from_signature_to_payment(
    browser: Browser, page: Page, live_server: Any, shot: Shot, world: SimpleNamespace
) -> None:
    base = live_server.url
    # Method transfer: 6 x 100 + 3 x 200 + 3 x 10 = 1,230.00 USD; its two milestones pay 50% each (615.00).
    wo: WorkOrder = awarded_work_order(
        sponsor_user=world.sponsor_user,
        provider=world.provider,
        provider_user=world.provider_user,
        need=world.need,
        title="Method transfer",
        prices=("100", "200", "10"),
    )
    sponsor_url = f"{base}/o/{world.sponsor.slug}/work-orders/{wo.pk}/"
    provider_url = f"{base}/o/{world.provider.slug}/work-orders/{wo.pk}/"

    # --- the sponsor: the draft under the master agreement, sent ---------------------------------------
    sign_in(page, base, "alice", TEST_PASSWORD)
    page.goto(sponsor_url)
    expect(page.get_by_test_id("budget-total")).to_have_text("USD 1,230.00")
    page.get_by_test_id("wo-edit").click()
    page.get_by_label("Master agreement").select_option(str(world.master_agreement.pk))
    shot("contracts-work-order-edit")
    page.get_by_test_id("wo-save").click()
    expect(page.get_by_test_id("agreement-standing")).to_have_text("In force")
    page.get_by_test_id("wo-send").click()
    expect(page.get_by_test_id("wo-status")).to_have_text("Sent to provider")

    # --- the provider countersigns --------------------------------------------------------------------
    provider = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(provider, base, "priya", TEST_PASSWORD)
    provider.goto(provider_url)
    provider.get_by_label("Password").fill(TEST_PASSWORD)
    provider.get_by_test_id("wo-sign").click()
    expect(provider.get_by_test_id("wo-status")).to_have_text("Signed by provider")

    # --- the sponsor signs and activates -------------------------------------------------------------------
    page.goto(sponsor_url)
    page.get_by_label("Password").fill("not my password")
    page.get_by_test_id("wo-sign").click()
    expect(page.locator(".msg.error")).to_contain_text("The password is not correct")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_test_id("wo-sign").click()
    expect(page.get_by_test_id("wo-status")).to_have_text("Signed by both")
    page.get_by_test_id("wo-activate").click()
    expect(page.get_by_test_id("wo-status")).to_have_text("Active")
    shot("contracts-work-order-active")

    # --- the provider reports the first milestone with its evidence ---------------------------------------
    provider.goto(provider_url)
    first = provider.get_by_test_id("milestone").first
    report: FilePayload = {"name": "transfer-report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 report"}
    first.locator("input[type=file]").set_input_files(files=[report])
    first.get_by_label("Note").fill("Transfer protocol executed.")
    first.get_by_test_id("report").click()
    expect(provider.get_by_test_id("milestone-status").first).to_have_text("Reported done")

    # --- the sponsor accepts it ----------------------------------------------------------------------------------
    page.goto(sponsor_url)
    expect(page.get_by_test_id("milestone").first).to_contain_text("transfer-report.pdf")
    page.get_by_test_id("accept").first.click()
    expect(page.get_by_test_id("milestone-status").first).to_have_text("Accepted")

    # --- the provider invoices it: above what was accepted is refused, then the right amount ---------------------
    provider.goto(provider_url)
    provider.get_by_test_id("invoice-new").click()
    provider.get_by_label("Invoice number").fill("PV-2026-0001")
    milestone = wo.milestones.order_by("position").first()
    assert milestone is not None
    provider.get_by_test_id(f"amount-{milestone.pk}").fill("700.00")
    provider.get_by_test_id("invoice-submit").click()
    expect(provider.locator(".errorlist")).to_contain_text(
        "USD 700.00 is above what was accepted and not yet invoiced (USD 615.00 accepted, USD 0.00 already invoiced)"
    )
    provider.get_by_test_id(f"amount-{milestone.pk}").fill("615.00")
    shot("contracts-invoice-form", of=provider)
    provider.get_by_test_id("invoice-submit").click()
    expect(provider.get_by_test_id("invoice-status")).to_have_text("Submitted")
    expect(provider.get_by_test_id("invoice-total")).to_have_text("USD 615.00")

    # --- the sponsor approves and pays; the money view shows the hand computation ------------------------------------
    page.goto(sponsor_url)
    page.get_by_test_id("invoice-approve").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Approved")
    page.get_by_test_id("invoice-pay").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.get_by_test_id("fig-budget")).to_have_text("USD 1,230.00")
    expect(page.get_by_test_id("fig-accepted")).to_have_text("USD 615.00")
    expect(page.get_by_test_id("fig-invoiced")).to_have_text("USD 615.00")
    expect(page.get_by_test_id("fig-paid")).to_have_text("USD 615.00")
    expect(page.get_by_test_id("fig-remaining")).to_have_text("USD 615.00")  # 1,230.00 committed less 615.00 earned
    expect(page.get_by_test_id("fig-accrued-this-month")).to_have_text("USD 0.00")  # accepted and invoiced
    shot("contracts-work-order-paid")
    page.goto(f"{base}/o/{world.sponsor.slug}/money/")
    row = page.locator(f'tr[data-work-order="{wo.reference}"]')
    expect(row).to_contain_text("1,230.00")
    expect(row.locator("td").nth(4)).to_have_text("615.00")  # accepted
    expect(row.locator("td").nth(6)).to_have_text("615.00")  # paid
    shot("contracts-money")
    provider.context.close()
