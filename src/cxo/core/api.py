"""Platform API: tokens, the signed-in user, the organisation's audit trail."""

import datetime as dt

from django.contrib.auth import authenticate, user_logged_in
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cxo.core.access import AuthedRequest, OrganisationRouter, OrgRequest
from cxo.core.errors import ServiceError
from cxo.core.models import ApiToken, AuditEvent
from cxo.core.pagination import Pagination
from cxo.core.roles import Permission, role_permissions
from cxo.core.schemas import AuditEventOut, MembershipOut, MeOut, Message, TokenIn, TokenInfoOut, TokenOut
from cxo.core.selectors import api_token_get, api_token_list, audit_event_list, membership_list_for_user
from cxo.core.services import api_token_create, api_token_revoke

router = Router(tags=["platform"])


@router.post("/auth/token", auth=None, response={201: TokenOut, 401: Message, 429: Message})
def token_create(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, object]]:
    """Exchange a username and password for a new personal API token (shown once).

    The token expires after ``expires_at`` (90 days by default) and is revoked when the password
    changes or is reset. Repeated failures for the same username and address are locked out for a while.
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return 429, {"detail": "Too many failed attempts: this account is locked for a while. Try again later."}
    if user is None:
        return 401, {"detail": "Invalid username or password."}
    # A sign-in like the login page's: resets the failure count (django-axes) and records last_login.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token, secret = api_token_create(user=user, name=payload.name)
    return 201, {
        "id": token.pk,
        "token": secret,
        "prefix": token.prefix,
        "name": token.name,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
    }


@router.get("/auth/tokens", response=list[TokenInfoOut])
def token_list(request: AuthedRequest) -> list[ApiToken]:
    """Your own API tokens, newest first: active, expired and revoked (never their secrets)."""
    return list(api_token_list(user=request.user))


@router.delete("/auth/tokens/{token_id}", response={204: None, 404: Message})
def token_delete(request: AuthedRequest, token_id: int) -> tuple[int, None]:
    """Revoke one of your tokens at once (another user's token is a 404). Revoking it again is a no-op."""
    api_token_revoke(user=request.user, token=api_token_get(user=request.user, token_id=token_id))
    return 204, None


@router.get("/me", response=MeOut)
def me(request: AuthedRequest) -> dict[str, object]:
    """The authenticated user, the organisations they belong to, and their role and permissions in each."""
    user = request.user
    memberships = [
        MembershipOut(
            organisation_id=m.organisation_id,
            organisation_slug=m.organisation.slug,
            organisation_name=m.organisation.name,
            organisation_type=m.organisation.type,
            role=m.role,
            permissions=sorted(str(p) for p in role_permissions(organisation_type=m.organisation.type, role=m.role)),
        )
        for m in membership_list_for_user(user=user)
    ]
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "full_name": user.get_full_name(),
        "organisations": memberships,
    }


class AuditFilters(Schema):
    action: str = ""
    object_type: str = ""
    actor: str = ""
    q: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


org_api = OrganisationRouter(tags=["platform"])


@org_api.get("/audit", response=list[AuditEventOut], permission=Permission.VIEW_AUDIT)
@paginate(Pagination, page_size=50)
def audit_events(request: OrgRequest, filters: Query[AuditFilters]) -> QuerySet[AuditEvent]:
    """The organisation's audit trail, newest first (administrators only)."""
    if filters.since and filters.until and filters.since > filters.until:
        raise ServiceError("'since' must not be after 'until'.")
    return audit_event_list(organisation=request.organisation, **filters.dict())
