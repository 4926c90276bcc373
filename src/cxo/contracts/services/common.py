"""What every contracts service does: find the actor's side, check its role, tell the other party, audit both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from django.db import models
from django.urls import reverse

from cxo.contracts.models import WorkOrder
from cxo.contracts.states import Side
from cxo.core.audit import audit_record
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.notifications import notification_send
from cxo.core.roles import Permission, role_allows
from cxo.core.selectors import membership_get, membership_require
from cxo.sourcing.services.invitation import audit_both

__all__ = [
    "audit_both",
    "audit_work_order",
    "notify",
    "other_party",
    "party_side",
    "password_given",
    "record_side",
    "work_order_url",
]


def party_side(
    *, actor: User, organisation: Organisation, sponsor_id: int, provider_id: int, permission: Permission, what: str
) -> Side:
    """``sponsor`` or ``provider``: the side ``organisation`` is on, once the actor's membership there grants
    ``permission`` (NotFound when it is no party or the actor no member; NotPermitted when the role lacks it)."""
    if organisation.pk not in (sponsor_id, provider_id):
        raise NotFound(f"No such {what}.")
    membership = membership_get(user=actor, organisation=organisation)
    if membership is None:
        raise NotFound(f"No such {what}.")
    membership_require(membership=membership, permission=permission)
    return "sponsor" if organisation.pk == sponsor_id else "provider"


class PartyRecord(Protocol):
    """A record between a sponsor (its ``organisation``) and a provider: a master agreement or a work order."""

    organisation_id: int
    provider_id: int


def record_side(
    *, actor: User, organisation: Organisation, record: PartyRecord, permission: Permission, what: str
) -> Side:
    """``party_side`` for a record's two parties."""
    return party_side(
        actor=actor,
        organisation=organisation,
        sponsor_id=record.organisation_id,
        provider_id=record.provider_id,
        permission=permission,
        what=what,
    )


def work_order_url(work_order: WorkOrder, organisation: Organisation, anchor: str = "") -> str:
    url = reverse("contracts:work_order_detail", kwargs={"org": organisation.slug, "work_order_id": work_order.pk})
    return f"{url}#{anchor}" if anchor else url


def notify(
    *,
    organisation: Organisation,
    permission: Permission,
    title: str,
    body: str = "",
    url: str = "",
) -> None:
    """Tell the members of ``organisation`` whose role grants ``permission`` (in the app, and by e-mail)."""
    users = [
        m.user
        for m in organisation.memberships.select_related("user")
        if m.user.is_active and role_allows(organisation_type=organisation.type, role=m.role, permission=permission)
    ]
    if users:
        notification_send(users=users, organisation=organisation, title=title, body=body, url=url)


def other_party(work_order: WorkOrder, side: Side) -> Organisation:
    return work_order.provider if side == "sponsor" else work_order.organisation


def audit_work_order(
    *,
    actor: User,
    work_order: WorkOrder,
    action: str,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> None:
    """A step on a work order (or a record of it), in the sponsor's trail and, once it is shared, the provider's."""
    if work_order.sent_at is None:
        audit_record(
            actor=actor,
            organisation=work_order.organisation,
            action=action,
            obj=obj or work_order,
            changes=changes,
            reason=reason,
        )
        return
    audit_both(
        actor=actor,
        sponsor=work_order.organisation,
        provider=work_order.provider,
        action=action,
        obj=obj or work_order,
        changes=changes,
        reason=reason,
    )


def password_given(password: str) -> None:
    """An empty password is no signing attempt: ask for it (the audit trail records only real attempts)."""
    if not password:
        raise ServiceError("Re-enter your password to sign.", field="password")
