"""Page numbers: a huge or negative one is a 400 with a message on every paginated API operation, and pages clamp.

Issue 11, item 9: ``?page=10000000000000000000`` was a 500 (an SQL offset out of range) everywhere.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from cxo.core.pagination import MAX_PAGE
from cxo.testing.api import Api

HUGE = "10000000000000000000"


@pytest.fixture
def api(world: SimpleNamespace) -> Api:
    return Api(world.sponsor_user)


PAGINATED_API = [
    "/organisations/{sponsor}/audit",
    "/registry/sites",
    "/registry/organisations",
    "/registry/capabilities/{capability}/evidence",
    "/registry/imports",
]


def _path(template: str, world: SimpleNamespace) -> str:
    return template.format(sponsor=world.sponsor.slug, capability=world.registry_capability.pk)


@pytest.mark.parametrize("template", PAGINATED_API)
@pytest.mark.parametrize(
    ("page", "message"),
    [
        (HUGE, f"Page {HUGE} does not exist: pages are numbered from 1 to at most {MAX_PAGE:,}."),
        ("0", f"Page 0 does not exist: pages are numbered from 1 to at most {MAX_PAGE:,}."),
        ("-3", f"Page -3 does not exist: pages are numbered from 1 to at most {MAX_PAGE:,}."),
    ],
)
def test_a_page_out_of_range_is_a_400_with_a_message(
    world: SimpleNamespace, api: Api, template: str, page: str, message: str
) -> None:
    body = api("GET", f"{_path(template, world)}?page={page}", status=400)
    assert body == {"detail": message, "field": "page"}


@pytest.mark.parametrize("template", PAGINATED_API)
def test_a_page_past_the_last_is_empty_and_a_page_size_out_of_range_is_400(
    world: SimpleNamespace, api: Api, template: str
) -> None:
    body = api("GET", f"{_path(template, world)}?page={MAX_PAGE}")
    assert body.get("items", body.get("results")) == []
    body = api("GET", f"{_path(template, world)}?page_size={HUGE}", status=400)
    assert body["field"] == "page_size"


@pytest.mark.parametrize(
    "url",
    [
        "/registry/?page={huge}",
        "/registry/organisations/?page={huge}",
        "/registry/imports/?page={huge}",
        "/registry/capabilities/{capability}/evidence/?offset={huge}",
        "/o/{sponsor}/audit/?page={huge}",
        "/o/{sponsor}/rfps/?page={huge}",
        "/registry/?page=-1",
        "/registry/?page=abc",
    ],
)
def test_pages_clamp_a_page_number_out_of_range(world: SimpleNamespace, url: str) -> None:
    client = Client()
    client.force_login(world.sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    url = url.format(huge=HUGE, sponsor=world.sponsor.slug, capability=world.registry_capability.pk)
    assert client.get(url).status_code == 200
