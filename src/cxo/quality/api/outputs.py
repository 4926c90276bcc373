"""The API's output shapes, built from the selectors' rows (the schemas are in ``cxo.quality.schemas``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cxo.quality.models import (
    Audit,
    Capa,
    ChangeAssessment,
    ChangeNotification,
    Qualification,
    QualityAgreement,
    QualityPolicy,
)
from cxo.quality.schemas import signature_out
from cxo.quality.scorecard import Scorecard
from cxo.quality.selectors.asl import AslRow
from cxo.quality.selectors.audits import AuditPlan, PlanRow
from cxo.quality.selectors.capas import ProviderFinding, capa_due_on, capa_overdue
from cxo.quality.selectors.changes import ProviderNotification
from cxo.quality.services.policy import FIELDS
from cxo.registry.models import Site


def site_ref(site: Site) -> dict[str, Any]:
    return {
        "id": site.pk,
        "name": site.name,
        "fei": site.fei,
        "duns": site.duns,
        "country": site.country,
        "provider_id": site.organisation_id,
        "provider": site.organisation.name,
    }


def asl_row_out(row: AslRow) -> dict[str, Any]:
    q = row.qualification
    risk = row.risk
    return {
        "qualification_id": q.pk,
        "site": site_ref(q.site),
        "service": q.service.code,
        "service_name": q.service.name,
        "status": row.status,
        "kind": q.kind,
        "approved_on": q.approved_on,
        "valid_until": q.valid_until,
        "conditions": q.conditions,
        "risk": {
            "level": risk.level,
            "criticality": risk.criticality,
            "band": risk.band,
            "reasons": list(risk.reasons),
            "explanation": risk.explanation,
        },
        "agreement_in_force": row.agreement_in_force,
        "open_findings": row.findings.open_total,
        "capas_overdue": row.findings.overdue,
        "last_audit_on": row.last_audit_on,
        "audit_due_on": row.audit_due_on,
        "issues": row.issues,
        "signature": signature_out(row.signature),
    }


def qualification_out(q: Qualification, status: str) -> dict[str, Any]:
    return {
        "id": q.pk,
        "site": site_ref(q.site),
        "service": q.service.code,
        "service_name": q.service.name,
        "status": status,
        "kind": q.kind,
        "approved_on": q.approved_on,
        "valid_until": q.valid_until,
        "conditions": q.conditions,
        "conditions_due": q.conditions_due,
        "review_reason": q.review_reason,
        "review_evidence": q.review_evidence,
        "history": [
            {
                "at": e.at,
                "actor": e.actor_label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "kind": e.kind,
                "reason": e.reason,
                "evidence": e.evidence,
                "valid_until": e.valid_until,
                "signature": signature_out(e.signature),
            }
            for e in q.events.all()
        ],
    }


def audit_summary_out(a: Audit) -> dict[str, Any]:
    return {
        "id": a.pk,
        "reference": a.reference,
        "site": site_ref(a.site),
        "services": [s.code for s in a.services.all()],
        "kind": a.kind,
        "status": a.status,
        "planned_for": a.planned_for,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "conducted_on": a.conducted_on,
        "proposed_by_watch": a.proposed_by_watch,
        "reason": a.reason,
    }


def audit_out(a: Audit) -> dict[str, Any]:
    findings = []
    for f in a.findings.all():
        capa = getattr(f, "capa", None)
        findings.append(
            {
                "id": f.pk,
                "number": f.number,
                "classification": f.classification,
                "title": f.title,
                "description": f.description,
                "clause": f.clause,
                "response_due": f.response_due,
                "issued_at": f.issued_at,
                "capa_id": capa.pk if capa else None,
                "capa_status": capa.status if capa else None,
            }
        )
    return {
        **audit_summary_out(a),
        "checklist": a.checklist,
        "scope": a.scope,
        "lead_auditor": a.lead_auditor.get_username() if a.lead_auditor else None,
        "auditors": [u.get_username() for u in a.auditors.all()],
        "summary": a.summary,
        "report_issued_at": a.report_issued_at,
        "closed_at": a.closed_at,
        "qualification_id": a.qualification_id,
        "checklist_items": [
            {
                "id": i.pk,
                "section": i.section,
                "clause": i.clause,
                "question": i.question,
                "result": i.result,
                "observation": i.observation,
            }
            for i in a.checklist_items.all()
        ],
        "findings": findings,
    }


def _plan_row(r: PlanRow) -> dict[str, Any]:
    return {
        "site": site_ref(r.site),
        "services": r.services,
        "risk": r.risk,
        "last_audit_on": r.last_audit_on,
        "due_on": r.due_on,
        "planned_audit": r.upcoming.reference if r.upcoming else None,
    }


def plan_out(plan: AuditPlan) -> dict[str, Any]:
    return {
        "today": plan.today,
        "overdue": [_plan_row(r) for r in plan.overdue],
        "due_soon": [_plan_row(r) for r in plan.due_soon],
        "later": [_plan_row(r) for r in plan.later],
    }


def capa_out(capa: Capa) -> dict[str, Any]:
    finding = capa.finding
    return {
        "id": capa.pk,
        "status": capa.status,
        "sponsor": capa.organisation.name,
        "provider": capa.provider.name,
        "finding": f"{finding.audit.reference}-{finding.label}",
        "finding_title": finding.title,
        "classification": finding.classification,
        "clause": finding.clause,
        "site": finding.site.name,
        "root_cause": capa.root_cause,
        "revision": capa.revision,
        "sponsor_comment": capa.sponsor_comment,
        "due_on": capa_due_on(capa),
        "overdue": capa_overdue(capa),
        "effectiveness_checked_on": capa.effectiveness_checked_on,
        "effectiveness_notes": capa.effectiveness_notes,
        "actions": [
            {
                "id": a.pk,
                "position": a.position,
                "kind": a.kind,
                "description": a.description,
                "owner": a.owner,
                "due_on": a.due_on,
                "completed_on": a.completed_on,
                "completion_note": a.completion_note,
            }
            for a in capa.actions.all()
        ],
        "evidence": [
            {
                "id": e.pk,
                "action_id": e.action_id,
                "name": e.name,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded_at": e.uploaded_at,
            }
            for e in capa.evidence.all()
        ],
        "closure_signature": signature_out(capa.closure_signature),
    }


def provider_finding_out(f: ProviderFinding) -> dict[str, Any]:
    return {
        "finding": f.label,
        "sponsor": f.sponsor,
        "audit_reference": f.audit_reference,
        "site": f.site,
        "audit_ended_on": f.audit_ended_on,
        "classification": f.classification,
        "title": f.title,
        "description": f.description,
        "clause": f.clause,
        "response_due": f.response_due,
        "capa": capa_out(f.capa),
    }


def agreement_out(a: QualityAgreement, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    versions = sorted(a.versions.all(), key=lambda v: -v.number)
    in_force = next((v.number for v in versions if v.in_force_on(today)), None)
    return {
        "id": a.pk,
        "reference": a.reference,
        "title": a.title,
        "sponsor": a.organisation.name,
        "provider": a.provider.name,
        "sites": [site_ref(s) for s in a.sites.select_related("organisation")],
        "in_force": in_force,
        "versions": [
            {
                "number": v.number,
                "status": v.status,
                "effective_on": v.effective_on,
                "expires_on": v.expires_on,
                "in_force": v.number == in_force,
                "sections": v.sections,
                "content_sha256": v.content_sha256,
                "sponsor_signature": signature_out(v.sponsor_signature),
                "provider_signature": signature_out(v.provider_signature),
            }
            for v in versions
        ],
    }


def notification_out(n: ChangeNotification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "reference": n.reference,
        "site": n.site.name,
        "kind": n.kind,
        "title": n.title,
        "description": n.description,
        "planned_on": n.planned_on,
        "sent_at": n.sent_at,
        "notified_before_change": n.notified_before_change,
    }


def assessment_out(a: ChangeAssessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "provider": a.provider.name,
        "notification": notification_out(a.notification),
        "received_at": a.received_at,
        "impact": a.impact,
        "us_category": a.us_category,
        "eu_variation": a.eu_variation,
        "assessment": a.assessment,
        "decision": a.decision,
        "decision_comment": a.decision_comment,
        "decided_at": a.decided_at,
    }


def provider_notification_out(item: ProviderNotification) -> dict[str, Any]:
    return {
        "notification": notification_out(item.notification),
        "decisions": [
            {"sponsor": d.sponsor, "decision": d.decision, "comment": d.comment, "decided_at": d.decided_at}
            for d in item.decisions
        ],
    }


def scorecard_out(card: Scorecard) -> dict[str, Any]:
    return {
        "provider_id": card.provider.pk,
        "provider": card.provider.name,
        "site": card.site.name if card.site else None,
        "start": card.start,
        "end": card.end,
        "overall": card.overall,
        "formula": card.formula,
        "measures": [
            {"key": m.key, "name": m.name, "weight": m.weight, "score": m.score, "basis": m.basis}
            for m in card.measures
        ],
    }


def policy_out(policy: QualityPolicy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in FIELDS}
