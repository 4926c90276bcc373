"""Pages offer only what the RFP's state and the member's role allow (cxo.core.actions): after an award the
provider is not offered the proposal form, a viewer is offered no change, a closed RFP no more bids."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from conftest import login_client

from cxo.core.actions import action_allowed, action_register
from cxo.core.models import Membership
from cxo.core.roles import Permission
from cxo.core.services import membership_add
from cxo.sourcing.models import RfpInvitation
from cxo.sourcing.services.rfp import rfp_close
from cxo.testing.factories import UserFactory

ACTIONS = re.compile(r'data-testid="(issue|close|award|compare|proposal-link|accept|ask)"')


def _offered(html: str) -> set[str]:
    buttons = ("Invite providers", "Cancel RFP", "Send answer", "Attach", "Decline invitation")
    return set(ACTIONS.findall(html)) | {b for b in buttons if f">{b}</" in html}


def test_the_sponsor_is_offered_what_each_state_allows(sw: SimpleNamespace) -> None:
    client = login_client(sw.sponsor_user)
    issued = client.get(f"/o/{sw.sponsor.slug}/rfps/{sw.rfp.pk}/").content.decode()
    assert _offered(issued) == {"close", "compare", "Invite providers", "Cancel RFP", "Send answer", "Attach"}
    awarded = client.get(f"/o/{sw.sponsor.slug}/rfps/{sw.awarded_rfp.pk}/").content.decode()
    assert _offered(awarded) == {"compare"}  # nothing to change once awarded
    draft = client.get(f"/o/{sw.sponsor.slug}/rfps/{sw.draft_rfp.pk}/").content.decode()
    assert "issue" in _offered(draft) and "close" not in _offered(draft)
    rfp_close(actor=sw.sponsor_user, rfp=sw.rfp)
    closed = client.get(f"/o/{sw.sponsor.slug}/rfps/{sw.rfp.pk}/").content.decode()
    assert _offered(closed) == {"award", "compare", "Cancel RFP", "Send answer"}


def test_a_viewer_is_offered_no_change(sw: SimpleNamespace) -> None:
    viewer = UserFactory.create(username="vera")
    membership_add(actor=None, organisation=sw.sponsor, user=viewer, role="viewer")
    html = login_client(viewer).get(f"/o/{sw.sponsor.slug}/rfps/{sw.rfp.pk}/").content.decode()
    assert _offered(html) == {"compare"}
    compare = login_client(viewer).get(f"/o/{sw.sponsor.slug}/rfps/{sw.rfp.pk}/compare/").content.decode()
    assert 'data-testid="score-' not in compare


def test_after_the_award_the_provider_is_not_offered_the_proposal_form(sw: SimpleNamespace) -> None:
    client = login_client(sw.provider_user)
    base = f"/o/{sw.provider.slug}/inbox/{sw.awarded_rfp.pk}/"
    assert _offered(client.get(base).content.decode()) == set()
    form = client.get(f"{base}proposal/", follow=True)
    assert form.redirect_chain == [(base, 302)]
    assert [str(m) for m in form.context["messages"]] == [
        "This RFP is awarded: proposals can no longer be submitted or revised."
    ]
    # While bidding is open the same provider is offered the form and a question, and no decline (it bid).
    assert _offered(client.get(f"/o/{sw.provider.slug}/inbox/{sw.rfp.pk}/").content.decode()) == {
        "proposal-link",
        "ask",
    }


def test_an_action_needs_the_role_and_the_state(sw: SimpleNamespace) -> None:
    invitation = RfpInvitation.objects.for_counterparty(sw.provider).get(rfp=sw.rfp)
    provider_admin = Membership.objects.get(user=sw.provider_user, organisation=sw.provider)
    quality = Membership.objects.get(user=sw.teammate, organisation=sw.sponsor)
    assert action_allowed(membership=provider_admin, action="proposal.submit", obj=invitation)
    assert not action_allowed(membership=quality, action="rfp.close", obj=sw.rfp)  # the role lacks it
    assert not action_allowed(membership=provider_admin, action="rfp.clsoe", obj=sw.rfp)  # nobody declared it
    with pytest.raises(ValueError, match="already registered"):
        action_register("rfp.close", permission=Permission.VIEW)
