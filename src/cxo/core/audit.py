"""Writing the audit trail. Services call these; nothing else writes AuditEvent."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.db import models

from cxo.core.middleware import request_id_var
from cxo.core.models import AuditEvent, Organisation, User
from cxo.core.text import words


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``instance``, JSON-safe (foreign keys as ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(instance, attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed (a missing key counts as None)."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the trail. Call it inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    return AuditEvent.unscoped.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (actor.get_username() if actor is not None and actor.is_authenticated else "system"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:255],
        changes=_plain(dict(changes or {})),
        reason=reason,
        request_id=request_id_var.get(),
    )


# --- the trail in words (the audit page shows these; the stored codes stay as they are) ------------

_DONE = {
    "accept": "accepted",
    "add": "added",
    "answer": "answered",
    "ask": "asked",
    "attach": "attached",
    "award": "awarded",
    "cancel": "cancelled",
    "change_role": "role changed",
    "claim": "claimed",
    "close": "closed",
    "create": "created",
    "decline": "declined",
    "delete": "deleted",
    "failed": "failed",
    "import": "imported",
    "issue": "issued",
    "regret": "regret sent",
    "remove": "removed",
    "rename": "renamed",
    "revise": "revised",
    "revoke": "revoked",
    "score": "scored",
    "sign": "signed",
    "submit": "submitted",
    "taxonomy_load": "taxonomy loaded",
    "update": "updated",
}


def record_type_label(object_type: str) -> str:
    """What kind of record an event is about, in words: ``sourcing.rfpinvitation`` -> "RFP invitation"."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return words(object_type.rpartition(".")[2])
    return words(str(model._meta.verbose_name))


def action_label(action: str) -> str:
    """What an event did, in words: ``rfp_invitation.accept`` -> "RFP invitation accepted"."""
    entity, _, verb = action.rpartition(".")
    done = _DONE.get(verb, words(verb).lower())
    return f"{words(entity)} {done}" if entity else words(done)
