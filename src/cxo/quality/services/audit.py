"""Audits: plan (with a checklist from a template), schedule, record observations and findings, conduct, issue the
report (which addresses the findings to the provider and opens their CAPAs), close; or cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission
from cxo.quality.content import checklist_templates
from cxo.quality.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Capa,
    CapaStatus,
    ChecklistItem,
    ChecklistResult,
    Finding,
    FindingClass,
    Qualification,
)
from cxo.quality.rules import service_rule
from cxo.quality.selectors.policy import policy_get
from cxo.quality.services.common import member_require, next_reference, quality_notify, text
from cxo.quality.states import AUDIT
from cxo.registry.models import Site, Term, Vocabulary

A = AuditStatus
EDITABLE = (A.PLANNED, A.SCHEDULED, A.CONDUCTED)  # the checklist and findings change until the report is issued


def _require(actor: User, organisation: Organisation) -> None:
    member_require(
        actor=actor, organisation=organisation, permission=Permission.MANAGE_QUALITY, what="audit", sponsor=True
    )


def _move(audit: Audit, to: str, *, actor: User, reason: str = "", **changes: Any) -> None:
    AUDIT.check(audit.status, to)
    old = audit.status
    audit.status = to
    audit.save()
    audit_record(
        actor=actor,
        organisation=audit.organisation,
        action=f"audit.{to}",
        obj=audit,
        changes={"status": [old, to], **{k: [None, v] for k, v in changes.items()}},
        reason=reason,
    )


def _editable(audit: Audit, doing: str) -> None:
    if audit.status not in EDITABLE:
        raise Conflict(f"You cannot {doing}: the audit's report is {AUDIT.label(audit.status)}.")


@transaction.atomic
def audit_plan(
    *,
    actor: User | None,
    organisation: Organisation,
    site: Site,
    services: Sequence[Term],
    kind: str = AuditKind.ROUTINE,
    planned_for: dt.date | None = None,
    checklist: str = "",
    scope: str = "",
    reason: str = "",
    qualification: Qualification | None = None,
    actor_label: str = "",
) -> Audit:
    """Plan an audit of ``site`` for ``services``; its checklist is copied from the template (by default the one
    the first service's rule names). ``actor`` None is the watch proposing a for-cause audit."""
    if actor is not None:
        _require(actor, organisation)
    if kind not in AuditKind.values:
        raise ServiceError("Choose an initial, routine, for-cause or remote audit.", field="kind")
    if not services:
        raise ServiceError("Choose at least one service the audit covers.", field="services")
    if any(s.vocabulary != Vocabulary.SERVICE for s in services):
        raise ServiceError("The audit's scope lists services of the taxonomy only.", field="services")
    checklist = checklist or service_rule(services[0].code).checklist
    template = checklist_templates().get(checklist)
    if template is None:
        raise ServiceError(f"No checklist template “{checklist}”.", field="checklist")
    audit = Audit.objects.create(
        organisation=organisation,
        reference=next_reference(Audit.objects.for_organisation(organisation), "AUD"),
        site=site,
        provider=site.organisation,
        qualification=qualification,
        kind=kind,
        checklist=checklist,
        scope=text(scope, field="scope", label="The scope"),
        reason=text(reason, field="reason", label="The reason"),
        proposed_by_watch=actor is None,
        planned_for=planned_for or timezone.localdate(),
        created_by=actor,
    )
    audit.services.set(services)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(audit=audit, position=i, section=line.section, clause=line.clause, question=line.question)
        for i, line in enumerate(template.items)
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="audit.planned",
        obj=audit,
        changes={
            "site": [None, site.name],
            "services": [None, [s.code for s in services]],
            "kind": [None, kind],
            "planned_for": [None, audit.planned_for],
            "checklist": [None, checklist],
        },
        reason=audit.reason,
        actor_label=actor_label,
    )
    return audit


def _auditors(organisation: Organisation, users: Sequence[User]) -> list[User]:
    members = set(
        Membership.objects.filter(organisation=organisation, user__in=users).values_list("user_id", flat=True)
    )
    strangers = [u.get_username() for u in users if u.pk not in members]
    if strangers:
        raise ServiceError(
            f"Auditors must be members of {organisation.name}: {', '.join(strangers)}.", field="auditors"
        )
    return list(users)


@transaction.atomic
def audit_schedule(
    *,
    actor: User,
    audit: Audit,
    starts_on: dt.date,
    ends_on: dt.date,
    lead_auditor: User,
    auditors: Sequence[User] = (),
) -> Audit:
    """Fix the audit's dates and its team (members of the sponsor; the lead auditor first)."""
    _require(actor, audit.organisation)
    if ends_on < starts_on:
        raise ServiceError("The audit cannot end before it starts.", field="ends_on")
    team = _auditors(audit.organisation, [lead_auditor, *[u for u in auditors if u.pk != lead_auditor.pk]])
    audit.starts_on, audit.ends_on, audit.lead_auditor = starts_on, ends_on, lead_auditor
    _move(
        audit,
        A.SCHEDULED,
        actor=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        lead_auditor=lead_auditor.get_username(),
        auditors=[u.get_username() for u in team],
    )
    audit.auditors.set(team)
    return audit


@dataclass(frozen=True)
class ItemResult:
    item_id: int
    result: str
    observation: str = ""


@transaction.atomic
def audit_checklist_record(*, actor: User, audit: Audit, results: Sequence[ItemResult]) -> list[ChecklistItem]:
    """Record what was seen against checklist lines (their result and observation)."""
    _require(actor, audit.organisation)
    _editable(audit, "change the checklist")
    items = {i.pk: i for i in audit.checklist_items.all()}
    changed: list[ChecklistItem] = []
    for r in results:
        item = items.get(r.item_id)
        if item is None:
            raise ServiceError(f"No checklist line {r.item_id} in this audit.", field="results")
        if r.result not in ChecklistResult.values:
            raise ServiceError(f"“{r.result}” is not a checklist result.", field="results")
        observation = text(r.observation, field="results", label="An observation")
        if (item.result, item.observation) != (r.result, observation):
            item.result, item.observation = r.result, observation
            changed.append(item)
    audit.checklist_items.bulk_update(changed, ["result", "observation"])
    if changed:
        audit_record(
            actor=actor,
            organisation=audit.organisation,
            action="audit.checklist",
            obj=audit,
            changes={f"{i.clause or i.position}": [None, i.result] for i in changed},
        )
    return changed


@transaction.atomic
def finding_add(
    *,
    actor: User,
    audit: Audit,
    classification: str,
    title: str,
    description: str,
    clause: str,
    checklist_item_id: int | None = None,
) -> Finding:
    """Record a finding, classified critical / major / minor against the clause it departs from."""
    _require(actor, audit.organisation)
    _editable(audit, "add a finding")
    if classification not in FindingClass.values:
        raise ServiceError("Classify the finding as critical, major or minor.", field="classification")
    item = None
    if checklist_item_id is not None:
        item = audit.checklist_items.filter(pk=checklist_item_id).first()
        if item is None:
            raise ServiceError("No such checklist line in this audit.", field="checklist_item_id")
    clause = text(clause or (item.clause if item else ""), field="clause", label="The clause", required=True, limit=100)
    number = (audit.findings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    finding = Finding.objects.create(
        organisation=audit.organisation,
        audit=audit,
        checklist_item=item,
        provider=audit.provider,
        site=audit.site,
        number=number,
        classification=classification,
        title=text(title, field="title", label="The title", required=True, limit=255),
        description=text(description, field="description", label="The description", required=True),
        clause=clause,
    )
    if item is not None and item.result != ChecklistResult.DEFICIENCY:
        item.result = ChecklistResult.DEFICIENCY
        item.save(update_fields=["result"])
    audit_record(
        actor=actor,
        organisation=audit.organisation,
        action="finding.create",
        obj=finding,
        changes={"classification": [None, classification], "clause": [None, clause], "audit": [None, audit.reference]},
    )
    return finding


@transaction.atomic
def audit_conduct(*, actor: User, audit: Audit, conducted_on: dt.date) -> Audit:
    """Record that the audit took place; ``conducted_on`` is its last day (not in the future)."""
    _require(actor, audit.organisation)
    if conducted_on > timezone.localdate():
        raise ServiceError("An audit cannot be recorded as conducted on a future day.", field="conducted_on")
    if audit.starts_on and conducted_on < audit.starts_on:
        raise ServiceError("The audit's last day cannot be before its first.", field="conducted_on")
    audit.conducted_on = conducted_on
    _move(audit, A.CONDUCTED, actor=actor, conducted_on=conducted_on)
    return audit


@transaction.atomic
def audit_report_issue(*, actor: User, audit: Audit, summary: str) -> Audit:
    """Issue the report: its findings are addressed to the provider, each with a CAPA awaiting its proposal and a
    response date (the policy's days for its class), and the provider's quality users are told."""
    _require(actor, audit.organisation)
    audit.summary = text(summary, field="summary", label="The report's conclusion", required=True)
    now = timezone.now()
    audit.report_issued_at = now
    _move(audit, A.REPORT_ISSUED, actor=actor)
    policy = policy_get(organisation=audit.organisation)
    findings = list(audit.findings.all())
    for finding in findings:
        days = (
            policy.critical_response_days
            if finding.classification == FindingClass.CRITICAL
            else policy.finding_response_days
        )
        finding.issued_at = now
        finding.response_due = now.date() + dt.timedelta(days=days)
        finding.save(update_fields=["issued_at", "response_due"])
        Capa.objects.create(organisation=audit.organisation, finding=finding, provider=audit.provider)
    if findings:
        counts = ", ".join(
            f"{n} {c}" for c in FindingClass.values if (n := sum(f.classification == c for f in findings))
        )
        audit_record(
            actor=actor,
            organisation=audit.provider,
            action="finding.addressed",
            obj=audit,
            object_repr=f"Findings of {audit.organisation.name}'s audit of {audit.site.name}"[:255],
            changes={"findings": [None, counts]},
        )
        quality_notify(
            organisation=audit.provider,
            title=f"{audit.organisation.name}: {len(findings)} audit finding{'s' * (len(findings) != 1)} to answer",
            body=f"The audit of {audit.site.name} ({audit.ends_on or audit.conducted_on}) found {counts}. "
            "Propose a root cause and corrective and preventive actions for each.",
            url=reverse("quality:provider_findings", kwargs={"org": audit.provider.slug}),
        )
    return audit


@transaction.atomic
def audit_close(*, actor: User, audit: Audit) -> Audit:
    """Close the audit once every finding's CAPA is closed."""
    _require(actor, audit.organisation)
    open_capas = (
        Capa.objects.for_organisation(audit.organisation).filter(finding__audit=audit).exclude(status=CapaStatus.CLOSED)
    )
    count = open_capas.count()
    if count and audit.status == A.REPORT_ISSUED:
        raise Conflict(f"{count} CAPA{'s are' if count != 1 else ' is'} still open: close them before the audit.")
    audit.closed_at = timezone.now()
    _move(audit, A.CLOSED, actor=actor)
    return audit


@transaction.atomic
def audit_cancel(*, actor: User, audit: Audit, reason: str) -> Audit:
    """Cancel a planned or scheduled audit, with the reason."""
    _require(actor, audit.organisation)
    audit.cancel_reason = text(reason, field="reason", label="The reason", required=True)
    _move(audit, A.CANCELLED, actor=actor, reason=audit.cancel_reason)
    return audit
