"""Electronic signatures (21 CFR Part 11 style): re-authentication, a stated meaning, bound to the content.

``signature_sign`` is the one way to sign anything in CXO (an award, later a batch disposition):
the signer re-enters their password, states what the signature means, and the signature records
the SHA-256 of the signed content, so the signed record shows who, when and what was meant, and a
later change of the content is detectable with :func:`signature_matches`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models, transaction

from cxo.core.audit import audit_record
from cxo.core.errors import NotPermitted, ServiceError
from cxo.core.models import Organisation, Signature, User


def canonical_json(content: Any) -> bytes:
    """A stable byte rendering of JSON-able content: sorted keys, no whitespace, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def content_sha256(content: bytes | Any) -> str:
    """SHA-256 (hex) of bytes, or of the canonical JSON of anything else."""
    data = content if isinstance(content, bytes) else canonical_json(content)
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def signature_sign(
    *,
    user: User,
    password: str,
    meaning: str,
    content: bytes | Any,
    organisation: Organisation,
    obj: models.Model | None = None,
) -> Signature:
    """Sign ``content`` as ``user``: the password is checked again, the meaning is required.

    Raises NotPermitted when the password is wrong (nothing is signed) and ServiceError when the
    meaning is missing.
    """
    meaning = meaning.strip()
    if not meaning:
        raise ServiceError("State the meaning of the signature (for example 'award approved').", field="meaning")
    if not user.is_active or not password or not user.check_password(password):
        raise NotPermitted("The password is not correct: the signature was not applied.")
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
