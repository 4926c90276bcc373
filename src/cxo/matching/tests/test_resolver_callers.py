"""Every way into matching reads words with the one resolver: the same words rank the same as their codes
through POST /match, the Find providers page and ``cxo match``, and text that names nothing is refused
(API 400, a message on the page, the CLI's exit code 2)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html import escape, unescape
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings

from cxo.core.models import Organisation, User
from cxo.core.services import api_token_create
from cxo.matching import live
from cxo.matching.need import NEED_FIELDS, Need
from cxo.matching.tests.registry import small_registry

TODAY = dt.date(2026, 11, 25)

# (need field, CLI option, word, the code it names)
WORDS = [
    ("services", "--service", "fill finish", "svc.mfg.drug_product.sterile_fill_finish"),
    ("services", "--service", "R&D", "svc.research"),
    ("services", "--service", "MANUFACTURE", "svc.mfg.drug_product"),
    ("dosage_forms", "--dosage-form", "tablets", "frm.tablet"),
    ("countries", "--country", "Germany", "DEU"),
    ("countries", "--country", "DEU", "DEU"),
    ("countries", "--country", "India", "IND"),
    ("regions", "--region", "EU", "eu"),
]


@pytest.fixture
def reg(db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    settings.CXO_MATCH_VERSION_TTL = 0
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    live.forget()
    return small_registry()


def _api(user: User, need: dict[str, Any]) -> Any:
    _, secret = api_token_create(user=user, name="test")
    return Client().post(
        "/api/v1/match", {**need, "all": True}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )


def _cli(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("match", *args, "--all", "--json", "--today", TODAY.isoformat(), stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def _ranking(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(r["site"]["name"], r["organisation"]["name"], r["score"]) for r in data["results"]]


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.mark.parametrize(("field", "option", "word", "code"), WORDS)
def test_words_rank_as_their_codes_through_the_api_the_cli_and_the_page(
    reg: SimpleNamespace,
    sponsor: Organisation,
    sponsor_user: User,
    sponsor_client: Client,
    field: str,
    option: str,
    word: str,
    code: str,
) -> None:
    by_code = _api(sponsor_user, {field: [code]})
    by_word = _api(sponsor_user, {field: [word]})
    assert by_code.status_code == by_word.status_code == 200
    assert (by_word.json()["total"], _ranking(by_word.json())) == (by_code.json()["total"], _ranking(by_code.json()))
    cli = _cli(option, word)
    assert (cli["total"], _ranking(cli)) == (by_code.json()["total"], _ranking(by_code.json()))
    # The page: the word typed in the field's box, as a user would without picking a suggestion.
    page = sponsor_client.get(f"/o/{sponsor.slug}/match/", {f"{field}_text": word, "go": "1", "limit": "500"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="match-error"' not in body
    total = by_code.json()["total"]
    assert (f"{total} match" in _text(body)) or (total == 0 and "No provider" in _text(body)), _text(body)[:400]
    assert f'value="{escape(word)}"' in body  # the chip keeps what was typed; the resolver reads it on every search


def test_words_and_codes_combine_in_one_need(reg: SimpleNamespace, sponsor_user: User) -> None:
    words = {"services": ["MANUFACTURE"], "dosage_forms": ["tablets"], "countries": ["India"]}
    codes = {"services": ["svc.mfg.drug_product"], "dosage_forms": ["frm.tablet"], "countries": ["IND"]}
    assert _ranking(_api(sponsor_user, words).json()) == _ranking(_api(sponsor_user, codes).json())
    assert [r[0] for r in _ranking(_api(sponsor_user, words).json())] == ["Acme Hyderabad"]


@pytest.mark.parametrize(("field", "option"), [("services", "--service"), ("dosage_forms", "--dosage-form"),
                                               ("countries", "--country"), ("regions", "--region"),
                                               ("substance", "--substance")])  # fmt: skip
def test_text_that_names_nothing_is_refused_everywhere(
    reg: SimpleNamespace, sponsor: Organisation, sponsor_user: User, sponsor_client: Client, field: str, option: str
) -> None:
    value: Any = "xyz" if field == "substance" else ["xyz"]
    api = _api(sponsor_user, {field: value})
    assert api.status_code == 400
    assert api.json()["detail"].startswith("Unknown ") and "'xyz'" in api.json()["detail"]
    assert api.json()["field"] == field
    with pytest.raises(CommandError, match="'xyz'") as refused:
        _cli(option, "xyz")
    assert refused.value.returncode == 2
    query = {field: "xyz"} if field == "substance" else {f"{field}_text": "xyz"}
    body = sponsor_client.get(f"/o/{sponsor.slug}/match/", {**query, "go": "1"}).content.decode()
    assert 'data-testid="match-error"' in body and "Unknown " in _text(body) and "'xyz'" in _text(body)
    assert "Acme" not in _text(body).split("Find providers")[-1]  # no result row: refused, not ignored


def test_a_typo_on_the_page_is_shown_on_its_field_with_suggestions(
    reg: SimpleNamespace, sponsor: Organisation, sponsor_client: Client
) -> None:
    body = sponsor_client.get(f"/o/{sponsor.slug}/match/", {"services_text": "fil finsh", "go": "1"}).content.decode()
    assert 'data-testid="error-services"' in body
    assert "Did you mean: Sterile / aseptic fill-finish" in _text(body)


def test_several_values_typed_in_one_box_are_each_read(
    reg: SimpleNamespace, sponsor: Organisation, sponsor_user: User, sponsor_client: Client
) -> None:
    body = sponsor_client.get(
        f"/o/{sponsor.slug}/match/", {"countries_text": "India; USA", "services": "svc.mfg.api", "go": "1"}
    ).content.decode()
    expected = _api(sponsor_user, {"services": ["svc.mfg.api"], "countries": ["IND", "USA"]}).json()["total"]
    assert f"{expected} match" in _text(body)


def test_the_need_field_list_is_the_schema_and_the_cli_options() -> None:
    assert {f.name for f in NEED_FIELDS} | {"limit", "all", "per_organisation"} == set(Need.model_fields)
    from cxo.matching.management.commands.match import Command

    parser = Command().create_parser("cxo", "match")
    dests = {a.dest for a in parser._actions}
    assert {f.name for f in NEED_FIELDS} <= dests
