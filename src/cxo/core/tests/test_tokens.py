"""API tokens expire, die with the password (changed or reset), and are listed and revoked through the API.

Issue 11, item 4.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cxo.core import services
from cxo.core.models import ApiToken, AuditEvent, Organisation, User
from cxo.testing.factories import TEST_PASSWORD

NEW_PASSWORD = "a-much-better-one-2026"


def me(secret: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_token_expires_after_the_configured_days(sponsor_user: User, settings: Any) -> None:
    settings.CXO_API_TOKEN_DAYS = 30
    before = timezone.now()
    token, secret = services.api_token_create(user=sponsor_user, name="ci")
    assert before + dt.timedelta(days=30) <= token.expires_at <= timezone.now() + dt.timedelta(days=30)
    assert me(secret) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert me(secret) == 401
    token.refresh_from_db()
    assert token.status == "expired"


def test_the_token_endpoint_answers_the_expiry(sponsor_user: User) -> None:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "alice", "password": TEST_PASSWORD},
        content_type="application/json",
    )
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert abs(dt.datetime.fromisoformat(body["expires_at"]) - token.expires_at) < dt.timedelta(milliseconds=1)
    assert (token.expires_at - token.created_at) == dt.timedelta(days=90)


def test_the_tokens_page_shows_each_expiry_and_the_policy(sponsor_user: User) -> None:
    token, _ = services.api_token_create(user=sponsor_user, name="laptop")
    html = signed_in(sponsor_user).get("/account/tokens/").content.decode()
    assert "A token works for 90 days. Changing or resetting your password revokes all your tokens." in html
    assert f'<td data-testid="token-expires">{token.expires_at:%-d %b %Y}</td>' in html


def test_changing_the_password_revokes_every_token(sponsor_user: User, sponsor: Organisation) -> None:
    tokens = [services.api_token_create(user=sponsor_user, name=n) for n in ("a", "b")]
    client = signed_in(sponsor_user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert [me(secret) for _, secret in tokens] == [401, 401]
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {"Password changed or reset."}
    events = AuditEvent.objects.for_organisation(sponsor).filter(action="api_token.revoke")
    assert sorted(e.object_id for e in events) == sorted(str(t.pk) for t, _ in tokens)
    # A token made after the change works.
    _, fresh = services.api_token_create(user=sponsor_user, name="new")
    assert me(fresh) == 200


def test_resetting_the_password_by_e_mail_revokes_every_token(sponsor_user: User) -> None:
    _, secret = services.api_token_create(user=sponsor_user, name="script")
    client = Client()
    client.post("/accounts/password_reset/", {"email": "alice@example.test"})
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", str(message.body))
    assert link
    form_url = client.get(link.group(1))["Location"]
    assert me(secret) == 200  # asking for a reset changes nothing yet
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert me(secret) == 401


def test_other_saves_of_the_user_and_a_rehash_on_login_keep_the_tokens(sponsor_user: User, settings: Any) -> None:
    _, secret = services.api_token_create(user=sponsor_user, name="script")
    sponsor_user.first_name = "Alice"
    sponsor_user.save()
    login = Client().post("/accounts/login/", {"username": "alice", "password": TEST_PASSWORD})  # sets last_login
    assert login.status_code == 302
    # A hasher upgrade re-hashes the same password when it is checked: not a change of password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = User.objects.get(pk=sponsor_user.pk)
    old_hash = user.password
    assert user.check_password(TEST_PASSWORD)
    assert User.objects.get(pk=user.pk).password != old_hash
    assert me(secret) == 200


def test_get_tokens_lists_only_mine_without_secrets(sponsor_user: User, outsider: User) -> None:
    mine, secret = services.api_token_create(user=sponsor_user, name="mine")
    old, _ = services.api_token_create(user=sponsor_user, name="old")
    services.api_token_revoke(user=sponsor_user, token=old)
    services.api_token_create(user=outsider, name="theirs")
    response = Client().get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert [(t["name"], t["status"]) for t in body] == [("old", "revoked"), ("mine", "active")]
    assert all("token" not in t and "key_hash" not in t for t in body)
    assert body[1]["expires_at"][:19] == mine.expires_at.isoformat()[:19]


@pytest.mark.parametrize("how", ["token", "session"])
def test_delete_revokes_my_token_and_another_users_is_404(sponsor_user: User, outsider: User, how: str) -> None:
    target, target_secret = services.api_token_create(user=sponsor_user, name="ci")
    theirs, theirs_secret = services.api_token_create(user=outsider, name="theirs")
    extra: dict[str, Any] = {}
    if how == "token":
        _, secret = services.api_token_create(user=sponsor_user, name="admin script")
        client, extra = Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    else:
        client = signed_in(sponsor_user)
    response = client.delete(f"/api/v1/auth/tokens/{theirs.pk}", **extra)
    assert (response.status_code, response.json()) == (404, {"detail": "No such token."})
    assert me(theirs_secret) == 200
    assert client.delete(f"/api/v1/auth/tokens/{target.pk}", **extra).status_code == 204
    assert me(target_secret) == 401
    assert client.delete(f"/api/v1/auth/tokens/{target.pk}", **extra).status_code == 204  # again: no-op
    assert client.delete("/api/v1/auth/tokens/999999", **extra).status_code == 404
