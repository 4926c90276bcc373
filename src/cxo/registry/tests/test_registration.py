"""Registration status is decided on the day it is read: the same import, read with the clock inside the
file's validity and after it, without re-importing — on the site page, the API, the directory and matching.

The DECRS sample (FY2025: every registration expires on 31 December 2025) is imported once; the
clock is then stopped on 1 June 2025 and on 2 January 2026.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from conftest import login_client
from django.test import Client
from django.urls import reverse

from cxo.core.models import User
from cxo.core.services import api_token_create
from cxo.matching.live import index_from_db
from cxo.matching.need import Need
from cxo.matching.selectors import need_match
from cxo.registry.importers import registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import Site
from cxo.registry.registration import RegistrationSource, RegistrationStatus, registration_source
from cxo.registry.selectors import site_search

FIXTURES = Path(__file__).parent / "fixtures"
INSIDE = dt.date(2025, 6, 1)
AFTER = dt.date(2026, 1, 2)
NOTICE = "The newest DECRS file imported is FY2025; registrations it lists expired on 31 Dec 2025"


@pytest.fixture
def imported(taxonomy: None) -> int:
    registry_import(actor=None, importer=DecrsImporter(), path=FIXTURES / "decrs_sample.csv")
    return Site.objects.count()


def stop_clock(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)


def page_text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def page_text(response: Any) -> str:
    return page_text_of(response.content.decode())


def test_the_status_rule() -> None:
    source = RegistrationSource(today=dt.date(2026, 1, 2), valid_until=dt.date(2025, 12, 31))
    assert source.status(None) == RegistrationStatus.UNREGISTERED
    assert source.status(dt.date(2025, 12, 31)) == RegistrationStatus.SOURCE_EXPIRED  # as stale as its file
    assert source.status(dt.date(2024, 12, 31)) == RegistrationStatus.EXPIRED  # not in the newest file
    assert source.status(dt.date(2026, 12, 31)) == RegistrationStatus.CURRENT
    assert source.notice.startswith(NOTICE) and "import the current file" in source.notice
    current = RegistrationSource(today=dt.date(2025, 6, 1), valid_until=dt.date(2025, 12, 31))
    assert current.status(dt.date(2025, 12, 31)) == RegistrationStatus.CURRENT and current.notice == ""
    assert current.status(dt.date(2024, 12, 31)) == RegistrationStatus.EXPIRED
    assert "No DECRS" in RegistrationSource(today=INSIDE, valid_until=None).current_filter_empty_reason()


def test_pages_api_directory_and_matching_follow_the_clock(
    imported: int, outsider: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = Site.objects.filter(organisation__sites__isnull=False).first()
    assert site is not None and site.duns is not None
    browser: Client = login_client(outsider)
    _, secret = api_token_create(user=outsider, name="clock")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    index = index_from_db()  # built once: "today" is an input of each query, not of the index
    need = Need(services=["ANALYSIS"], require_evidence=["fda_registration_current"])
    analysis = site_search(services=["ANALYSIS"], page_size=1).total
    assert analysis > 0

    stop_clock(monkeypatch, INSIDE)
    assert registration_source().expired is False
    page = page_text(browser.get(reverse("registry:site", kwargs={"site_id": site.pk})))
    assert "Registration current" in page and "Registered with FDA until 31 Dec 2025." in page and NOTICE not in page
    body = api.get(f"/api/v1/registry/sites/{site.duns}").json()
    assert (body["status"], body["registration_source"]["expired"]) == ("current", False)
    current = site_search(registrations=["current"], page_size=1)
    assert current.total == imported and current.filters.empty_reason == ""
    assert {v.code: v.count for v in current.facets["registration"]}["current"] == imported
    inside = need_match(need=need, today=INSIDE, index=index)
    assert (inside.total, inside.notes) == (analysis, [])

    stop_clock(monkeypatch, AFTER)
    assert registration_source().expired is True
    response = browser.get(reverse("registry:site", kwargs={"site_id": site.pk}))
    page = page_text(response)
    assert "Registration current" not in page and "Registration expired" not in page
    assert "Listed in the newest DECRS file imported (FY2025)" in page
    assert page.count(NOTICE) == 1  # said once, at the source
    body = api.get(f"/api/v1/registry/sites/{site.duns}").json()
    assert body["status"] == "source_expired" and body["registration_source"]["notice"].startswith(NOTICE)
    html = browser.get(reverse("registry:directory")).content.decode()
    results = html[html.index('data-testid="results"') : html.index("</table>", html.index('data-testid="results"'))]
    assert page_text_of(html).count(NOTICE) == 1 and "expired" not in results.casefold()  # no site is branded
    nothing = page_text(browser.get(reverse("registry:directory"), {"registration": "current"}))
    assert "No sites match these filters. No registration can be current: the newest DECRS file" in nothing
    listing = api.get("/api/v1/registry/sites", {"registration": "current"}).json()
    assert listing["total"] == 0 and listing["empty_reason"].startswith("No registration can be current")
    counts = {v["code"]: v["count"] for v in listing["facets"]["registration"]}
    assert counts == {"current": 0, "expired": 0, "source_expired": imported, "unregistered": 0}
    after = need_match(need=need, today=AFTER, index=index)
    assert after.total == 0 and after.notes[0].startswith("No registration can be current: the newest DECRS file")
    assert Site.objects.count() == imported  # nothing was imported again


def test_a_site_missing_from_the_newest_file_is_expired(imported: int, monkeypatch: pytest.MonkeyPatch) -> None:
    old = Site.objects.order_by("pk").first()
    assert old is not None
    Site.objects.filter(pk=old.pk).update(registration_expiry=dt.date(2024, 12, 31))  # only in an older file
    stop_clock(monkeypatch, INSIDE)
    found = site_search(registrations=["expired"])
    assert [hit.site.pk for hit in found.hits] == []  # the index is rebuilt by imports: not yet
    from cxo.registry.facets import facets_rebuild

    facets_rebuild()
    found = site_search(registrations=["expired"])
    assert [hit.site.pk for hit in found.hits] == [old.pk] and found.hits[0].profile.registration == "expired"
