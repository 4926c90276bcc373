"""Password-reset e-mails are limited per address and per client; the page says the same either way.

Issue 11, item 13: ten requests sent ten e-mails.
"""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.test.client import RequestFactory

from cxo.core.clients import client_address
from cxo.core.models import User

DONE = "/accounts/password_reset/done/"


def ask(email: str, **extra: Any) -> str:
    response = Client().post("/accounts/password_reset/", {"email": email}, **extra)
    assert response.status_code == 302
    return str(response["Location"])


def test_ten_requests_for_one_address_send_at_most_three_e_mails(sponsor_user: User) -> None:
    assert [ask("alice@example.test") for _ in range(10)] == [DONE] * 10
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"alice@example.test"}
    assert ask("ALICE@example.test") == DONE  # the same address, however written
    assert len(mail.outbox) == 3


def test_one_client_asking_for_many_addresses_is_limited_too(db: None) -> None:
    for n in range(12):
        User.objects.create_user(username=f"user{n}", email=f"user{n}@example.test", password="x")
    assert [ask(f"user{n}@example.test") for n in range(12)] == [DONE] * 12
    assert len(mail.outbox) == 10


def test_the_answer_does_not_show_whether_an_address_has_an_account(sponsor_user: User) -> None:
    known = Client().post("/accounts/password_reset/", {"email": "alice@example.test"}, follow=True)
    unknown = Client().post("/accounts/password_reset/", {"email": "nobody@example.test"}, follow=True)

    def page(response: Any) -> str:  # without the per-session CSRF token
        return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())

    assert page(known) == page(unknown)
    assert "If an account uses that address, a link to reset its password is on its way." in page(known)


def test_behind_a_trusted_proxy_clients_are_told_apart(db: None, settings: Any) -> None:
    settings.CXO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(12):
        User.objects.create_user(username=f"user{n}", email=f"user{n}@example.test", password="x")
    for n in range(12):  # two clients behind the same proxy, six requests each
        client = f"203.0.113.{n % 2}"
        ask(f"user{n}@example.test", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"{client}, 10.0.0.7")
    assert len(mail.outbox) == 12


def test_the_client_address_is_read_from_the_header_only_behind_a_trusted_proxy(settings: Any) -> None:
    rf = RequestFactory()
    forged = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.1")
    settings.CXO_TRUSTED_PROXIES = []
    assert client_address(forged) == "198.51.100.9"
    settings.CXO_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert client_address(forged) == "198.51.100.9"  # not from a proxy of ours: the header is ignored
    proxied = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.1, 10.0.0.7")
    assert client_address(proxied) == "203.0.113.1"  # the right-most that is not a proxy of ours
    settings.CXO_CLIENT_IP_HEADER = "X-Real-IP"
    assert client_address(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5")) == "203.0.113.5"
    assert client_address(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="not-an-ip")) == "127.0.0.1"
