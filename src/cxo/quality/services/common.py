"""What every quality service needs: who may act, who is told, record references, e-signatures."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from cxo.core.errors import NotFound, NotPermitted, ServiceError
from cxo.core.models import Membership, Organisation, Signature, User
from cxo.core.notifications import notification_send
from cxo.core.roles import OrganisationType, Permission, role_allows
from cxo.core.selectors import membership_get, membership_require
from cxo.core.signatures import Reauthentication, signature_reauthenticate, signature_sign
from cxo.core.tenancy import TenantQuerySet

MAX_TEXT = 20_000  # the longest free text a quality record takes (a finding, a root cause, a section)


def member_require(
    *, actor: User, organisation: Organisation, permission: Permission, what: str, sponsor: bool | None = None
) -> Membership:
    """The actor's membership of ``organisation`` if it grants ``permission``: NotFound for anyone else (existence
    does not leak), NotPermitted with the reason for a member whose role lacks it. ``sponsor`` says which kind of
    organisation may do this (a provider cannot qualify sites; a sponsor cannot answer findings)."""
    membership = membership_get(user=actor, organisation=organisation)
    if membership is None:
        raise NotFound(f"No such {what}.")
    if sponsor is not None and organisation.is_sponsor != sponsor:
        kind = "sponsors" if sponsor else "providers"
        raise NotPermitted(f"Only {kind} can do this.")
    membership_require(membership=membership, permission=permission)
    return membership


def quality_users(organisation: Organisation) -> list[User]:
    """The organisation's active members whose role manages quality: who the quality app tells."""
    return [
        m.user
        for m in organisation.memberships.select_related("user")
        if m.user.is_active
        and role_allows(organisation_type=organisation.type, role=m.role, permission=Permission.MANAGE_QUALITY)
    ]


def quality_notify(*, organisation: Organisation, title: str, body: str, url: str) -> None:
    """Tell the organisation's quality users, in the app and by e-mail."""
    notification_send(users=quality_users(organisation), organisation=organisation, title=title, body=body, url=url)


def next_reference(queryset: TenantQuerySet[Any], prefix: str) -> str:
    """The next free ``PREFIX-YYYY-NNN`` among the owner's records (``queryset`` already scoped to it)."""
    stem = f"{prefix}-{timezone.localdate().year}-"
    taken = {r for r in queryset.filter(reference__startswith=stem).values_list("reference", flat=True)}
    number = len(taken) + 1
    while f"{stem}{number:03d}" in taken:
        number += 1
    return f"{stem}{number:03d}"


def text(value: str, *, field: str, label: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    """A free-text input, stripped and checked: required, no longer than ``limit``, no NUL."""
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"{label} is required.", field=field)
    if len(value) > limit:
        raise ServiceError(f"{label} is too long: at most {limit:,} characters.", field=field)
    if "\x00" in value:
        raise ServiceError(f"{label} contains a NUL character.", field=field)
    return value


def reauthenticate(*, actor: User, password: str, organisation: Organisation) -> Reauthentication:
    """Check the signer's password: call before the signing transaction (a failure must stay in the trail)."""
    return signature_reauthenticate(user=actor, password=password, organisation=organisation)


def sign(
    *,
    actor: User,
    reauthentication: Reauthentication,
    meaning: str,
    content: Any,
    organisation: Organisation,
    obj: models.Model,
) -> Signature:
    """The one way the quality app signs: ``cxo.core.signatures``, bound to the SHA-256 of ``content``."""
    return signature_sign(
        user=actor,
        reauthentication=reauthentication,
        meaning=meaning,
        content=content,
        organisation=organisation,
        obj=obj,
    )


def organisation_kind(organisation: Organisation) -> str:
    return "sponsor" if organisation.type == OrganisationType.SPONSOR else "provider"
