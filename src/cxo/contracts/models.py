"""Work orders (statements of work): created as drafts from an award, with budget lines and milestones."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cxo.core.tenancy import Party, TenantChild, TenantOwned


class WorkOrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class WorkOrder(TenantOwned):
    """What the sponsor ordered from the provider. ``organisation`` is the sponsor; the provider is its party."""

    parties = (Party("provider"),)

    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    award = models.OneToOneField(
        "sourcing.Award", on_delete=models.PROTECT, null=True, blank=True, related_name="work_order"
    )
    reference = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=WorkOrderStatus.choices, default=WorkOrderStatus.DRAFT)
    currency = models.CharField(max_length=3)
    budget_total = models.DecimalField(max_digits=18, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="work_order_unique_reference")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class BudgetLine(TenantChild):
    """One priced line of the work order's budget, copied from the awarded bid grid."""

    tenant_parent = "work_order"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="budget_lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=255)
    unit = models.CharField(max_length=40)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(max_digits=16, decimal_places=2)
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Milestone(TenantChild):
    """A step of the work order's timeline, copied from the awarded proposal."""

    tenant_parent = "work_order"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    due_date = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "due_date", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_date})"
