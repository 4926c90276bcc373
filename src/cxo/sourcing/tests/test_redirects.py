"""Every redirect target read from the request stays on this site (issue 11, item 10).

The invite form followed any ``next`` (``https://evil.example/``) and ``javascript:alert(1)`` was a 500.
Each place that reads one is tested: the invite form, the shortlist form's way back, login and logout.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from cxo.core.models import Organisation, User
from cxo.testing.factories import TEST_PASSWORD

UNSAFE = [
    "https://evil.example/",
    "//evil.example/path",
    "javascript:alert(1)",
    "http://testserver\r\nSet-Cookie: x=1",
    "\\\\evil.example",
]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("target", UNSAFE)
def test_the_invite_form_refuses_an_unsafe_next(sw: SimpleNamespace, provider_b: Organisation, target: str) -> None:
    url = f"/o/{sw.sponsor.slug}/rfps/{sw.draft_rfp.pk}/invite/"
    response = _client(sw.sponsor_user).post(
        url,
        {"provider": provider_b.pk, "next": target, "q": "bravo\r\nX: y"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}?q=bravo%0D%0AX%3A+y"


def test_the_invite_form_follows_a_next_on_this_site(sw: SimpleNamespace, provider_b: Organisation) -> None:
    url = f"/o/{sw.sponsor.slug}/rfps/{sw.draft_rfp.pk}/invite/"
    back = f"/o/{sw.sponsor.slug}/rfps/{sw.draft_rfp.pk}/"
    response = _client(sw.sponsor_user).post(url, {"provider": provider_b.pk, "next": back})
    assert response["Location"] == back


def test_the_shortlist_form_goes_back_only_to_find_providers(sw: SimpleNamespace) -> None:
    url = f"/o/{sw.sponsor.slug}/shortlists/add/"
    response = _client(sw.sponsor_user).post(url, {"back": "service=x&a=b\r\nLocation: https://evil.example/"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"/o/{sw.sponsor.slug}/match/?")
    assert "\n" not in location and "evil.example/" not in location.split("?")[0]


@pytest.mark.parametrize("target", UNSAFE)
def test_login_goes_to_the_dashboard_instead_of_an_unsafe_next(sw: SimpleNamespace, target: str) -> None:
    response = Client().post("/accounts/login/", {"username": "alice", "password": TEST_PASSWORD, "next": target})
    assert (response.status_code, response["Location"]) == (302, "/dashboard/")


@pytest.mark.parametrize("target", UNSAFE)
def test_logout_goes_to_the_login_page_instead_of_an_unsafe_next(sw: SimpleNamespace, target: str) -> None:
    response = _client(sw.sponsor_user).post("/accounts/logout/", {"next": target})
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
