"""Contracts through the API: the same steps and figures as the pages, refusals as 4xx with a message; the
accruals of a month are the same in the page, the API, the XLSX and ``cxo accruals`` (all four compared)."""

from __future__ import annotations

import base64
import csv
import io
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cxo.contracts.models import Milestone
from cxo.core.models import User
from cxo.core.services import api_token_create
from cxo.testing.contracts import PDF
from cxo.testing.factories import TEST_PASSWORD

from .conftest import client_for


class Api:
    def __init__(self, user: User, slug: str) -> None:
        _, self.token = api_token_create(user=user, name="test")
        self.base = f"/api/v1/organisations/{slug}"
        self.client = Client()

    def __call__(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.client.generic(
            method,
            self.base + path,
            data=b"" if body is None else json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
        )
        assert response.status_code == status, (response.status_code, response.content[:500])
        return response.json() if response["Content-Type"].startswith("application/json") else response


def _pdf(name: str) -> dict[str, str]:
    return {
        "name": name,
        "content_base64": base64.b64encode(PDF + name.encode()).decode(),
        "content_type": "application/pdf",
    }


def test_the_provider_reports_invoices_and_the_sponsor_accepts_and_pays_through_the_api(world: SimpleNamespace) -> None:
    s, p = Api(world.sponsor_user, world.sponsor.slug), Api(world.provider_user, world.provider.slug)
    wo = s("GET", f"/work-orders/{world.work_order.pk}")
    assert (wo["status"], wo["budget_total"], wo["baseline_number"], wo["agreement"]) == (
        "active",
        "12900.00",
        0,
        world.master_agreement.reference,
    )
    assert wo["provider_signature"]["content_sha256"] == wo["sponsor_signature"]["content_sha256"]
    assert [(q["subject"], q["standing"]) for q in wo["quality"]] == [
        ("Site approval", "not_on_record"),  # the walk's work order names no site
        ("Quality agreement", "ok"),
    ]
    assert "complete" in wo["actions"] and "terminate" in wo["actions"]
    m2 = wo["milestones"][1]
    assert (m2["key"], m2["amount"], m2["status"]) == ("M2", "6450.00", "planned")
    refused = s("POST", f"/milestones/{m2['id']}/report", {"evidence": [_pdf("x.pdf")]}, 409)
    assert refused == {"detail": "Only the provider may take this step on a milestone."}
    empty = p("POST", f"/milestones/{m2['id']}/report", {"note": "done"}, 400)
    assert empty["detail"].startswith("Attach the evidence")
    reported = p("POST", f"/milestones/{m2['id']}/report", {"note": "Released.", "evidence": [_pdf("coa.pdf")]})
    assert reported["status"] == "reported" and [d["name"] for d in reported["evidence"]] == ["coa.pdf"]
    assert s("POST", f"/milestones/{m2['id']}/accept")["status"] == "accepted"
    over = p(
        "POST",
        f"/work-orders/{wo['id']}/invoices",
        {"number": "INV-2", "lines": [{"milestone_id": m2["id"], "amount": "6450.01"}]},
        409,
    )
    assert over["detail"].startswith("Line 1 (GMP batches released): USD 6,450.01 is above what was accepted")
    invoice = p(
        "POST",
        f"/work-orders/{wo['id']}/invoices",
        {"number": "INV-2", "lines": [{"milestone_id": m2["id"]}], "document": _pdf("INV-2.pdf")},
        201,
    )
    assert (invoice["total"], invoice["status"], [d["name"] for d in invoice["documents"]]) == (
        "6450.00",
        "submitted",
        ["INV-2.pdf"],
    )
    assert s("POST", f"/invoices/{invoice['id']}/approve")["status"] == "approved"
    paid = s("POST", f"/invoices/{invoice['id']}/pay", {"reference": "PAY-1"})
    assert (paid["status"], paid["payment_reference"]) == ("paid", "PAY-1")
    document = s("GET", f"/contract-documents/{invoice['documents'][0]['id']}")
    assert document["X-Content-SHA256"] == invoice["documents"][0]["sha256"]
    money = s("GET", "/money")
    [row] = [r for r in money["rows"] if r["work_order_id"] == wo["id"]]
    assert row["figures"] == {
        "currency": "USD",
        "budget": "12900.00",
        "committed": "12900.00",
        "accepted": "12900.00",
        "invoiced": "12900.00",
        "paid": "6450.00",
        "remaining": "0.00",
        "accrued": "0.00",
    }
    assert s("GET", "/money?month=2026-13", status=400)["detail"].startswith("'2026-13' is not a month")


def test_a_change_order_through_the_api_shows_its_diff_and_both_baselines(world: SimpleNamespace) -> None:
    s, p = Api(world.sponsor_user, world.sponsor.slug), Api(world.provider_user, world.provider.slug)
    co = s("GET", f"/change-orders/{world.change_order.pk}")
    assert (co["code"], co["status"], co["total_before"], co["total_after"]) == (
        "CO-1",
        "draft",
        "12900.00",
        "13400.00",
    )
    assert [(r["key"], r["change"]) for r in co["lines"]][-1] == ("L4", "added")
    p("GET", f"/change-orders/{world.change_order.pk}", status=404)  # the sponsor's draft is its own
    s("POST", f"/change-orders/{co['id']}/sign", {"password": TEST_PASSWORD})
    assert p("GET", f"/change-orders/{co['id']}")["status"] == "proposed"
    wrong = p("POST", f"/change-orders/{co['id']}/sign", {"password": "wrong"}, 403)
    assert wrong["detail"] == "The password is not correct: the signature was not applied."
    executed = p("POST", f"/change-orders/{co['id']}/sign", {"password": TEST_PASSWORD, "meaning": "agreed"})
    assert executed["status"] == "executed"
    assert s("GET", f"/work-orders/{world.work_order.pk}/baselines/0")["total"] == "12900.00"
    after = s("GET", f"/work-orders/{world.work_order.pk}/baselines/1")
    assert (after["total"], after["label"], after["lines"][-1]["key"]) == (
        "13400.00",
        "CO-1 One more stability time point",
        "L4",
    )
    s("GET", f"/work-orders/{world.work_order.pk}/baselines/5", status=404)


def test_accruals_are_the_same_in_the_page_the_api_the_xlsx_and_the_cli(world: SimpleNamespace) -> None:
    m2 = list(world.work_order.milestones.all())[1]
    p = Api(world.provider_user, world.provider.slug)
    p("POST", f"/milestones/{m2.pk}/report", {"evidence": [_pdf("m2.pdf")]})
    Api(world.sponsor_user, world.sponsor.slug)("POST", f"/milestones/{m2.pk}/accept")
    # M1 was invoiced (INV-0001); M2 is accepted and not invoiced: 6,450.00 USD to accrue this month.
    month = f"{timezone.localdate():%Y-%m}"
    expected = [(world.work_order.reference, "GMP batches released", "USD", "6450.00")]

    api = Api(world.sponsor_user, world.sponsor.slug)("GET", f"/accruals?month={month}")
    assert [(r["work_order"], r["milestone"], r["currency"], r["accrued"]) for r in api["rows"]] == expected
    assert api["totals"] == [{"currency": "USD", "accrued": "6450.00"}]

    page = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/money/?month={month}").content.decode()
    assert '<div class="stat" data-testid="accrual-USD">6,450.00</div>' in page
    assert '<th class="num" data-testid="accrued-USD">6,450.00</th>' in page

    xlsx = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/money.xlsx?month={month}")
    sheet = load_workbook(io.BytesIO(xlsx.content))["Accruals"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[2], r[4], Decimal(str(r[7]))) for r in rows] == [
        (world.work_order.reference, "GMP batches released", "USD", Decimal("6450.00"))
    ]
    totals = load_workbook(io.BytesIO(xlsx.content))["Totals per currency"]
    assert [c.value for c in totals[1]][-1] == "Accrued" and Decimal(str(totals["H2"].value)) == Decimal("6450")

    out = io.StringIO()
    call_command("accruals", organisation=world.sponsor.slug, month=month, format="csv", stdout=out)
    cli = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [
        (r["work_order"], r["milestone"], r["currency"], r["accrued"]) for r in cli if r["work_order"] != "TOTAL"
    ] == expected
    assert [(r["currency"], r["accrued"]) for r in cli if r["work_order"] == "TOTAL"] == [("USD", "6450.00")]
    assert Milestone.objects.for_organisation(world.sponsor).filter(status="accepted").count() == 2
