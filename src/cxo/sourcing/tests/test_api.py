"""The whole sourcing journey through the API alone, with personal tokens; and who may see what."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cxo.config.api import api
from cxo.core.models import Organisation, User
from cxo.core.services import api_token_create
from cxo.testing.api import Api
from cxo.testing.factories import TEST_PASSWORD
from cxo.testing.routes import API_ROUTES, WEB_ROUTES
from cxo.testing.sourcing import sourcing_terms
from cxo.testing.walk import walk_api, walk_web


def test_the_whole_journey_through_the_api(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, provider_user: User, teammate: User
) -> None:
    terms = sourcing_terms()
    s, p = Api(sponsor_user), Api(provider_user)
    base = f"/organisations/{sponsor.slug}"
    inbox = f"/organisations/{provider.slug}/inbox"

    programme = s(
        "POST",
        f"{base}/programmes",
        {
            "name": "Glucora",
            "code": "GLC-2",
            "stage": "phase_2",
            "modality": terms["modality"].code,
            "indication": "Type 2 diabetes",
        },
        201,
    )
    assert programme["team"] == ["alice"]
    need = s(
        "POST",
        f"{base}/programmes/{programme['id']}/needs",
        {
            "title": "Clinical supply of tablets",
            "criteria": {"services": [terms["service"].code]},
            "quantity": "3",
            "unit": "batches",
        },
        201,
    )
    assert need["criteria"] == {"services": [terms["service"].code]}
    deadline = (timezone.now() + dt.timedelta(days=10)).isoformat()
    rfp = s(
        "POST",
        f"{base}/rfps",
        {"need_id": need["id"], "response_deadline": deadline, "questions": ["Which site would make it?"]},
        201,
    )
    assert rfp["status"] == "draft" and len(rfp["line_items"]) == 3
    refused = s("POST", f"{base}/rfps/{rfp['id']}/issue", status=409)
    assert refused["detail"] == "Invite at least one provider before issuing the RFP."
    assert p("GET", inbox) == []  # not invited yet
    invited = s("POST", f"{base}/rfps/{rfp['id']}/invitations", {"provider": provider.slug}, 201)
    assert [i["provider_name"] for i in invited["invited"]] == ["Provan CDMO"]
    assert p("GET", inbox) == []  # a draft is not shown to providers
    assert s("POST", f"{base}/rfps/{rfp['id']}/issue")["status"] == "issued"

    # provider: sees the RFP, asks, submits, revises
    [seen] = p("GET", inbox)
    assert (seen["reference"], seen["sponsor"], seen["invitation_status"]) == (
        rfp["reference"],
        "Alpha Biotech",
        "invited",
    )
    p("POST", f"{inbox}/{rfp['id']}/accept")
    q = p("POST", f"{inbox}/{rfp['id']}/questions", {"question": "Is the API supplied?"}, 201)
    s("POST", f"{base}/questions/{q['id']}/answer", {"answer": "Yes.", "publish": True})
    assert p("GET", f"{inbox}/{rfp['id']}/questions") == [
        {"id": q["id"], "question": "Is the API supplied?", "answer": "Yes.", "visibility": "published", "mine": True}
    ]
    items = [li["id"] for li in rfp["line_items"]]
    doc = b"Technical proposal"
    body: dict[str, Any] = {
        "lines": [
            {"line_item_id": i, "unit_price": price, "assumption": "as stated"}
            for i, price in zip(items, ["1000.10", "2000", "300"], strict=True)
        ],
        "milestones": [{"name": "Batches released", "due_date": "2026-12-01"}],
        "answers": {str(rfp["questions"][0]["id"]): "Site A"},
        "documents": [
            {"name": "tech.txt", "content_base64": base64.b64encode(doc).decode(), "content_type": "text/plain"}
        ],
    }
    v1 = p("POST", f"{inbox}/{rfp['id']}/proposal", body, 201)
    assert v1["number"] == 1 and v1["total"] == "12900.60"  # 6 x 1000.10 + 3 x 2000 + 3 x 300 (batches)
    assert v1["documents"][0]["sha256"] == hashlib.sha256(doc).hexdigest()
    bad = p(
        "POST",
        f"{inbox}/{rfp['id']}/proposal",
        {"lines": [{"line_item_id": items[0], "unit_price": "-1", "assumption": "x"}]},
        400,
    )
    assert bad["detail"] == "The unit price of line 1 ('Project set-up and management') cannot be negative."
    body["lines"][1]["unit_price"] = "1900"
    body["note"] = "Better price on batches"
    v2 = p("POST", f"{inbox}/{rfp['id']}/proposal", body, 201)
    assert (v2["number"], v2["total"]) == (2, "12600.60")
    mine = p("GET", f"{inbox}/{rfp['id']}/proposal")
    assert [v["number"] for v in mine["versions"]] == [1, 2]

    # sponsor: compares, evaluates, closes, awards with a signature
    cmp = s("GET", f"{base}/rfps/{rfp['id']}/comparison")
    assert cmp["totals"][0]["total"] == "12600.60"
    assert (
        cmp["rows"][1]["cells"][0]["changed"] is True and cmp["rows"][1]["cells"][0]["previous_unit_price"] == "2000.00"
    )
    crit = [c["id"] for c in rfp["criteria"]]
    ev = s("PUT", f"{base}/proposals/{mine['id']}/scores", {"scores": [{"criterion_id": c, "score": 8} for c in crit]})
    assert ev[0]["weighted"] == "8.00"
    late = s("POST", f"{base}/rfps/{rfp['id']}/award", {"proposal_id": mine["id"], "password": TEST_PASSWORD}, 409)
    assert late["detail"] == "An RFP that is issued cannot be awarded. Close it first."
    s("POST", f"{base}/rfps/{rfp['id']}/close")
    closed = p("POST", f"{inbox}/{rfp['id']}/proposal", body, 409)
    assert closed["detail"] == "This RFP is closed: proposals can no longer be submitted or revised."
    no_right = Api(teammate)(
        "POST", f"{base}/rfps/{rfp['id']}/award", {"proposal_id": mine["id"], "password": TEST_PASSWORD}, 403
    )
    assert no_right["detail"] == "Your role (Quality assurance) does not allow signing an award."
    wrong = s("POST", f"{base}/rfps/{rfp['id']}/award", {"proposal_id": mine["id"], "password": "nope"}, 403)
    assert wrong["detail"] == "The password is not correct: the signature was not applied."
    award = s("POST", f"{base}/rfps/{rfp['id']}/award", {"proposal_id": mine["id"], "password": TEST_PASSWORD})
    assert award["signature"]["signer"] == "alice" and award["signature"]["meaning"] == "award approved"
    assert award["signature"]["content_sha256"] == v2["content_sha256"]
    # The award links to what contracts drafted from it; sourcing itself knows nothing of work orders.
    [link] = award["links"]
    assert link["rel"] == "work-order" and link["label"].endswith("(draft)")
    wo = s("GET", link["api_url"])
    assert (wo["status"], wo["budget_total"], wo["provider"]) == ("draft", "12600.60", "Provan CDMO")
    assert [b["amount"] for b in wo["budget_lines"]] == ["6000.60", "5700.00", "900.00"]
    assert [(m["name"], m["due_date"], m["amount"]) for m in wo["milestones"]] == [
        ("Batches released", "2026-12-01", "12600.60")
    ]
    # The provider sees the work order once the sponsor sends it, not while it is drafted.
    p("GET", f"/organisations/{provider.slug}/work-orders/{wo['id']}", None, 404)
    assert p("GET", inbox)[0]["outcome"] == "awarded"


@pytest.mark.long
def test_provider_b_sees_nothing_of_provider_a(
    world: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    """Provider B (not invited) gets 404 on the sponsor's pages and on provider A's inbox, proposal and questions."""
    client = Client()
    client.force_login(provider_b_user, backend="django.contrib.auth.backends.ModelBackend")
    owner = Client()
    owner.force_login(world.sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    sourcing_names = {n for n in WEB_ROUTES if n.startswith(("sourcing:", "contracts:"))}
    problems = walk_web(
        world=world,
        owner=owner,
        outsider=client,
        anonymous=Client(),
        routes={k: v for k, v in WEB_ROUTES.items() if k in sourcing_names},
    )
    assert [p for p in problems if "not classified" not in p] == []
    _, secret = api_token_create(user=provider_b_user, name="b")
    problems = walk_api(
        api=api,
        base="/api/v1",
        world=world,
        owner_token=world.sponsor_secret,
        outsider_token=secret,
        anonymous=Client(),
        routes={
            k: v
            for k, v in API_ROUTES.items()
            if "/organisations/{slug}/" in k
            and (
                "inbox" in k or "rfps" in k or "programmes" in k or "proposals" in k or "questions" in k or "needs" in k
            )
        },
    )
    assert [p for p in problems if "not classified" not in p] == []


def test_invited_provider_b_sees_the_rfp_but_not_a_proposal_or_question(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    from cxo.sourcing.services.invitation import invitation_create

    invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    b = Api(provider_b_user)
    inbox = f"/organisations/{provider_b.slug}/inbox/{sw.rfp.pk}"
    assert b("GET", inbox)["reference"] == sw.rfp.reference
    assert b("GET", f"{inbox}/questions") == []
    assert b("GET", f"{inbox}/proposal", status=404)["detail"] == "You have not submitted a proposal to this RFP."
    # provider A's inbox URLs with B's token: B is not a member of A
    b("GET", f"/organisations/{sw.provider.slug}/inbox/{sw.rfp.pk}/proposal", status=404)
    page = Client()
    page.force_login(provider_b_user, backend="django.contrib.auth.backends.ModelBackend")
    html = page.get(f"/o/{provider_b.slug}/inbox/{sw.rfp.pk}/").content.decode()
    assert sw.rfp.reference in html and "Is the API supplied?" not in html and "339,001.50" not in html
    assert page.get(f"/o/{provider_b.slug}/inbox/documents/{sw.rfp_document.pk}/").status_code == 200
    doc_of_a = sw.proposal_version.documents.first()
    assert doc_of_a is None or page.get(f"/o/{provider_b.slug}/inbox/documents/{doc_of_a.pk}/").status_code == 404
