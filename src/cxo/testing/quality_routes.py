"""How the tenant-isolation walk reaches the quality app's pages and API operations (merged into
``cxo.testing.routes``). Sponsor routes belong to the walk's sponsor; the provider's findings, CAPAs and change
notifications to its provider (``owner``)."""

from __future__ import annotations

from typing import Any

from cxo.testing.routes import Route

_PROVIDER = {"owner": "provider_user"}
_PROVIDER_TOKEN = {"owner_token": "provider_secret"}


def _org(w: Any) -> dict[str, Any]:
    return {"org": w.sponsor.slug}


def _q(w: Any) -> dict[str, Any]:
    return {"org": w.sponsor.slug, "qualification_id": w.qualification.pk}


def _audit(w: Any) -> dict[str, Any]:
    return {"org": w.sponsor.slug, "audit_id": w.quality_audit.pk}


def _planned(w: Any) -> dict[str, Any]:
    return {"org": w.sponsor.slug, "audit_id": w.planned_audit.pk}


def _capa(w: Any) -> dict[str, Any]:
    return {"org": w.sponsor.slug, "capa_id": w.capa.pk}


def _agreement(w: Any) -> dict[str, Any]:
    return {"org": w.sponsor.slug, "agreement_id": w.agreement.pk}


def _version(w: Any) -> dict[str, Any]:
    return {**_agreement(w), "number": w.agreement_version.number}


def _change(w: Any) -> dict[str, Any]:
    return {"org": w.sponsor.slug, "assessment_id": w.change_assessment.pk}


def _provider_capa(w: Any) -> dict[str, Any]:
    return {"org": w.provider.slug, "capa_id": w.capa.pk}


GP = ("GET", "POST")
P = ("POST",)

QUALITY_WEB_ROUTES: dict[str, Route] = {
    "quality_home": Route("tenant", kwargs=_org),
    "quality_policy": Route("tenant", kwargs=_org, methods=GP),
    "quality_asl": Route("tenant", kwargs=_org, methods=GP),
    "quality_asl_xlsx": Route("tenant", kwargs=_org),
    "quality_asl_pdf": Route("tenant", kwargs=_org),
    "quality_site_search": Route("tenant", kwargs=_org),
    "quality_qualification_detail": Route("tenant", kwargs=_q),
    "quality_qualification_start": Route("tenant", kwargs=_q, methods=P),
    "quality_qualification_decide": Route("tenant", kwargs=_q, methods=P),
    "quality_qualification_review": Route("tenant", kwargs=_q, methods=P),
    "quality_plan": Route("tenant", kwargs=_org),
    "quality_audit_list": Route("tenant", kwargs=_org, methods=GP),
    "quality_audit_detail": Route("tenant", kwargs=_audit),
    "quality_audit_pdf": Route("tenant", kwargs=_audit),
    "quality_audit_schedule": Route("tenant", kwargs=_planned, methods=P),
    "quality_audit_checklist": Route("tenant", kwargs=_planned, methods=P),
    "quality_finding_add": Route("tenant", kwargs=_planned, methods=P),
    "quality_audit_conduct": Route("tenant", kwargs=_planned, methods=P),
    "quality_audit_report": Route("tenant", kwargs=_planned, methods=P),
    "quality_audit_close": Route("tenant", kwargs=_audit, methods=P),
    "quality_audit_cancel": Route("tenant", kwargs=_planned, methods=P),
    "quality_capa_list": Route("tenant", kwargs=_org),
    "quality_capa_detail": Route("tenant", kwargs=_capa),
    "quality_capa_assess": Route("tenant", kwargs=_capa, methods=P),
    "quality_capa_effectiveness": Route("tenant", kwargs=_capa, methods=P),
    "quality_capa_close": Route("tenant", kwargs=_capa, methods=P),
    "quality_evidence": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "evidence_id": w.capa_evidence.pk}),
    "quality_agreement_list": Route("tenant", kwargs=_org, methods=GP),
    "quality_agreement_detail": Route("tenant", kwargs=_agreement),
    "quality_agreement_version_new": Route("tenant", kwargs=_agreement, methods=P),
    "quality_agreement_version_edit": Route("tenant", kwargs=_version, methods=GP),
    "quality_agreement_sign": Route("tenant", kwargs=_version, methods=P),
    "quality_change_list": Route("tenant", kwargs=_org),
    "quality_change_detail": Route("tenant", kwargs=_change),
    "quality_change_assess": Route("tenant", kwargs=_change, methods=P),
    "quality_change_decide": Route("tenant", kwargs=_change, methods=P),
    "quality_scorecards": Route("tenant", kwargs=_org),
    "quality_scorecard": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "provider_id": w.provider.pk}),
    # the provider's side
    "quality_provider_findings": Route("tenant", kwargs=lambda w: {"org": w.provider.slug}, extra=_PROVIDER),
    "quality_provider_capa": Route("tenant", kwargs=_provider_capa, methods=GP, extra=_PROVIDER),
    "quality_provider_action_complete": Route(
        "tenant", kwargs=lambda w: {**_provider_capa(w), "action_id": w.capa_action.pk}, methods=P, extra=_PROVIDER
    ),
    "quality_provider_changes": Route("tenant", kwargs=lambda w: {"org": w.provider.slug}, methods=GP, extra=_PROVIDER),
    "quality_provider_change": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "notification_id": w.change_notification.pk},
        extra=_PROVIDER,
    ),
}

QUALITY_API_ROUTES: dict[str, Route] = {}
