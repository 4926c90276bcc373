"""Invoices the provider submits against accepted milestones (or time-and-materials lines)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import TenantChild


class InvoiceStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    DISPUTED = "disputed", "In dispute"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    WITHDRAWN = "withdrawn", "Withdrawn"


# What counts as invoiced: every invoice the provider has not withdrawn.
INVOICED_STATUSES = (InvoiceStatus.SUBMITTED, InvoiceStatus.DISPUTED, InvoiceStatus.APPROVED, InvoiceStatus.PAID)


class Invoice(TenantChild):
    """A provider's invoice on a work order. Its total is the sum of its lines, computed by the server; its
    status changes only through ``cxo.contracts.states``."""

    tenant_parent = "work_order"

    work_order = models.ForeignKey("contracts.WorkOrder", on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=40, help_text="The provider's invoice number.")
    issue_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=18, decimal_places=3)
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.SUBMITTED, db_index=True
    )
    note = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    dispute_reason = models.TextField(blank=True)
    answer = models.TextField(blank=True, help_text="The provider's answer to the dispute.")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["work_order", "issue_date", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "number"], name="invoice_unique_number")]

    def __str__(self) -> str:
        return f"Invoice {self.number}"


class InvoiceLine(TenantChild):
    """One line of an invoice: an accepted milestone, or a time-and-materials quantity of a budget line."""

    tenant_parent = "invoice__work_order"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    milestone = models.ForeignKey(
        "contracts.Milestone", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    budget_line = models.ForeignKey(
        "contracts.BudgetLine", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, default=1)
    unit_price = models.DecimalField(max_digits=18, decimal_places=3)
    amount = models.DecimalField(max_digits=18, decimal_places=3)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(milestone__isnull=True) | models.Q(budget_line__isnull=True),
                name="invoice_line_one_basis",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"
