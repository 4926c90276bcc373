"""Work orders: drafted from an award (budget from the priced bid grid, milestones from the timeline), in the
award's transaction; the sponsor's alone while drafted, then seen by the sponsor and the provider, by nobody else."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import IntegrityError
from django.test import Client

from cxo.contracts.models import WorkOrder
from cxo.contracts.selectors import work_order_get, work_order_list
from cxo.contracts.services.work_orders import work_order_reference, work_order_send
from cxo.core.errors import NotFound
from cxo.core.models import AuditEvent, Organisation, Signature, User
from cxo.core.services import api_token_create
from cxo.sourcing.models import Award, RfpStatus
from cxo.sourcing.services.award import award_sign
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.proposal import proposal_submit
from cxo.sourcing.services.rfp import rfp_close, rfp_create, rfp_issue
from cxo.testing.factories import TEST_PASSWORD
from cxo.testing.sourcing import proposal_data


def _award(closed: SimpleNamespace) -> Award:
    return award_sign(actor=closed.sponsor_user, rfp=closed.rfp, proposal=closed.proposal, password=TEST_PASSWORD)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_an_award_drafts_a_work_order_from_the_bid_grid_and_timeline(closed: SimpleNamespace) -> None:
    award = _award(closed)
    wo = WorkOrder.objects.for_organisation(closed.sponsor).get(award=award)
    assert (wo.reference, wo.title, wo.status) == (
        work_order_reference(closed.rfp.reference),
        closed.rfp.title,
        "draft",
    )
    assert (wo.provider, wo.currency, wo.budget_total) == (closed.provider, "USD", Decimal("339001.50"))
    lines = [(b.key, b.description, b.quantity, b.unit_price, b.amount) for b in wo.budget_lines.all()]
    assert lines == [
        ("L1", "Project set-up and management", Decimal("6.000"), Decimal("12000.00"), Decimal("72000.00")),
        ("L2", "Phase II clinical supply", Decimal("3.000"), Decimal("85000.50"), Decimal("255001.50")),
        ("L3", "Release testing and documentation", Decimal("3.000"), Decimal("4000.00"), Decimal("12000.00")),
    ]
    proposed = [(m.name, m.due_date) for m in closed.proposal_version.milestones.all()]
    assert [(m.name, m.due_date) for m in wo.milestones.all()] == proposed
    assert [name for name, _ in proposed] == ["Technology transfer complete", "GMP batches released"]
    # The timeline pays equal shares of the budget until the sponsor edits it; the last takes what rounding leaves.
    assert [(m.key, m.percent, m.amount) for m in wo.milestones.all()] == [
        ("M1", Decimal("50.000"), Decimal("169500.75")),
        ("M2", Decimal("50.000"), Decimal("169500.75")),
    ]
    assert (wo.programme, wo.service.code if wo.service else None) == (closed.programme, "test.svc.secondary")
    # A draft is the sponsor's alone: its trail has it, the provider's does not (yet).
    [event] = AuditEvent.objects.for_organisation(closed.sponsor).filter(action="work_order.create", object_id=wo.pk)
    assert event.changes == {"budget_total": [None, "339001.50"], "provider": [None, "Provan CDMO"]}
    assert not AuditEvent.objects.for_organisation(closed.provider).filter(action="work_order.create", object_id=wo.pk)


def test_the_reference_follows_the_rfps() -> None:
    assert (work_order_reference("RFP-2026-001"), work_order_reference("ACME-7")) == ("WO-2026-001", "WO-ACME-7")


def test_lines_left_unpriced_stay_out_of_the_budget(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, provider_user: User, closed: SimpleNamespace
) -> None:
    rfp = rfp_create(
        actor=sponsor_user, need=closed.need, title="Two of three lines", response_deadline=closed.rfp.response_deadline
    )
    invitation = invitation_create(actor=sponsor_user, rfp=rfp, provider=provider)
    rfp = rfp_issue(actor=sponsor_user, rfp=rfp)
    invitation.refresh_from_db()
    version = proposal_submit(
        actor=provider_user, invitation=invitation, data=proposal_data(rfp, prices=["100", "200"])
    )
    rfp = rfp_close(actor=sponsor_user, rfp=rfp)
    award = award_sign(actor=sponsor_user, rfp=rfp, proposal=version.proposal, password=TEST_PASSWORD)
    wo = WorkOrder.objects.for_organisation(sponsor).get(award=award)
    assert [b.description for b in wo.budget_lines.all()] == [
        "Project set-up and management",
        "Phase II clinical supply",
    ]
    assert wo.budget_total == Decimal("1200.00") == version.total  # 6 x 100 + 3 x 200


def test_if_the_work_order_cannot_be_drafted_the_award_does_not_happen(closed: SimpleNamespace) -> None:
    # A work order already holds the reference the award's would take: drafting fails, so the award rolls back.
    WorkOrder.objects.create(
        organisation=closed.sponsor,
        provider=closed.provider,
        reference=work_order_reference(closed.rfp.reference),
        title="Entered by hand",
        currency="USD",
        budget_total=Decimal("1"),
    )
    with pytest.raises(IntegrityError):
        _award(closed)
    closed.rfp.refresh_from_db()
    assert closed.rfp.status == RfpStatus.CLOSED
    assert not Award.objects.for_organisation(closed.sponsor).filter(rfp=closed.rfp).exists()
    signed = Signature.objects.for_organisation(closed.sponsor).filter(
        content_sha256=closed.proposal_version.content_sha256
    )
    assert not signed.exists()


def test_the_sponsor_and_the_provider_see_it_and_nobody_else(
    closed: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    wo = WorkOrder.objects.for_organisation(closed.sponsor).get(award=_award(closed))
    # While drafted, only the sponsor sees it (the world's other work order is active, so both see that one).
    assert list(work_order_list(organisation=closed.sponsor)) == [wo, closed.work_order]
    assert list(work_order_list(organisation=closed.provider)) == [closed.work_order]
    assert _client(closed.provider_user).get(f"/o/{closed.provider.slug}/work-orders/{wo.pk}/").status_code == 404
    work_order_send(actor=closed.sponsor_user, organisation=closed.sponsor, work_order=wo)
    for party in (closed.sponsor, closed.provider):
        assert list(work_order_list(organisation=party)) == [wo, closed.work_order]
        assert work_order_get(organisation=party, work_order_id=wo.pk) == wo
    outsider_org = Organisation.objects.get(slug="charlie-pharma")
    for other in (provider_b, outsider_org):
        assert list(work_order_list(organisation=other)) == []
        with pytest.raises(NotFound, match=r"No such work order\."):
            work_order_get(organisation=other, work_order_id=wo.pk)

    # Pages: each party under its own organisation; anyone else gets 404.
    for user, org in ((closed.sponsor_user, closed.sponsor), (closed.provider_user, closed.provider)):
        page = _client(user).get(f"/o/{org.slug}/work-orders/{wo.pk}/")
        assert page.status_code == 200 and wo.reference in page.content.decode()
    assert _client(provider_b_user).get(f"/o/{provider_b.slug}/work-orders/{wo.pk}/").status_code == 404
    assert _client(closed.outsider).get(f"/o/{closed.sponsor.slug}/work-orders/{wo.pk}/").status_code == 404

    # The API: the same.
    def api(user: User, slug: str) -> tuple[int, object]:
        _, secret = api_token_create(user=user, name="t")
        response = Client().get(
            f"/api/v1/organisations/{slug}/work-orders/{wo.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        return response.status_code, response.json()

    status, body = api(closed.provider_user, closed.provider.slug)
    assert status == 200 and isinstance(body, dict)
    assert (body["sponsor"], body["provider"], body["budget_total"]) == ("Alpha Biotech", "Provan CDMO", "339001.50")
    assert api(provider_b_user, provider_b.slug) == (404, {"detail": "No such work order."})
    assert api(closed.outsider, closed.sponsor.slug) == (404, {"detail": "No such organisation."})


def test_the_award_links_its_work_order_and_only_the_sponsor_is_linked_back(closed: SimpleNamespace) -> None:
    award = _award(closed)
    wo = WorkOrder.objects.for_organisation(closed.sponsor).get(award=award)
    work_order_send(actor=closed.sponsor_user, organisation=closed.sponsor, work_order=wo)
    rfp_page = _client(closed.sponsor_user).get(f"/o/{closed.sponsor.slug}/rfps/{closed.rfp.pk}/").content.decode()
    assert (
        f'href="/o/{closed.sponsor.slug}/work-orders/{wo.pk}/" data-testid="work-order-link">Work order WO-' in rfp_page
    )
    sponsor_view = _client(closed.sponsor_user).get(f"/o/{closed.sponsor.slug}/work-orders/{wo.pk}/").content.decode()
    provider_view = (
        _client(closed.provider_user).get(f"/o/{closed.provider.slug}/work-orders/{wo.pk}/").content.decode()
    )
    assert f'href="/o/{closed.sponsor.slug}/rfps/{closed.rfp.pk}/"' in sponsor_view
    assert "/rfps/" not in provider_view and f"From {closed.rfp.reference}" not in provider_view
    _, secret = api_token_create(user=closed.provider_user, name="t")
    listed = (
        Client()
        .get(
            f"/api/v1/organisations/{closed.provider.slug}/work-orders?rfp_id={closed.rfp.pk}",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        .json()
    )
    assert [(w["id"], w["rfp_id"], w["status"]) for w in listed] == [(wo.pk, closed.rfp.pk, "sent")]
