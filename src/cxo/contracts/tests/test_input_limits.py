"""Contracts on the central input rules (issue 11): column bounds in the API, document-carrying operations
sized for their documents, typed text that stays text in the money XLSX, and a refused signing right recorded."""

from __future__ import annotations

import base64
import io
import json
from types import SimpleNamespace

import pytest
from django.test import Client
from openpyxl import load_workbook

from cxo.contracts.models import WorkOrder
from cxo.contracts.services.terms import terms_input_of
from cxo.contracts.services.work_orders import work_order_send, work_order_sign, work_order_update
from cxo.core.errors import NotPermitted
from cxo.core.models import AuditEvent, User
from cxo.core.services import api_token_create
from cxo.testing.factories import TEST_PASSWORD

from .conftest import client_for


def _api(user: User, method: str, path: str, body: object) -> tuple[int, dict[str, object]]:
    _, token = api_token_create(user=user, name="test")
    response = Client().generic(
        method,
        f"/api/v1{path}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def test_a_title_longer_than_its_column_is_a_422_naming_the_field(world: SimpleNamespace, draft: WorkOrder) -> None:
    status, body = _api(
        world.sponsor_user, "PUT", f"/organisations/{world.sponsor.slug}/work-orders/{draft.pk}", {"title": "T" * 201}
    )
    assert status == 422
    assert "title" in json.dumps(body)
    draft.refresh_from_db()
    assert draft.title == "Method transfer"


def test_evidence_sent_as_json_may_be_larger_than_an_ordinary_body(world: SimpleNamespace) -> None:
    """3 MB of evidence in base64 is above the 2.5 MB of any other body, within the document's limit: the
    operation answers (here: the milestone is not the provider's to report yet), the size does not refuse it."""
    milestone = world.milestone
    content = base64.b64encode(b"%PDF-1.4 " + b"x" * (3 * 1024 * 1024)).decode()
    body = {"note": "", "evidence": [{"name": "big.pdf", "content_base64": content, "content_type": "application/pdf"}]}
    status, answer = _api(
        world.provider_user, "POST", f"/organisations/{world.provider.slug}/milestones/{milestone.pk}/report", body
    )
    assert status == 409, answer
    assert "accepted" in str(answer["detail"])


def test_typed_text_that_starts_like_a_formula_stays_text_in_the_money_xlsx(world: SimpleNamespace) -> None:
    wo = world.work_order
    WorkOrder.objects.for_organisation(world.sponsor).filter(pk=wo.pk).update(title='=HYPERLINK("http://evil.example")')
    response = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/money.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["Work orders"]
    [cell] = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HYPER")]
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_a_member_whose_role_may_not_sign_a_work_order_is_refused_and_recorded(
    world: SimpleNamespace, draft: WorkOrder
) -> None:
    work_order_update(
        actor=world.sponsor_user,
        organisation=world.sponsor,
        work_order=draft,
        terms=terms_input_of(draft),
        agreement_id=world.master_agreement.pk,
    )
    work_order_send(actor=world.sponsor_user, organisation=world.sponsor, work_order=draft)
    work_order_sign(actor=world.provider_user, organisation=world.provider, work_order=draft, password=TEST_PASSWORD)
    with pytest.raises(NotPermitted):
        work_order_sign(
            actor=world.teammate_membership.user, organisation=world.sponsor, work_order=draft, password=TEST_PASSWORD
        )
    refused = AuditEvent.objects.for_organisation(world.sponsor).filter(action="signature.refused")
    assert [e.actor_label for e in refused] == [world.teammate_membership.user.username]
