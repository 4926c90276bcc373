"""What the home pages and the programme view show: late milestones on both sides, invoices to send and to
approve, the timeline and spend charts with late items first; the money and programme views' query counts do not
grow with the number of work orders, milestones and invoices."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxo.contracts.models import Milestone
from cxo.contracts.selectors.agenda import agenda_for
from cxo.contracts.selectors.money import money_view
from cxo.contracts.selectors.programme import programme_view
from cxo.contracts.services.invoices import InvoiceLineInput, invoice_submit
from cxo.testing.contracts import awarded_work_order, milestone_accepted, work_order_activated

from .conftest import client_for


def _late(world: SimpleNamespace) -> Milestone:
    m2: Milestone = list(world.work_order.milestones.all())[1]
    Milestone.unscoped.filter(pk=m2.pk).update(due_date=timezone.localdate() - dt.timedelta(days=5))
    return m2


def test_late_milestones_and_invoices_reach_both_sides(world: SimpleNamespace) -> None:
    m2 = _late(world)
    sponsor, provider = agenda_for(organisation=world.sponsor), agenda_for(organisation=world.provider)
    assert [(i.kind, i.title) for i in sponsor.items] == [
        ("late", "“GMP batches released” is 5 days late"),
        ("approve", "Invoice INV-0001: USD 6,450.00"),
    ]
    assert (provider.items[0].kind, provider.items[0].title) == ("late", "“GMP batches released” is 5 days late")
    assert provider.late[0].url.endswith(
        f"/o/{world.provider.slug}/work-orders/{world.work_order.pk}/#milestone-{m2.pk}"
    )
    page = client_for(world.provider_user).get(f"/o/{world.provider.slug}/work-orders/").content.decode()
    assert "is 5 days late" in page and 'data-testid="contracts-agenda"' in page
    detail = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/work-orders/{world.work_order.pk}/")
    assert detail.content.decode().count('data-testid="late"') == 1
    for user in (world.sponsor_user, world.provider_user):  # and on each side's home page
        home = client_for(user).get("/", follow=True).content.decode()
        assert "Contracts: what needs you" in home and "“GMP batches released” is 5 days late" in home


def test_accepted_milestones_not_invoiced_are_the_providers_invoices_to_send(world: SimpleNamespace) -> None:
    m2 = list(world.work_order.milestones.all())[1]
    milestone_accepted(
        work_order=world.work_order, sponsor_user=world.sponsor_user, provider_user=world.provider_user, position=1
    )
    items = [(i.kind, i.title) for i in agenda_for(organisation=world.provider).items]
    assert ("invoice", "Invoice “GMP batches released”: USD 6,450.00") in items
    invoice_submit(
        actor=world.provider_user,
        organisation=world.provider,
        work_order=world.work_order,
        number="INV-0002",
        issue_date=timezone.localdate(),
        lines=[InvoiceLineInput(milestone_id=m2.pk)],
    )
    assert "invoice" not in [i.kind for i in agenda_for(organisation=world.provider).items]


def test_the_programme_view_puts_late_items_first_and_draws_its_charts(world: SimpleNamespace) -> None:
    _late(world)
    view = programme_view(organisation=world.sponsor, programme_id=world.programme.pk)
    assert [i.what for i in view.late] == ["Milestone “GMP batches released”"]
    assert view.rows[0].kind == "work_order" and view.rows[0].late
    assert {r.kind for r in view.rows} == {"need", "rfp", "work_order"}
    assert 'class="timeline"' in view.timeline and "GMP batches released" in view.timeline
    [chart] = view.spend
    assert chart.currency == "USD" and "Provan CDMO" in chart.svg and "6,450.00 of 12,900.00" in chart.svg
    page = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/programmes/{world.programme.pk}/execution/")
    html = page.content.decode()
    assert page.status_code == 200 and html.index('data-testid="late-items"') < html.index('data-testid="timeline"')
    assert "<script" not in view.timeline and "&lt;" not in world.work_order.title


def test_the_money_and_programme_views_take_the_same_queries_for_more_rows(world: SimpleNamespace) -> None:
    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as money:
            view = money_view(organisation=world.sponsor)
            assert view.rows
        with CaptureQueriesContext(connection) as programme:
            programme_view(organisation=world.sponsor, programme_id=world.programme.pk)
        return len(money.captured_queries), len(programme.captured_queries)

    before = counts()
    for n in range(2):
        wo = awarded_work_order(
            sponsor_user=world.sponsor_user,
            provider=world.provider,
            provider_user=world.provider_user,
            need=world.need,
            title=f"More work {n}",
        )
        wo = work_order_activated(
            work_order=wo,
            agreement=world.master_agreement,
            sponsor_user=world.sponsor_user,
            provider_user=world.provider_user,
        )
        milestone_accepted(work_order=wo, sponsor_user=world.sponsor_user, provider_user=world.provider_user)
    after = counts()
    assert after == before
    assert len(money_view(organisation=world.sponsor).rows) == 3
