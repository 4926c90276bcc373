"""Electronic signatures (21 CFR Part 11 style): re-authentication, a stated meaning, bound to the content.

Signing is two steps. :func:`signature_reauthenticate` checks the signer's password again; it runs
*outside* the signing transaction so that a failed attempt is written to the audit trail and stays
there after the refusal (21 CFR 11.300(d): attempts at unauthorised use are detected and reported),
and after repeated failures signing is locked for a while. :func:`signature_sign` then records who
signed, when, meaning what, over the SHA-256 of the signed content, so a later change of the content
is detectable with :func:`signature_matches`. It is the one way to sign anything in CXO (an award,
later a batch disposition).

Every attempt is recorded with its outcome: ``signature.failed`` (a wrong password; these count
towards the lock), ``signature.refused`` (while locked, or by a member whose role may not sign:
:func:`signature_refuse`) and ``signature.sign``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Membership, Organisation, Signature, User
from cxo.core.roles import Permission

FAILURE_LIMIT = 3
LOCKOUT = timedelta(minutes=15)
REAUTHENTICATION_VALID_FOR = timedelta(minutes=5)


def canonical_json(content: Any) -> bytes:
    """A stable byte rendering of JSON-able content: sorted keys, no whitespace, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def content_sha256(content: bytes | Any) -> str:
    """SHA-256 (hex) of bytes, or of the canonical JSON of anything else."""
    data = content if isinstance(content, bytes) else canonical_json(content)
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Reauthentication:
    """Proof that ``user_id`` re-entered their password at ``at``. Made only by :func:`signature_reauthenticate`."""

    user_id: int
    at: datetime


def signature_reauthenticate(*, user: User, password: str, organisation: Organisation) -> Reauthentication:
    """Check the signer's password again, before signing.

    Call it outside any transaction that a refusal rolls back: a wrong password is recorded in the
    organisation's audit trail as ``signature.failed`` and must survive. After ``FAILURE_LIMIT``
    failures within ``LOCKOUT`` the user cannot sign until the window has passed.
    """
    now = timezone.now()
    failures = (
        AuditEvent.objects.visible_to(user).filter(actor=user, action="signature.failed", at__gte=now - LOCKOUT).count()
    )
    if failures >= FAILURE_LIMIT:
        minutes = int(LOCKOUT.total_seconds() // 60)
        message = (
            f"Signing is locked after {FAILURE_LIMIT} wrong passwords: try again in {minutes} minutes. "
            "Each attempt is in the audit trail."
        )
        signature_refuse(user=user, organisation=organisation, reason=message)
        raise NotPermitted(message)
    if not user.is_active or not password or not user.check_password(password):
        audit_record(
            actor=user,
            organisation=organisation,
            action="signature.failed",
            obj=user,
            object_repr=f"Signature attempt by {user.get_username()}",
            reason="Wrong password when signing.",
        )
        raise NotPermitted("The password is not correct: the signature was not applied.")
    return Reauthentication(user_id=user.pk, at=now)


def signature_refuse(*, user: User, organisation: Organisation, reason: str) -> None:
    """Record a signature attempt that was refused before any password was checked (``signature.refused``).

    For signing while locked and for a member whose role may not sign. Call it outside any
    transaction that the refusal rolls back, as for a wrong password.
    """
    audit_record(
        actor=user,
        organisation=organisation,
        action="signature.refused",
        obj=user,
        object_repr=f"Signature attempt by {user.get_username()}",
        reason=reason,
    )


def signing_refused(
    sender: type[Membership], membership: Membership, permission: Permission, reason: str, **kwargs: object
) -> None:
    """Receiver of ``permission_refused``: a member refused the right to sign made a signature attempt.

    The organisation guard (the award's and contracts' signing pages and API operations) and the services
    all check that right, so whichever refuses, the attempt is recorded once.
    """
    if permission in (Permission.SIGN_AWARD, Permission.SIGN_CONTRACT):
        signature_refuse(user=membership.user, organisation=membership.organisation, reason=reason)


@transaction.atomic
def signature_sign(
    *,
    user: User,
    reauthentication: Reauthentication,
    meaning: str,
    content: bytes | Any,
    organisation: Organisation,
    obj: models.Model | None = None,
) -> Signature:
    """Sign ``content`` as ``user``, who has just re-entered their password; the meaning is required.

    Raises NotPermitted when the re-authentication is not the signer's or is stale, and
    ServiceError when the meaning is missing.
    """
    meaning = meaning.strip()
    if not meaning:
        raise ServiceError("State the meaning of the signature (for example 'award approved').", field="meaning")
    if reauthentication.user_id != user.pk or timezone.now() - reauthentication.at > REAUTHENTICATION_VALID_FOR:
        raise NotPermitted("Re-enter your password to sign.")
    signature = Signature.objects.create(
        organisation=organisation,
        signer=user,
        signer_name=user.get_full_name() or user.get_username(),
        signer_username=user.get_username(),
        meaning=meaning[:255],
        content_sha256=content_sha256(content),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
    )
    audit_record(
        actor=user,
        organisation=organisation,
        action="signature.sign",
        obj=signature,
        changes={"meaning": [None, signature.meaning], "content_sha256": [None, signature.content_sha256]},
    )
    return signature


def signature_matches(*, signature: Signature, content: bytes | Any) -> bool:
    """Whether ``content`` is still exactly what was signed."""
    return signature.content_sha256 == content_sha256(content)
