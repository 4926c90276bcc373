"""A sponsor's quality policy: how long an approval lasts, audit intervals per risk level, the award rule."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cxo.core.tenancy import TenantOwned


class AwardRule(models.TextChoices):
    JUSTIFY = "justify", "Ask for a justification"
    BLOCK = "block", "Refuse the award"


class RiskLevel(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class QualityPolicy(TenantOwned):
    """One per sponsor; until it saves one, the defaults below apply (``cxo.quality.selectors.policy_get``)."""

    approval_validity_months = models.PositiveSmallIntegerField(default=24)
    interval_high_months = models.PositiveSmallIntegerField(default=12)
    interval_medium_months = models.PositiveSmallIntegerField(default=24)
    interval_low_months = models.PositiveSmallIntegerField(default=36)
    finding_response_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days the provider has to propose a CAPA for a major or minor finding"
    )
    critical_response_days = models.PositiveSmallIntegerField(
        default=15, help_text="Days the provider has to propose a CAPA for a critical finding"
    )
    agreement_reminder_days = models.PositiveSmallIntegerField(
        default=60, help_text="Remind both parties this many days before a quality agreement expires"
    )
    award_rule = models.CharField(max_length=16, choices=AwardRule.choices, default=AwardRule.JUSTIFY)
    criticality = models.JSONField(
        default=dict, blank=True, help_text="Service code → high / medium / low, over the shipped defaults"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="quality_policy_one_per_sponsor")]

    def __str__(self) -> str:
        return f"Quality policy of {self.organisation_id}"

    def interval_months(self, level: str) -> int:
        months: dict[str, int] = {
            RiskLevel.HIGH: self.interval_high_months,
            RiskLevel.MEDIUM: self.interval_medium_months,
        }
        return months.get(level, self.interval_low_months)
