"""Audits of a provider's site: the plan, the checklist with its observations, and the findings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cxo.core.tenancy import Party, TenantChild, TenantOwned


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SCHEDULED = "scheduled", "Scheduled"
    CONDUCTED = "conducted", "Conducted"
    REPORT_ISSUED = "report_issued", "Report issued"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class AuditKind(models.TextChoices):
    INITIAL = "initial", "Initial"
    ROUTINE = "routine", "Routine"
    FOR_CAUSE = "for_cause", "For cause"
    REMOTE = "remote", "Remote / document review"


class Audit(TenantOwned):
    """The sponsor's audit of one site for some of its services. Only the sponsor sees it (no parties):
    the provider sees the findings addressed to it once the report is issued."""

    reference = models.CharField(max_length=40, help_text="e.g. AUD-2026-004, unique within the sponsor")
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    services = models.ManyToManyField("registry.Term", blank=True, related_name="+")
    qualification = models.ForeignKey(
        "quality.Qualification", on_delete=models.SET_NULL, null=True, blank=True, related_name="audits"
    )
    kind = models.CharField(max_length=16, choices=AuditKind.choices, default=AuditKind.ROUTINE)
    status = models.CharField(max_length=16, choices=AuditStatus.choices, default=AuditStatus.PLANNED, db_index=True)
    checklist = models.CharField(max_length=40, blank=True, help_text="The checklist template it was built from")
    scope = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text="Why it is held (for a for-cause audit: the evidence)")
    proposed_by_watch = models.BooleanField(default=False)
    planned_for = models.DateField(null=True, blank=True, help_text="The month it is planned for")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    conducted_on = models.DateField(null=True, blank=True, help_text="The audit's last day")
    summary = models.TextField(blank=True, help_text="The report's conclusion")
    report_issued_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-planned_for", "-id"]
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="audit_unique_org_reference")]
        indexes = [models.Index(fields=["organisation", "site", "status"], name="audit_org_site_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.site.name}"


class ChecklistResult(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    SATISFACTORY = "satisfactory", "Satisfactory"
    OBSERVATION = "observation", "Observation"
    DEFICIENCY = "deficiency", "Deficiency (finding)"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ChecklistItem(TenantChild):
    """One line of the audit's checklist, copied from its template: the clause, the question, what was seen."""

    tenant_parent = "audit"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklist_items")
    position = models.PositiveIntegerField(default=0)
    section = models.CharField(max_length=200)
    clause = models.CharField(max_length=100, blank=True, help_text="e.g. 21 CFR 211.22")
    question = models.TextField()
    result = models.CharField(max_length=16, choices=ChecklistResult.choices, default=ChecklistResult.NOT_ASSESSED)
    observation = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.clause} {self.question[:60]}"


class FindingClass(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class Finding(TenantOwned):
    """A deficiency the audit found, classified and tied to the clause it departs from.

    The sponsor owns it; the provider is its party once the report is issued (``issued_at``), and then
    sees this finding and its CAPA — nothing else of the audit.
    """

    parties = (Party("provider", when=Q(issued_at__isnull=False)),)

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    checklist_item = models.ForeignKey(
        ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    classification = models.CharField(max_length=10, choices=FindingClass.choices)
    title = models.CharField(max_length=255)
    description = models.TextField()
    clause = models.CharField(max_length=100, help_text="The regulation clause it departs from, e.g. 21 CFR 211.192")
    response_due = models.DateField(null=True, blank=True, help_text="When the provider's CAPA proposal is due")
    issued_at = models.DateTimeField(null=True, blank=True, help_text="When it was addressed to the provider")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["audit_id", "number"]
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="finding_unique_number")]

    def __str__(self) -> str:
        return f"{self.audit.reference}-F{self.number} {self.title}"

    @property
    def label(self) -> str:
        return f"F{self.number}"
