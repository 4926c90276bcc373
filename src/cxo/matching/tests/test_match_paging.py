"""POST /match answers a page at a time, with a maximum; the command line still returns every match.

Issue 11, item 7: ``{"all": true}`` returned the whole registry (22 MB in 7.7 s) to any signed-in user.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cxo.core.models import User
from cxo.matching import rules
from cxo.matching.tests.test_interfaces import bearer, cli_json, reg  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("reg")


def match(user: User, body: dict[str, Any], status: int = 200) -> Any:
    response = Client().post("/api/v1/match", body, content_type="application/json", **bearer(user))
    assert response.status_code == status, response.content
    return response.json()


def test_pages_of_limit_rows_follow_the_one_ranking(sponsor_user: User) -> None:
    everything = cli_json("--service", "Manufacturing", "--all")["results"]
    assert len(everything) == 4
    pages = [match(sponsor_user, {"services": ["Manufacturing"], "limit": 3, "page": n}) for n in (1, 2, 3)]
    assert [(p["total"], p["page"], p["page_size"], p["pages"]) for p in pages] == [
        (4, 1, 3, 2),
        (4, 2, 3, 2),
        (4, 3, 3, 2),
    ]
    assert pages[0]["results"] + pages[1]["results"] == everything
    assert [r["rank"] for r in pages[1]["results"]] == [4]
    assert pages[2]["results"] == []


def test_all_in_the_api_is_pages_of_the_maximum_but_the_cli_returns_everything(
    sponsor_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "MAX_LIMIT", 3)  # a registry larger than a page, in miniature
    first = match(sponsor_user, {"services": ["Manufacturing"], "all": True})
    assert (first["total"], first["page_size"], first["pages"], len(first["results"])) == (4, 3, 2, 3)
    second = match(sponsor_user, {"services": ["Manufacturing"], "all": True, "page": 2})
    assert [r["rank"] for r in second["results"]] == [4]
    assert len(cli_json("--service", "Manufacturing", "--all")["results"]) == 4


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"page": 0}, 400, "page"),
        ({"page": 10**20}, 400, "page"),
        ({"limit": 1001}, 422, "limit"),
    ],
)
def test_a_page_or_size_out_of_range_is_a_4xx(
    sponsor_user: User, body: dict[str, Any], status: int, field: str
) -> None:
    answer = match(sponsor_user, {"services": ["Manufacturing"], **body}, status)
    fields = {answer["field"]} if "field" in answer else {e["loc"][-1] for e in answer["errors"]}
    assert fields == {field}
