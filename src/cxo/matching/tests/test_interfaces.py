"""The need through the API, the CLI and the pages; shortlists through services, API and pages."""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import login_client
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from cxo.core.errors import Conflict, NotPermitted
from cxo.core.models import AuditEvent, Organisation, User
from cxo.core.services import api_token_create, membership_add
from cxo.matching import live, services
from cxo.matching.models import Shortlist, ShortlistEntry
from cxo.matching.tests.registry import small_registry
from cxo.testing.factories import UserFactory

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def reg(db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    settings.CXO_MATCH_VERSION_TTL = 0
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)  # scores age with time
    live.forget()
    return small_registry()


def bearer(user: User) -> dict[str, Any]:
    _, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def cli_json(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("match", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_api_and_cli_return_the_same_ranking(reg: SimpleNamespace, sponsor_user: User, sponsor: Organisation) -> None:
    response = Client().post(
        "/api/v1/match",
        {"services": ["Manufacturing"], "all": True},
        content_type="application/json",
        **bearer(sponsor_user),
    )
    assert response.status_code == 200
    api = response.json()
    cli = cli_json("--service", "Manufacturing", "--all")
    assert (api["total"], api["results"]) == (cli["total"], cli["results"])
    assert (api["page"], api["page_size"], api["pages"]) == (1, 1000, 1)
    assert api["total"] == 4
    first = api["results"][0]
    assert set(first) >= {"rank", "score", "site", "organisation", "explanation"}
    assert set(first["site"]) >= {"duns", "fei", "name", "country"}
    assert set(first["organisation"]) >= {"id", "name", "kind"}
    assert {"criterion", "status", "detail"} <= set(first["explanation"][0])
    assert [r["rank"] for r in api["results"]] == [1, 2, 3, 4]


def test_api_match_errors_are_400_with_suggestions(reg: SimpleNamespace, sponsor_user: User) -> None:
    response = Client().post(
        "/api/v1/match", {"services": ["fill finsh"]}, content_type="application/json", **bearer(sponsor_user)
    )
    assert response.status_code == 400
    assert response.json()["field"] == "services"
    assert "Sterile / aseptic fill-finish" in response.json()["detail"]
    assert Client().post("/api/v1/match", {}, content_type="application/json").status_code == 401
    bad = Client().post("/api/v1/match", {"limit": 0}, content_type="application/json", **bearer(sponsor_user))
    assert bad.status_code == 422


def test_api_term_autocomplete(reg: SimpleNamespace, sponsor_user: User) -> None:
    response = Client().get("/api/v1/match/terms?vocabulary=service&q=fill", **bearer(sponsor_user))
    assert response.status_code == 200
    assert response.json()[0]["code"] == "svc.mfg.drug_product.sterile_fill_finish"


def test_cli_table_and_errors(reg: SimpleNamespace) -> None:
    out = io.StringIO()
    call_command("match", "--service", "API MANUFACTURE", "--today", "2026-11-25", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "2 matches, showing 2"
    assert "Acme Newark" in text and "service_fit✓300" in text
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown country 'Narnia'"):
        call_command("match", "--service", "PACK", "--country", "Narnia")


# --- shortlists -----------------------------------------------------------------------------------


def test_shortlist_services_write_the_audit_trail(
    reg: SimpleNamespace, sponsor: Organisation, sponsor_user: User
) -> None:
    shortlist = services.shortlist_create(actor=sponsor_user, organisation=sponsor, name="  Solid dose  India ")
    assert shortlist.name == "Solid dose India"
    with pytest.raises(Conflict):
        services.shortlist_create(actor=sponsor_user, organisation=sponsor, name="solid dose india")
    entry = services.shortlist_add(
        actor=sponsor_user, shortlist=shortlist, provider=reg.acme, site=reg.hyderabad, score=950, need={"x": 1}
    )
    assert (entry.site_name, entry.site_country, entry.score) == ("Acme Hyderabad", "IND", 950)
    with pytest.raises(Conflict):
        services.shortlist_add(actor=sponsor_user, shortlist=shortlist, provider=reg.acme, site=reg.hyderabad)
    services.shortlist_rename(actor=sponsor_user, shortlist=shortlist, name="Tablets")
    services.shortlist_remove(actor=sponsor_user, entry=entry)
    services.shortlist_delete(actor=sponsor_user, shortlist=shortlist)
    actions = list(AuditEvent.objects.for_organisation(sponsor).order_by("id").values_list("action", flat=True))
    assert actions[-5:] == [
        "shortlist.create",
        "shortlist.add",
        "shortlist.rename",
        "shortlist.remove",
        "shortlist.delete",
    ]
    assert not Shortlist.objects.for_organisation(sponsor).exists()


def test_only_sponsors_with_sourcing_rights_change_shortlists(
    reg: SimpleNamespace, sponsor: Organisation, teammate: User, provider: Organisation, provider_user: User
) -> None:
    with pytest.raises(NotPermitted):  # the teammate is in quality
        services.shortlist_create(actor=teammate, organisation=sponsor, name="Nope")
    with pytest.raises(NotPermitted, match="sponsor"):
        services.shortlist_create(actor=provider_user, organisation=provider, name="Nope")


def test_shortlists_are_private(
    reg: SimpleNamespace, sponsor: Organisation, sponsor_user: User, outsider: User
) -> None:
    shortlist = services.shortlist_create(actor=sponsor_user, organisation=sponsor, name="Private")
    services.shortlist_add(actor=sponsor_user, shortlist=shortlist, provider=reg.acme, site=reg.newark)
    with pytest.raises(Exception, match="Unscoped"):
        list(ShortlistEntry.objects.all())
    other = Organisation.objects.get(slug="charlie-pharma")
    assert not Shortlist.objects.for_organisation(other).exists()
    assert Shortlist.objects.visible_to(outsider).count() == 0
    client = login_client(outsider)
    assert client.get(f"/o/{sponsor.slug}/shortlists/{shortlist.pk}/").status_code == 404
    assert client.get(f"/o/charlie-pharma/shortlists/{shortlist.pk}/").status_code == 404
    api = Client().get(f"/api/v1/organisations/{sponsor.slug}/shortlists/{shortlist.pk}", **bearer(outsider))
    assert api.status_code == 404


def test_shortlist_api_crud(reg: SimpleNamespace, sponsor: Organisation, sponsor_user: User) -> None:
    client, auth = Client(), bearer(sponsor_user)
    base = f"/api/v1/organisations/{sponsor.slug}/shortlists"
    created = client.post(base, {"name": "EU steriles"}, content_type="application/json", **auth)
    assert created.status_code == 201
    sid = created.json()["id"]
    assert client.post(base, {"name": ""}, content_type="application/json", **auth).status_code == 400
    assert client.post(base, {"name": "eu steriles"}, content_type="application/json", **auth).status_code == 409
    need = {"services": ["MANUFACTURE"], "dosage_forms": ["TABLET"], "countries": ["IND"]}
    added = client.post(
        f"{base}/{sid}/entries",
        {"site_id": reg.hyderabad.pk, "note": "visit", "need": need},
        content_type="application/json",
        **auth,
    )
    assert added.status_code == 201
    assert added.json()["score"] == need_score_today(need, reg.hyderabad.pk)
    org_only = client.post(
        f"{base}/{sid}/entries", {"organisation_id": reg.chem.pk}, content_type="application/json", **auth
    )
    assert org_only.status_code == 201 and org_only.json()["site_id"] is None
    detail = client.get(f"{base}/{sid}", **auth).json()
    assert detail["entry_count"] == 2
    assert [e["organisation_name"] for e in detail["entries"]] == ["Acme Pharma", "Chem Virtual"]
    renamed = client.patch(f"{base}/{sid}", {"name": "Tablets"}, content_type="application/json", **auth)
    assert renamed.json()["name"] == "Tablets"
    entry_id = detail["entries"][0]["id"]
    assert client.delete(f"{base}/{sid}/entries/{entry_id}", **auth).status_code == 204
    assert [s["entry_count"] for s in client.get(base, **auth).json()] == [1]
    assert client.delete(f"{base}/{sid}", **auth).status_code == 204
    assert client.get(base, **auth).json() == []


def need_score_today(need: dict[str, Any], site_id: int) -> int | None:
    from django.utils import timezone

    from cxo.matching.need import Need
    from cxo.matching.selectors import need_match

    result = need_match(need=Need(**need), today=timezone.localdate())
    return next((r["score"] for r in result.results if r["site"]["id"] == site_id), None)


# --- pages ----------------------------------------------------------------------------------------


def test_find_providers_page_and_save_to_a_new_shortlist(
    reg: SimpleNamespace, sponsor: Organisation, sponsor_client: Client
) -> None:
    url = f"/o/{sponsor.slug}/match/"
    intro = sponsor_client.get(url)
    assert intro.status_code == 200 and b"What do you need made" in intro.content
    page = sponsor_client.get(url, {"services": "MANUFACTURE", "countries": "IND", "go": "1"})
    body = page.content.decode()
    assert "2 matches" in body and "Acme Hyderabad" in body and "Why this score?" in body
    assert f'href="/registry/sites/{reg.hyderabad.pk}/"' in body
    fragment = sponsor_client.get(
        url, {"services_text": "API MANUFACTURE"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert b"<html" not in fragment.content and b"Acme Newark" in fragment.content
    error = sponsor_client.get(url, {"services_text": "API MANUFACTUR"}).content.decode()
    assert "Unknown service" in error and "Did you mean" in error
    saved = sponsor_client.post(
        f"/o/{sponsor.slug}/shortlists/add/",
        {
            "pick": [f"site:{reg.hyderabad.pk}", f"org:{reg.chem.pk}"],
            "new_name": "Tablets in India",
            "need": json.dumps({"services": ["MANUFACTURE"], "countries": ["IND"]}),
        },
    )
    shortlist = Shortlist.objects.for_organisation(sponsor).get(name="Tablets in India")
    assert saved.status_code == 302 and saved["Location"] == f"/o/{sponsor.slug}/shortlists/{shortlist.pk}/"
    entries = {e.provider_name: e.score for e in shortlist.entries.all()}
    assert entries == {"Acme Pharma": 855, "Chem Virtual": None}  # Chem Virtual has no site in India
    detail = sponsor_client.get(saved["Location"]).content.decode()
    assert "Acme Hyderabad" in detail and "Chem Virtual" in detail
    # What each was found with, in words (the need said "MANUFACTURE" and "IND").
    assert "<small>Drug product manufacture · India</small>" in detail
    listing = sponsor_client.get(f"/o/{sponsor.slug}/shortlists/").content.decode()
    assert "Tablets in India" in listing


def test_autocomplete_suggests_terms_and_returns_a_chip(
    reg: SimpleNamespace, sponsor: Organisation, sponsor_client: Client
) -> None:
    url = f"/o/{sponsor.slug}/match/terms/"
    suggestions = sponsor_client.get(url, {"field": "services", "services_text": "fill"}).content.decode()
    assert "Sterile / aseptic fill-finish" in suggestions
    assert "pick=svc.mfg.drug_product.sterile_fill_finish" in suggestions
    assert "<small>svc." not in suggestions  # the code is what is picked, not what is read
    chip = sponsor_client.get(url, {"field": "services", "pick": "svc.mfg.api"}).content.decode()
    assert 'name="services" value="svc.mfg.api"' in chip and "Drug substance (API) manufacture" in chip
    countries = sponsor_client.get(url, {"field": "countries", "countries_text": "ind"}).content.decode()
    assert "India" in countries and "pick=IND" in countries


def test_providers_are_told_the_pages_are_for_sponsors(
    reg: SimpleNamespace, provider: Organisation, provider_user: User
) -> None:
    response = login_client(provider_user).get(f"/o/{provider.slug}/match/")
    assert response.status_code == 403
    assert b"are for sponsors" in response.content


def test_a_viewer_can_search_but_not_save(reg: SimpleNamespace, sponsor: Organisation) -> None:
    viewer = UserFactory.create(username="vera")
    membership_add(actor=None, organisation=sponsor, user=viewer, role="viewer")
    page = login_client(viewer).get(f"/o/{sponsor.slug}/match/", {"services": "PACK"}).content.decode()
    assert "Acme Hyderabad" in page and "Save to shortlist" not in page
