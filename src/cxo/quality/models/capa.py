"""CAPAs: the provider's answer to a finding (root cause, corrective and preventive actions), the sponsor's
acceptance, the evidence of implementation, the effectiveness check and the e-signed closure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import Party, TenantChild, TenantOwned


class CapaStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting the provider's proposal"
    PROPOSED = "proposed", "Proposed, to assess"
    RETURNED = "returned", "Returned to the provider"
    ACCEPTED = "accepted", "Accepted, being implemented"
    EFFECTIVE = "effective", "Verified effective"
    CLOSED = "closed", "Closed"


class Capa(TenantOwned):
    """The corrective and preventive action plan for one finding. The sponsor owns it; the provider is its party."""

    parties = (Party("provider"),)

    finding = models.OneToOneField("quality.Finding", on_delete=models.CASCADE, related_name="capa")
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=CapaStatus.choices, default=CapaStatus.AWAITING, db_index=True)
    root_cause = models.TextField(blank=True)
    revision = models.PositiveSmallIntegerField(default=0, help_text="How many times the provider proposed it")
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sponsor_comment = models.TextField(blank=True, help_text="Why it was returned, or notes on accepting it")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    effectiveness_checked_on = models.DateField(null=True, blank=True)
    effectiveness_notes = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closure_signature = models.ForeignKey(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "unscoped"

    def __str__(self) -> str:
        return f"CAPA for {self.finding}"


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", "Corrective"
    PREVENTIVE = "preventive", "Preventive"


class CapaAction(TenantChild):
    """One corrective or preventive action, with its due date; done when the provider records its evidence."""

    tenant_parent = "capa"

    capa = models.ForeignKey(Capa, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=ActionKind.choices)
    description = models.TextField()
    owner = models.CharField(max_length=150, blank=True, help_text="Who at the provider does it")
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completion_note = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    @property
    def is_open(self) -> bool:
        return self.completed_on is None


def _evidence_path(instance: CapaEvidence, filename: str) -> str:
    return f"quality/{instance.capa.organisation_id}/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class CapaEvidence(TenantChild):
    """A document showing an action was implemented, stored under its SHA-256 with its size."""

    tenant_parent = "capa"

    capa = models.ForeignKey(Capa, on_delete=models.CASCADE, related_name="evidence")
    action = models.ForeignKey(CapaAction, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to=_evidence_path, max_length=500)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
