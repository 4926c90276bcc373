"""Writes of platform data: organisations, memberships, invitations, API tokens.

Every function is keyword-only, runs in a transaction, validates before saving and records
the change in the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cxo.core.audit import audit_record, diff
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import ApiToken, Membership, Organisation, OrganisationInvitation, Profile, User
from cxo.core.notifications import absolute_url
from cxo.core.roles import ROLES_BY_TYPE, OrganisationType, Permission, PlatformRole, Role
from cxo.core.selectors import membership_get, membership_require
from cxo.core.text import with_full_stop

TOKEN_PREFIX = "cxo"
INVITATION_DAYS = 14


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def organisation_slug_unique(name: str) -> str:
    """A slug for a new organisation named ``name`` that no organisation has yet (``-2``, ``-3``, … when taken)."""
    base = slugify(name)[:70] or "org"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[:64]}-{n}"
    return slug


def _check_role(*, organisation: Organisation, role: str) -> None:
    if role not in ROLES_BY_TYPE[organisation.type]:
        allowed = ", ".join(ROLES_BY_TYPE[organisation.type])
        raise ServiceError(f"'{role}' is not a role in a {organisation.type} organisation (use one of: {allowed}).")


@transaction.atomic
def organisation_create(
    *, actor: User | None, name: str, type: str, slug: str = "", admin: User | None = None
) -> Organisation:
    """Create an organisation; ``admin``, if given, becomes its first administrator."""
    name = name.strip()
    if not name:
        raise ServiceError("An organisation needs a name.", field="name")
    if type not in OrganisationType.values:
        raise ServiceError(f"Unknown organisation type '{type}'.", field="type")
    org = Organisation.objects.create(name=name, type=type, slug=slug or organisation_slug_unique(name))
    audit_record(
        actor=actor,
        organisation=org,
        action="organisation.create",
        obj=org,
        changes={"name": [None, org.name], "type": [None, org.type]},
    )
    if admin is not None:
        membership_add(actor=actor, organisation=org, user=admin, role="admin")
    return org


@transaction.atomic
def membership_add(*, actor: User | None, organisation: Organisation, user: User, role: str) -> Membership:
    _check_role(organisation=organisation, role=role)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    except IntegrityError as exc:
        raise Conflict(with_full_stop(f"{user.get_username()} is already a member of {organisation.name}")) from exc
    audit_record(
        actor=actor,
        organisation=organisation,
        action="membership.add",
        obj=membership,
        changes={"user": [None, user.get_username()], "role": [None, role]},
    )
    return membership


def _ensure_admin_remains(*, organisation: Organisation, leaving: Membership) -> None:
    if leaving.role != "admin":
        return
    # Lock the admins' rows so that two admins demoting each other at once cannot leave none.
    others = organisation.memberships.select_for_update().filter(role="admin").exclude(pk=leaving.pk)
    if not list(others):
        raise Conflict("An organisation must keep at least one administrator.")


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str, reason: str = "") -> Membership:
    """Change a member's role. Only an admin of the same organisation may; the last admin stays admin."""
    organisation = membership.organisation
    actor_membership = membership_get(user=actor, organisation=organisation)
    if actor_membership is None:
        raise NotFound("No such member.")
    membership_require(membership=actor_membership, permission=Permission.MANAGE_MEMBERS)
    _check_role(organisation=organisation, role=role)
    if role == membership.role:
        return membership
    if role != "admin":
        _ensure_admin_remains(organisation=organisation, leaving=membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        organisation=organisation,
        action="membership.change_role",
        obj=membership,
        changes=diff({"role": old}, {"role": role}),
        reason=reason,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership, reason: str = "") -> None:
    organisation = membership.organisation
    actor_membership = membership_get(user=actor, organisation=organisation)
    if actor_membership is None:
        raise NotFound("No such member.")
    membership_require(membership=actor_membership, permission=Permission.MANAGE_MEMBERS)
    _ensure_admin_remains(organisation=organisation, leaving=membership)
    audit_record(
        actor=actor,
        organisation=organisation,
        action="membership.remove",
        obj=membership,
        changes={"user": [membership.user.get_username(), None], "role": [membership.role, None]},
        reason=reason,
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str
) -> tuple[OrganisationInvitation, str]:
    """Invite someone by e-mail. Returns the invitation and the one-time token (e-mailed, never stored)."""
    actor_membership = membership_get(user=actor, organisation=organisation)
    if actor_membership is None:
        raise NotFound("No such organisation.")
    membership_require(membership=actor_membership, permission=Permission.MANAGE_MEMBERS)
    _check_role(organisation=organisation, role=role)
    email = email.strip().lower()
    if not email or "@" not in email:
        raise ServiceError("Enter a valid e-mail address.", field="email")
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(with_full_stop(f"{email} is already a member of {organisation.name}"))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_sha256(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="invitation.create",
        obj=invitation,
        object_repr=f"Invitation of {email}",
        changes={"email": [None, email], "role": [None, role]},
    )
    link = absolute_url(reverse("core:invitation_accept", kwargs={"token": token}))
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {organisation.name} on CXO",
            message=(
                f"{actor.get_full_name() or actor.get_username()} invited you to join {organisation.name} on CXO "
                f"as {invitation.get_role_display()}.\n\nAccept within {INVITATION_DAYS} days: {link}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    )
    return invitation, token


def invitation_by_token(*, token: str) -> OrganisationInvitation:
    invitation = OrganisationInvitation.objects.select_related("organisation").filter(token_hash=_sha256(token)).first()
    if invitation is None or not invitation.is_open:
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Accept an invitation as ``user`` (signed in, or just registered)."""
    found = invitation_by_token(token=token)
    # Lock and look again: two clicks on the same link must not both get in.
    invitation = OrganisationInvitation.objects.select_for_update().select_related("organisation").get(pk=found.pk)
    if not invitation.is_open:
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    membership = membership_add(actor=user, organisation=invitation.organisation, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        organisation=invitation.organisation,
        action="invitation.accept",
        obj=invitation,
        object_repr=f"Invitation of {invitation.email}",
        changes={"accepted_by": [None, user.get_username()]},
    )
    return membership


@dataclass(frozen=True)
class SignupData:
    """A newcomer's account, as the sign-up form validated it (username free, password strong enough)."""

    username: str
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""


@transaction.atomic
def user_register(*, data: SignupData) -> User:
    """Create a person's account (one who follows an e-mailed link and has none yet)."""
    username = data.username.strip()
    if not username:
        raise ServiceError("Choose a username.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The username {username} is taken.", field="username")
    return User.objects.create_user(
        username=username,
        email=data.email.strip().lower(),
        password=data.password,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
    )


@transaction.atomic
def invitation_accept_signup(*, token: str, signup: SignupData) -> Membership:
    """A newcomer registers and accepts in one step: if the invitation cannot be accepted, no account is left."""
    user = user_register(data=signup)
    return invitation_accept(token=token, user=user)


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: OrganisationInvitation) -> OrganisationInvitation:
    actor_membership = membership_get(user=actor, organisation=invitation.organisation)
    if actor_membership is None:
        raise NotFound("No such invitation.")
    membership_require(membership=actor_membership, permission=Permission.MANAGE_MEMBERS)
    if not invitation.is_open:
        raise Conflict("This invitation is no longer open.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        organisation=invitation.organisation,
        action="invitation.revoke",
        obj=invitation,
        object_repr=f"Invitation of {invitation.email}",
    )
    return invitation


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token, valid for ``CXO_API_TOKEN_DAYS``. Returns it and its secret, shown once."""
    name = name.strip() or "API token"
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        key_hash=_sha256(secret),
        created_at=now,
        expires_at=now + timedelta(days=settings.CXO_API_TOKEN_DAYS),
    )
    for membership in user.memberships.select_related("organisation"):
        audit_record(actor=user, organisation=membership.organisation, action="api_token.create", obj=token)
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens (another's is NotFound); revoking it again changes nothing."""
    if token.user_id != user.pk:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = "Revoked by its owner."
        token.save(update_fields=["revoked_at", "revoked_reason"])
        for membership in user.memberships.select_related("organisation"):
            audit_record(actor=user, organisation=membership.organisation, action="api_token.revoke", obj=token)
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every active token of ``user`` (their password changed or was reset); returns how many."""
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    if not tokens:
        return 0
    now = timezone.now()
    for token in tokens:
        token.revoked_at, token.revoked_reason = now, reason[:100]
    ApiToken.objects.bulk_update(tokens, ["revoked_at", "revoked_reason"])
    for membership in user.memberships.select_related("organisation"):
        for token in tokens:
            audit_record(
                actor=user,
                organisation=membership.organisation,
                action="api_token.revoke",
                obj=token,
                reason=reason,
            )
    return len(tokens)


def password_changed_revoke_tokens(sender: type[User], user: User, **kwargs: object) -> None:
    """Receiver of :data:`cxo.core.signals.password_changed`: a changed or reset password ends every token."""
    api_tokens_revoke_all(user=user, reason="Password changed or reset.")


def api_token_authenticate(*, secret: str) -> User | None:
    """The active user behind a bearer token that is neither revoked nor expired, or None.

    Records the token's last use (at most once a minute).
    """
    if not secret.startswith(f"{TOKEN_PREFIX}_"):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_sha256(secret), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def platform_role_set(*, actor: User | None, user: User, role: str, reason: str = "") -> Profile:
    """Give ``user`` a platform role ("" takes it away). ``actor`` None: the command line or the demo loader."""
    if role and role not in PlatformRole.values:
        raise ServiceError(f"Unknown platform role {role!r}.", field="platform_role")
    profile, _ = Profile.objects.get_or_create(user=user)
    old = profile.platform_role
    if old == role:
        return profile
    profile.platform_role = role
    profile.save(update_fields=["platform_role"])
    audit_record(
        actor=actor,
        organisation=None,
        action="user.platform_role",
        obj=user,
        changes={"platform_role": [old, role]},
        reason=reason,
    )
    return profile


# --- registry claims: the guest bidder, and the administrator a curator approves ---------------------------


@transaction.atomic
def guest_membership_add(*, user: User, organisation: Organisation) -> Membership:
    """Make ``user`` a guest bidder of ``organisation`` (who followed an e-mailed invitation to it), unless they
    are already a member. A guest sees only the invitations it holds (``Role.GUEST`` has no VIEW)."""
    membership = membership_get(user=user, organisation=organisation)
    if membership is not None:
        return membership
    membership = Membership.objects.create(user=user, organisation=organisation, role=Role.GUEST)
    audit_record(
        actor=user,
        organisation=organisation,
        action="membership.guest",
        obj=membership,
        changes={"user": [None, user.get_username()], "role": [None, Role.GUEST]},
        reason="Followed an e-mailed RFP invitation to this registry entry.",
    )
    return membership


@transaction.atomic
def claimant_make_admin(*, actor: User, organisation: Organisation, user: User, reason: str) -> Membership:
    """Make ``user`` the administrator of an unclaimed ``organisation`` (a curator approved their claim)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.memberships.exclude(role=Role.GUEST).exists():
        raise Conflict(f"{organisation.name} already has administrators: they can add the requester.")
    membership = membership_get(user=user, organisation=organisation)
    if membership is None:
        membership = Membership.objects.create(user=user, organisation=organisation, role=Role.ADMIN)
        old_role = None
    else:
        old_role, membership.role = membership.role, Role.ADMIN
        membership.save(update_fields=["role"])
    organisation.claimed_at = timezone.now()
    organisation.save(update_fields=["claimed_at"])
    audit_record(
        actor=actor,
        organisation=organisation,
        action="membership.change_role" if old_role else "membership.add",
        obj=membership,
        changes={"user": [user.get_username(), user.get_username()], "role": [old_role, Role.ADMIN]},
        reason=reason,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="organisation.claim",
        obj=organisation,
        changes={"claimed_at": [None, organisation.claimed_at]},
        reason=reason,
    )
    return membership
