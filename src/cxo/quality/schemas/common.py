"""What every quality record's API shares: the error answers, signatures, sign and reason inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from ninja import Field, Schema

from cxo.core.bounds import Column
from cxo.core.errors import ServiceError
from cxo.core.models import Signature
from cxo.core.schemas import Message

ERRORS: dict[int, type[Schema]] = {400: Message, 403: Message, 404: Message, 409: Message}


LONG = 20_000


T = TypeVar("T")


class QualitySignatureOut(Schema):
    signer_name: str
    signer_username: str
    meaning: str
    signed_at: dt.datetime
    content_sha256: str = Field(description="SHA-256 of the canonical JSON of the signed content")


def required(value: T | None, *, field: str, label: str) -> T:
    """A field the API marks required (it defaults to None so a refusal comes before validation)."""
    if value is None:
        raise ServiceError(f"{label} is required.", field=field)
    return value


def signature_out(signature: Signature | None) -> dict[str, Any] | None:
    if signature is None:
        return None
    return {
        "signer_name": signature.signer_name,
        "signer_username": signature.signer_username,
        "meaning": signature.meaning,
        "signed_at": signature.signed_at,
        "content_sha256": signature.content_sha256,
    }


class QualitySignIn(Schema):
    password: str = Field("", description="The signer's password, re-entered (required)")
    meaning: Annotated[str, Column(Signature, "meaning")] = Field(
        "", description="What the signature means (a default per record when empty)"
    )


class QualityReasonIn(Schema):
    reason: str = Field("", max_length=LONG, description="Required")
