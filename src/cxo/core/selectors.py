"""Reads of platform data, always scoped to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from cxo.core.errors import NotFound, NotPermitted
from cxo.core.models import ApiToken, AuditEvent, Membership, Organisation, OrganisationInvitation, User
from cxo.core.roles import DOING, Permission, role_allows
from cxo.core.signals import permission_refused


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    """The organisations the user is a member of."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's memberships with their organisations, by organisation name."""
    return user.memberships.select_related("organisation").order_by("organisation__name")


def membership_get_by_id(*, organisation: Organisation, membership_id: int) -> Membership:
    """One member of the organisation; NotFound for a membership of any other."""
    membership = organisation.memberships.select_related("user", "organisation").filter(pk=membership_id).first()
    if membership is None:
        raise NotFound("No such member.")
    return membership


def membership_get(*, user: User, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).select_related("organisation").first()


def membership_for_slug(*, user: User, slug: str) -> Membership:
    """The user's membership in the organisation ``slug``; NotFound for anyone else (fail closed)."""
    if not user.is_authenticated:
        raise NotFound("No such organisation.")
    membership = Membership.objects.filter(user=user, organisation__slug=slug).select_related("organisation").first()
    if membership is None:
        raise NotFound("No such organisation.")
    return membership


def membership_can(*, membership: Membership, permission: Permission) -> bool:
    return role_allows(organisation_type=membership.organisation.type, role=membership.role, permission=permission)


def membership_require(*, membership: Membership, permission: Permission) -> None:
    """NotPermitted, saying what the role does not allow, unless the membership grants ``permission``."""
    if not membership_can(membership=membership, permission=permission):
        message = f"Your role ({membership.get_role_display()}) does not allow {DOING[permission]}."
        # Some refusals are records in themselves: a refused attempt to sign is in the audit trail.
        permission_refused.send(sender=Membership, membership=membership, permission=permission, reason=message)
        raise NotPermitted(message)


def user_can(*, user: User, organisation: Organisation, permission: Permission) -> bool:
    membership = membership_get(user=user, organisation=organisation)
    return membership is not None and membership_can(membership=membership, permission=permission)


def member_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__username")


def invitation_list_open(*, organisation: Organisation) -> QuerySet[OrganisationInvitation]:
    """The organisation's invitations still waiting for an answer, newest first."""
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation_get(*, organisation: Organisation, invitation_id: int) -> OrganisationInvitation:
    """One of the organisation's invitations to join it; NotFound for any other."""
    invitation = organisation.invitations.select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    return invitation


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's is NotFound, as if it did not exist."""
    token = api_token_list(user=user).filter(pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    return token


def audit_event_list(
    *,
    organisation: Organisation,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    q: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's own audit trail, newest first, filtered."""
    qs = AuditEvent.objects.for_organisation(organisation).select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor:
        qs = qs.filter(actor_label__iexact=actor)
    if q:
        qs = qs.filter(object_repr__icontains=q)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def audit_facets(*, organisation: Organisation) -> dict[str, list[str]]:
    """Distinct actions, object types and actors in the organisation's trail, for filter menus."""
    base = AuditEvent.objects.for_organisation(organisation)
    return {
        "actions": sorted(set(base.values_list("action", flat=True))),
        "object_types": sorted(set(base.values_list("object_type", flat=True))),
        "actors": sorted(set(base.values_list("actor_label", flat=True))),
    }
