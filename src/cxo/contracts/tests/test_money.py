"""Milestones accepted on evidence, invoices within what was accepted and budgeted, change orders signed by both
with versioned baselines, and the money figures (budget, committed, accepted, invoiced, paid, remaining, accrued)
per work order and per currency — checked against hand computations.

The world's work order: lines 6 x 1,000 + 3 x 2,000 + 3 x 300 = 12,900 USD, two milestones of 50% (6,450 each);
the first accepted and invoiced (INV-0001, submitted); a sponsor's draft change order adds a 500 line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cxo.contracts.models import Milestone
from cxo.contracts.selectors import baseline_view, change_order_diff, change_order_get
from cxo.contracts.selectors.money import money_view
from cxo.contracts.services.change_orders import change_order_create, change_order_reject, change_order_sign
from cxo.contracts.services.invoices import (
    InvoiceLineInput,
    invoice_approve,
    invoice_dispute,
    invoice_pay,
    invoice_resubmit,
    invoice_submit,
    invoice_withdraw,
)
from cxo.contracts.services.milestones import milestone_accept, milestone_reject, milestone_report
from cxo.contracts.services.terms import LineInput, terms_input_of
from cxo.core.documents import DocumentData
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import AuditEvent
from cxo.testing.contracts import PDF, agreement_in_force, awarded_work_order, work_order_activated
from cxo.testing.factories import TEST_PASSWORD

D = Decimal


def _m2(world: SimpleNamespace) -> Milestone:
    milestones: list[Milestone] = list(world.work_order.milestones.all())
    return milestones[1]


def _invoice(world: SimpleNamespace, number: str, **line: object) -> object:
    return invoice_submit(
        actor=world.provider_user,
        organisation=world.provider,
        work_order=world.work_order,
        number=number,
        issue_date=timezone.localdate(),
        lines=[InvoiceLineInput(**line)],  # type: ignore[arg-type]  # the test's keyword arguments
    )


def test_a_milestone_is_reported_with_evidence_and_accepted_or_rejected_with_a_reason(world: SimpleNamespace) -> None:
    m2 = _m2(world)
    with pytest.raises(ServiceError, match=r"Attach the evidence"):
        milestone_report(actor=world.provider_user, organisation=world.provider, milestone=m2, note="", evidence=[])
    with pytest.raises(Conflict, match=r"^Only the provider may take this step on a milestone\.$"):
        milestone_report(
            actor=world.sponsor_user,
            organisation=world.sponsor,
            milestone=m2,
            note="",
            evidence=[DocumentData("x.pdf", PDF)],
        )
    evidence = [DocumentData("release-certificate.pdf", PDF + b"batch 1", "application/pdf")]
    m2 = milestone_report(
        actor=world.provider_user, organisation=world.provider, milestone=m2, note="Done", evidence=evidence
    )
    with pytest.raises(ServiceError, match=r"Say why"):
        milestone_reject(actor=world.sponsor_user, organisation=world.sponsor, milestone=m2, reason="")
    m2 = milestone_reject(actor=world.sponsor_user, organisation=world.sponsor, milestone=m2, reason="Unsigned CoA.")
    assert (m2.status, m2.decision_reason) == ("rejected", "Unsigned CoA.")
    with pytest.raises(Conflict, match=r"the milestone is rejected; only an accepted milestone can be invoiced"):
        _invoice(world, "INV-0002", milestone_id=m2.pk)
    again = [DocumentData("release-certificate.pdf", PDF + b"batch 1, signed", "application/pdf")]
    milestone_report(
        actor=world.provider_user, organisation=world.provider, milestone=m2, note="Signed", evidence=again
    )
    m2 = milestone_accept(actor=world.sponsor_user, organisation=world.sponsor, milestone=m2)
    assert m2.status == "accepted"
    assert [(d.name, d.version) for d in m2.documents.order_by("id")] == [
        ("release-certificate.pdf", 1),
        ("release-certificate.pdf", 2),
    ]
    assert m2.documents.order_by("id")[0].sha256 != m2.documents.order_by("id")[1].sha256


def test_an_invoice_above_the_accepted_amount_is_refused_with_the_figures(world: SimpleNamespace) -> None:
    m1 = world.milestone
    with pytest.raises(Conflict) as refused:
        _invoice(world, "INV-0002", milestone_id=m1.pk, amount=D("1"))
    assert refused.value.message == (
        "Line 1 (Technology transfer complete): USD 1.00 is above what was accepted and not yet invoiced "
        "(USD 6,450.00 accepted, USD 6,450.00 already invoiced)."
    )
    with pytest.raises(Conflict, match=r"invoiced by milestone, not as time and materials"):
        _invoice(world, "INV-0002", budget_line_id=world.work_order.budget_lines.first().pk, quantity=D("1"))
    with pytest.raises(ServiceError, match=r"Invoice INV-0001 is already on this work order"):
        _invoice(world, "INV-0001", milestone_id=m1.pk)
    # Withdrawn, its amount can be invoiced again; never twice.
    invoice_withdraw(actor=world.provider_user, organisation=world.provider, invoice=world.invoice)
    again = _invoice(world, "INV-0002", milestone_id=m1.pk, amount=D("6000"))
    assert again.total == D("6000")  # type: ignore[attr-defined]
    with pytest.raises(Conflict, match=r"USD 450.01 is above .* \(USD 6,450.00 accepted, USD 6,000.00 already"):
        _invoice(world, "INV-0003", milestone_id=m1.pk, amount=D("450.01"))


def test_dispute_answer_resubmit_approve_and_pay(world: SimpleNamespace) -> None:
    inv = world.invoice
    with pytest.raises(Conflict, match=r"^An invoice that is submitted cannot be marked paid\.$"):
        invoice_pay(actor=world.sponsor_user, organisation=world.sponsor, invoice=inv)
    inv = invoice_dispute(actor=world.sponsor_user, organisation=world.sponsor, invoice=inv, reason="Wrong PO number.")
    lines = [InvoiceLineInput(milestone_id=world.milestone.pk, amount=D("6450.00"))]
    inv = invoice_resubmit(
        actor=world.provider_user, organisation=world.provider, invoice=inv, answer="PO corrected.", lines=lines
    )
    assert (inv.status, inv.revision, inv.answer) == ("submitted", 2, "PO corrected.")
    inv = invoice_approve(actor=world.sponsor_user, organisation=world.sponsor, invoice=inv)
    inv = invoice_pay(actor=world.sponsor_user, organisation=world.sponsor, invoice=inv, reference="PAY-77")
    assert (inv.status, inv.paid_on, inv.payment_reference) == ("paid", timezone.localdate(), "PAY-77")
    actions = ["invoice.submit", "invoice.dispute", "invoice.resubmit", "invoice.approve", "invoice.pay"]
    for party in (world.sponsor, world.provider):
        trail = AuditEvent.objects.for_organisation(party).filter(object_type="contracts.invoice", object_id=inv.pk)
        assert [e.action for e in trail.order_by("id")] == actions


def test_a_change_order_adding_a_line_and_moving_a_milestone_is_signed_by_both(world: SimpleNamespace) -> None:
    wo, m2 = world.work_order, _m2(world)
    terms = terms_input_of(wo)
    terms.lines.append(LineInput("Extra stability pull", "time point", D("2"), D("750")))
    moved = m2.due_date + dt.timedelta(days=21)
    terms.milestones[1].due_date = moved
    co = change_order_create(
        actor=world.provider_user,
        organisation=world.provider,
        work_order=wo,
        title="Extra pulls, later release",
        reason="Two extra pull points requested by QA.",
        terms=terms,
    )
    # The provider's draft is its own until it signs it.
    with pytest.raises(NotFound):
        change_order_get(organisation=world.sponsor, change_order_id=co.pk)
    diff = change_order_diff(change_order=co)
    assert [(r.key, r.change) for r in diff.lines] == [
        ("L1", "unchanged"),
        ("L2", "unchanged"),
        ("L3", "unchanged"),
        ("L4", "added"),
    ]
    # M2's share (50%) follows the new budget; M1 is accepted, so its payment stays.
    assert [(r.key, r.change, r.fields) for r in diff.milestones] == [
        ("M1", "unchanged", ()),
        ("M2", "changed", ("due_date", "amount")),
    ]
    assert (diff.before.total, diff.after.total) == (D("12900"), D("14400"))
    change_order_sign(actor=world.provider_user, organisation=world.provider, change_order=co, password=TEST_PASSWORD)
    co = change_order_get(organisation=world.sponsor, change_order_id=co.pk)
    assert co.status == "proposed"
    co = change_order_sign(
        actor=world.sponsor_user, organisation=world.sponsor, change_order=co, password=TEST_PASSWORD
    )
    assert co.status == "executed"
    assert co.sponsor_signature and co.provider_signature
    assert co.sponsor_signature.content_sha256 == co.provider_signature.content_sha256
    wo.refresh_from_db()
    assert (wo.baseline_number, wo.budget_total) == (1, D("14400"))
    m2.refresh_from_db()
    # The shares add up to 100%, so the last pays what the budget leaves beside M1 (accepted, fixed at 6,450).
    assert (m2.due_date, m2.amount) == (moved, D("7950"))
    before, after = baseline_view(work_order=wo, number=0), baseline_view(work_order=wo, number=1)
    assert (before.total, after.total) == (D("12900"), D("14400"))
    assert [m.due_date for m in before.terms.milestones][1] == moved - dt.timedelta(days=21)
    assert after.label == "CO-2 Extra pulls, later release"
    # The world's own draft (CO-1) now changes a baseline that is gone: refused, with the reason.
    with pytest.raises(Conflict, match=r"baseline changed since this change order was drafted"):
        change_order_sign(
            actor=world.sponsor_user,
            organisation=world.sponsor,
            change_order=world.change_order,
            password=TEST_PASSWORD,
        )


def test_a_change_order_cannot_undo_what_is_accepted(world: SimpleNamespace) -> None:
    terms = terms_input_of(world.work_order)
    del terms.milestones[0]
    with pytest.raises(Conflict, match=r"The milestone 'Technology transfer complete' is accepted: its payment"):
        change_order_create(
            actor=world.sponsor_user,
            organisation=world.sponsor,
            work_order=world.work_order,
            title="Drop M1",
            reason="x",
            terms=terms,
        )
    with pytest.raises(ServiceError, match=r"changes nothing"):
        change_order_create(
            actor=world.sponsor_user,
            organisation=world.sponsor,
            work_order=world.work_order,
            title="Same",
            reason="x",
            terms=terms_input_of(world.work_order),
        )


def test_the_other_party_rejects_a_proposed_change(world: SimpleNamespace) -> None:
    co = change_order_sign(
        actor=world.sponsor_user, organisation=world.sponsor, change_order=world.change_order, password=TEST_PASSWORD
    )
    with pytest.raises(Conflict, match=r"^Only the other party may take this step on a change order\.$"):
        change_order_reject(actor=world.sponsor_user, organisation=world.sponsor, change_order=co, reason="x")
    co = change_order_reject(actor=world.provider_user, organisation=world.provider, change_order=co, reason="Too low.")
    assert (co.status, co.decision_reason) == ("rejected", "Too low.")
    world.work_order.refresh_from_db()
    assert world.work_order.budget_total == D("12900")


def test_the_money_view_matches_a_hand_computation(world: SimpleNamespace) -> None:
    def figures() -> tuple[Decimal, ...]:
        [row] = money_view(organisation=world.sponsor, work_order_id=world.work_order.pk).rows
        f = row.figures
        return (f.budget, f.committed, f.accepted, f.invoiced, f.paid, f.remaining, f.accrued)

    # 12,900 budgeted and committed; M1 (6,450) accepted and invoiced the same day: nothing to accrue.
    assert figures() == (D("12900"), D("12900"), D("6450"), D("6450"), D(0), D("6450"), D(0))
    m2 = _m2(world)
    milestone_report(
        actor=world.provider_user,
        organisation=world.provider,
        milestone=m2,
        note="",
        evidence=[DocumentData("r.pdf", PDF + b"2")],
    )
    milestone_accept(actor=world.sponsor_user, organisation=world.sponsor, milestone=m2)
    invoice_approve(actor=world.sponsor_user, organisation=world.sponsor, invoice=world.invoice)
    invoice_pay(actor=world.sponsor_user, organisation=world.sponsor, invoice=world.invoice)
    # M2 accepted, not invoiced: 6,450 to accrue this month; 6,450 paid.
    assert figures() == (D("12900"), D("12900"), D("12900"), D("6450"), D("6450"), D(0), D("6450"))
    # The provider reads the same figures for the same work order.
    [row] = money_view(organisation=world.provider, work_order_id=world.work_order.pk).rows
    assert (row.figures.accepted, row.figures.accrued) == (D("12900"), D("6450"))


def test_accruals_are_per_month_and_per_currency(world: SimpleNamespace) -> None:
    sponsor, provider = world.sponsor, world.provider
    yen_agreement = agreement_in_force(
        sponsor=sponsor,
        sponsor_user=world.sponsor_user,
        provider=provider,
        provider_user=world.provider_user,
        currency="JPY",
        title="Japan services agreement",
    )
    yen = awarded_work_order(
        sponsor_user=world.sponsor_user,
        provider=provider,
        provider_user=world.provider_user,
        need=world.need,
        title="Japanese bridging study",
        currency="JPY",
        prices=("100000", "250000", "33333"),
    )
    yen = work_order_activated(
        work_order=yen, agreement=yen_agreement, sponsor_user=world.sponsor_user, provider_user=world.provider_user
    )
    # 600,000 + 750,000 + 99,999 = 1,449,999 JPY; 50% is 724,999.5, rounded half up to the yen.
    assert yen.budget_total == D("1449999")
    first = yen.milestones.first()
    assert first is not None and first.amount == D("725000")
    milestone_report(
        actor=world.provider_user,
        organisation=provider,
        milestone=first,
        note="",
        evidence=[DocumentData("j.pdf", PDF)],
    )
    milestone_accept(actor=world.sponsor_user, organisation=sponsor, milestone=first)
    # Accepted last month, invoiced this month: it accrues for last month, not for this one.
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    Milestone.unscoped.filter(pk=world.milestone.pk).update(decided_at=timezone.now() - dt.timedelta(days=40))
    this = money_view(organisation=sponsor)
    assert {c: f.accrued for c, f in this.totals.items()} == {"JPY": D("725000"), "USD": D(0)}
    before = money_view(organisation=sponsor, month=last_month)
    assert [(a.work_order.reference, a.milestone, a.accrued) for a in before.accruals] == [
        (world.work_order.reference, "Technology transfer complete", D("6450"))
    ]
    assert before.accrual_totals == {"JPY": D(0), "USD": D("6450")}
    assert {c: (f.budget, f.accepted) for c, f in this.totals.items()} == {
        "JPY": (D("1449999"), D("725000")),
        "USD": (D("12900"), D("6450")),
    }
