"""API schemas for the platform: separate input and output shapes."""

import datetime as dt
from typing import Any

from ninja import Field, Schema


class Message(Schema):
    detail: str


class TokenIn(Schema):
    username: str
    password: str
    name: str = "API token"


class TokenOut(Schema):
    id: int
    token: str = Field(description="The secret: shown this once, only its SHA-256 is kept.")
    prefix: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime


class TokenInfoOut(Schema):
    """One of your tokens, without its secret."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    status: str = Field(description="active, expired or revoked")


class MembershipOut(Schema):
    organisation_id: int
    organisation_slug: str
    organisation_name: str
    organisation_type: str
    role: str
    permissions: list[str]


class MeOut(Schema):
    id: int
    username: str
    email: str
    full_name: str
    organisations: list[MembershipOut]


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    reason: str
    request_id: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)
