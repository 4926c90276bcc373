"""Platform models: users, organisations (the tenants), memberships, invitations, API tokens, audit."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from cxo.core.roles import OrganisationType, PlatformRole, Role
from cxo.core.tenancy import FailClosedManager, ScopedQuerySet, TenantManager, TenantQuerySet, UnscopedManager


class User(AbstractUser):
    """A person. What they may see and do comes from their memberships."""

    class Meta:
        ordering = ["username"]


class Profile(models.Model):
    """What a user is on the platform beside their memberships: a platform role (``cxo.core.roles.platform_can``)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    platform_role = models.CharField(max_length=32, choices=PlatformRole.choices, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_platform_role_display() or 'no platform role'}"


class Organisation(models.Model):
    """A company: the tenant. Sponsors buy services; providers (CROs, CMOs, CDMOs) sell them.

    Registry entries imported from public data are organisations too; until someone claims one
    it has no members.
    """

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=80, unique=True)
    type = models.CharField(max_length=16, choices=OrganisationType.choices, default=OrganisationType.PROVIDER)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Registry identity: FDA registrations group sites under the registrant's DUNS number.
    registrant_duns = models.CharField(max_length=9, unique=True, null=True, blank=True)
    # Its roles, derived from its capabilities and evidence (cxo.registry.kind), as a |role|role|
    # signature; stored for facets. cxo.registry.kind.roles_of reads it.
    kind = models.CharField(max_length=120, blank=True, db_index=True)
    kind_reason = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a user first took charge of this entry.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sponsor(self) -> bool:
        return self.type == OrganisationType.SPONSOR


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]
        ordering = ["organisation__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class OrganisationClaim(models.Model):
    """A request to administer a registry organisation, decided by a registry curator on the evidence.

    ``evidence`` is what the curator saw, kept as it was when the request was made: the requester, their e-mail
    domain against the organisation's names and sites, and the invitations (with their sponsors) they hold.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="claims")
    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_claims")
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    message = models.TextField(blank=True, max_length=2000, help_text="Who the requester is at the company.")
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "requester"],
                condition=models.Q(status="pending"),
                name="claim_one_pending_per_requester",
            )
        ]

    def __str__(self) -> str:
        return f"Claim of {self.organisation} by {self.requester} ({self.status})"


class OrganisationInvitation(models.Model):
    """An e-mailed invitation to join an organisation with a role. Only the token's hash is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(models.Model):
    """A personal API token. The secret is shown once; only its SHA-256 is kept.

    It works until ``expires_at`` (``CXO_API_TOKEN_DAYS`` after it was made) or until it is revoked:
    by its owner, or with all the owner's other tokens when their password changes or is reset.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def status(self) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired else "active"


class AuditEventQuerySet(TenantQuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit events cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events cannot be deleted.")


class AuditImmutableError(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventManager(TenantManager):
    _queryset_class = AuditEventQuerySet


class AuditEventUnscopedManager(UnscopedManager):
    _queryset_class = AuditEventQuerySet


class AuditEvent(models.Model):
    """One change to a business record: who, when, what, old → new, why. Append-only.

    The ORM refuses updates and deletes; on PostgreSQL a trigger refuses them in SQL too.
    ``organisation`` is the tenant whose trail shows the event; platform events (registry
    imports) have none.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True, help_text="Username at the time, or the system job.")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {"field": [old, new]}
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects: ClassVar[AuditEventManager] = AuditEventManager()
    unscoped: ClassVar[AuditEventUnscopedManager] = AuditEventUnscopedManager()

    class Meta:
        ordering = ["-at", "-id"]
        base_manager_name = "unscoped"
        indexes = [models.Index(fields=["organisation", "-at"], name="audit_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditImmutableError("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events cannot be deleted.")


class Signature(models.Model):
    """An electronic signature in the sense of 21 CFR Part 11: who signed, when, meaning what, over which content.

    The signer re-enters their password; the signature is bound to the SHA-256 of the signed content
    (a canonical JSON rendering of the record), so any later change to the record no longer matches.
    Written only by :func:`cxo.core.signatures.signature_sign`; never updated.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="signatures")
    signer_name = models.CharField(max_length=255, help_text="The signer's printed name at the time of signing.")
    signer_username = models.CharField(max_length=150)
    meaning = models.CharField(max_length=255, help_text="What the signature means, e.g. 'award approved'.")
    signed_at = models.DateTimeField(default=timezone.now)
    content_sha256 = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)

    # Owned by ``organisation`` and fails closed like any tenant row (one manager only, so no migration records it).
    objects: ClassVar[TenantManager] = TenantManager()

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.signer_username}), {self.meaning}, {self.signed_at:%Y-%m-%d %H:%M:%S %Z}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditImmutableError("Signatures cannot be changed.")
        super().save(*args, **kwargs)


class NotificationQuerySet(ScopedQuerySet["Notification"]):
    def for_user(self, user: User) -> NotificationQuerySet:
        """The user's own notifications: the one scope of a per-user row."""
        return self.filter(user=user)._mark_scoped()


NotificationManager = FailClosedManager.from_queryset(NotificationQuerySet)


class Notification(models.Model):
    """An in-app message to one user (an award, a regret, an invitation); e-mail goes out alongside.

    Per-user, so it fails closed like tenant data: ``Notification.objects.for_user(user)`` or ``user.notifications``.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[NotificationManager] = NotificationManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read")]

    def __str__(self) -> str:
        return f"{self.title} → {self.user}"


class RateLimitCounter(models.Model):
    """Requests one user made to one kind of expensive operation in one time window (cxo.core.ratelimit).

    Kept in the database, the one store every web worker shares; old windows are deleted as new ones start.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=150)
    window = models.BigIntegerField(help_text="Start of the window, in periods since the epoch.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window"], name="rate_limit_unique_window")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} @{self.window}: {self.count}"
