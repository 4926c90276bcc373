"""Supplier change notifications: the provider notifies once; each sponsor with the site on its list assesses its
own copy, and the provider sees each sponsor's decision about its own notification only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cxo.core.tenancy import Party, TenantOwned


class ChangeKind(models.TextChoices):
    SITE = "site", "Site (facility, relocation)"
    PROCESS = "process", "Manufacturing process"
    EQUIPMENT = "equipment", "Equipment"
    RAW_MATERIAL_SUPPLIER = "raw_material_supplier", "Raw-material supplier"
    ANALYTICAL_METHOD = "analytical_method", "Analytical method"
    SUBCONTRACTOR = "subcontractor", "Subcontractor"


class ChangeNotification(TenantOwned):
    """What the provider (``organisation``) told its sponsors it will change at ``site``, and from when.

    Sent once: sponsors assess their own :class:`ChangeAssessment` copy and never see each other's.
    """

    reference = models.CharField(max_length=40)
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=ChangeKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    planned_on = models.DateField(help_text="When the change takes effect")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-id"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="change_notification_unique_reference")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def notified_before_change(self) -> bool:
        return self.sent_at.date() <= self.planned_on


class ChangeImpact(models.TextChoices):
    NOT_ASSESSED = "", "Not assessed"
    NONE = "none", "None"
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"


class ChangeDecision(models.TextChoices):
    PENDING = "pending", "Awaiting assessment"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ChangeAssessment(TenantOwned):
    """One sponsor's copy of a change notification, with its assessment and decision.

    The sponsor (``organisation``) owns it; the provider is its party once the decision is made, and then
    reads the decision and its comment (``cxo.quality.selectors.changes``), not the internal assessment.
    """

    parties = (Party("provider", when=~Q(decision=ChangeDecision.PENDING)),)

    notification = models.ForeignKey(ChangeNotification, on_delete=models.CASCADE, related_name="assessments")
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    impact = models.CharField(max_length=8, choices=ChangeImpact.choices, blank=True, default="")
    us_category = models.CharField(
        max_length=16, blank=True, help_text="PAS, CBE-30, CBE-0, annual report (21 CFR 314.70)"
    )
    eu_variation = models.CharField(max_length=16, blank=True, help_text="IA, IA-IN, IB, II (Reg. (EC) 1234/2008)")
    assessment = models.TextField(blank=True, help_text="The sponsor's own notes: not shown to the provider")
    decision = models.CharField(
        max_length=10, choices=ChangeDecision.choices, default=ChangeDecision.PENDING, db_index=True
    )
    decision_comment = models.TextField(blank=True, help_text="What the provider is told with the decision")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "notification"], name="change_assessment_one_per_sponsor")
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.notification}"
