"""The approved supplier list: add a site and service, start qualifying it, decide (e-signed), review, expire.

Every move goes through :data:`cxo.quality.states.QUALIFICATION`, is kept as a :class:`QualificationEvent`
and written to the audit trail; approval, conditional approval and disqualification are e-signed by a
member whose role signs quality decisions, bound to the SHA-256 of :func:`qualification_content`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import Organisation, Signature, User
from cxo.core.roles import Permission
from cxo.core.signatures import Reauthentication
from cxo.quality.models import (
    Audit,
    AuditStatus,
    Qualification,
    QualificationEvent,
    QualificationKind,
    QualificationStatus,
)
from cxo.quality.rules import approval_valid_until
from cxo.quality.selectors.policy import policy_get
from cxo.quality.services.common import member_require, reauthenticate, sign, text
from cxo.quality.states import QUALIFICATION
from cxo.registry.models import Site, Term, Vocabulary

S = QualificationStatus
MEANINGS: dict[str, str] = {
    S.APPROVED: "site approved for the service",
    S.CONDITIONAL: "site approved for the service with conditions",
    S.DISQUALIFIED: "site disqualified for the service",
}
SIGNED_DECISIONS = frozenset(MEANINGS)
DECISIONS = frozenset({*SIGNED_DECISIONS, S.NOT_APPROVED})


def _require(actor: User, organisation: Organisation, permission: Permission = Permission.MANAGE_QUALITY) -> None:
    member_require(actor=actor, organisation=organisation, permission=permission, what="qualification", sponsor=True)


def qualification_content(qualification: Qualification, **decision: Any) -> dict[str, Any]:
    """What a qualification decision signs: the site, the service, the move and its terms, and the audits on record."""
    site = qualification.site
    audits = (
        Audit.objects.for_organisation(qualification.organisation)
        .filter(site=site, status__in=[AuditStatus.REPORT_ISSUED, AuditStatus.CLOSED])
        .order_by("conducted_on", "pk")
        .values_list("reference", "conducted_on")
    )
    return {
        "record": "quality.qualification",
        "id": qualification.pk,
        "sponsor": qualification.organisation.name,
        "site": {"id": site.pk, "name": site.name, "fei": site.fei, "duns": site.duns or "", "address": site.address},
        "provider": qualification.provider.name,
        "service": {"code": qualification.service.code, "name": qualification.service.name},
        "from": qualification.status,
        "audits": [{"reference": ref, "conducted_on": on} for ref, on in audits],
        **decision,
    }


def _move(
    qualification: Qualification,
    to: str,
    *,
    actor: User | None,
    reason: str = "",
    evidence: list[dict[str, Any]] | None = None,
    signature: Signature | None = None,
    kind: str = "",
    actor_label: str = "",
) -> QualificationEvent:
    """Apply one checked move: the record, its history, the audit trail."""
    QUALIFICATION.check(qualification.status, to, signed=signature is not None)
    old = qualification.status
    qualification.status = to
    qualification.updated_at = timezone.now()
    if kind:
        qualification.kind = kind
    qualification.save()
    label = actor_label or (actor.get_username() if actor is not None else "system")
    event = QualificationEvent.objects.create(
        qualification=qualification,
        actor=actor,
        actor_label=label,
        from_status=old,
        to_status=to,
        kind=kind,
        reason=reason,
        evidence=evidence or [],
        valid_until=qualification.valid_until if to in (S.APPROVED, S.CONDITIONAL) else None,
        signature=signature,
    )
    changes: dict[str, Any] = {"status": [old, to]}
    if signature is not None:
        changes["signature"] = [None, signature.pk]
        changes["content_sha256"] = [None, signature.content_sha256]
    if to in (S.APPROVED, S.CONDITIONAL):
        changes["valid_until"] = [None, qualification.valid_until]
    if evidence:
        changes["evidence"] = [None, [e.get("label", "") for e in evidence]]
    audit_record(
        actor=actor,
        organisation=qualification.organisation,
        action=f"qualification.{to}",
        obj=qualification,
        changes=changes,
        reason=reason,
        actor_label=actor_label,
    )
    return event


@transaction.atomic
def qualification_create(
    *,
    actor: User,
    organisation: Organisation,
    site: Site,
    service: Term,
    kind: str = QualificationKind.INITIAL,
    start: bool = True,
    notes: str = "",
) -> Qualification:
    """Put ``site`` on the sponsor's list for ``service`` (not started, or at once in qualification)."""
    _require(actor, organisation)
    if service.vocabulary != Vocabulary.SERVICE:
        raise ServiceError(f"“{service.name}” is not a service of the taxonomy.", field="service")
    if kind not in QualificationKind.values:
        raise ServiceError("Choose initial, periodic or for-cause qualification.", field="kind")
    try:
        with transaction.atomic():
            qualification = Qualification.objects.create(
                organisation=organisation,
                site=site,
                provider=site.organisation,
                service=service,
                kind=kind,
                notes=text(notes, field="notes", label="Notes"),
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(f"{site.name} is already on your list for {service.name}.") from None
    audit_record(
        actor=actor,
        organisation=organisation,
        action="qualification.create",
        obj=qualification,
        changes={"site": [None, site.name], "service": [None, service.code], "kind": [None, kind]},
    )
    QualificationEvent.objects.create(
        qualification=qualification, actor=actor, actor_label=actor.get_username(), to_status=S.NOT_STARTED, kind=kind
    )
    if start:
        _move(qualification, S.IN_QUALIFICATION, actor=actor, kind=kind)
    return qualification


@transaction.atomic
def qualification_start(
    *, actor: User, qualification: Qualification, kind: str = "", reason: str = ""
) -> Qualification:
    """Start qualifying (not started → in qualification) or requalify (not approved, disqualified, expired)."""
    _require(actor, qualification.organisation)
    if kind and kind not in QualificationKind.values:
        raise ServiceError("Choose initial, periodic or for-cause qualification.", field="kind")
    if not kind and qualification.status != S.NOT_STARTED:
        kind = QualificationKind.PERIODIC
    _move(
        qualification,
        S.IN_QUALIFICATION,
        actor=actor,
        kind=kind,
        reason=text(reason, field="reason", label="The reason"),
    )
    return qualification


def qualification_decide(
    *,
    actor: User,
    qualification: Qualification,
    decision: str,
    reason: str,
    password: str = "",
    meaning: str = "",
    conditions: str = "",
    conditions_due: dt.date | None = None,
    today: dt.date | None = None,
) -> Qualification:
    """Approve, approve with conditions, disqualify (each e-signed) or decide not to approve, with a reason.

    An approval holds for the sponsor's validity period (default 24 months) from ``today``. The password is
    checked first, outside the decision's transaction, so a wrong one stays in the audit trail.
    """
    if decision not in DECISIONS:
        raise ServiceError("Decide approved, conditionally approved, not approved or disqualified.", field="decision")
    signed = decision in SIGNED_DECISIONS
    _require(actor, qualification.organisation, Permission.SIGN_QUALITY if signed else Permission.MANAGE_QUALITY)
    qualification.refresh_from_db(fields=["status"])
    QUALIFICATION.check(qualification.status, decision, signed=True)  # the move first; the signature next
    reason = text(reason, field="reason", label="The reason for the decision", required=True)
    conditions = text(
        conditions, field="conditions", label="A statement of the conditions", required=decision == S.CONDITIONAL
    )
    today = today or timezone.localdate()
    if decision == S.CONDITIONAL and (conditions_due is None or conditions_due < today):
        raise ServiceError(
            "Give the date by which the conditions must be met (today or later).", field="conditions_due"
        )
    reauthentication = None
    if signed:
        if not password:
            raise ServiceError("Re-enter your password to sign the decision.", field="password")
        reauthentication = reauthenticate(actor=actor, password=password, organisation=qualification.organisation)
    return _decided(
        actor=actor,
        qualification=qualification,
        decision=decision,
        reason=reason,
        reauthentication=reauthentication,
        meaning=meaning.strip() or MEANINGS.get(decision, ""),
        conditions=conditions,
        conditions_due=conditions_due if decision == S.CONDITIONAL else None,
        today=today,
    )


@transaction.atomic
def _decided(
    *,
    actor: User,
    qualification: Qualification,
    decision: str,
    reason: str,
    reauthentication: Reauthentication | None,
    meaning: str,
    conditions: str,
    conditions_due: dt.date | None,
    today: dt.date,
) -> Qualification:
    qualification = (
        Qualification.objects.for_organisation(qualification.organisation).select_for_update().get(pk=qualification.pk)
    )
    QUALIFICATION.check(qualification.status, decision, signed=reauthentication is not None)
    if decision in (S.APPROVED, S.CONDITIONAL):
        qualification.approved_on = today
        qualification.valid_until = approval_valid_until(today, policy_get(organisation=qualification.organisation))
        qualification.review_reason, qualification.review_evidence = "", []
    qualification.conditions, qualification.conditions_due = conditions, conditions_due
    signature = None
    if reauthentication is not None:
        content = qualification_content(
            qualification,
            to=decision,
            reason=reason,
            conditions=conditions,
            conditions_due=conditions_due,
            approved_on=qualification.approved_on,
            valid_until=qualification.valid_until if decision != S.DISQUALIFIED else None,
        )
        signature = sign(
            actor=actor,
            reauthentication=reauthentication,
            meaning=meaning,
            content=content,
            organisation=qualification.organisation,
            obj=qualification,
        )
    _move(qualification, decision, actor=actor, reason=reason, signature=signature)
    return qualification


@transaction.atomic
def qualification_review(
    *,
    actor: User | None,
    qualification: Qualification,
    reason: str,
    evidence: list[dict[str, Any]] | None = None,
    actor_label: str = "",
) -> Qualification:
    """Put an approved or conditional qualification under review, naming why (and the records, for the watch).

    ``actor`` None is the watch, which names itself in ``actor_label``.
    """
    if actor is not None:
        _require(actor, qualification.organisation)
    reason = text(reason, field="reason", label="The reason for the review", required=True)
    qualification.review_reason = reason
    qualification.review_evidence = evidence or []
    _move(qualification, S.UNDER_REVIEW, actor=actor, reason=reason, evidence=evidence, actor_label=actor_label)
    return qualification


@transaction.atomic
def qualification_expire(*, qualification: Qualification, actor_label: str) -> Qualification:
    """The approval's validity has passed: the watch moves it to expired (requalify to approve it again)."""
    _move(
        qualification,
        S.EXPIRED,
        actor=None,
        actor_label=actor_label,
        reason=f"The approval's validity ended on {qualification.valid_until:%d %b %Y}.",
    )
    return qualification
