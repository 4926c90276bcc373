"""Change orders: a change of a work order's scope, budget lines, milestones or dates, signed by both parties."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import TenantChild


class ChangeOrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    EXECUTED = "executed", "Signed by both"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChangeOrder(TenantChild):
    """A proposed change to a work order's baseline, by either party, with its reason.

    ``proposed`` is the whole new content (lines, milestones, end date) as the proposer wants it; the diff is
    computed against baseline ``base_number``. The proposer signs first (it is then *proposed*), the other
    party's signature executes it, which writes the next baseline. A draft is seen only by its proposer.
    """

    tenant_parent = "work_order"

    work_order = models.ForeignKey("contracts.WorkOrder", on_delete=models.CASCADE, related_name="change_orders")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    reason = models.TextField()
    proposed_by_organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=16, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.DRAFT)
    base_number = models.PositiveIntegerField(help_text="The baseline this change order changes.")
    proposed = models.JSONField()
    content_sha256 = models.CharField(max_length=64, blank=True)
    sponsor_signature = models.OneToOneField(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_signature = models.OneToOneField(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["work_order", "number"]
        constraints = [models.UniqueConstraint(fields=["work_order", "number"], name="change_order_unique_number")]

    def __str__(self) -> str:
        return f"CO-{self.number} {self.title}"

    @property
    def code(self) -> str:
        return f"CO-{self.number}"
