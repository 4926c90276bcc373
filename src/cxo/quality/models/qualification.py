"""The approved supplier list: a sponsor's qualification of one site for one service, with its history.

States and who may move them are in ``cxo.quality.states`` and ``docs/quality.md``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import TenantChild, TenantOwned


class QualificationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_QUALIFICATION = "in_qualification", "In qualification"
    APPROVED = "approved", "Approved"
    CONDITIONAL = "conditional", "Conditionally approved"
    NOT_APPROVED = "not_approved", "Not approved"
    UNDER_REVIEW = "under_review", "Under review"
    DISQUALIFIED = "disqualified", "Disqualified"
    EXPIRED = "expired", "Expired"


#: The states in which work may be placed at the site for the service without a justification.
APPROVED_STATES = frozenset({QualificationStatus.APPROVED, QualificationStatus.CONDITIONAL})
#: The states in which the site is on the sponsor's list at all (it gets the provider's change notifications).
LISTED_STATES = frozenset(
    {
        QualificationStatus.IN_QUALIFICATION,
        QualificationStatus.APPROVED,
        QualificationStatus.CONDITIONAL,
        QualificationStatus.UNDER_REVIEW,
    }
)


class QualificationKind(models.TextChoices):
    INITIAL = "initial", "Initial"
    PERIODIC = "periodic", "Periodic (requalification)"
    FOR_CAUSE = "for_cause", "For cause"


class Qualification(TenantOwned):
    """One row of the sponsor's approved supplier list: ``site`` qualified (or not) for ``service``.

    ``organisation`` is the sponsor. The provider never sees it: it has no parties. ``approved_on`` and
    ``valid_until`` belong to the latest approval; the watch compares public records against
    ``approved_on`` and expires the approval after ``valid_until``.
    """

    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", help_text="The site's organisation"
    )
    service = models.ForeignKey("registry.Term", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=QualificationStatus.choices, default=QualificationStatus.NOT_STARTED, db_index=True
    )
    kind = models.CharField(max_length=16, choices=QualificationKind.choices, default=QualificationKind.INITIAL)
    conditions = models.TextField(blank=True, help_text="What a conditional approval requires, and by when")
    conditions_due = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    review_reason = models.TextField(blank=True, help_text="Why it is under review")
    review_evidence = models.JSONField(default=list, blank=True, help_text="The records that put it under review")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site__name", "service__name", "id"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "site", "service"], name="qualification_unique_site_service"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="qualification_org_status"),
            models.Index(fields=["site", "status"], name="qualification_site_status"),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} · {self.service.name}"

    @property
    def is_approved(self) -> bool:
        return self.status in APPROVED_STATES


class QualificationEvent(TenantChild):
    """One step of a qualification's history: the move, who or what made it, why, and the signature if signed."""

    tenant_parent = "qualification"

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="The user, or the watch")
    from_status = models.CharField(max_length=20, choices=QualificationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=QualificationStatus.choices)
    kind = models.CharField(max_length=16, choices=QualificationKind.choices, blank=True)
    reason = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    signature = models.ForeignKey("core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
