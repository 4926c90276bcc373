"""The work order's life: the sponsor edits and sends the draft, the provider returns or countersigns it, the
sponsor signs (the original baseline) and activates it; each step by its side only, refused with a message
otherwise; the agreement and quality decide activation; both signatures bound to one content hash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cxo.contracts.content import work_order_content
from cxo.contracts.models import Baseline, WorkOrder
from cxo.contracts.services.agreements import agreement_terminate, contract_policy_set
from cxo.contracts.services.terms import LineInput, MilestoneInput, TermsInput, terms_input_of
from cxo.contracts.services.work_orders import (
    work_order_activate,
    work_order_cancel,
    work_order_complete,
    work_order_return,
    work_order_send,
    work_order_sign,
    work_order_update,
)
from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Signature, User
from cxo.core.services import membership_add
from cxo.core.signatures import content_sha256
from cxo.testing.factories import TEST_PASSWORD, UserFactory

from .conftest import client_for


def _terms(wo: WorkOrder) -> TermsInput:
    return TermsInput(
        scope="Transfer and validate the dissolution method.",
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + dt.timedelta(days=90),
        lines=[
            LineInput("Method transfer", "study", Decimal("1"), Decimal("800.00"), key="L1"),
            LineInput("Validation report", "report", Decimal("2"), Decimal("215.50")),
        ],
        milestones=[
            MilestoneInput("Transfer complete", timezone.localdate() + dt.timedelta(days=30), amount=Decimal("800")),
            MilestoneInput("Report approved", timezone.localdate() + dt.timedelta(days=90), percent=Decimal("25")),
        ],
    )


def test_the_sponsor_edits_the_draft_and_the_server_computes_every_amount(
    world: SimpleNamespace, draft: WorkOrder
) -> None:
    wo = work_order_update(
        actor=world.sponsor_user,
        organisation=world.sponsor,
        work_order=draft,
        terms=_terms(draft),
        agreement_id=world.master_agreement.pk,
        title="Dissolution method transfer",
    )
    assert (wo.title, wo.agreement, wo.budget_total) == (
        "Dissolution method transfer",
        world.master_agreement,
        Decimal("1231"),
    )
    assert [(b.key, b.amount) for b in wo.budget_lines.all()] == [("L1", Decimal("800")), ("L4", Decimal("431"))]
    # 25% of 1,231.00 is 307.75; the first milestone's amount is as typed.
    assert [(m.name, m.amount, m.percent) for m in wo.milestones.all()] == [
        ("Transfer complete", Decimal("800"), None),
        ("Report approved", Decimal("307.75"), Decimal("25")),
    ]
    [event] = AuditEvent.objects.for_organisation(world.sponsor).filter(action="work_order.update", object_id=wo.pk)
    assert event.changes["budget_total"] == ["1230.00", "1231.00"]
    assert event.changes["title"] == ["Method transfer", "Dissolution method transfer"]
    with pytest.raises(ServiceError, match=r"Line 1 \(Method transfer\) unit price: 1\.005 has more places than USD"):
        terms = _terms(wo)
        terms.lines[0].unit_price = Decimal("1.005")
        work_order_update(actor=world.sponsor_user, organisation=world.sponsor, work_order=wo, terms=terms)


def test_sent_returned_countersigned_signed_and_activated(world: SimpleNamespace, draft: WorkOrder) -> None:
    sponsor, provider = world.sponsor, world.provider
    wo = work_order_update(
        actor=world.sponsor_user,
        organisation=sponsor,
        work_order=draft,
        terms=terms_input_of(draft),
        agreement_id=world.master_agreement.pk,
    )
    wo = work_order_send(actor=world.sponsor_user, organisation=sponsor, work_order=wo)
    wo = work_order_return(
        actor=world.provider_user, organisation=provider, work_order=wo, comment="Add a report line."
    )
    assert (wo.status, wo.return_comment) == ("draft", "Add a report line.")
    work_order_send(actor=world.sponsor_user, organisation=sponsor, work_order=wo)
    wo = work_order_sign(actor=world.provider_user, organisation=provider, work_order=wo, password=TEST_PASSWORD)
    assert wo.status == "provider_signed" and wo.sponsor_signature is None
    wo = work_order_sign(
        actor=world.sponsor_user,
        organisation=sponsor,
        work_order=wo,
        password=TEST_PASSWORD,
        meaning="agreed for Alpha",
    )
    assert (wo.status, wo.baseline_number) == ("signed", 0)
    # Both signatures are bound to the same content, which is the original baseline.
    expected = content_sha256(work_order_content(wo))
    assert wo.provider_signature and wo.sponsor_signature
    assert wo.provider_signature.content_sha256 == wo.sponsor_signature.content_sha256 == expected
    assert (wo.provider_signature.organisation, wo.sponsor_signature.organisation) == (provider, sponsor)
    assert wo.sponsor_signature.meaning == "agreed for Alpha"
    [baseline] = Baseline.objects.for_organisation(sponsor).filter(work_order=wo)
    assert (baseline.number, baseline.total, baseline.content_sha256) == (0, Decimal("1230"), expected)
    wo = work_order_activate(actor=world.sponsor_user, organisation=sponsor, work_order=wo)
    assert wo.status == "active" and wo.activated_at is not None
    actions = ["work_order.send", "work_order.return", "work_order.send", "work_order.sign", "work_order.sign"]
    for party in (sponsor, provider):
        trail = AuditEvent.objects.for_organisation(party).filter(object_type="contracts.workorder", object_id=wo.pk)
        assert [e.action for e in trail.order_by("id")][-6:] == [*actions, "work_order.activate"]


def test_each_step_is_its_sides_and_illegal_ones_are_refused(world: SimpleNamespace, draft: WorkOrder) -> None:
    sponsor, provider = world.sponsor, world.provider
    with pytest.raises(Conflict, match=r"^A work order that is draft cannot be activated\.$"):
        work_order_activate(actor=world.sponsor_user, organisation=sponsor, work_order=draft)
    with pytest.raises(NotFound, match=r"No such work order"):  # a draft is not the provider's to see
        work_order_send(actor=world.provider_user, organisation=provider, work_order=draft)
    work_order_send(actor=world.sponsor_user, organisation=sponsor, work_order=draft)
    with pytest.raises(Conflict, match=r"^Only the sponsor may take this step on a work order\.$"):
        work_order_cancel(actor=world.provider_user, organisation=provider, work_order=draft, reason="no")
    with pytest.raises(Conflict, match=r"^A work order that is sent to provider cannot be signed by the sponsor\.$"):
        work_order_sign(actor=world.sponsor_user, organisation=sponsor, work_order=draft, password=TEST_PASSWORD)
    with pytest.raises(ServiceError, match=r"Say what should change"):
        work_order_return(actor=world.provider_user, organisation=provider, work_order=draft, comment=" ")
    with pytest.raises(Conflict, match=r"Accept every milestone before completing"):
        work_order_complete(actor=world.sponsor_user, organisation=sponsor, work_order=world.work_order)


def test_signing_needs_the_password_and_the_right(world: SimpleNamespace, draft: WorkOrder) -> None:
    viewer = UserFactory.create(username="vera")
    membership_add(actor=None, organisation=world.sponsor, user=viewer, role="viewer")
    with pytest.raises(NotPermitted, match=r"^Your role \(Viewer\) does not allow signing contracts\.$"):
        work_order_sign(actor=viewer, organisation=world.sponsor, work_order=draft, password=TEST_PASSWORD)
    work_order_send(actor=world.sponsor_user, organisation=world.sponsor, work_order=draft)
    with pytest.raises(NotPermitted, match=r"The password is not correct"):
        work_order_sign(actor=world.provider_user, organisation=world.provider, work_order=draft, password="nope")
    draft.refresh_from_db()
    assert draft.status == "sent"
    failed = AuditEvent.objects.for_organisation(world.provider).filter(action="signature.failed")
    assert failed.count() == 1  # the failed attempt stays in the trail


def test_the_policy_and_the_agreement_decide_signing_and_activation(world: SimpleNamespace, draft: WorkOrder) -> None:
    sponsor, provider = world.sponsor, world.provider
    work_order_send(actor=world.sponsor_user, organisation=sponsor, work_order=draft)
    with pytest.raises(Conflict, match=r"^Alpha Biotech requires a master agreement in force to sign a work order"):
        work_order_sign(actor=world.provider_user, organisation=provider, work_order=draft, password=TEST_PASSWORD)
    contract_policy_set(actor=world.sponsor_user, organisation=sponsor, require_agreement=False)
    work_order_sign(actor=world.provider_user, organisation=provider, work_order=draft, password=TEST_PASSWORD)
    work_order_sign(actor=world.sponsor_user, organisation=sponsor, work_order=draft, password=TEST_PASSWORD)
    assert work_order_activate(actor=world.sponsor_user, organisation=sponsor, work_order=draft).status == "active"


def test_activation_is_refused_while_the_agreement_is_not_in_force(world: SimpleNamespace, draft: WorkOrder) -> None:
    sponsor = world.sponsor
    wo = work_order_update(
        actor=world.sponsor_user,
        organisation=sponsor,
        work_order=draft,
        terms=terms_input_of(draft),
        agreement_id=world.master_agreement.pk,
    )
    work_order_send(actor=world.sponsor_user, organisation=sponsor, work_order=wo)
    work_order_sign(actor=world.provider_user, organisation=world.provider, work_order=wo, password=TEST_PASSWORD)
    work_order_sign(actor=world.sponsor_user, organisation=sponsor, work_order=wo, password=TEST_PASSWORD)
    agreement_terminate(
        actor=world.sponsor_user, organisation=sponsor, agreement=world.master_agreement, reason="Replaced."
    )
    reference = world.master_agreement.reference
    with pytest.raises(Conflict, match=rf"^The master agreement {reference} is not in force \(terminated\)\.$"):
        work_order_activate(actor=world.sponsor_user, organisation=sponsor, work_order=wo)


def test_the_page_offers_only_the_steps_the_side_and_role_allow(world: SimpleNamespace, draft: WorkOrder) -> None:
    sponsor_page = (
        client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/work-orders/{draft.pk}/").content.decode()
    )
    assert 'data-testid="wo-send"' in sponsor_page and 'data-testid="wo-edit"' in sponsor_page
    work_order_send(actor=world.sponsor_user, organisation=world.sponsor, work_order=draft)
    provider_page = (
        client_for(world.provider_user).get(f"/o/{world.provider.slug}/work-orders/{draft.pk}/").content.decode()
    )
    assert 'data-testid="wo-sign"' in provider_page and 'data-testid="wo-return"' in provider_page
    assert 'data-testid="wo-send"' not in provider_page and 'data-testid="wo-edit"' not in provider_page
    sponsor_page = (
        client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/work-orders/{draft.pk}/").content.decode()
    )
    assert 'data-testid="wo-sign"' not in sponsor_page  # the provider signs first


def test_the_signed_work_order_is_a_pdf_with_its_signatures(world: SimpleNamespace) -> None:
    response = client_for(world.provider_user).get(f"/o/{world.provider.slug}/work-orders/{world.work_order.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == f'attachment; filename="{world.work_order.reference}.pdf"'
    signatures = Signature.objects.for_organisation(world.provider).filter(
        object_type="contracts.workorder", object_id=str(world.work_order.pk)
    )
    assert signatures.count() == 1


def test_nothing_but_a_user_of_a_party_can_act(world: SimpleNamespace, draft: WorkOrder, outsider: User) -> None:
    with pytest.raises(NotFound):
        work_order_send(actor=outsider, organisation=world.sponsor, work_order=draft)
