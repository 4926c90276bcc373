"""Sponsor pages: what they show when something cannot be done, and how many queries they take."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from conftest import login_client, page_queries
from django.utils import timezone

from cxo.core.models import Organisation, User
from cxo.sourcing.models import Need
from cxo.sourcing.services.clarification import clarification_ask
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.proposal import proposal_submit
from cxo.sourcing.services.rfp import rfp_create, rfp_issue
from cxo.testing.sourcing import proposal_data


def test_a_need_that_cannot_be_matched_keeps_its_page_and_says_why(sw: SimpleNamespace) -> None:
    # A term retired from the taxonomy since the need was saved: the page shows the need and the reason.
    Need.objects.for_organisation(sw.sponsor).filter(pk=sw.need.pk).update(criteria={"services": ["svc.retired"]})
    response = login_client(sw.sponsor_user).get(f"/o/{sw.sponsor.slug}/needs/{sw.need.pk}/")
    assert response.status_code == 200
    assert response.context["matches"] == []
    assert response.context["match_error"].startswith("Matching is unavailable for this need: Unknown service")
    assert response.context["criteria_rows"] == [("Services", "svc.retired")]


# --- query counts: a page reads a fixed number of queries, however many bidders, lines or versions --------


def _another_bid(sw: SimpleNamespace, provider: Organisation, user: User) -> None:
    """One more invited provider with a question and two versions of a proposal on the world's RFP."""
    invitation = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider)
    clarification_ask(actor=user, invitation=invitation, question="Which site would make the batches?")
    for prices in (["1000", "2000", "300"], ["900", "2000", "300"]):
        proposal_submit(actor=user, invitation=invitation, data=proposal_data(sw.rfp, prices=prices))


SPONSOR_PAGES = ("", "rfps/", "rfps/{rfp}/", "rfps/{rfp}/compare/", "rfps/{rfp}/invite/", "sourcing/")


@pytest.mark.parametrize("page", SPONSOR_PAGES)
def test_sponsor_pages_read_no_more_queries_with_more_bidders(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User, page: str
) -> None:
    client = login_client(sw.sponsor_user)
    url = f"/o/{sw.sponsor.slug}/" + page.format(rfp=sw.rfp.pk)
    before = page_queries(client, url)
    _another_bid(sw, provider_b, provider_b_user)
    assert page_queries(client, url) == before, url


@pytest.mark.parametrize("page", ("inbox/", "inbox/{rfp}/"))
def test_provider_pages_read_no_more_queries_with_more_rfps(sw: SimpleNamespace, page: str) -> None:
    client = login_client(sw.provider_user)
    url = f"/o/{sw.provider.slug}/" + page.format(rfp=sw.rfp.pk)
    before = page_queries(client, url)
    # Another RFP the provider is invited to and bids on, with a published answer to another bidder's question.
    rfp = rfp_create(actor=sw.sponsor_user, need=sw.need, response_deadline=timezone.now() + dt.timedelta(days=9))
    invitation = invitation_create(actor=sw.sponsor_user, rfp=rfp, provider=sw.provider)
    rfp_issue(actor=sw.sponsor_user, rfp=rfp)
    invitation.refresh_from_db()
    proposal_submit(actor=sw.provider_user, invitation=invitation, data=proposal_data(rfp, prices=["5", "6", "7"]))
    assert page_queries(client, url) == before, url
