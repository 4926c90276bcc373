"""Work orders (statements of work) with their budget lines, milestones and versioned budget baselines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cxo.core.tenancy import Party, TenantChild, TenantOwned

# Amounts: 18 digits, 3 places (cxo.core.money.STORED_PLACES), each rounded to its currency's own places.


class WorkOrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent to provider"
    PROVIDER_SIGNED = "provider_signed", "Signed by provider"
    SIGNED = "signed", "Signed by both"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    TERMINATED = "terminated", "Terminated early"
    CANCELLED = "cancelled", "Cancelled"


class WorkOrder(TenantOwned):
    """What the sponsor ordered from the provider. ``organisation`` is the sponsor; the provider is its party
    from the moment the work order is first sent (a draft is the sponsor's alone).

    Its status changes only through ``cxo.contracts.states``. ``budget_total`` is the current budget: the live
    lines while the work order is drafted, then the latest baseline (``baseline_number``).
    """

    parties = (Party("provider", when=Q(sent_at__isnull=False)),)

    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    award = models.OneToOneField(
        "sourcing.Award", on_delete=models.PROTECT, null=True, blank=True, related_name="work_order"
    )
    programme = models.ForeignKey(
        "sourcing.Programme", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreement = models.ForeignKey(
        "contracts.MasterAgreement", on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    site = models.ForeignKey(
        "registry.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the work is done.",
    )
    service = models.ForeignKey("registry.Term", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    scope = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=WorkOrderStatus.choices, default=WorkOrderStatus.DRAFT, db_index=True
    )
    currency = models.CharField(max_length=3)
    budget_total = models.DecimalField(max_digits=18, decimal_places=3)
    time_and_materials = models.BooleanField(
        default=False, help_text="The provider may invoice budget lines as time and materials."
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    baseline_number = models.PositiveIntegerField(null=True, blank=True)
    return_comment = models.TextField(blank=True, help_text="The provider's comments when it returned the draft.")
    content_sha256 = models.CharField(max_length=64, blank=True, help_text="What both signatures are bound to.")
    provider_signature = models.OneToOneField(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sponsor_signature = models.OneToOneField(
        "core.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was terminated or cancelled.")
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="work_order_unique_reference")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class BudgetLine(TenantChild):
    """One priced line of the work order's current budget. ``key`` names it across baselines (L1, L2 …)."""

    tenant_parent = "work_order"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="budget_lines")
    key = models.CharField(max_length=12)
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=255)
    unit = models.CharField(max_length=40)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(max_digits=18, decimal_places=3)
    amount = models.DecimalField(max_digits=18, decimal_places=3)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "key"], name="budget_line_unique_key")]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    REPORTED = "reported", "Reported done"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Milestone(TenantChild):
    """A step of the work order with its planned date and payment (an amount, or a percentage of the budget).

    The provider reports it done with evidence; the sponsor accepts it (then it may be invoiced) or rejects it
    with a reason. Its status changes only through ``cxo.contracts.states``.
    """

    tenant_parent = "work_order"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="milestones")
    key = models.CharField(max_length=12)
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0))
    percent = models.DecimalField(
        max_digits=6, decimal_places=3, null=True, blank=True, help_text="Share of the budget; sets the amount."
    )
    acceptance_criteria = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "key"], name="milestone_unique_key")]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_date})"

    def is_late_on(self, day: dt.date) -> bool:
        """Due before ``day`` and not yet reported done (or reported and rejected)."""
        return self.due_date < day and self.status in (MilestoneStatus.PLANNED, MilestoneStatus.REJECTED)


class Baseline(TenantChild):
    """The work order's budget, lines and milestones as signed: number 0 is the original, each executed change
    order adds the next. Never changed once written; ``content`` is what both parties signed."""

    tenant_parent = "work_order"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="baselines")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=200)
    change_order = models.OneToOneField(
        "contracts.ChangeOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="baseline"
    )
    total = models.DecimalField(max_digits=18, decimal_places=3)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["work_order", "number"]
        constraints = [models.UniqueConstraint(fields=["work_order", "number"], name="baseline_unique_number")]

    def __str__(self) -> str:
        return f"Baseline {self.number} of {self.work_order_id}: {self.label}"
