"""How the tenant-isolation walk reaches the quality app's pages and API operations (merged into
``cxo.testing.routes``). Sponsor routes belong to the walk's sponsor; the provider's findings, CAPAs and change
notifications to its provider (``owner``)."""

from __future__ import annotations

from typing import Any

from cxo.testing.route_table import PROVIDER_TOKEN, PROVIDER_USER, Route, ids, operations

_PROVIDER, _PROVIDER_TOKEN = PROVIDER_USER, PROVIDER_TOKEN
_org = ids()
_q = ids(qualification_id="qualification")
_audit = ids(audit_id="quality_audit")
_planned = ids(audit_id="planned_audit")
_capa = ids(capa_id="capa")
_agreement = ids(agreement_id="agreement")
_change = ids(assessment_id="change_assessment")
_provider_capa = ids("provider", capa_id="capa")


def _version(w: Any) -> dict[str, Any]:
    return {**_agreement(w), "number": w.agreement_version.number}


GP = ("GET", "POST")
P = ("POST",)

QUALITY_WEB_ROUTES: dict[str, Route] = {
    "quality:home": Route("tenant", kwargs=_org),
    "quality:policy": Route("tenant", kwargs=_org, methods=GP),
    "quality:asl": Route("tenant", kwargs=_org, methods=GP),
    "quality:asl_xlsx": Route("tenant", kwargs=_org),
    "quality:asl_pdf": Route("tenant", kwargs=_org),
    "quality:site_search": Route("tenant", kwargs=_org),
    "quality:qualification_detail": Route("tenant", kwargs=_q),
    "quality:qualification_start": Route("tenant", kwargs=_q, methods=P),
    "quality:qualification_decide": Route("tenant", kwargs=_q, methods=P),
    "quality:qualification_review": Route("tenant", kwargs=_q, methods=P),
    "quality:plan": Route("tenant", kwargs=_org),
    "quality:audit_list": Route("tenant", kwargs=_org, methods=GP),
    "quality:audit_detail": Route("tenant", kwargs=_audit),
    "quality:audit_pdf": Route("tenant", kwargs=_audit),
    "quality:audit_schedule": Route("tenant", kwargs=_planned, methods=P),
    "quality:audit_checklist": Route("tenant", kwargs=_planned, methods=P),
    "quality:finding_add": Route("tenant", kwargs=_planned, methods=P),
    "quality:audit_conduct": Route("tenant", kwargs=_planned, methods=P),
    "quality:audit_report": Route("tenant", kwargs=_planned, methods=P),
    "quality:audit_close": Route("tenant", kwargs=_audit, methods=P),
    "quality:audit_cancel": Route("tenant", kwargs=_planned, methods=P),
    "quality:capa_list": Route("tenant", kwargs=_org),
    "quality:capa_detail": Route("tenant", kwargs=_capa),
    "quality:capa_assess": Route("tenant", kwargs=_capa, methods=P),
    "quality:capa_effectiveness": Route("tenant", kwargs=_capa, methods=P),
    "quality:capa_close": Route("tenant", kwargs=_capa, methods=P),
    "quality:evidence": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "evidence_id": w.capa_evidence.pk}),
    "quality:agreement_list": Route("tenant", kwargs=_org, methods=GP),
    "quality:agreement_detail": Route("tenant", kwargs=_agreement),
    "quality:agreement_version_new": Route("tenant", kwargs=_agreement, methods=P),
    "quality:agreement_version_edit": Route("tenant", kwargs=_version, methods=GP),
    "quality:agreement_sign": Route("tenant", kwargs=_version, methods=P),
    "quality:change_list": Route("tenant", kwargs=_org),
    "quality:change_detail": Route("tenant", kwargs=_change),
    "quality:change_assess": Route("tenant", kwargs=_change, methods=P),
    "quality:change_decide": Route("tenant", kwargs=_change, methods=P),
    "quality:scorecards": Route("tenant", kwargs=_org),
    "quality:scorecard": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "provider_id": w.provider.pk}),
    # the provider's side
    "quality:provider_findings": Route("tenant", kwargs=lambda w: {"org": w.provider.slug}, extra=_PROVIDER),
    "quality:provider_capa": Route("tenant", kwargs=_provider_capa, methods=GP, extra=_PROVIDER),
    "quality:provider_action_complete": Route(
        "tenant", kwargs=lambda w: {**_provider_capa(w), "action_id": w.capa_action.pk}, methods=P, extra=_PROVIDER
    ),
    "quality:provider_changes": Route("tenant", kwargs=lambda w: {"org": w.provider.slug}, methods=GP, extra=_PROVIDER),
    "quality:provider_change": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "notification_id": w.change_notification.pk},
        extra=_PROVIDER,
    ),
}


def _api(w: Any) -> dict[str, Any]:
    """Path parameters of the sponsor's quality records (and of its provider's side) in the walk's world."""
    return {
        **ids(
            slug="slug",
            qualification_id="qualification",
            audit_id="quality_audit",
            capa_id="capa",
            agreement_id="agreement",
            assessment_id="change_assessment",
            provider_id="provider",
        )(w),
        "number": w.agreement_version.number,
    }


_api_provider = ids(
    "provider",
    slug="slug",
    capa_id="capa",
    action_id="capa_action",
    notification_id="change_notification",
)


QUALITY_API = "/organisations/{slug}/quality"
_SPONSOR_API = [
    "GET /asl",
    "GET /asl/export",
    "POST /qualifications",
    "GET /qualifications/{qualification_id}",
    "POST /qualifications/{qualification_id}/start",
    "POST /qualifications/{qualification_id}/decision",
    "POST /qualifications/{qualification_id}/review",
    "GET /plan",
    "GET /audits",
    "POST /audits",
    "GET /audits/{audit_id}",
    "GET /audits/{audit_id}/report.pdf",
    "POST /audits/{audit_id}/schedule",
    "POST /audits/{audit_id}/checklist",
    "POST /audits/{audit_id}/findings",
    "POST /audits/{audit_id}/conduct",
    "POST /audits/{audit_id}/report",
    "POST /audits/{audit_id}/close",
    "POST /audits/{audit_id}/cancel",
    "GET /home",
    "GET /capas",
    "GET /capas/{capa_id}",
    "POST /capas/{capa_id}/assessment",
    "POST /capas/{capa_id}/effectiveness",
    "POST /capas/{capa_id}/close",
    "GET /agreements",
    "POST /agreements",
    "GET /agreements/{agreement_id}",
    "POST /agreements/{agreement_id}/versions",
    "PUT /agreements/{agreement_id}/versions/{number}",
    "POST /agreements/{agreement_id}/versions/{number}/signature",
    "GET /changes",
    "GET /changes/{assessment_id}",
    "POST /changes/{assessment_id}/assessment",
    "POST /changes/{assessment_id}/decision",
    "GET /scorecards",
    "GET /scorecards/{provider_id}",
    "GET /policy",
    "PUT /policy",
]
_PROVIDER_API = [
    "GET /findings",
    "GET /findings/{capa_id}",
    "POST /findings/{capa_id}/proposal",
    "POST /findings/{capa_id}/actions/{action_id}/completion",
    "GET /notifications",
    "POST /notifications",
    "GET /notifications/{notification_id}",
]


QUALITY_API_ROUTES: dict[str, Route] = {
    "GET /quality/content": Route("signed_in"),
    **operations(QUALITY_API, _SPONSOR_API, Route("tenant", kwargs=_api)),
    **operations(QUALITY_API, _PROVIDER_API, Route("tenant", kwargs=_api_provider, extra=_PROVIDER_TOKEN)),
}
