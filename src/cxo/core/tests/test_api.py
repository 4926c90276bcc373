"""The platform API: tokens, /me, the audit trail, throttling, and the OpenAPI document and docs page."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cxo.core import services
from cxo.core.models import ApiToken, AuditEvent, Membership, Organisation, User


def post_json(client: Client, url: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- POST /auth/token and GET /me -------------------------------------------------------------


def test_a_token_from_the_password_authenticates_me(
    sponsor_user: User, sponsor: Organisation, teammate: User, provider: Organisation, password: str
) -> None:
    Membership.objects.create(user=sponsor_user, organisation=provider, role="quality")
    response = post_json(Client(), "/api/v1/auth/token", {"username": "alice", "password": password, "name": "laptop"})

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"cxo_[0-9a-f]{8}_[\w-]{43}", body["token"])
    assert body["name"] == "laptop"
    assert body["token"].startswith(f"cxo_{body['prefix']}_")
    assert ApiToken.objects.get(prefix=body["prefix"]).key_hash != body["token"]
    sponsor_user.refresh_from_db()
    assert sponsor_user.last_login is not None

    me = Client().get("/api/v1/me", **bearer(body["token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": sponsor_user.pk,
        "username": "alice",
        "email": "alice@example.test",
        "full_name": sponsor_user.get_full_name(),
        "organisations": [
            {
                "organisation_id": sponsor.pk,
                "organisation_slug": "alpha-biotech",
                "organisation_name": "Alpha Biotech",
                "organisation_type": "sponsor",
                "role": "admin",
                "permissions": [
                    "evaluate",
                    "manage_execution",
                    "manage_finance",
                    "manage_members",
                    "manage_quality",
                    "manage_sourcing",
                    "read_invitations",
                    "sign_award",
                    "sign_contract",
                    "sign_quality",
                    "view",
                    "view_audit",
                ],
            },
            {
                "organisation_id": provider.pk,
                "organisation_slug": "provan-cdmo",
                "organisation_name": "Provan CDMO",
                "organisation_type": "provider",
                "role": "quality",
                "permissions": ["manage_quality", "read_invitations", "sign_quality", "view", "view_audit"],
            },
        ],
    }


def test_me_for_a_teammate_shows_their_role(teammate: User) -> None:
    _, secret = services.api_token_create(user=teammate, name="t")
    [org] = Client().get("/api/v1/me", **bearer(secret)).json()["organisations"]
    assert (org["organisation_slug"], org["role"]) == ("alpha-biotech", "quality")
    assert "manage_members" not in org["permissions"]


def test_me_with_the_session_of_a_signed_in_user(sponsor_client: Client) -> None:
    assert sponsor_client.get("/api/v1/me").json()["username"] == "alice"


def test_a_bad_password_gets_401_with_a_message(sponsor_user: User) -> None:
    response = post_json(Client(), "/api/v1/auth/token", {"username": "alice", "password": "wrong"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username or password."}
    assert ApiToken.objects.count() == 0


def test_an_inactive_user_gets_no_token(sponsor_user: User, password: str) -> None:
    User.objects.filter(pk=sponsor_user.pk).update(is_active=False)
    response = post_json(Client(), "/api/v1/auth/token", {"username": "alice", "password": password})
    assert response.status_code == 401


def test_a_malformed_token_request_gets_422_with_the_field(db: None) -> None:
    response = post_json(Client(), "/api/v1/auth/token", {"username": "alice"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Invalid request."
    assert [e["loc"][-1] for e in body["errors"]] == ["password"]


def test_broken_json_gets_a_4xx_not_a_500(db: None) -> None:
    response = Client().post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Bearer cxo_00000000_nope"}, {"HTTP_AUTHORIZATION": "Token abc"}],
    ids=["none", "unknown", "wrong-scheme"],
)
def test_me_without_valid_credentials_gets_401(db: None, headers: dict[str, Any]) -> None:
    response = Client().get("/api/v1/me", **headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required: send 'Authorization: Bearer <token>'."}


def test_a_revoked_token_gets_401(sponsor_user: User) -> None:
    token, secret = services.api_token_create(user=sponsor_user, name="t")
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200
    services.api_token_revoke(user=sponsor_user, token=token)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401


# --- throttling -------------------------------------------------------------------------------


def test_repeated_failures_lock_the_token_endpoint(sponsor_user: User, password: str, settings: Any) -> None:
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [
        post_json(client, "/api/v1/auth/token", {"username": "alice", "password": f"guess{i}"}).status_code
        for i in range(limit)
    ]
    assert statuses == [401] * (limit - 1) + [429]

    # Even the right password is refused while the lock lasts, with a JSON message.
    locked = post_json(client, "/api/v1/auth/token", {"username": "alice", "password": password})
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json; charset=utf-8"
    assert locked.json() == {"detail": "Too many failed attempts: this account is locked for a while. Try again later."}
    assert ApiToken.objects.count() == 0


def test_the_lock_is_per_username(sponsor_user: User, teammate: User, password: str, settings: Any) -> None:
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        post_json(client, "/api/v1/auth/token", {"username": "alice", "password": f"guess{i}"})
    assert post_json(client, "/api/v1/auth/token", {"username": "bob", "password": password}).status_code == 201


def test_a_success_before_the_limit_resets_the_count(sponsor_user: User, password: str, settings: Any) -> None:
    client = Client()
    for round_ in range(2):
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            response = post_json(client, "/api/v1/auth/token", {"username": "alice", "password": f"{round_}{i}"})
            assert response.status_code == 401
        assert post_json(client, "/api/v1/auth/token", {"username": "alice", "password": password}).status_code == 201


# --- the audit trail --------------------------------------------------------------------------


@pytest.fixture
def trail(sponsor: Organisation, sponsor_user: User, teammate: User) -> Organisation:
    """The sponsor's trail with a role change (by alice) and an invitation, besides the fixture's own events."""
    membership = Membership.objects.get(organisation=sponsor, user=teammate)
    services.membership_change_role(actor=sponsor_user, membership=membership, role="finance", reason="budget owner")
    services.invitation_create(actor=sponsor_user, organisation=sponsor, email="zed@example.test", role="viewer")
    return sponsor


def audit_url(slug: str, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/organisations/{slug}/audit" + (f"?{query}" if query else "")


def test_an_admin_reads_the_trail_newest_first(trail: Organisation, sponsor_client: Client) -> None:
    response = sponsor_client.get(audit_url(trail.slug))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [e["action"] for e in body["items"]] == [
        "invitation.create",
        "membership.change_role",
        "membership.add",
        "membership.add",
        "organisation.create",
    ]
    change = body["items"][1]
    assert change["changes"] == {"role": ["quality", "finance"]}
    assert (change["actor"], change["reason"], change["object_type"]) == ("alice", "budget owner", "core.membership")


@pytest.mark.parametrize(
    ("params", "actions"),
    [
        ({"action": "membership.change_role"}, ["membership.change_role"]),
        ({"object_type": "core.organisationinvitation"}, ["invitation.create"]),
        ({"actor": "ALICE"}, ["invitation.create", "membership.change_role"]),
        ({"actor": "system"}, ["membership.add", "membership.add", "organisation.create"]),
        ({"q": "zed@"}, ["invitation.create"]),
        ({"action": "membership.add", "actor": "alice"}, []),
    ],
)
def test_audit_filters(trail: Organisation, sponsor_client: Client, params: dict[str, str], actions: list[str]) -> None:
    body = sponsor_client.get(audit_url(trail.slug, **params)).json()
    assert [e["action"] for e in body["items"]] == actions
    assert body["count"] == len(actions)


def test_audit_date_filters(trail: Organisation, sponsor_client: Client) -> None:
    today = timezone.now().date()
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)
    assert sponsor_client.get(audit_url(trail.slug, since=str(today), until=str(today))).json()["count"] == 5
    assert sponsor_client.get(audit_url(trail.slug, since=str(tomorrow))).json()["count"] == 0
    assert sponsor_client.get(audit_url(trail.slug, until=str(yesterday))).json()["count"] == 0


def test_audit_rejects_bad_dates_with_a_message(trail: Organisation, sponsor_client: Client) -> None:
    reversed_range = sponsor_client.get(audit_url(trail.slug, since="2026-02-01", until="2026-01-01"))
    assert reversed_range.status_code == 400
    assert reversed_range.json() == {"detail": "'since' must not be after 'until'."}
    assert sponsor_client.get(audit_url(trail.slug, since="yesterday")).status_code == 422


def test_audit_is_paginated(trail: Organisation, sponsor_client: Client) -> None:
    assert sponsor_client.get(audit_url(trail.slug, page="1")).json()["count"] == 5
    assert sponsor_client.get(audit_url(trail.slug, page="2")).json()["items"] == []


def test_a_teammate_who_is_not_admin_gets_403(trail: Organisation, teammate: User) -> None:
    _, secret = services.api_token_create(user=teammate, name="t")
    response = Client().get(audit_url(trail.slug), **bearer(secret))
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role (Finance) does not allow viewing the audit trail."}


def test_the_outsider_gets_404_for_the_sponsors_trail(trail: Organisation, outsider_client: Client) -> None:
    response = outsider_client.get(audit_url(trail.slug))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such organisation."}


def test_an_admin_sees_only_their_own_organisations_trail(trail: Organisation, outsider_client: Client) -> None:
    body = outsider_client.get(audit_url("charlie-pharma")).json()
    assert body["count"] == 2
    assert {e["object_repr"] for e in body["items"]} <= {"Charlie Pharma", "charlie @ Charlie Pharma (admin)"}
    other = AuditEvent.objects.for_organisation(trail).values_list("id", flat=True)
    assert not {e["id"] for e in body["items"]} & set(other)


# --- OpenAPI document and docs page -----------------------------------------------------------


def test_the_openapi_document_builds_and_lists_the_platform_operations(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "CXO API"
    paths = schema["paths"]
    assert {"/api/v1/me", "/api/v1/auth/token", "/api/v1/organisations/{slug}/audit"} <= set(paths)
    # its own 201, 401 (wrong password) and 429 (locked out), and the errors every operation declares
    responses = set(paths["/api/v1/auth/token"]["post"]["responses"])
    assert responses == {"201", "400", "401", "403", "404", "409", "413", "422", "429"}
    assert {"BearerToken", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_renders_from_local_assets_only(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert [a for a in assets if re.match(r"(https?:)?//", a)] == []
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", html)
    for asset in assets:
        static = Client().get(asset)
        assert static.status_code == 200, asset
