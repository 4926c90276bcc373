"""The quality API: typed answers, e-signed decisions, the provider's redacted view, errors as 4xx with a message."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

from django.test import Client
from django.utils import timezone

from cxo.core import services as core_services
from cxo.core.models import User
from cxo.testing.factories import TEST_PASSWORD


def _client(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _token(user: User) -> str:
    return core_services.api_token_create(user=user, name="test")[1]


def _json(response: Any) -> Any:
    return response.json()


def test_the_list_lists_each_site_and_service_with_its_risk_and_issues(world: SimpleNamespace) -> None:
    api = _client(world.sponsor_secret)
    rows = _json(api.get(f"/api/v1/organisations/{world.sponsor.slug}/quality/asl"))
    by_service = {r["service"]: r for r in rows}
    approved = by_service["svc.mfg.drug_product"]
    assert approved["status"] == "approved"
    assert approved["site"]["fei"] == "0003004005"
    assert approved["signature"]["meaning"] == "site approved for the service"
    assert approved["risk"]["level"] in ("high", "medium", "low")
    assert "Open findings: 1 major" in approved["issues"]
    assert "No quality agreement in force" in approved["issues"]  # the world's agreement is still a draft
    assert by_service["svc.analysis"]["status"] == "in_qualification"
    only = _json(api.get(f"/api/v1/organisations/{world.sponsor.slug}/quality/asl", {"status": "in_qualification"}))
    assert [r["service"] for r in only] == ["svc.analysis"]


def test_a_decision_through_the_api_is_signed_and_refused_without_a_password(world: SimpleNamespace) -> None:
    api = _client(world.sponsor_secret)
    url = f"/api/v1/organisations/{world.sponsor.slug}/quality/qualifications/{world.pending_qualification.pk}/decision"
    refused = api.post(url, {"decision": "approved", "reason": "Audit passed."}, content_type="application/json")
    assert (refused.status_code, refused.json()) == (
        400,
        {"detail": "Re-enter your password to sign the decision.", "field": "password"},
    )
    done = api.post(
        url,
        {"decision": "approved", "reason": "Audit passed.", "password": TEST_PASSWORD},
        content_type="application/json",
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "approved"
    assert body["history"][0]["to_status"] == "approved"
    assert body["history"][0]["signature"]["signer_username"] == "alice"
    again = api.post(
        url, {"decision": "approved", "reason": "x", "password": TEST_PASSWORD}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["detail"].startswith("A qualification that is “approved” cannot become “approved”")


def test_a_viewer_reads_but_cannot_decide(world: SimpleNamespace, sponsor: Any) -> None:
    from cxo.testing.factories import UserFactory

    viewer = UserFactory.create(username="vic")
    core_services.membership_add(actor=None, organisation=sponsor, user=viewer, role="viewer")
    api = _client(_token(viewer))
    assert api.get(f"/api/v1/organisations/{sponsor.slug}/quality/asl").status_code == 200
    url = f"/api/v1/organisations/{sponsor.slug}/quality/qualifications/{world.pending_qualification.pk}/review"
    refused = api.post(url, {"reason": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role (Viewer) does not allow managing quality."}


def test_the_provider_reads_its_findings_and_answers_them(world: SimpleNamespace) -> None:
    api = _client(world.provider_secret)
    base = f"/api/v1/organisations/{world.provider.slug}/quality"
    [finding] = _json(api.get(f"{base}/findings"))
    assert finding["sponsor"] == "Alpha Biotech"
    assert finding["clause"] == "21 CFR 211.192"
    assert "checklist" not in finding and "summary" not in finding  # nothing else of the audit
    assert finding["capa"]["status"] == "accepted"
    # The sponsor's list, audits and CAPA pages are not the provider's: 404 as for an outsider.
    assert api.get(f"{base}/asl").status_code == 404
    assert api.get(f"/api/v1/organisations/{world.sponsor.slug}/quality/asl").status_code == 404
    action = world.capa_action
    done = api.post(
        f"{base}/findings/{world.capa.pk}/actions/{action.pk}/completion",
        {
            "completed_on": timezone.localdate().isoformat(),
            "note": "SOP-QA-012 v2 effective.",
            "documents": [{"name": "sop.txt", "content_base64": base64.b64encode(b"SOP-QA-012 v2").decode()}],
        },
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    actions = done.json()["capa"]["actions"]
    assert [a["completed_on"] is not None for a in actions] == [True, True]
    bad = api.post(
        f"{base}/findings/{world.capa.pk}/actions/{action.pk}/completion",
        {"completed_on": timezone.localdate().isoformat(), "documents": [{"name": "x", "content_base64": "***"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "not valid base64" in bad.json()["detail"]


def test_the_provider_sees_decisions_on_its_notification_and_the_content_is_public(world: SimpleNamespace) -> None:
    api = _client(world.provider_secret)
    [item] = _json(api.get(f"/api/v1/organisations/{world.provider.slug}/quality/notifications"))
    assert item["notification"]["title"] == "New tablet press on line 2"
    assert item["decisions"] == []  # the sponsor has not decided: the provider does not even learn who got a copy
    content = _json(_client(world.outsider_secret).get("/api/v1/quality/content"))
    assert {c["code"] for c in content["checklists"]} == {
        "gmp_drug_product",
        "ich_q7_api",
        "gcp_cro",
        "analytical_laboratory",
    }
    assert [c["code"] for c in content["finding_classes"]] == ["critical", "major", "minor"]
    assert len(content["agreement_sections"]) == 11


def test_the_list_exports_as_xlsx_and_pdf(world: SimpleNamespace) -> None:
    api = _client(world.sponsor_secret)
    url = f"/api/v1/organisations/{world.sponsor.slug}/quality/asl/export"
    xlsx = api.get(url, {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    pdf = api.get(url, {"format": "pdf"})
    assert pdf.content[:5] == b"%PDF-"
    assert api.get(url, {"format": "csv"}).json() == {"detail": "The format is xlsx or pdf.", "field": "format"}
