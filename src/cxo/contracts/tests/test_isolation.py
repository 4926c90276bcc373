"""Provider B never sees provider A's work orders, milestones, change orders, invoices, agreements or documents;
sponsor B never sees sponsor A's — through selectors, pages and the API (the walk covers every route; these
check each record type by hand, including what a party sees of the other's drafts)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cxo.contracts import selectors
from cxo.contracts.models import (
    ChangeOrder,
    ContractDocument,
    Invoice,
    InvoiceLine,
    MasterAgreement,
    Milestone,
    WorkOrder,
)
from cxo.contracts.selectors.agenda import agenda_for
from cxo.contracts.selectors.money import money_view
from cxo.core.errors import NotFound
from cxo.core.models import Organisation, User
from cxo.core.services import api_token_create

from .conftest import client_for

MODELS = [WorkOrder, Milestone, ChangeOrder, Invoice, InvoiceLine, MasterAgreement, ContractDocument]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_nobody_else_reaches_a_contracts_row(world: SimpleNamespace, provider_b: Organisation, model: object) -> None:
    sponsor_b = Organisation.objects.get(slug="charlie-pharma")
    assert model.objects.for_party(world.sponsor).exists()  # type: ignore[attr-defined]  # a tenant model
    for other in (provider_b, sponsor_b):
        assert not model.objects.for_party(other).exists()  # type: ignore[attr-defined]  # a tenant model


def test_selectors_pages_and_api_give_provider_b_and_sponsor_b_nothing(
    world: SimpleNamespace, provider_b: Organisation, provider_b_user: User, outsider: User
) -> None:
    sponsor_b = Organisation.objects.get(slug="charlie-pharma")
    ids = {
        "work_order": world.work_order.pk,
        "milestone": world.milestone.pk,
        "change_order": world.change_order.pk,
        "invoice": world.invoice.pk,
        "agreement": world.master_agreement.pk,
        "document": world.evidence.pk,
    }
    for org in (provider_b, sponsor_b):
        assert list(selectors.work_order_list(organisation=org)) == []
        assert list(selectors.agreement_list(organisation=org)) == []
        assert money_view(organisation=org).rows == [] and money_view(organisation=org).accruals == []
        assert agenda_for(organisation=org).items == []
        for get, kw in (
            (selectors.work_order_get, {"work_order_id": ids["work_order"]}),
            (selectors.milestone_get, {"milestone_id": ids["milestone"]}),
            (selectors.change_order_get, {"change_order_id": ids["change_order"]}),
            (selectors.invoice_get, {"invoice_id": ids["invoice"]}),
            (selectors.agreement_get, {"agreement_id": ids["agreement"]}),
            (selectors.contract_document_get, {"document_id": ids["document"]}),
        ):
            with pytest.raises(NotFound):
                get(organisation=org, **kw)
    pages = [
        f"work-orders/{ids['work_order']}/",
        f"work-orders/{ids['work_order']}/pdf/",
        f"change-orders/{ids['change_order']}/",
        f"agreements/{ids['agreement']}/",
        f"contract-documents/{ids['document']}/",
        f"programmes/{world.programme.pk}/execution/",
    ]
    for user, org in ((provider_b_user, provider_b), (outsider, sponsor_b)):
        client = client_for(user)
        for page in pages:
            assert client.get(f"/o/{org.slug}/{page}").status_code == 404, page
        listed = client.get(f"/o/{org.slug}/work-orders/").content.decode()
        assert world.work_order.reference not in listed
        _, token = api_token_create(user=user, name="t")
        for path in (
            f"work-orders/{ids['work_order']}",
            f"change-orders/{ids['change_order']}",
            f"invoices/{ids['invoice']}",
            f"agreements/{ids['agreement']}",
            f"contract-documents/{ids['document']}",
        ):
            response = client.get(f"/api/v1/organisations/{org.slug}/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
            assert response.status_code == 404, path
        money = client.get(f"/api/v1/organisations/{org.slug}/money", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert money["rows"] == [] and money["totals"] == []


def test_a_party_does_not_see_the_others_drafts(world: SimpleNamespace) -> None:
    # The sponsor's change-order draft: its own; the provider does not see it, on the page or in the list.
    with pytest.raises(NotFound):
        selectors.change_order_get(organisation=world.provider, change_order_id=world.change_order.pk)
    wo = selectors.work_order_get(organisation=world.provider, work_order_id=world.work_order.pk)
    assert list(wo.change_orders.all()) == []
    page = client_for(world.provider_user).get(f"/o/{world.provider.slug}/work-orders/{wo.pk}/").content.decode()
    assert "One more stability time point" not in page
    sponsor_page = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/work-orders/{wo.pk}/").content.decode()
    assert "One more stability time point" in sponsor_page
