"""Per-user rate limits of expensive operations, counted in the database (issue 11, item 7)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cxo.core.models import RateLimitCounter
from cxo.core.ratelimit import rate_limit_hit, rate_parse
from cxo.testing.api import Api


def test_a_fixed_window_counts_per_key_and_says_how_long_to_wait(db: None) -> None:
    start = 1_800_000_000.0  # a window boundary for a 60 s period
    hits = [rate_limit_hit(scope="match", key="1", limit=3, period=60, now=start + i) for i in range(5)]
    assert hits == [None, None, None, 57, 56]
    assert rate_limit_hit(scope="match", key="2", limit=3, period=60, now=start + 5) is None  # another user
    assert rate_limit_hit(scope="export", key="1", limit=3, period=60, now=start + 5) is None  # another scope
    # The next window starts afresh and the old one is deleted.
    assert rate_limit_hit(scope="match", key="1", limit=3, period=60, now=start + 60) is None
    assert list(RateLimitCounter.objects.filter(scope="match", key="1").values_list("count", flat=True)) == [1]


@pytest.mark.parametrize(("rate", "parsed"), [("60/min", (60, 60)), ("5/s", (5, 1)), ("1000/day", (1000, 86400))])
def test_rates_are_written_n_per_period(rate: str, parsed: tuple[int, int]) -> None:
    assert rate_parse(rate) == parsed
    with pytest.raises(ValueError, match="A rate is 'N/period'"):
        rate_parse("lots")


def test_the_match_api_answers_429_json_with_retry_after(world: SimpleNamespace, settings: Any) -> None:
    settings.CXO_RATE_LIMITS = {**settings.CXO_RATE_LIMITS, "match": "2/min"}
    sponsor, other = Api(world.sponsor_user), Api(world.provider_user)
    for _ in range(2):
        sponsor("POST", "/match", {})
    response = sponsor.client.post(
        "/api/v1/match", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {sponsor.token}"
    )
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"] == (
        f"Too many requests: at most 2/min for match. Try again in {response['Retry-After']} seconds."
    )
    other("POST", "/match", {})  # each user has their own limit
    path = f"/organisations/{world.sponsor.slug}/needs/{world.need.pk}/matches"
    assert sponsor.client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {sponsor.token}").status_code == 429


def test_the_comparison_export_page_answers_429_with_retry_after(world: SimpleNamespace, settings: Any) -> None:
    settings.CXO_RATE_LIMITS = {**settings.CXO_RATE_LIMITS, "export": "1/hour"}
    client = Client()
    client.force_login(world.sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/o/{world.sponsor.slug}/rfps/{world.rfp.pk}/compare.xlsx"
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 3600
    assert "Too many requests: at most 1/hour for export." in refused.content.decode()
    assert client.get(url.replace(".xlsx", ".pdf")).status_code == 429  # one limit for the exports


def test_an_outsider_is_not_counted_before_the_404(world: SimpleNamespace, settings: Any) -> None:
    settings.CXO_RATE_LIMITS = {**settings.CXO_RATE_LIMITS, "export": "1/hour"}
    client = Client()
    client.force_login(world.outsider, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/o/{world.sponsor.slug}/rfps/{world.rfp.pk}/compare.xlsx"
    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 404]
    assert not RateLimitCounter.objects.exists()
