"""Verified claims (issue 11, item 1): an e-mailed invitation opens that invitation only; administering the
registry company takes a claim a registry curator approves after seeing the evidence."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Organisation, OrganisationClaim, User
from cxo.core.roles import PlatformRole
from cxo.core.services import organisation_create, platform_role_set
from cxo.registry.claims import claim_approve, claim_reject, domain_evidence
from cxo.registry.models import Site
from cxo.sourcing import selectors
from cxo.sourcing.services.clarification import clarification_ask
from cxo.sourcing.services.invitation import invitation_accept, invitation_claim, invitation_create
from cxo.testing.factories import UserFactory
from cxo.testing.sourcing import sourcing_world


def _claim_token(mailoutbox: list[Any]) -> str:
    link = re.search(r"/rfp-invitations/([^/]+)/", str(mailoutbox[-1].body))
    assert link, mailoutbox[-1].body
    return link.group(1)


@pytest.fixture
def company(
    sw: SimpleNamespace,
    outsider: User,
    provider_b: Organisation,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> SimpleNamespace:
    """An unclaimed registry company invited by e-mail by two sponsors: the attacker (Alpha Biotech, the
    sponsor of ``sw``, inviting an address it controls) and another sponsor whose invitation is confidential."""
    entry = Organisation.objects.create(name="Registry Labs Inc", slug="registry-labs", type="provider")
    Site.objects.create(organisation=entry, name="REGISTRY LABS INC - PLANT 2", country="USA")
    other_sponsor = organisation_create(actor=None, name="Zeta Therapeutics", type="sponsor", admin=outsider)
    other = sourcing_world(
        sponsor=other_sponsor,
        sponsor_user=outsider,
        provider=provider_b,
        provider_user=provider_b.memberships.get().user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=outsider, rfp=other["rfp"], provider=entry, email="bd@registrylabs.test")
        mine = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=entry, email="mallory@alpha.test")
    mallory = UserFactory.create(username="mallory", email="mallory@alpha.test")
    invitation_claim(token=_claim_token(mailoutbox), user=mallory)
    mine.refresh_from_db()
    mallory_client = Client()
    mallory_client.force_login(mallory)
    curator = UserFactory.create(username="curator", email="curator@cxo.test")
    platform_role_set(actor=None, user=curator, role=PlatformRole.REGISTRY_CURATOR)
    curator_client = Client()
    curator_client.force_login(curator)
    return SimpleNamespace(
        entry=entry,
        mine=mine,
        other_rfp=other["rfp"],
        mallory=mallory,
        client=mallory_client,
        curator=curator,
        curator_client=curator_client,
    )


def _other_is_closed(c: SimpleNamespace) -> None:
    """Nothing of the company beyond the guest's own invitation answers the guest."""
    slug = c.entry.slug
    inbox = c.client.get(f"/o/{slug}/inbox/")
    assert inbox.status_code == 200
    assert b"Alpha Biotech" in inbox.content and b"Zeta Therapeutics" not in inbox.content
    assert f"/inbox/{c.mine.rfp_id}/".encode() in inbox.content
    assert f"/inbox/{c.other_rfp.pk}/".encode() not in inbox.content
    assert c.client.get(f"/o/{slug}/inbox/{c.other_rfp.pk}/").status_code == 404
    assert c.client.post(f"/o/{slug}/inbox/{c.other_rfp.pk}/accept/").status_code == 404
    for page in ("", "members/", "audit/", "work-orders/"):
        assert c.client.get(f"/o/{slug}/{page}").status_code == 403, page
    api = c.client.get(f"/api/v1/organisations/{slug}/inbox")
    assert [r["rfp"]["id"] if isinstance(r.get("rfp"), dict) else r["id"] for r in api.json()] == [c.mine.rfp_id]
    assert c.client.get(f"/api/v1/organisations/{slug}/inbox/{c.other_rfp.pk}").status_code == 404
    membership = c.entry.memberships.get(user=c.mallory)
    assert [i.rfp_id for i in selectors.inbox_list(membership=membership)] == [c.mine.rfp_id]


def test_a_sponsor_that_invites_an_address_it_controls_gets_that_invitation_only(company: SimpleNamespace) -> None:
    c = company
    c.entry.refresh_from_db()
    assert c.entry.claimed_at is None
    _other_is_closed(c)
    # it answers its own invitation like any bidder …
    assert c.client.get(f"/o/{c.entry.slug}/inbox/{c.mine.rfp_id}/").status_code == 200
    clarification_ask(actor=c.mallory, invitation=c.mine, question="Batch size?")
    # … but not the other sponsor's, even by calling the service
    other_invitation = selectors.inbox_invitation_get(
        membership=c.entry.memberships.get(user=c.mallory), rfp_id=c.mine.rfp_id
    )
    assert other_invitation == c.mine
    from cxo.sourcing.models import RfpInvitation

    theirs = RfpInvitation.objects.for_counterparty(c.entry).get(rfp=c.other_rfp)
    with pytest.raises(NotFound):
        invitation_accept(actor=c.mallory, invitation=theirs)
    with pytest.raises(NotFound):
        clarification_ask(actor=c.mallory, invitation=theirs, question="What do others bid?")


def test_a_claim_is_pending_until_a_curator_decides_and_a_rejection_opens_nothing(company: SimpleNamespace) -> None:
    c = company
    slug = c.entry.slug
    response = c.client.post(f"/o/{slug}/inbox/claim/", {"message": "", "next": f"/o/{slug}/inbox/"})
    assert response.status_code == 302 and not OrganisationClaim.objects.exists()  # a message is needed
    c.client.post(
        f"/o/{slug}/inbox/claim/", {"message": "Head of BD at Registry Labs", "next": "https://evil.example/"}
    )
    claim = OrganisationClaim.objects.get()
    assert (claim.status, claim.requester, claim.message) == ("pending", c.mallory, "Head of BD at Registry Labs")
    # what the curator sees: the requester, the domain against the names, the invitation and its sponsor
    evidence = claim.evidence
    assert evidence["requester"]["username"] == "mallory"
    assert [(d["domain"], d["matches"]) for d in evidence["domains"]] == [("alpha.test", [])]
    assert [(i["sponsor"], i["email"]) for i in evidence["invitations"]] == [("Alpha Biotech", "mallory@alpha.test")]
    _other_is_closed(c)
    with pytest.raises(Conflict, match="already with a registry curator"):
        from cxo.sourcing.services.invitation import invitation_claim_request

        invitation_claim_request(actor=c.mallory, membership=c.entry.memberships.get(user=c.mallory), message="again")

    # only a curator sees the claims, and the guest's own page says it is pending
    outsider = Client()
    outsider.force_login(UserFactory.create(username="nosy"))
    assert outsider.get("/registry/claims/").status_code == 404
    assert outsider.get(f"/registry/claims/{claim.pk}/").status_code == 404
    listing = c.curator_client.get("/registry/claims/")
    assert listing.status_code == 200 and b"Registry Labs Inc" in listing.content
    page = c.curator_client.get(f"/registry/claims/{claim.pk}/")
    assert b"alpha.test" in page.content and b"no match" in page.content and b"Alpha Biotech" in page.content
    assert b"Request pending" in c.client.get(f"/o/{slug}/inbox/{c.mine.rfp_id}/").content

    # a rejection needs a reason, and leaves the guest where it was
    page = c.curator_client.post(f"/registry/claims/{claim.pk}/", {"decision": "reject", "reason": ""})
    assert page.status_code == 200 and b"Say why the claim is rejected" in page.content
    c.curator_client.post(
        f"/registry/claims/{claim.pk}/", {"decision": "reject", "reason": "The e-mail domain is a sponsor's."}
    )
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.decision_reason) == (
        "rejected",
        c.curator,
        "The e-mail domain is a sponsor's.",
    )
    _other_is_closed(c)
    assert b"The e-mail domain is a sponsor" in c.client.get(f"/o/{slug}/inbox/{c.mine.rfp_id}/").content
    with pytest.raises(Conflict, match="already rejected"):
        claim_approve(actor=c.curator, claim=claim)
    trail = [e.action for e in AuditEvent.objects.for_organisation(c.entry).order_by("id")]
    assert trail[-2:] == ["organisation_claim.request", "organisation_claim.reject"]


def test_an_approved_claim_makes_the_requester_the_administrator(
    company: SimpleNamespace, mailoutbox: list[Any]
) -> None:
    c = company
    # the real employee follows the other sponsor's link and asks; the curator sees a matching domain
    rita = UserFactory.create(username="rita", email="bd@registrylabs.test")
    invitation_claim(token=_claim_token(mailoutbox[:1]), user=rita)
    rita_client = Client()
    rita_client.force_login(rita)
    rita_client.post(f"/o/{c.entry.slug}/inbox/claim/", {"message": "Business development director"})
    claim = OrganisationClaim.objects.get(requester=rita)
    domains = claim.evidence["domains"]
    assert domains[0]["domain"] == "registrylabs.test"
    assert [m["name"] for m in domains[0]["matches"]] == ["Registry Labs Inc", "REGISTRY LABS INC - PLANT 2"]

    with pytest.raises(NotPermitted):
        claim_approve(actor=rita, claim=claim)  # not a curator
    c.curator_client.post(f"/registry/claims/{claim.pk}/", {"decision": "approve", "reason": "Domain matches."})
    claim.refresh_from_db()
    c.entry.refresh_from_db()
    assert claim.status == "approved" and c.entry.claimed_at is not None
    assert c.entry.memberships.get(user=rita).role == "admin"
    assert rita_client.get(f"/o/{c.entry.slug}/members/").status_code == 200
    assert rita_client.get(f"/o/{c.entry.slug}/inbox/{c.mine.rfp_id}/").status_code == 200  # every invitation now
    # the other guest stays a guest, and cannot be made admin by a second approval
    _other_is_closed(c)
    actions = [e.action for e in AuditEvent.objects.for_organisation(c.entry).order_by("id")]
    assert actions[-3:] == ["organisation_claim.approve", "membership.change_role", "organisation.claim"]


def test_a_curator_does_not_decide_their_own_claim_and_a_reason_is_kept(company: SimpleNamespace) -> None:
    c = company
    platform_role_set(actor=None, user=c.mallory, role=PlatformRole.REGISTRY_CURATOR)
    c.mallory.refresh_from_db()
    from cxo.sourcing.services.invitation import invitation_claim_request

    claim = invitation_claim_request(
        actor=c.mallory, membership=c.entry.memberships.get(user=c.mallory), message="I curate, trust me"
    )
    with pytest.raises(NotPermitted, match="their own claim"):
        claim_approve(actor=c.mallory, claim=claim)
    with pytest.raises(ServiceError, match="Say why"):
        claim_reject(actor=c.curator, claim=claim, reason="  ")


@pytest.mark.parametrize(
    ("domain", "free", "matched"),
    [
        ("registrylabs.test", False, True),
        ("mail.registry-labs.co.uk", False, True),
        ("gmail.com", True, False),
        ("alpha.test", False, False),
    ],
)
def test_an_email_domain_is_compared_with_the_company_names(db: None, domain: str, free: bool, matched: bool) -> None:
    entry = Organisation.objects.create(name="Registry Labs, Inc.", slug="registry-labs", type="provider")
    evidence = domain_evidence(domain=domain, organisation=entry)
    assert (evidence["free_mail"], bool(evidence["matches"])) == (free, matched)
    assert evidence["names_checked"] == 1
