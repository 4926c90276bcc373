"""Fail-closed tenancy: a query of tenant data without a scope raises instead of leaking; every model is a tenant
row unless it says why not. (The parties and child-row scopes are tested on sourcing's records.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.http import HttpRequest

from cxo.config.api import tenant_scope_error
from cxo.core.models import AuditEvent, Notification, Organisation, Signature, User
from cxo.core.notifications import notification_send
from cxo.core.tenancy import FailClosedManager, TenantScopeError

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
    assert list(AuditEvent.objects.visible_to(AnonymousUser())) == []  # type: ignore[arg-type]  # as a page may pass


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


# Models of CXO's apps that are not tenant rows, and why. Every other model must fail closed.
NOT_TENANT_ROWS = {
    "core.User": "a person; what they see comes from memberships",
    "core.Organisation": "the tenant itself (and the public registry's organisations)",
    "core.Membership": "the tenancy's own record, always read by user or by organisation",
    "core.OrganisationInvitation": "read by its organisation's admins (organisation.invitations) or by its token",
    "core.ApiToken": "the user's own, always read by user",
    "core.OrganisationClaim": "read by registry curators (a platform role) and by its requester only",
    "core.Profile": "the user's own platform role, read through user.profile",
    "core.RateLimitCounter": "a per-user request count, read and written only by cxo.core.ratelimit",
    "registry.Term": "public registry data",
    "registry.Site": "public registry data",
    "registry.Capability": "public registry data",
    "registry.Evidence": "public registry data",
    "registry.ImportRun": "public registry data",
    "registry.ComplianceEvent": "public registry data: FDA's own records of a firm",
    "registry.SiteFacets": "public registry data",
    "registry.OrganisationFacets": "public registry data",
    "registry.FacetGroup": "public registry data (the directory's search index)",
    "registry.OrganisationAlias": "public registry data: other names of a registry organisation",
    "registry.OrganisationMerge": "a registry curator's public record that one organisation became another",
    "registry.SitePlacement": "a registry curator's public record of which organisation a site belongs to",
}


def test_every_model_of_cxo_fails_closed_unless_it_says_why_not(db: None) -> None:
    """A new model must inherit TenantOwned or TenantChild (or be listed above with its reason)."""
    from django.apps import apps

    cxo_models = [m for m in apps.get_models() if m.__module__.startswith("cxo.")]
    open_models = {m._meta.label for m in cxo_models if not isinstance(m._default_manager, FailClosedManager)}
    assert open_models == set(NOT_TENANT_ROWS)
    for model in cxo_models:
        if model._meta.label not in NOT_TENANT_ROWS:
            with pytest.raises(TenantScopeError):
                model._default_manager.count()


def test_signatures_and_notifications_fail_closed(sponsor: Organisation, sponsor_user: User, teammate: User) -> None:
    notification_send(users=[sponsor_user, teammate], organisation=sponsor, title="Hello", email=False)
    with pytest.raises(TenantScopeError, match=r"\(Notification\)"):
        list(Notification.objects.all())
    with pytest.raises(TenantScopeError, match=r"\(Signature\)"):
        Signature.objects.exists()
    assert [n.user for n in Notification.objects.for_user(teammate)] == [teammate]
    assert [n.title for n in teammate.notifications.all()] == ["Hello"]
    assert not Signature.objects.for_organisation(sponsor).exists()


def test_unscoped_is_a_new_queryset_and_leaves_the_scope_of_others_alone(sponsor: Organisation) -> None:
    closed = AuditEvent.objects.filter(organisation=sponsor)
    everything = closed.unscoped()
    assert everything.count() == 2
    with pytest.raises(TenantScopeError):
        closed.count()  # still closed: unscoped() did not open the queryset it was called on


def test_a_model_without_parties_has_no_counterparty(sponsor: Organisation, provider: Organisation) -> None:
    assert list(AuditEvent.objects.for_counterparty(sponsor)) == []
    assert AuditEvent.objects.for_party(sponsor).count() == AuditEvent.objects.for_organisation(sponsor).count() == 2
