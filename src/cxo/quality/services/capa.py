"""CAPAs, answered by the provider: it proposes a root cause and actions, the sponsor accepts or returns them,
the provider records each action's implementation with evidence, the sponsor verifies effectiveness and closes
the CAPA with its electronic signature. Both organisations' audit trails get each step."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.core.signatures import Reauthentication
from cxo.quality.models import ActionKind, Capa, CapaAction, CapaEvidence, CapaStatus
from cxo.quality.services.common import member_require, quality_notify, reauthenticate, sign, text
from cxo.quality.states import CAPA

C = CapaStatus
CLOSE_MEANING = "CAPA verified effective and closed"
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
MAX_ACTIONS = 50


@dataclass(frozen=True)
class ActionData:
    kind: str
    description: str
    due_on: dt.date
    owner: str = ""


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"


def _sponsor(actor: User, capa: Capa, permission: Permission = Permission.MANAGE_QUALITY) -> None:
    member_require(actor=actor, organisation=capa.organisation, permission=permission, what="CAPA", sponsor=True)


def _provider(actor: User, capa: Capa) -> None:
    member_require(
        actor=actor, organisation=capa.provider, permission=Permission.MANAGE_QUALITY, what="CAPA", sponsor=False
    )


def _both(capa: Capa, *, actor: User, action: str, changes: dict[str, Any], reason: str = "") -> None:
    for organisation in (capa.organisation, capa.provider):
        audit_record(actor=actor, organisation=organisation, action=action, obj=capa, changes=changes, reason=reason)


def _move(capa: Capa, to: str, *, actor: User, signed: bool = False, reason: str = "", **changes: Any) -> None:
    CAPA.check(capa.status, to, signed=signed)
    old = capa.status
    capa.status = to
    capa.save()
    _both(capa, actor=actor, action=f"capa.{to}", changes={"status": [old, to], **changes}, reason=reason)


def _sponsor_url(capa: Capa) -> str:
    return reverse("quality:capa_detail", kwargs={"org": capa.organisation.slug, "capa_id": capa.pk})


def _provider_url(capa: Capa) -> str:
    return reverse("quality:provider_capa", kwargs={"org": capa.provider.slug, "capa_id": capa.pk})


def _lock(capa: Capa) -> Capa:
    return (
        Capa.objects.for_organisation(capa.organisation)
        .select_for_update()
        .select_related("organisation", "provider", "finding__audit", "finding__site")
        .get(pk=capa.pk)
    )


@transaction.atomic
def capa_propose(*, actor: User, capa: Capa, root_cause: str, actions: Sequence[ActionData]) -> Capa:
    """The provider's proposal: the root cause and its corrective and preventive actions, each with a due date.

    A re-proposal (after a return) replaces the open actions and keeps those already completed.
    """
    _provider(actor, capa)
    capa = _lock(capa)
    CAPA.check(capa.status, C.PROPOSED)
    root_cause = text(root_cause, field="root_cause", label="The root cause", required=True)
    if not actions:
        raise ServiceError("Propose at least one corrective action.", field="actions")
    if len(actions) > MAX_ACTIONS:
        raise ServiceError(f"At most {MAX_ACTIONS} actions.", field="actions")
    if not any(a.kind == ActionKind.CORRECTIVE for a in actions):
        raise ServiceError("Propose at least one corrective action.", field="actions")
    today = timezone.localdate()
    for n, a in enumerate(actions, start=1):
        if a.kind not in ActionKind.values:
            raise ServiceError(f"Action {n}: choose corrective or preventive.", field="actions")
        if a.due_on < today:
            raise ServiceError(f"Action {n}: its due date is in the past.", field="actions")
    capa.actions.filter(completed_on__isnull=True).delete()
    start = capa.actions.count()
    CapaAction.objects.bulk_create(
        CapaAction(
            capa=capa,
            position=start + i,
            kind=a.kind,
            description=text(a.description, field="actions", label=f"Action {i + 1}", required=True),
            owner=text(a.owner, field="actions", label=f"Action {i + 1}'s owner", limit=150),
            due_on=a.due_on,
        )
        for i, a in enumerate(actions)
    )
    capa.root_cause = root_cause
    capa.revision += 1
    capa.proposed_at, capa.proposed_by = timezone.now(), actor
    _move(capa, C.PROPOSED, actor=actor, revision=[capa.revision - 1, capa.revision], actions=[None, len(actions)])
    quality_notify(
        organisation=capa.organisation,
        title=f"{capa.provider.name} proposed a CAPA for {capa.finding}",
        body=f"Root cause: {root_cause[:300]}",
        url=_sponsor_url(capa),
    )
    return capa


@transaction.atomic
def capa_assess(*, actor: User, capa: Capa, accept: bool, comment: str = "") -> Capa:
    """The sponsor accepts the proposal, or returns it with the reason (the provider then proposes again)."""
    _sponsor(actor, capa)
    capa = _lock(capa)
    comment = text(comment, field="comment", label="The comment", required=not accept)
    capa.sponsor_comment = comment
    if accept:
        capa.accepted_at, capa.accepted_by = timezone.now(), actor
    _move(capa, C.ACCEPTED if accept else C.RETURNED, actor=actor, reason=comment)
    quality_notify(
        organisation=capa.provider,
        title=f"{capa.organisation.name} {'accepted' if accept else 'returned'} your CAPA for {capa.finding.label}",
        body=comment or "Implement the actions and record their evidence.",
        url=_provider_url(capa),
    )
    return capa


def _evidence_store(*, actor: User, capa: Capa, action: CapaAction, document: EvidenceFile) -> CapaEvidence:
    name = (document.name or "").replace("/", "_").replace("\\", "_").strip()[:200]
    if not name:
        raise ServiceError("Every evidence document needs a file name.", field="documents")
    if not document.content:
        raise ServiceError(f"The document '{name}' is empty.", field="documents")
    if len(document.content) > MAX_EVIDENCE_BYTES:
        raise ServiceError(f"The document '{name}' is larger than 25 MB.", field="documents")
    evidence = CapaEvidence(
        capa=capa,
        action=action,
        name=name,
        size=len(document.content),
        content_type=document.content_type[:120],
        sha256=hashlib.sha256(document.content).hexdigest(),
        uploaded_by=actor,
    )
    evidence.file.save(name, ContentFile(document.content), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def capa_action_complete(
    *,
    actor: User,
    action: CapaAction,
    completed_on: dt.date,
    note: str,
    documents: Sequence[EvidenceFile],
) -> CapaAction:
    """The provider records that an action is done, with the documents that show it (stored with their SHA-256)."""
    capa = action.capa
    _provider(actor, capa)
    capa = _lock(capa)
    if capa.status != C.ACCEPTED:
        raise Conflict(f"Actions are completed once the CAPA is accepted; it is {CAPA.label(capa.status)}.")
    if not action.is_open:
        raise Conflict("This action is already complete.")
    if completed_on > timezone.localdate():
        raise ServiceError("An action cannot be completed on a future day.", field="completed_on")
    if not documents:
        raise ServiceError("Attach the evidence that the action was implemented.", field="documents")
    stored = [_evidence_store(actor=actor, capa=capa, action=action, document=d) for d in documents]
    action.completed_on = completed_on
    action.completion_note = text(note, field="note", label="The note")
    action.save(update_fields=["completed_on", "completion_note"])
    _both(
        capa,
        actor=actor,
        action="capa.action_complete",
        changes={
            "action": [None, action.position + 1],
            "completed_on": [None, completed_on],
            "evidence": [None, [f"{e.name} sha256:{e.sha256}" for e in stored]],
        },
    )
    if not capa.actions.filter(completed_on__isnull=True).exists():
        quality_notify(
            organisation=capa.organisation,
            title=f"{capa.provider.name} completed every action of the CAPA for {capa.finding}",
            body="Check the evidence and verify the CAPA's effectiveness.",
            url=_sponsor_url(capa),
        )
    return action


def _open_actions_refusal(capa: Capa, doing: str) -> None:
    open_actions = [a for a in capa.actions.all() if a.is_open]
    if open_actions:
        listed = "; ".join(f"{a.position + 1}. {a.description[:60]} (due {a.due_on:%d %b %Y})" for a in open_actions)
        n = len(open_actions)
        raise Conflict(f"You cannot {doing}: {n} action{'s are' if n != 1 else ' is'} still open — {listed}.")


@transaction.atomic
def capa_effectiveness(
    *, actor: User, capa: Capa, effective: bool, notes: str, checked_on: dt.date | None = None
) -> Capa:
    """The sponsor's effectiveness check, once every action is complete: effective (ready to close), or not
    (returned to the provider, who proposes further actions)."""
    _sponsor(actor, capa)
    capa = _lock(capa)
    _open_actions_refusal(capa, "verify its effectiveness")
    capa.effectiveness_notes = text(notes, field="notes", label="The effectiveness check", required=True)
    capa.effectiveness_checked_on = checked_on or timezone.localdate()
    if effective:
        _move(capa, C.EFFECTIVE, actor=actor, reason=capa.effectiveness_notes)
    else:
        capa.sponsor_comment = capa.effectiveness_notes
        _move(capa, C.RETURNED, actor=actor, reason=capa.effectiveness_notes)
        quality_notify(
            organisation=capa.provider,
            title=f"{capa.organisation.name}: the CAPA for {capa.finding.label} was not effective",
            body=capa.effectiveness_notes,
            url=_provider_url(capa),
        )
    return capa


def capa_content(capa: Capa) -> dict[str, Any]:
    """What closing a CAPA signs: the finding, the root cause, each action with its evidence's checksums, the check."""
    finding = capa.finding
    evidence: dict[int, list[str]] = {}
    for e in capa.evidence.all():
        evidence.setdefault(e.action_id, []).append(e.sha256)
    return {
        "record": "quality.capa",
        "id": capa.pk,
        "finding": {
            "audit": finding.audit.reference,
            "number": finding.number,
            "classification": finding.classification,
            "clause": finding.clause,
            "title": finding.title,
        },
        "provider": capa.provider.name,
        "root_cause": capa.root_cause,
        "actions": [
            {
                "kind": a.kind,
                "description": a.description,
                "due_on": a.due_on,
                "completed_on": a.completed_on,
                "evidence_sha256": sorted(evidence.get(a.pk, [])),
            }
            for a in capa.actions.all()
        ],
        "effectiveness": {"checked_on": capa.effectiveness_checked_on, "notes": capa.effectiveness_notes},
    }


def capa_close(*, actor: User, capa: Capa, password: str, meaning: str = CLOSE_MEANING) -> Capa:
    """Close the CAPA with the sponsor's electronic signature over :func:`capa_content`.

    Refused while any action is open or before its effectiveness is verified. The password is checked first,
    outside the closing transaction, so a wrong one stays in the audit trail.
    """
    _sponsor(actor, capa, Permission.SIGN_QUALITY)
    _open_actions_refusal(capa, "close this CAPA")
    CAPA.check(capa.status, C.CLOSED, signed=True)
    if not password:
        raise ServiceError("Re-enter your password to sign the closure.", field="password")
    reauthentication = reauthenticate(actor=actor, password=password, organisation=capa.organisation)
    return _closed(actor=actor, capa=capa, reauthentication=reauthentication, meaning=meaning)


@transaction.atomic
def _closed(*, actor: User, capa: Capa, reauthentication: Reauthentication, meaning: str) -> Capa:
    capa = _lock(capa)
    _open_actions_refusal(capa, "close this CAPA")
    signature = sign(
        actor=actor,
        reauthentication=reauthentication,
        meaning=meaning,
        content=capa_content(capa),
        organisation=capa.organisation,
        obj=capa,
    )
    capa.closed_at, capa.closed_by, capa.closure_signature = timezone.now(), actor, signature
    _move(capa, C.CLOSED, actor=actor, signed=True, signature=[None, signature.pk])
    capa.finding.closed_at = capa.closed_at
    capa.finding.save(update_fields=["closed_at"])
    quality_notify(
        organisation=capa.provider,
        title=f"{capa.organisation.name} closed the CAPA for {capa.finding.label}",
        body=f"Closed and signed by {signature.signer_name} on {signature.signed_at:%d %b %Y}.",
        url=_provider_url(capa),
    )
    return capa
