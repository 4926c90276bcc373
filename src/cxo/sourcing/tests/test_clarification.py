"""Clarifications: private answers stay private; published ones reach every invitee without the asker."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cxo.core.errors import NotFound
from cxo.core.models import Organisation, User
from cxo.sourcing import selectors
from cxo.sourcing.services.clarification import clarification_answer, clarification_ask
from cxo.sourcing.services.invitation import invitation_create


def test_provider_b_never_sees_provider_a_question_until_published(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    inv_b = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    assert list(selectors.inbox_clarification_list(invitation=inv_b)) == []
    clarification_answer(actor=sw.sponsor_user, clarification=sw.clarification, answer="Yes, by us.", publish=False)
    assert list(selectors.inbox_clarification_list(invitation=inv_b)) == []
    assert [c.answer for c in selectors.inbox_clarification_list(invitation=sw.rfp_invitation)] == ["Yes, by us."]
    clarification_answer(actor=sw.sponsor_user, clarification=sw.clarification, answer="Yes, by us.", publish=True)
    seen = list(selectors.inbox_clarification_list(invitation=inv_b))
    assert [(c.question, c.answer) for c in seen] == [("Is the API supplied?", "Yes, by us.")]
    assert provider_b_user.notifications.filter(title__contains="clarification").count() == 1


def test_the_inbox_page_does_not_name_the_asker(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User, client: object
) -> None:
    from conftest import login_client

    invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    clarification_answer(actor=sw.sponsor_user, clarification=sw.clarification, answer="Supplied.", publish=True)
    page = login_client(provider_b_user).get(f"/o/bravo-cro/inbox/{sw.rfp.pk}/").content.decode()
    assert "Is the API supplied?" in page and "Supplied." in page
    assert "Provan" not in page and "priya" not in page
    assert "asked by a bidder" in page


def test_an_uninvited_provider_cannot_ask(sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User) -> None:
    with pytest.raises(NotFound):
        clarification_ask(actor=provider_b_user, invitation=sw.rfp_invitation, question="Can I see it?")
