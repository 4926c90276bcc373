"""Master service agreements between a sponsor and a provider, and the sponsor's contract policy."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cxo.core.tenancy import Party, TenantOwned


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent for signature"
    PROVIDER_SIGNED = "provider_signed", "Signed by provider"
    SIGNED = "signed", "Signed by both"
    TERMINATED = "terminated", "Terminated"


class MasterAgreement(TenantOwned):
    """The terms a sponsor and a provider work under (an MSA). ``organisation`` is the sponsor.

    It is *in force* on a day when both have signed, the day is within its effective and expiry dates, and it
    has not been terminated before. The provider sees it once it is sent.
    """

    parties = (Party("provider", when=Q(sent_at__isnull=False)),)

    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    terms_summary = models.TextField(blank=True)
    currency = models.CharField(max_length=3)
    payment_terms_days = models.PositiveSmallIntegerField(default=30, help_text="Net days from the invoice date.")
    effective_date = models.DateField()
    expiry_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    provider_signature = models.OneToOneField(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sponsor_signature = models.OneToOneField(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_sha256 = models.CharField(max_length=64, blank=True, help_text="What both signatures are bound to.")
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider__name", "-effective_date", "-id"]
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="agreement_unique_reference")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def in_force_on(self, day: dt.date) -> bool:
        if self.status not in (AgreementStatus.SIGNED, AgreementStatus.TERMINATED):
            return False
        if self.terminated_on is not None and day >= self.terminated_on:
            return False
        return self.effective_date <= day and (self.expiry_date is None or day <= self.expiry_date)

    @property
    def in_force(self) -> bool:
        return self.in_force_on(timezone.localdate())

    @property
    def standing(self) -> str:
        """In words, today: in force, not yet effective, expired, terminated, or its signing state."""
        today = timezone.localdate()
        if self.in_force_on(today):
            return "In force"
        if self.status == AgreementStatus.TERMINATED:
            return "Terminated"
        if self.status == AgreementStatus.SIGNED:
            return "Not yet effective" if today < self.effective_date else "Expired"
        return self.get_status_display()


class ContractPolicy(TenantOwned):
    """A sponsor's contract settings. Without a row the defaults hold (a work order needs an MSA in force)."""

    require_agreement = models.BooleanField(
        default=True, help_text="A work order may be signed only under a master agreement in force."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="contract_policy_one_per_sponsor")]

    def __str__(self) -> str:
        return f"Contract policy of {self.organisation_id}"
