"""Verified claims in a real browser: the e-mailed link makes a guest bidder, a registry curator decides."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from cxo.core.models import Organisation, User
from cxo.core.roles import PlatformRole
from cxo.core.services import platform_role_set
from cxo.registry.models import Site
from cxo.sourcing.services.invitation import invitation_create
from cxo.testing.factories import UserFactory
from cxo.testing.sourcing import sourcing_world

pytestmark = pytest.mark.e2e

Shot = Callable[..., Path]


def _both_widths(page: Page, shot: Shot, name: str) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_guest_bidder_asks_and_a_curator_approves(
    page: Page,
    another_page: Callable[[], Page],
    live_server: Any,
    shot: Shot,
    sponsor: Organisation,
    sponsor_user: User,
    provider: Organisation,
    provider_user: User,
    password: str,
) -> None:
    base = live_server.url
    world = sourcing_world(sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user)
    entry = Organisation.objects.create(name="Registry Labs Inc", slug="registry-labs", type="provider")
    Site.objects.create(organisation=entry, name="REGISTRY LABS INC - PLANT 2", country="USA")
    invitation_create(actor=sponsor_user, rfp=world["rfp"], provider=entry, email="bd@registrylabs.test")
    token = re.search(r"/rfp-invitations/([^/]+)/", str(mail.outbox[-1].body))
    assert token
    curator = UserFactory.create(username="cora", first_name="Cora", last_name="Vance")
    platform_role_set(actor=None, user=curator, role=PlatformRole.REGISTRY_CURATOR)

    # the invited address follows the link, registers, and is a guest bidder of this invitation only
    page.goto(f"{base}/rfp-invitations/{token.group(1)}/")
    expect(page.get_by_text("guest bidder of this invitation")).to_be_visible()
    for name, value in {
        "username": "rita",
        "first_name": "Rita",
        "last_name": "Lab",
        "email": "bd@registrylabs.test",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
    }.items():
        page.locator(f"input[name={name}]").fill(value)
    page.get_by_role("button", name="Create account and accept").click()
    expect(page).to_have_url(f"{base}/o/{entry.slug}/inbox/{world['rfp'].pk}/")
    card = page.get_by_test_id("guest-claim")
    expect(card).to_contain_text("You answer the invitations sent to you only")
    expect(page.locator(".mainnav")).not_to_contain_text("Work orders")
    card.locator("textarea[name=message]").fill("Business development director at Registry Labs")
    card.get_by_test_id("claim-request").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Request pending")
    _both_widths(page, shot, "claim-guest")

    # the curator reads the evidence and approves
    desk = another_page()
    desk.goto(f"{base}/accounts/login/")
    desk.get_by_label("Username").fill("cora")
    desk.get_by_label("Password").fill(password)
    desk.get_by_role("button", name="Sign in").click()
    desk.get_by_test_id("curator-card").get_by_role("link", name="Registry claims").click()
    expect(desk.get_by_test_id("claims")).to_contain_text("Registry Labs Inc")
    desk.get_by_test_id("claim-link").click()
    evidence = desk.get_by_test_id("domain-evidence")
    expect(evidence).to_contain_text("registrylabs.test")
    expect(evidence).to_contain_text("matches")
    expect(desk.get_by_test_id("invitation-evidence")).to_contain_text(sponsor.name)
    _both_widths(desk, lambda name: shot(name, of=desk), "claim-curator")
    desk.get_by_label("Approve").check()
    desk.locator("textarea[name=reason]").fill("The domain is the company's; Rita is on its site.")
    desk.get_by_test_id("decide").click()
    expect(desk.locator(".messages")).to_contain_text("approved")

    # the requester now administers the company
    page.reload()
    expect(page.get_by_test_id("guest-claim")).to_have_count(0)
    expect(page.locator(".mainnav").get_by_role("link", name="Members")).to_be_visible()
