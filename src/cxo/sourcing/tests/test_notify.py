"""The sponsor is told when a provider asks, submits, revises or declines; its members who do not run
sourcing are not."""

from __future__ import annotations

from types import SimpleNamespace

from cxo.core.models import Notification, Organisation, User
from cxo.sourcing.services.clarification import clarification_ask
from cxo.sourcing.services.invitation import invitation_create, invitation_decline
from cxo.sourcing.services.proposal import proposal_submit
from cxo.testing.sourcing import proposal_data


def _titles(user: User) -> list[str]:
    return list(Notification.objects.for_user(user).order_by("created_at", "id").values_list("title", flat=True))


def test_the_sourcing_team_hears_of_each_step_a_provider_takes(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    ref = sw.rfp.reference
    Notification.objects.for_user(sw.sponsor_user).delete()  # what the world's own steps sent
    clarification_ask(actor=sw.provider_user, invitation=sw.rfp_invitation, question="Who supplies the API?")
    proposal_submit(
        actor=sw.provider_user,
        invitation=sw.rfp_invitation,
        data=proposal_data(sw.rfp, prices=["11000", "85000.50", "4000"], note="Lower set-up fee"),
    )
    invitation = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    invitation_decline(actor=provider_b_user, invitation=invitation, reason="No capacity in Q3")

    assert _titles(sw.sponsor_user) == [
        f"Provan CDMO asked a question on {ref}",
        f"Provan CDMO revised its proposal to {ref} (version 2)",
        f"Bravo CRO declined {ref}",
    ]
    revised, declined = Notification.objects.for_user(sw.sponsor_user).order_by("created_at", "id")[1:]
    assert revised.body == "Total USD 333,001.50. What changed: Lower set-up fee"
    assert revised.url == f"/o/{sw.sponsor.slug}/proposals/{sw.proposal.pk}/"
    assert declined.body == "Reason: No capacity in Q3"
    assert declined.url == f"/o/{sw.sponsor.slug}/rfps/{sw.rfp.pk}/"
    assert _titles(sw.teammate) == []  # quality assurance does not run sourcing


def test_a_first_proposal_is_submitted_not_revised(sw: SimpleNamespace) -> None:
    titles = _titles(sw.sponsor_user)
    assert f"Provan CDMO submitted a proposal to {sw.rfp.reference}" in titles
    assert f"Provan CDMO asked a question on {sw.rfp.reference}" in titles
