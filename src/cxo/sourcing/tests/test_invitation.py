"""Invitations: confidential, sent on issue, accept/decline, and claiming a registry entry by e-mail."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import AuditEvent, Organisation, User
from cxo.core.services import SignupData
from cxo.sourcing import selectors
from cxo.sourcing.models import InvitationStatus
from cxo.sourcing.services.invitation import (
    invitation_claim,
    invitation_claim_signup,
    invitation_create,
    invitation_decline,
)
from cxo.sourcing.services.rfp import rfp_issue
from cxo.testing.factories import UserFactory


def test_draft_rfps_are_not_in_the_inbox(sw: SimpleNamespace, provider_b: Organisation) -> None:
    invitation_create(actor=sw.sponsor_user, rfp=sw.draft_rfp, provider=provider_b)
    assert list(selectors.inbox_list(membership=provider_b.memberships.get())) == []
    mine = selectors.inbox_list(membership=sw.provider.memberships.get())
    assert sorted(i.rfp_id for i in mine) == [sw.rfp.pk, sw.awarded_rfp.pk]


def test_inviting_twice_or_a_sponsor_is_refused(sw: SimpleNamespace, outsider: User) -> None:
    with pytest.raises(Conflict, match=re.escape("Provan CDMO is already invited to this RFP.")):
        invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=sw.provider)
    charlie = Organisation.objects.get(slug="charlie-pharma")
    with pytest.raises(ServiceError, match=re.escape("Charlie Pharma is not a provider organisation.")):
        invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=charlie)


def test_invitation_to_an_issued_rfp_notifies_the_provider_members(
    sw: SimpleNamespace,
    provider_b: Organisation,
    provider_b_user: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    note = provider_b_user.notifications.get()
    assert note.title == f"Alpha Biotech invites you to {sw.rfp.reference}: {sw.rfp.title}"
    assert note.url == f"/o/bravo-cro/inbox/{sw.rfp.pk}/"
    assert [m.to for m in mailoutbox] == [[provider_b_user.email]]
    # The page's link in the app; an absolute one on SITE_URL in the e-mail.
    assert mailoutbox[0].body.endswith(f"\n\nhttps://cxo.example.test/o/bravo-cro/inbox/{sw.rfp.pk}/\n")


def test_decline_needs_a_reason_and_is_in_both_trails(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    invitation = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    with pytest.raises(ServiceError, match=re.escape("Say why you decline; the sponsor sees the reason.")):
        invitation_decline(actor=provider_b_user, invitation=invitation, reason="")
    invitation_decline(actor=provider_b_user, invitation=invitation, reason="No capacity in Q3")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.decline_reason) == (InvitationStatus.DECLINED, "No capacity in Q3")
    for org in (sw.sponsor, provider_b):
        assert (
            AuditEvent.objects.for_organisation(org).get(action="rfp_invitation.decline").reason == "No capacity in Q3"
        )


def test_a_registry_entry_is_invited_by_email_and_its_guest_bidder_accepts(
    sw: SimpleNamespace, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    entry = Organisation.objects.create(name="Registry Labs Inc", slug="registry-labs", type="provider")
    with pytest.raises(
        ServiceError, match=re.escape("Registry Labs Inc has no users on CXO yet: give an e-mail address")
    ):
        invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=entry)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=entry, email="bd@registrylabs.test")
    mail = mailoutbox[-1]
    assert mail.to == ["bd@registrylabs.test"]
    # An absolute link on SITE_URL, so it can be clicked in the e-mail.
    link = re.search(r"\nhttps://cxo\.example\.test/rfp-invitations/([^/]+)/\n", str(mail.body))
    assert link, mail.body
    token = link.group(1)

    newcomer = Client()
    page = newcomer.get(f"/rfp-invitations/{token}/")
    assert page.status_code == 200 and b"Registry Labs Inc" in page.content
    response = newcomer.post(
        f"/rfp-invitations/{token}/",
        {
            "username": "rita",
            "first_name": "Rita",
            "last_name": "Lab",
            "email": "bd@registrylabs.test",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/registry-labs/inbox/{sw.rfp.pk}/"
    entry.refresh_from_db()
    invitation.refresh_from_db()
    # Following the link opens this invitation only: the entry stays unclaimed until a curator approves a claim.
    assert entry.claimed_at is None
    assert list(entry.memberships.values_list("user__username", "role")) == [("rita", "guest")]
    assert (invitation.status, invitation.guest.username if invitation.guest else None) == ("accepted", "rita")
    trail = AuditEvent.objects.for_organisation(entry).order_by("id")
    assert [e.action for e in trail] == ["membership.guest", "rfp_invitation.accept"]
    # The link is spent; a second claim by someone else is refused.
    with pytest.raises(Exception, match=re.escape("not valid any more")):
        invitation_claim(token=token, user=UserFactory.create(username="mallory"))


def test_a_claim_refused_after_sign_up_leaves_no_account(
    sw: SimpleNamespace, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    """The link is spent (or the RFP cancelled) between the page and the newcomer's sign-up: the sign-up and the
    claim are refused together, and no account is left behind."""
    entry = Organisation.objects.create(name="Registry Labs Inc", slug="registry-labs", type="provider")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=entry, email="bd@registrylabs.test")
    link = re.search(r"/rfp-invitations/([^/]+)/", str(mailoutbox[-1].body))
    assert link, mailoutbox[-1].body
    invitation_claim(token=link.group(1), user=UserFactory.create(username="first-bidder"))

    signup = SignupData(username="rita", email="bd@registrylabs.test", password="a-long-pass-phrase-42")
    with pytest.raises(ServiceError, match=re.escape("not valid any more")):
        invitation_claim_signup(token=link.group(1), signup=signup)
    assert not User.objects.filter(username="rita").exists()


def test_rfp_issue_sends_claim_links_to_registry_entries(
    sw: SimpleNamespace, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    entry = Organisation.objects.create(name="Quiet Pharma", slug="quiet-pharma", type="provider")
    draft = sw.draft_rfp
    invitation_create(actor=sw.sponsor_user, rfp=draft, provider=entry, email="hello@quiet.test")
    assert mailoutbox == []
    import datetime as dt

    from django.utils import timezone

    from cxo.sourcing.services.rfp import rfp_update

    rfp_update(
        actor=sw.sponsor_user, rfp=draft, title=draft.title, response_deadline=timezone.now() + dt.timedelta(days=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        rfp_issue(actor=sw.sponsor_user, rfp=draft)
    assert [m.to for m in mailoutbox] == [["hello@quiet.test"]]
    assert "https://cxo.example.test/rfp-invitations/" in mailoutbox[0].body
