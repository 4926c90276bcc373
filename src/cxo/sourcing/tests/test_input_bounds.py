"""Values that do not fit their columns are refused with a 4xx and a message on both databases, and save nothing.

The probes of the security review (issue 11, items 2 and 3): a quantity of 1e20, over-long names,
codes, titles and units, NUL characters, decimals beyond the column's places. And a tenant whose
data is already out of range (stored by SQLite before these checks) can still read its pages.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from cxo.core.errors import ServiceError
from cxo.sourcing.models import Need, Programme, Rfp, RfpLineItem
from cxo.sourcing.services import programme as programme_services
from cxo.sourcing.services import rfp as rfp_services
from cxo.sourcing.services.rfp import LineItemData
from cxo.testing.api import Api


@pytest.fixture
def api(sw: SimpleNamespace) -> Api:
    return Api(sw.sponsor_user)


def _counts() -> tuple[int, int, int, int]:
    return (
        Programme.unscoped.count(),
        Need.unscoped.count(),
        Rfp.unscoped.count(),
        RfpLineItem.unscoped.count(),
    )


def _line(**overrides: Any) -> dict[str, Any]:
    return {"description": "GMP batch", "unit": "batch", "quantity": "3", **overrides}


def _error_fields(body: dict[str, Any]) -> set[str]:
    return {str(e["loc"][-1]) for e in body["errors"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "1e20", "no more than 14 digits"),
        ("quantity", "123456789012", "no more than 11 digits before the decimal point"),
        ("quantity", "1.23456", "no more than 3 decimal places"),
        ("quantity", "NaN", "finite number"),
        ("unit", "u" * 41, "at most 40 characters"),
        ("description", "d" * 256, "at most 255 characters"),
    ],
)
def test_rfp_line_items_out_of_bounds_are_422_and_nothing_is_saved(
    sw: SimpleNamespace, api: Api, field: str, value: str, message: str
) -> None:
    before = _counts()
    body = api(
        "POST",
        f"/organisations/{sw.sponsor.slug}/rfps",
        {"need_id": sw.need.pk, "line_items": [_line(**{field: value})]},
        422,
    )
    assert body["detail"] == "Invalid request."
    assert field in _error_fields(body)
    assert any(message in e["msg"] for e in body["errors"]), body
    assert _counts() == before


def test_an_over_long_rfp_title_is_422(sw: SimpleNamespace, api: Api) -> None:
    before = _counts()
    body = api("POST", f"/organisations/{sw.sponsor.slug}/rfps", {"need_id": sw.need.pk, "title": "t" * 201}, 422)
    assert _error_fields(body) == {"title"}
    body = api("PUT", f"/organisations/{sw.sponsor.slug}/rfps/{sw.draft_rfp.pk}", {"title": "t" * 201}, 422)
    assert _counts() == before
    sw.draft_rfp.refresh_from_db()
    assert sw.draft_rfp.title == "Commercial supply (draft)"


@pytest.mark.parametrize("quantity", ["1e20", "1.0001", "-1e20"])
def test_a_need_quantity_out_of_range_is_422(sw: SimpleNamespace, api: Api, quantity: str) -> None:
    before = _counts()
    path = f"/organisations/{sw.sponsor.slug}/programmes/{sw.programme.pk}/needs"
    body = api("POST", path, {"title": "Big", "criteria": {"services": ["x"]}, "quantity": quantity}, 422)
    assert _error_fields(body) == {"quantity"}
    api("PUT", f"/organisations/{sw.sponsor.slug}/needs/{sw.need.pk}", {"title": "Big", "quantity": quantity}, 422)
    assert _counts() == before
    sw.need.refresh_from_db()
    assert sw.need.quantity == Decimal("3")


@pytest.mark.parametrize(("field", "length"), [("name", 201), ("code", 41), ("indication", 256), ("source", 256)])
def test_over_long_programme_text_is_422(sw: SimpleNamespace, api: Api, field: str, length: int) -> None:
    before = _counts()
    body = api("POST", f"/organisations/{sw.sponsor.slug}/programmes", {"name": "P", field: "x" * length}, 422)
    assert _error_fields(body) == {field}
    assert _counts() == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/programmes", {"name": "Nul\x00name"}),
        ("/programmes", {"name": "Fine", "description": "a text field\x00"}),
        ("/programmes/{programme}/needs", {"title": "Need", "criteria": {"services": ["svc\x00"]}}),
        ("/programmes/{programme}/needs", {"title": "Need", "criteria": {"key\x00": []}}),
        ("/rfps", {"need_id": "{need}", "scope": "scope\x00"}),
    ],
)
def test_nul_characters_in_api_bodies_are_refused(sw: SimpleNamespace, api: Api, path: str, body: dict) -> None:
    before = _counts()
    path = path.format(programme=sw.programme.pk)
    body = {k: (sw.need.pk if v == "{need}" else v) for k, v in body.items()}
    answer = api("POST", f"/organisations/{sw.sponsor.slug}{path}", body, 400)
    assert "NUL" in answer["detail"]
    assert _counts() == before


def test_nul_in_a_query_string_or_path_is_a_400_not_a_server_error(sw: SimpleNamespace, api: Api) -> None:
    response = api.client.get("/api/v1/registry/sites?q=a%00b", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    page = Client()
    page.force_login(sw.sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    response = page.get("/registry/?q=a%00b")
    assert response.status_code == 400
    assert b"NUL" in response.content
    assert page.get("/invitations/a%00b/").status_code == 400


def test_the_services_refuse_what_the_schemas_would(sw: SimpleNamespace) -> None:
    """A caller that skips the schema (a command, another service) meets the same bounds before the database."""
    before = _counts()
    with pytest.raises(ServiceError, match=r"Name is too long: at most 200 characters \(not 201\)"):
        programme_services.programme_create(actor=sw.sponsor_user, organisation=sw.sponsor, name="n" * 201)
    with pytest.raises(ServiceError, match="Quantity 1E\\+20 is too large: at most 11 digits before the decimal point"):
        programme_services.need_update(
            actor=sw.sponsor_user, need=sw.need, title="x", criteria=sw.need.criteria, quantity=Decimal("1e20")
        )
    with pytest.raises(ServiceError, match="Quantity 1E\\+20 is too large"):
        rfp_services.rfp_update(
            actor=sw.sponsor_user,
            rfp=sw.draft_rfp,
            title="x",
            line_items=[LineItemData("GMP batch", "batch", Decimal("1e20"))],
        )
    with pytest.raises(ServiceError, match="Title contains a NUL character"):
        rfp_services.rfp_update(actor=sw.sponsor_user, rfp=sw.draft_rfp, title="a\x00b")
    assert _counts() == before
    sw.draft_rfp.refresh_from_db()
    assert sw.draft_rfp.line_items.count() == 3


def test_the_forms_take_their_bounds_from_the_columns(sw: SimpleNamespace) -> None:
    client = Client()
    client.force_login(sw.sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    before = _counts()
    url = f"/o/{sw.sponsor.slug}/programmes/new/"
    response = client.post(url, {"name": "n" * 201, "stage": "phase_1"})
    assert response.status_code == 200
    assert "at most 200 characters" in response.context["form"].errors["name"][0]
    response = client.post(url, {"name": "Nul\x00", "stage": "phase_1"})
    assert "Null characters are not allowed." in response.context["form"].errors["name"]
    assert _counts() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite could store an out-of-range decimal")
def test_a_tenant_with_an_out_of_range_quantity_already_stored_can_still_read_its_pages(sw: SimpleNamespace) -> None:
    """Before the checks, SQLite stored 1e20 and every later read of the tenant's RFPs and needs was a 500."""
    line = sw.draft_rfp.line_items.first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sourcing_rfplineitem SET quantity = 1e20 WHERE id = %s", [line.pk])
        cursor.execute("UPDATE sourcing_need SET quantity = 1e20 WHERE id = %s", [sw.need.pk])
    api = Api(sw.sponsor_user)
    slug = sw.sponsor.slug
    rfps = api("GET", f"/organisations/{slug}/rfps")
    quantities = {li["quantity"] for r in rfps for li in r["line_items"]}
    assert "1E+20" in quantities
    assert api("GET", f"/organisations/{slug}/needs/{sw.need.pk}")["quantity"] == "1E+20"
    api("GET", f"/organisations/{slug}/programmes/{sw.programme.pk}/needs")
    page = Client()
    page.force_login(sw.sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    for url in (
        f"/o/{slug}/rfps/",
        f"/o/{slug}/programmes/{sw.programme.pk}/",
        f"/o/{slug}/needs/{sw.need.pk}/",
        f"/o/{slug}/rfps/{sw.draft_rfp.pk}/",
        f"/o/{slug}/rfps/{sw.draft_rfp.pk}/edit/",
    ):
        assert page.get(url).status_code == 200, url
    # And the sponsor can mend it: the edit saves a quantity that fits.
    api(
        "PUT",
        f"/organisations/{slug}/rfps/{sw.draft_rfp.pk}",
        {"line_items": [_line(quantity="5")]},
    )
    assert [li.quantity for li in sw.draft_rfp.line_items.all()] == [Decimal("5.000")]
