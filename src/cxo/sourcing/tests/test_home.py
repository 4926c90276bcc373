"""Sourcing's sections of the home page: what a sponsor and a provider each have waiting, and the unread badge."""

from __future__ import annotations

from types import SimpleNamespace

from conftest import login_client, page_queries

from cxo.core.models import Notification, Organisation, User
from cxo.sourcing.services.clarification import clarification_answer, clarification_ask
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.proposal import proposal_submit
from cxo.sourcing.services.rfp import rfp_close
from cxo.testing.sourcing import proposal_data


def _home(user: User) -> dict[str, list[object]]:
    """Sourcing's sections of the home page for the user's (single) organisation: key -> items (the other apps'
    sections follow them: contracts' agenda, quality's counts)."""
    response = login_client(user).get("/dashboard/")
    assert response.status_code == 200
    [(_membership, sections, _links)] = response.context["homes"]
    keys = [s.section.key for s in sections]
    assert keys[-2:] == ["contracts.agenda", "quality.counts"]
    return {s.section.key: list(s.items) for s in sections if s.section.key.startswith("sourcing.")}


def test_the_sponsor_sees_its_open_rfps_questions_and_proposals(sw: SimpleNamespace) -> None:
    home = _home(sw.sponsor_user)
    assert list(home) == [
        "sourcing.open_rfps",
        "sourcing.questions_to_answer",
        "sourcing.proposals_received",
        "sourcing.awards_to_sign",
    ]
    assert home["sourcing.open_rfps"] == [sw.rfp, sw.draft_rfp]  # issued by deadline first, then drafts
    assert home["sourcing.questions_to_answer"] == [sw.clarification]
    assert home["sourcing.proposals_received"] == [sw.proposal_version]
    assert home["sourcing.awards_to_sign"] == []

    clarification_answer(actor=sw.sponsor_user, clarification=sw.clarification, answer="Yes.", publish=False)
    rfp_close(actor=sw.sponsor_user, rfp=sw.rfp)
    home = _home(sw.sponsor_user)
    assert home["sourcing.questions_to_answer"] == []
    assert home["sourcing.open_rfps"] == [sw.draft_rfp]
    assert home["sourcing.awards_to_sign"] == [sw.rfp]


def test_a_revision_takes_the_place_of_the_version_it_revises(sw: SimpleNamespace) -> None:
    data = proposal_data(sw.rfp, prices=["11000", "85000", "4000"])
    revision = proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=data)
    assert _home(sw.sponsor_user)["sourcing.proposals_received"] == [revision]  # one line per bidder, the newest
    page = login_client(sw.sponsor_user).get("/dashboard/").content.decode()
    assert "version 2" in page


def test_quality_assurance_sees_the_rfps_but_no_questions_or_awards_to_act_on(sw: SimpleNamespace) -> None:
    assert list(_home(sw.teammate)) == ["sourcing.open_rfps", "sourcing.proposals_received"]


def test_the_provider_sees_new_invitations_deadlines_and_answers(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    invitation = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    home = _home(provider_b_user)
    assert list(home) == ["sourcing.new_invitations", "sourcing.deadlines", "sourcing.questions_answered"]
    assert home["sourcing.new_invitations"] == [invitation]
    assert home["sourcing.deadlines"] == [invitation]
    assert home["sourcing.questions_answered"] == []
    # A published answer reaches every bidder, without who asked.
    clarification_answer(actor=sw.sponsor_user, clarification=sw.clarification, answer="Yes.", publish=True)
    [answered] = _home(provider_b_user)["sourcing.questions_answered"]
    assert (answered.rfp, answered.clarification.answer, answered.clarification.mine) == (sw.rfp, "Yes.", False)  # type: ignore[attr-defined]  # an AnsweredQuestion
    # The invited provider that bid already has no new invitation, and sees its proposal by the deadline.
    home = _home(sw.provider_user)
    assert home["sourcing.new_invitations"] == []
    assert home["sourcing.deadlines"] == [sw.rfp_invitation]
    assert "proposal v1 in" in login_client(sw.provider_user).get("/dashboard/").content.decode()


def test_the_unread_badge_counts_and_opening_a_notification_reads_it(sw: SimpleNamespace) -> None:
    client = login_client(sw.sponsor_user)
    unread = Notification.objects.for_user(sw.sponsor_user).filter(read_at__isnull=True)
    count = unread.count()
    assert count >= 2  # the world's question and proposal
    assert f'data-testid="unread-count">{count}</span>' in client.get("/dashboard/").content.decode()
    note = unread.get(title__contains="asked a question")
    response = client.get(f"/notifications/{note.pk}/")
    assert response["Location"] == f"/o/{sw.sponsor.slug}/rfps/{sw.rfp.pk}/"
    assert unread.count() == count - 1
    client.post("/notifications/")
    assert unread.count() == 0
    assert 'data-testid="unread-count"' not in client.get("/dashboard/").content.decode()


def test_the_home_page_reads_a_fixed_number_of_queries(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    """Each section is one query or two: another bidder, its proposal and question add none."""
    client = login_client(sw.sponsor_user)
    before = page_queries(client, "/dashboard/")
    assert before <= 26  # a dozen for sourcing's sections; contracts' agenda and quality's counts read the rest
    invitation = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    proposal_submit(actor=provider_b_user, invitation=invitation, data=proposal_data(sw.rfp, prices=["1", "2", "3"]))
    clarification_ask(actor=provider_b_user, invitation=invitation, question="Which site?")
    assert page_queries(client, "/dashboard/") == before


def test_each_organisation_card_links_to_the_apps_pages_for_it(sw: SimpleNamespace) -> None:
    response = login_client(sw.sponsor_user).get("/dashboard/")
    [(_membership, _sections, links)] = response.context["homes"]
    slug = sw.rfp.organisation.slug
    assert links == [
        ("Sourcing", f"/o/{slug}/sourcing/"),
        ("Work orders", f"/o/{slug}/work-orders/"),
        ("Quality", f"/o/{slug}/quality/"),
    ]
    response = login_client(sw.provider_user).get("/dashboard/")
    [(_membership, _sections, links)] = response.context["homes"]
    assert [label for label, _url in links] == ["RFP inbox", "Work orders", "Quality"]
