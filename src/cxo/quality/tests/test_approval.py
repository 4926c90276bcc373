"""What other apps ask the quality app: is this site approved for this service, is an agreement in force, and —
through ``cxo.core.standing`` — what matching and sourcing show and whether an award needs a justification."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from conftest import login_client
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import AuditEvent, Organisation, User
from cxo.core.standing import award_check, provider_standings, site_standings
from cxo.quality.models import QualificationStatus
from cxo.quality.selectors import qualification_status_for
from cxo.quality.services.policy import policy_update
from cxo.quality.services.qualification import qualification_decide, qualification_review
from cxo.registry.models import Site, Term
from cxo.sourcing.services.award import award_sign
from cxo.sourcing.services.rfp import rfp_close
from cxo.testing.factories import TEST_PASSWORD
from cxo.testing.quality import approved, provider_site

S = QualificationStatus


def test_a_qualification_covers_its_service_and_those_under_it(
    sponsor: Organisation, sponsor_user: User, site: Site, terms: dict[str, Term]
) -> None:
    q = approved(actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.mfg.drug_product"])
    answer = qualification_status_for(sponsor=sponsor, site=site, service="svc.mfg.drug_product.solid_dose")
    assert (answer.approved, answer.status, answer.qualification_id) == (True, S.APPROVED, q.pk)
    assert answer.label == "Approved for Drug product manufacture"
    assert not qualification_status_for(sponsor=sponsor, site=site, service="svc.mfg").approved
    assert qualification_status_for(sponsor=sponsor, site=site, service=terms["svc.analysis"]).status == "none"
    assert q.valid_until is not None
    later = qualification_status_for(
        sponsor=sponsor, site=site, service="svc.mfg.drug_product", on=q.valid_until + dt.timedelta(days=1)
    )
    assert (later.approved, later.status) == (False, S.EXPIRED)


def test_the_answer_is_the_askers_own(
    sponsor: Organisation, sponsor_user: User, site: Site, terms: dict[str, Term], outsider: User
) -> None:
    approved(actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.mfg.drug_product"])
    charlie = outsider.memberships.get().organisation
    assert qualification_status_for(sponsor=charlie, site=site, service="svc.mfg.drug_product").status == "none"
    assert site_standings(sponsor=charlie, site_ids=[site.pk], services=["svc.mfg.drug_product"]) == {}


def test_standing_of_sites_and_providers(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, site: Site, terms: dict[str, Term]
) -> None:
    other = provider_site(provider, name="Second plant", fei="424242")
    assert site_standings(sponsor=sponsor, site_ids=[site.pk], services=["svc.mfg.drug_product"]) == {}  # no list yet
    approved(actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.mfg.drug_product"])
    standings = site_standings(sponsor=sponsor, site_ids=[site.pk, other.pk], services=["svc.mfg.drug_product"])
    assert (standings[site.pk].state, standings[site.pk].tone) == (S.APPROVED, "ok")
    assert standings[site.pk].label.startswith("Approved for Drug product manufacture until")
    assert (standings[other.pk].state, standings[other.pk].label) == ("none", "Not on your approved supplier list")
    [mixed] = site_standings(
        sponsor=sponsor, site_ids=[site.pk], services=["svc.mfg.drug_product", "svc.analysis"]
    ).values()
    assert mixed.state == "none"  # approved for one of the two services asked: not for both
    by_provider = provider_standings(sponsor=sponsor, provider_ids=[provider.pk], services=["svc.mfg.drug_product"])
    assert by_provider[provider.pk].label.startswith("Provan Leeds plant: Approved")


@pytest.fixture
def closed(world: SimpleNamespace) -> SimpleNamespace:
    """The walk's world with its RFP closed, the provider's proposal awaiting award, and the provider's site (approved
    for the need's service in the world) put under review."""
    world.rfp = rfp_close(actor=world.sponsor_user, rfp=world.rfp)
    qualification_review(actor=world.sponsor_user, qualification=world.bid_qualification, reason="Complaint trend.")
    return world


def _reapprove(w: SimpleNamespace) -> None:
    qualification_decide(
        actor=w.sponsor_user,
        qualification=w.bid_qualification,
        decision=S.APPROVED,
        reason="Complaints explained.",
        password=TEST_PASSWORD,
    )


def test_awarding_to_a_provider_not_approved_for_the_service_needs_a_justification(closed: SimpleNamespace) -> None:
    w = closed
    check = award_check(sponsor=w.sponsor, provider=w.provider, services=["test.svc.secondary"])
    assert not check.ok and not check.blocked
    with pytest.raises(
        ServiceError, match=r"No site of Provan CDMO is approved for Secondary .*Under review.* justification"
    ):
        award_sign(actor=w.sponsor_user, rfp=w.rfp, proposal=w.proposal, password=TEST_PASSWORD)
    award_sign(
        actor=w.sponsor_user,
        rfp=w.rfp,
        proposal=w.proposal,
        password=TEST_PASSWORD,
        rationale="Sole source for this formulation; qualification audit booked for next month.",
    )
    event = AuditEvent.objects.for_organisation(w.sponsor).get(action="rfp.award", object_id=str(w.rfp.pk))
    assert event.reason == "Justification: Sole source for this formulation; qualification audit booked for next month."
    assert event.changes["not_approved"][1].startswith("No site of Provan CDMO is approved")


def test_the_sponsors_policy_can_refuse_such_an_award(closed: SimpleNamespace) -> None:
    w = closed
    policy_update(actor=w.sponsor_user, organisation=w.sponsor, award_rule="block")
    with pytest.raises(Conflict, match="Your quality policy refuses awards"):
        award_sign(actor=w.sponsor_user, rfp=w.rfp, proposal=w.proposal, password=TEST_PASSWORD, rationale="Anyway.")


def test_an_approved_provider_is_awarded_without_one(closed: SimpleNamespace) -> None:
    w = closed
    _reapprove(w)
    award = award_sign(actor=w.sponsor_user, rfp=w.rfp, proposal=w.proposal, password=TEST_PASSWORD)
    assert award.rationale == ""


def test_the_award_and_invitation_pages_show_the_standing(closed: SimpleNamespace) -> None:
    w = closed
    client: Client = login_client(w.sponsor_user)
    page = client.get(
        reverse("sourcing:rfp_award", kwargs={"org": w.sponsor.slug, "rfp_id": w.rfp.pk})
    ).content.decode()
    assert "Provan Leeds plant: Under review for Secondary manufacturing (test)" in page
    assert "Complaint trend." in page
    _reapprove(w)
    page = client.get(
        reverse("sourcing:rfp_award", kwargs={"org": w.sponsor.slug, "rfp_id": w.rfp.pk})
    ).content.decode()
    assert "Provan Leeds plant: Approved for Secondary manufacturing (test) until" in page
    # a closed RFP takes no more invitations: the draft one of the same need shows the invite page
    invite = client.get(
        reverse("sourcing:rfp_invite", kwargs={"org": w.sponsor.slug, "rfp_id": w.draft_rfp.pk}), {"q": "Provan"}
    )
    assert "Provan Leeds plant: Approved for Secondary manufacturing (test)" in invite.content.decode()


def test_find_providers_shows_the_sponsors_word_beside_each_site(
    db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch, sponsor: Organisation, sponsor_user: User
) -> None:
    from cxo.matching import live
    from cxo.matching.tests.registry import small_registry

    settings.CXO_MATCH_VERSION_TTL = 0
    live.forget()
    reg = small_registry()
    q = approved(
        actor=sponsor_user,
        organisation=sponsor,
        site=reg.hyderabad,
        service=Term.objects.get(code="svc.mfg.drug_product"),
    )
    qualification_review(actor=sponsor_user, qualification=q, reason="Complaint trend on blister seals.")
    page = login_client(sponsor_user).get(
        f"/o/{sponsor.slug}/match/", {"services": "MANUFACTURE", "countries": "IND", "go": "1"}
    )
    body = page.content.decode()
    assert "Under review for Drug product manufacture" in body
    assert "Complaint trend on blister seals." in body
    assert f"/o/{sponsor.slug}/quality/qualifications/{q.pk}/" in body
