"""RFP lifecycle: creation from a need, editing, the state machine and its guards."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Organisation, User
from cxo.matching.models import Shortlist
from cxo.sourcing.models import Need, Rfp, RfpInvitation, RfpStatus
from cxo.sourcing.services import invitation as invitation_services
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.programme import need_create, programme_create
from cxo.sourcing.services.rfp import (
    CriterionData,
    LineItemData,
    rfp_cancel,
    rfp_close,
    rfp_create,
    rfp_issue,
    rfp_start,
    rfp_update,
)
from cxo.sourcing.states import TRANSITIONS, rfp_transition
from cxo.testing.sourcing import provider_in_registry, sourcing_terms


@pytest.fixture
def need(sponsor: Organisation, sponsor_user: User) -> object:
    terms = sourcing_terms()
    programme = programme_create(actor=sponsor_user, organisation=sponsor, name="Beta", code="B-1", stage="phase_1")
    return need_create(
        actor=sponsor_user,
        programme=programme,
        title="Clinical supply",
        criteria={"services": [terms["service"].code]},
        quantity=Decimal("2"),
        unit="batches",
    )


def test_rfp_from_need_gets_defaults_and_a_reference(need: Need, sponsor_user: User) -> None:
    rfp = rfp_create(actor=sponsor_user, need=need)
    year = timezone.now().year
    assert rfp.reference == f"RFP-{year}-001"
    assert rfp.status == RfpStatus.DRAFT
    assert [li.description for li in rfp.line_items.all()][1] == "Clinical supply"
    assert rfp.line_items.all()[1].quantity == Decimal("2.000")
    assert sum(c.weight for c in rfp.criteria.all()) == 100
    second = rfp_create(actor=sponsor_user, need=need)
    assert second.reference == f"RFP-{year}-002"
    assert AuditEvent.objects.for_organisation(rfp.organisation).filter(action="rfp.create").count() == 2


def test_rfp_start_shortlists_and_invites_the_chosen_matches(
    need: Need, sponsor_user: User, provider: Organisation, provider_b: Organisation
) -> None:
    provider_in_registry(provider)
    provider_in_registry(provider_b, duns="223456789")
    started = rfp_start(actor=sponsor_user, need=need, provider_ids={provider.pk})
    assert started.rfp.status == RfpStatus.DRAFT
    assert started.rfp.response_deadline is not None
    assert started.shortlist is not None
    assert [e.provider for e in started.shortlist.entries.all()] == [provider]
    assert [i.provider for i in started.invited] == [provider]
    assert started.skipped == []
    actions = AuditEvent.objects.for_organisation(need.organisation).values_list("action", flat=True)
    assert {"shortlist.create", "shortlist.add", "rfp.create", "rfp_invitation.create"} <= set(actions)


def test_rfp_start_without_a_choice_is_a_bare_draft(need: Need, sponsor_user: User) -> None:
    started = rfp_start(actor=sponsor_user, need=need)
    assert (started.shortlist, started.invited) == (None, [])
    assert Shortlist.objects.for_organisation(need.organisation).count() == 0


def test_rfp_start_refused_halfway_leaves_nothing(
    need: Need, sponsor_user: User, provider: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal at the last step (inviting) undoes the shortlist and the RFP made before it."""
    provider_in_registry(provider)

    def refuse(**kwargs: Any) -> Any:
        raise Conflict("The invitations could not be sent.")

    monkeypatch.setattr(invitation_services, "invitation_create_from_shortlist", refuse)
    organisation = need.organisation
    audit_before = AuditEvent.objects.for_organisation(organisation).count()
    with pytest.raises(Conflict, match="could not be sent"):
        rfp_start(actor=sponsor_user, need=need, provider_ids={provider.pk})
    assert Rfp.objects.for_organisation(organisation).count() == 0
    assert Shortlist.objects.for_organisation(organisation).count() == 0
    assert RfpInvitation.objects.for_organisation(organisation).count() == 0
    assert AuditEvent.objects.for_organisation(organisation).count() == audit_before


def test_update_replaces_grid_and_is_audited(need: Need, sponsor_user: User) -> None:
    rfp = rfp_create(actor=sponsor_user, need=need)
    rfp_update(
        actor=sponsor_user,
        rfp=rfp,
        title="Supply v2",
        line_items=[LineItemData("Batch", "batch", Decimal("3"), "Batch size")],
        questions=["Which site?"],
        criteria=[CriterionData("Price", 60), CriterionData("Quality", 40)],
    )
    rfp.refresh_from_db()
    assert rfp.title == "Supply v2"
    assert [(li.description, li.quantity) for li in rfp.line_items.all()] == [("Batch", Decimal("3.000"))]
    assert [c.weight for c in rfp.criteria.all()] == [60, 40]
    event = AuditEvent.objects.for_organisation(rfp.organisation).get(action="rfp.update")
    assert event.changes["title"] == ["Clinical supply", "Supply v2"]
    assert event.changes["questions"] == [[], ["Which site?"]]


def test_bad_grid_lines_are_refused_with_the_line_named(need: Need, sponsor_user: User) -> None:
    rfp = rfp_create(actor=sponsor_user, need=need)
    with pytest.raises(ServiceError, match=r"Line 1 \('Batch'\) needs a quantity above zero\."):
        rfp_update(actor=sponsor_user, rfp=rfp, title="x", line_items=[LineItemData("Batch", "batch", Decimal("0"))])


def test_issue_needs_an_invitation(need: Need, sponsor_user: User) -> None:
    rfp = rfp_create(actor=sponsor_user, need=need, response_deadline=timezone.now() + dt.timedelta(days=3))
    with pytest.raises(Conflict, match=re.escape("Invite at least one provider before issuing the RFP.")):
        rfp_issue(actor=sponsor_user, rfp=rfp)
    rfp.refresh_from_db()
    assert rfp.status == RfpStatus.DRAFT


def test_issue_needs_weights_adding_to_100_and_a_future_deadline(
    need: Need, sponsor_user: User, provider: Organisation
) -> None:
    rfp = rfp_create(
        actor=sponsor_user,
        need=need,
        response_deadline=timezone.now() - dt.timedelta(hours=1),
        criteria=[CriterionData("Price", 50), CriterionData("Quality", 30)],
    )
    invitation_create(actor=sponsor_user, rfp=rfp, provider=provider)
    with pytest.raises(Conflict, match=r"must add up to 100 \(they add up to 80\)"):
        rfp_issue(actor=sponsor_user, rfp=rfp)
    rfp_update(
        actor=sponsor_user,
        rfp=rfp,
        title=rfp.title,
        response_deadline=rfp.response_deadline,
        criteria=[CriterionData("Price", 100)],
    )
    with pytest.raises(ServiceError, match=re.escape("The response deadline must be in the future.")):
        rfp_issue(actor=sponsor_user, rfp=rfp)


def test_illegal_transitions_are_clear_errors(sw: SimpleNamespace) -> None:
    with pytest.raises(Conflict, match=re.escape("An RFP that is issued cannot be issued.")):
        rfp_issue(actor=sw.sponsor_user, rfp=sw.rfp)
    rfp_cancel(actor=sw.sponsor_user, rfp=sw.rfp, reason="Programme on hold")
    with pytest.raises(Conflict, match=re.escape("An RFP that is cancelled cannot be closed.")):
        rfp_close(actor=sw.sponsor_user, rfp=sw.rfp)
    draft = Rfp.objects.for_organisation(sw.sponsor).get(pk=sw.draft_rfp.pk)
    with pytest.raises(
        Conflict, match=re.escape("An RFP that is draft cannot be awarded. Issue it and close it first.")
    ):
        rfp_transition(draft, RfpStatus.AWARDED)


def test_the_transition_table_is_the_documented_one() -> None:
    assert set(TRANSITIONS) == {
        ("draft", "issued"),
        ("issued", "closed"),
        ("closed", "awarded"),
        ("draft", "cancelled"),
        ("issued", "cancelled"),
        ("closed", "cancelled"),
    }


def test_editing_an_issued_rfp_is_refused(sw: SimpleNamespace) -> None:
    with pytest.raises(Conflict, match=re.escape("You cannot edit the RFP: the RFP is issued.")):
        rfp_update(actor=sw.sponsor_user, rfp=sw.rfp, title="Changed")


def test_cancel_needs_a_reason_and_tells_invitees(
    sw: SimpleNamespace, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(ServiceError, match=re.escape("Say why the RFP is cancelled.")):
        rfp_cancel(actor=sw.sponsor_user, rfp=sw.rfp, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        rfp_cancel(actor=sw.sponsor_user, rfp=sw.rfp, reason="Programme on hold")
    assert any("cancelled" in m.subject for m in mailoutbox)
    assert sw.provider_user.notifications.filter(title__contains="cancelled").exists()


def test_quality_role_cannot_manage_sourcing_and_outsiders_get_not_found(sw: SimpleNamespace, outsider: User) -> None:
    with pytest.raises(NotPermitted, match=r"Your role \(Quality assurance\) does not allow managing sourcing."):
        rfp_close(actor=sw.teammate, rfp=sw.rfp)
    with pytest.raises(NotFound):
        rfp_close(actor=outsider, rfp=sw.rfp)
