"""Quality agreements between a sponsor and a provider, for the sites they cover: versioned, signed by both."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import Party, TenantChild, TenantOwned


class QualityAgreement(TenantOwned):
    """The agreement between the sponsor (``organisation``) and ``provider``; both parties see and sign it."""

    parties = (Party("provider"),)

    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    sites = models.ManyToManyField("registry.Site", blank=True, related_name="+")
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider__name", "reference"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="quality_agreement_unique_reference")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class AgreementVersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNING = "signing", "Signed by one party"
    SIGNED = "signed", "Signed by both"
    SUPERSEDED = "superseded", "Superseded"


class QualityAgreementVersion(TenantChild):
    """One version's text, section by section, its dates and the two signatures over its content hash.

    It is *in force* on a day when both have signed and the day is within ``effective_on`` … ``expires_on``.
    """

    tenant_parent = "agreement"

    agreement = models.ForeignKey(QualityAgreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sections = models.JSONField(default=dict, help_text="Section code → text (cxo/quality/data/agreement_sections)")
    effective_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=AgreementVersionStatus.choices, default=AgreementVersionStatus.DRAFT
    )
    content_sha256 = models.CharField(max_length=64, blank=True, help_text="Fixed by the first signature")
    sponsor_signature = models.ForeignKey(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_signature = models.ForeignKey(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the expiry reminder went out")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="quality_agreement_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} v{self.number}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.status == AgreementVersionStatus.SIGNED and self.effective_on <= day <= self.expires_on
