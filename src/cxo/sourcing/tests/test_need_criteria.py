"""A sourcing need takes what POST /match takes: words read by the one resolver, stored as codes, through the
service, the API and the need form; text that names nothing is refused. The edit form keeps every
criterion, and saving changes (and audits) only what the user changed."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from cxo.core.models import AuditEvent, Organisation, User
from cxo.matching import live
from cxo.matching.tests.registry import small_registry
from cxo.registry.terms import TermNotFound
from cxo.sourcing.models import Need, Programme
from cxo.sourcing.services.programme import need_create, programme_create
from cxo.testing.api import Api


@pytest.fixture
def programme(db: None, settings: Settings, sponsor: Organisation, sponsor_user: User) -> Programme:
    settings.CXO_MATCH_VERSION_TTL = 0
    live.forget()
    small_registry()  # the real taxonomy, and IBUPROFEN on record
    return programme_create(actor=sponsor_user, organisation=sponsor, name="Glucora")


WORDS: dict[str, Any] = {
    "services": ["fill finish", "R&D", "MANUFACTURE"],
    "dosage_forms": ["tablets"],
    "countries": ["Germany", "DEU", "in"],
    "regions": ["EU"],
}
CODES: dict[str, Any] = {
    "services": ["svc.mfg.drug_product.sterile_fill_finish", "svc.research", "svc.mfg.drug_product"],
    "dosage_forms": ["frm.tablet"],
    "countries": ["DEU", "IND"],
    "regions": ["eu"],
}


def test_the_service_stores_words_as_codes(programme: Programme, sponsor_user: User) -> None:
    need = need_create(actor=sponsor_user, programme=programme, title="Fill-finish", criteria=WORDS)
    assert need.criteria == CODES
    for service, code in [("R&D", "svc.research"), ("MANUFACTURE", "svc.mfg.drug_product")]:
        one = need_create(actor=sponsor_user, programme=programme, title=service, criteria={"services": [service]})
        assert one.criteria == {"services": [code]}


@pytest.mark.parametrize("field", ["services", "dosage_forms", "countries", "regions", "substance"])
def test_the_service_refuses_text_that_names_nothing(
    programme: Programme, sponsor: Organisation, sponsor_user: User, field: str
) -> None:
    criteria: dict[str, Any] = {"services": ["R&D"], field: "xyz" if field == "substance" else ["xyz"]}
    with pytest.raises(TermNotFound) as refused:
        need_create(actor=sponsor_user, programme=programme, title="Bad", criteria=criteria)
    assert refused.value.field == field and "'xyz'" in refused.value.message
    assert not Need.objects.for_organisation(sponsor).filter(title="Bad").exists()


def test_the_api_takes_words_and_refuses_xyz(programme: Programme, sponsor: Organisation, sponsor_user: User) -> None:
    api = Api(sponsor_user)
    path = f"/organisations/{sponsor.slug}/programmes/{programme.pk}/needs"
    created = api("POST", path, {"title": "Fill-finish", "criteria": WORDS}, 201)
    assert created["criteria"] == CODES
    refused = api("POST", path, {"title": "Bad", "criteria": {"services": ["xyz"]}}, 400)
    assert refused["detail"].startswith("Unknown service 'xyz'.")
    typo = api("PUT", f"/organisations/{sponsor.slug}/needs/{created['id']}", {"title": "T", "criteria": {
        "services": ["fil finsh"]}}, 400)  # fmt: skip
    assert "Did you mean: Sterile / aseptic fill-finish" in typo["detail"]


class _Form(HTMLParser):
    """The values a browser would post for the page's need form, as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("data-testid") == "need-form":
            self._in_form = True
        if not self._in_form or "name" not in a:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.append((a["name"], a.get("value", "on")))
            elif kind not in {"submit", "button"}:
                self.data.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self.data.pop()
            self.data.append((name, value + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "form":
            self._in_form = False


def _posted(html: str, **changes: Any) -> dict[str, list[str]]:
    form = _Form()
    form.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    return data


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


STORED: dict[str, Any] = {
    "services": ["svc.mfg.api", "svc.analysis"],
    "dosage_forms": ["frm.tablet", "frm.capsule"],
    "routes": ["route.oral"],
    "modalities": ["mod.small_molecule"],
    "scales": ["scale.commercial"],
    "substance": "ibuprofen sodium",
    "countries": ["IND", "USA"],
    "regions": ["europe"],
    "exclude_countries": ["CHN", "RUS"],
    "exclude_regions": ["east_asia"],
    "require_evidence": ["fda_registration", "ndc_listing"],
    "exclude_flagged": True,
}


def test_editing_a_need_round_trips_every_criterion_and_audits_only_what_changed(
    programme: Programme, sponsor: Organisation, sponsor_user: User, sponsor_client: Client
) -> None:
    need = need_create(
        actor=sponsor_user,
        programme=programme,
        title="Ibuprofen API",
        criteria=STORED,
        unit="kg",
        quantity=Decimal("12.000"),
    )
    assert need.criteria == STORED
    url = f"/o/{sponsor.slug}/needs/{need.pk}/edit/"
    page = sponsor_client.get(url)
    html = page.content.decode()
    for label in ("Drug substance (API) manufacture", "Analytical / QC testing", "Tablet", "Capsule", "China"):
        assert label in _text(html)
    events = AuditEvent.objects.for_organisation(sponsor).filter(action="need.update").count()

    unchanged = sponsor_client.post(url, _posted(html))
    assert unchanged.status_code == 302, _text(unchanged.content.decode())[:2000]
    need.refresh_from_db()
    assert need.criteria == STORED and (need.title, need.unit) == ("Ibuprofen API", "kg")
    assert (
        AuditEvent.objects.for_organisation(sponsor).filter(action="need.update").count() == events
    )  # nothing changed, nothing said

    one_more = sponsor_client.post(url, _posted(html, exclude_countries_text="Iran"))
    assert one_more.status_code == 302
    need.refresh_from_db()
    assert need.criteria == {**STORED, "exclude_countries": ["CHN", "RUS", "IRN"]}
    event = AuditEvent.objects.for_organisation(sponsor).filter(action="need.update").latest("id")
    assert event.changes == {"criteria.exclude_countries": [["CHN", "RUS"], ["CHN", "RUS", "IRN"]]}

    # Unticking a value drops only it.
    data = _posted(sponsor_client.get(url).content.decode())
    data["services"] = ["svc.mfg.api"]
    assert sponsor_client.post(url, data).status_code == 302
    need.refresh_from_db()
    assert need.criteria["services"] == ["svc.mfg.api"] and need.criteria["dosage_forms"] == [
        "frm.tablet",
        "frm.capsule",
    ]
    event = AuditEvent.objects.for_organisation(sponsor).filter(action="need.update").latest("id")
    assert set(event.changes) == {"criteria.services"}


def test_the_need_form_reads_typed_words_and_refuses_xyz_on_its_field(
    programme: Programme, sponsor: Organisation, sponsor_client: Client
) -> None:
    url = f"/o/{sponsor.slug}/programmes/{programme.pk}/needs/new/"
    html = sponsor_client.get(url).content.decode()
    typed = {
        "title": "Fill-finish",
        "services_text": "fill finish; R&D; MANUFACTURE",
        "dosage_forms_text": "tablets",
        "countries_text": "Germany; DEU; in",
        "regions_text": "EU",
    }
    saved = sponsor_client.post(url, _posted(html, **typed))
    assert saved.status_code == 302
    assert Need.objects.for_organisation(sponsor).get(title="Fill-finish").criteria == CODES
    refused = sponsor_client.post(url, _posted(html, title="Bad", services_text="xyz", countries_text="Narnia"))
    body = refused.content.decode()
    assert refused.status_code == 200 and not Need.objects.for_organisation(sponsor).filter(title="Bad").exists()
    assert 'data-testid="error-services"' in body and "Unknown service 'xyz'." in _text(body)
    assert 'data-testid="error-countries"' in body and "Unknown country 'Narnia'." in _text(body)
