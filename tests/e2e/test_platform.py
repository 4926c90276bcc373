"""The platform in a real browser: sign in, the organisation's pages, tokens, the audit trail, isolation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from cxo.core.models import ApiToken, AuditEvent, Membership, Organisation, User
from e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

Shot = Callable[..., Path]


def test_the_sponsor_signs_in_sees_the_organisation_and_signs_out(
    page: Page, live_server: Any, shot: Shot, sponsor: Organisation, teammate: User, password: str
) -> None:
    base = live_server.url
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in to CXO")).to_be_visible()
    shot("login")

    sign_in(page, base, "alice", password)
    expect(page.get_by_role("heading", name="Home", exact=True)).to_be_visible()
    card = page.get_by_test_id("organisations")
    expect(card.get_by_role("link", name="Alpha Biotech")).to_be_visible()
    expect(card).to_contain_text("Sponsor")
    expect(card).to_contain_text("Administrator")
    expect(page.get_by_test_id("home-sourcing.open_rfps")).to_contain_text("No RFP is open.")
    shot("dashboard")

    page.locator(".mainnav").get_by_role("link", name="Members").click()
    expect(page).to_have_url(f"{base}/o/{sponsor.slug}/members/")
    expect(page.locator("tr[data-member]")).to_have_count(2)
    expect(page.locator("tr[data-member=bob]")).to_contain_text("bob@example.test")
    expect(page.locator("tr[data-member=bob] select")).to_have_value("quality")
    shot("members")

    page.locator(".account summary").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    page.goto(f"{base}/o/{sponsor.slug}/members/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/o/{sponsor.slug}/members/")


def test_the_outsider_gets_404_on_the_sponsors_pages(
    page: Page, live_server: Any, shot: Shot, sponsor: Organisation, outsider: User, password: str
) -> None:
    base = live_server.url
    sign_in(page, base, "charlie", password)
    expect(page.get_by_test_id("organisations")).to_contain_text("Charlie Pharma")
    expect(page.locator("body")).not_to_contain_text("Alpha Biotech")
    for path in ("", "members/", "audit/"):
        response = page.goto(f"{base}/o/{sponsor.slug}/{path}")
        assert response is not None
        assert response.status == 404, path
        expect(page.locator("body")).not_to_contain_text("Alpha Biotech")
    shot("outsider-404")


def test_a_token_created_in_the_ui_is_shown_once_and_works(
    browser: Browser, page: Page, live_server: Any, shot: Shot, sponsor: Organisation, sponsor_user: User, password: str
) -> None:
    base = live_server.url
    sign_in(page, base, "alice", password)
    page.locator(".account summary").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page).to_have_url(f"{base}/account/tokens/")
    expect(page.get_by_text("You have no tokens.")).to_be_visible()

    page.get_by_label("Name").fill("nightly export")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-token").locator("code").inner_text().strip()
    assert secret.startswith("cxo_")
    expect(page.locator("table")).to_contain_text("nightly export")
    shot("tokens")

    token = ApiToken.objects.get(user=sponsor_user)
    assert token.key_hash != secret
    # An integration has the token and no session: a browser context of its own.
    integration_context = browser.new_context()
    integration = integration_context.request
    me = integration.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200
    assert me.json()["username"] == "alice"

    page.goto(f"{base}/account/tokens/")
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(secret)

    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".msg.success")).to_contain_text("revoked")
    expect(page.locator("table .badge.bad")).to_have_text("revoked")
    assert integration.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status == 401
    assert integration.get(f"{base}/api/v1/me").status == 401
    integration_context.close()


def test_a_role_change_in_the_ui_shows_in_the_filtered_audit_trail(
    page: Page, live_server: Any, shot: Shot, sponsor: Organisation, teammate: User, password: str
) -> None:
    base = live_server.url
    sign_in(page, base, "alice", password)
    page.goto(f"{base}/o/{sponsor.slug}/members/")
    row = page.locator("tr[data-member=bob]")
    row.locator("select").select_option("finance")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".msg.success")).to_have_text("bob is now Finance.")
    assert Membership.objects.get(user=teammate, organisation=sponsor).role == "finance"

    page.locator(".mainnav").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_test_id("audit-table").locator("tbody tr")).to_have_count(4)
    # The filter form updates the rows through HTMX, without a full page load.
    page.get_by_label("Action").select_option("membership.change_role")
    rows = page.get_by_test_id("audit-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("quality → finance")
    expect(rows.first).to_contain_text("alice")
    expect(page).to_have_url(f"{base}/o/{sponsor.slug}/audit/?action=membership.change_role")
    shot("audit")
    assert AuditEvent.objects.for_organisation(sponsor).filter(action="membership.change_role").count() == 1


def test_a_forgotten_password_is_reset_through_the_e_mailed_link(
    page: Page, live_server: Any, shot: Shot, sponsor: Organisation, sponsor_user: User
) -> None:
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email").fill("alice@example.test")
    shot("password-reset")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    [message] = mail.outbox
    link = re.search(r"http://\S+/accounts/reset/\S+/", str(message.body))
    assert link, message.body
    page.goto(link.group(0))
    page.get_by_label("New password", exact=True).fill("harbour-lantern-93")
    page.get_by_label("New password confirmation").fill("harbour-lantern-93")
    shot("password-new")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()

    sign_in(page, base, "alice", "harbour-lantern-93")
    expect(page.get_by_test_id("organisations")).to_contain_text("Alpha Biotech")


def test_an_invited_newcomer_joins_with_the_invited_role(
    another_page: Callable[[], Page], page: Page, live_server: Any, shot: Shot, sponsor: Organisation, password: str
) -> None:
    base = live_server.url
    sign_in(page, base, "alice", password)
    page.goto(f"{base}/o/{sponsor.slug}/members/")
    page.get_by_label("Email").fill("nina@example.test")
    page.get_by_label("Role", exact=True).select_option("sourcing")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".msg.success")).to_have_text("Invitation sent to nina@example.test.")
    expect(page.get_by_test_id("open-invitations")).to_contain_text("nina@example.test")

    [message] = mail.outbox
    # The e-mailed link is absolute on SITE_URL; its path is followed on the test server.
    link = re.search(r"https://cxo\.example\.test(/invitations/\S+/)", str(message.body))
    assert link, message.body
    newcomer = another_page()
    newcomer.goto(base + link.group(1))
    expect(newcomer.get_by_role("heading", name="Join Alpha Biotech")).to_be_visible()
    newcomer.get_by_label("Username").fill("nina")
    newcomer.get_by_label("First name").fill("Nina")
    newcomer.get_by_label("Last name").fill("Berg")
    newcomer.get_by_label("Password", exact=True).fill("copper-meadow-58")
    newcomer.get_by_label("Password confirmation").fill("copper-meadow-58")
    shot("invitation-accept", of=newcomer)
    newcomer.get_by_role("button", name="Create account and join").click()

    expect(newcomer).to_have_url(f"{base}/o/{sponsor.slug}/")
    expect(newcomer.locator(".msg.success")).to_have_text("Welcome to Alpha Biotech.")
    expect(newcomer.locator("main")).to_contain_text("you are Sourcing")
    assert Membership.objects.get(user__username="nina", organisation=sponsor).role == "sourcing"
    newcomer.context.close()
