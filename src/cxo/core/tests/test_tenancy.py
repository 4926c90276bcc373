"""Fail-closed tenancy: a query of tenant data without a scope raises instead of leaking."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.http import HttpRequest

from cxo.config.api import tenant_scope_error
from cxo.core.models import AuditEvent, Organisation, User
from cxo.core.tenancy import TenantScopeError

UNSCOPED_USES: dict[str, Callable[[Any], Any]] = {
    "list": lambda qs: list(qs),
    "iterate": lambda qs: [e for e in qs],
    "first": lambda qs: qs.first(),
    "get": lambda qs: qs.get(action="organisation.create"),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "aggregate": lambda qs: qs.aggregate(n=Count("id")),
    "iterator": lambda qs: list(qs.iterator()),
    "values_list": lambda qs: list(qs.values_list("action", flat=True)),
    "filtered": lambda qs: list(qs.filter(action="organisation.create").order_by("at")),
    "len": lambda qs: len(qs),
    "bool": lambda qs: bool(qs),
}


@pytest.mark.parametrize("use", UNSCOPED_USES.values(), ids=UNSCOPED_USES.keys())
def test_an_unscoped_query_of_tenant_data_raises(sponsor: Organisation, use: Callable[[Any], Any]) -> None:
    with pytest.raises(TenantScopeError, match=r"Unscoped query of tenant data \(AuditEvent\)"):
        use(AuditEvent.objects.all())


def test_scoping_to_an_organisation_returns_only_its_rows(sponsor: Organisation, provider: Organisation) -> None:
    rows = AuditEvent.objects.for_organisation(sponsor)
    assert rows.count() == 2  # organisation.create and membership.add of its admin
    assert {e.organisation_id for e in rows} == {sponsor.pk}
    # The scope survives chaining.
    assert list(rows.filter(action="membership.add").values_list("changes__role", flat=True)) == [[None, "admin"]]


def test_scoping_to_several_organisations(sponsor: Organisation, provider: Organisation, outsider: User) -> None:
    rows = AuditEvent.objects.for_organisations([sponsor, provider])
    assert {e.organisation.slug for e in rows} == {"alpha-biotech", "provan-cdmo"}


def test_visible_to_is_the_users_organisations(
    sponsor: Organisation, teammate: User, provider: Organisation, outsider: User
) -> None:
    assert {e.organisation_id for e in AuditEvent.objects.visible_to(teammate)} == {sponsor.pk}
    assert {e.organisation.slug for e in AuditEvent.objects.visible_to(outsider)} == {"charlie-pharma"}
    assert list(AuditEvent.objects.visible_to(AnonymousUser())) == []  # type: ignore[arg-type]


def test_a_related_manager_is_scoped_by_its_parent(sponsor: Organisation, provider: Organisation) -> None:
    assert sponsor.audit_events.count() == 2
    assert {e.organisation_id for e in sponsor.audit_events.all()} == {sponsor.pk}


def test_the_unscoped_manager_says_so_and_sees_everything(sponsor: Organisation, provider: Organisation) -> None:
    assert AuditEvent.unscoped.count() == 4
    assert AuditEvent.objects.unscoped().count() == 4


def test_the_api_answers_an_unscoped_query_with_404_and_logs_it(db: None, caplog: pytest.LogCaptureFixture) -> None:
    # A forgotten scope is a programming error: it must never leak, nor show as a 500.
    request = HttpRequest()
    request.path = "/api/v1/somewhere"
    response = tenant_scope_error(request, TenantScopeError("forgot the scope"))
    assert response.status_code == 404
    assert json.loads(response.content) == {"detail": "Not found."}
    assert "Unscoped tenant query on /api/v1/somewhere: forgot the scope" in caplog.text
