"""The audit trail: append-only in the ORM and (on PostgreSQL) in SQL, with the request id of each change."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from cxo.core.audit import audit_record, diff, snapshot
from cxo.core.models import AuditEvent, AuditImmutableError, Membership, Organisation, User


@pytest.fixture
def event(sponsor: Organisation) -> AuditEvent:
    return AuditEvent.objects.for_organisation(sponsor).get(action="organisation.create")


# --- append-only in the ORM -------------------------------------------------------------------


def test_saving_an_existing_event_is_refused(event: AuditEvent) -> None:
    event.action = "tampered"
    with pytest.raises(AuditImmutableError, match="cannot be updated"):
        event.save()
    assert AuditEvent.unscoped.get(pk=event.pk).action == "organisation.create"


def test_deleting_an_event_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditImmutableError, match="cannot be deleted"):
        event.delete()
    assert AuditEvent.unscoped.filter(pk=event.pk).exists()


@pytest.mark.parametrize("manager", ["scoped", "unscoped"])
def test_queryset_update_and_delete_are_refused(sponsor: Organisation, manager: str) -> None:
    qs = AuditEvent.objects.for_organisation(sponsor) if manager == "scoped" else AuditEvent.unscoped.all()
    with pytest.raises(AuditImmutableError, match="cannot be updated"):
        qs.update(action="tampered")
    with pytest.raises(AuditImmutableError, match="cannot be deleted"):
        qs.delete()
    assert sorted(AuditEvent.objects.for_organisation(sponsor).values_list("action", flat=True)) == [
        "membership.add",
        "organisation.create",
    ]


def test_an_organisation_with_a_trail_cannot_be_deleted(sponsor: Organisation) -> None:
    # on_delete=PROTECT: deleting a tenant would otherwise take its trail with it.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        sponsor.delete()


# --- append-only in SQL (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
def test_raw_sql_update_and_delete_of_an_event_fail_on_postgresql(event: AuditEvent) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(f"the append-only trigger exists only on PostgreSQL (this run uses {connection.vendor})")
    for sql, op in [
        ("UPDATE core_auditevent SET action = 'tampered' WHERE id = %s", "UPDATE"),
        ("DELETE FROM core_auditevent WHERE id = %s", "DELETE"),
    ]:
        refused = pytest.raises(DatabaseError, match=f"core_auditevent is append-only: {op} refused")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM core_auditevent WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("organisation.create",)


# --- what an event records --------------------------------------------------------------------


def test_diff_keeps_only_changed_fields() -> None:
    assert diff({"role": "quality", "name": "x"}, {"role": "admin", "name": "x", "email": "a@b"}) == {
        "role": ["quality", "admin"],
        "email": [None, "a@b"],
    }
    assert diff({"role": "admin"}, {"role": "admin"}) == {}


def test_snapshot_and_record_store_json_safe_values(sponsor: Organisation, sponsor_user: User) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=sponsor_user)
    assert snapshot(membership, ["role", "user", "organisation"]) == {
        "role": "admin",
        "user": sponsor_user.pk,
        "organisation": sponsor.pk,
    }
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    uid = uuid.UUID(int=7)
    recorded = audit_record(
        actor=None,
        organisation=sponsor,
        action="test.values",
        object_type="test",
        object_id=1,
        changes={"at": [None, when], "amount": [decimal.Decimal("1.50"), None], "ids": [{uid}, [sponsor]]},
    )
    stored = AuditEvent.unscoped.get(pk=recorded.pk)
    assert stored.changes == {
        "at": [None, "2026-01-02T03:04:05+00:00"],
        "amount": ["1.50", None],
        "ids": [[str(uid)], [sponsor.pk]],
    }
    assert (stored.actor, stored.actor_label, stored.request_id) == (None, "system", "")


# --- the request id ---------------------------------------------------------------------------


def test_events_made_during_a_page_request_carry_its_request_id(sponsor_client: Client, sponsor: Organisation) -> None:
    response = sponsor_client.post(
        f"/o/{sponsor.slug}/members/",
        {"email": "traced@example.test", "role": "viewer"},
        HTTP_X_REQUEST_ID="trace-0001.a",
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "trace-0001.a"
    event = AuditEvent.objects.for_organisation(sponsor).get(action="invitation.create")
    assert event.request_id == "trace-0001.a"


def test_events_made_during_an_api_request_carry_its_request_id(
    sponsor_user: User, sponsor: Organisation, password: str
) -> None:
    response = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "alice", "password": password}),
        content_type="application/json",
        HTTP_X_REQUEST_ID="api-call-42",
    )
    assert response.status_code == 201
    event = AuditEvent.objects.for_organisation(sponsor).get(action="api_token.create")
    assert event.request_id == "api-call-42"


def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(sponsor_client: Client, sponsor: Organisation) -> None:
    response = sponsor_client.post(
        f"/o/{sponsor.slug}/members/",
        {"email": "x@example.test", "role": "viewer"},
        HTTP_X_REQUEST_ID="<script>alert(1)</script>",
    )
    rid = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert AuditEvent.objects.for_organisation(sponsor).get(action="invitation.create").request_id == rid
