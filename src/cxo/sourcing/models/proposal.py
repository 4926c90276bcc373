"""Proposals: one per invited provider and RFP, revised as versions (every version is kept)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import Party, TenantChild, TenantOwned
from cxo.sourcing.models.rfp import EvaluationCriterion, Rfp, RfpInvitation, RfpLineItem, RfpQuestion


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    AWARDED = "awarded", "Awarded"
    NOT_SELECTED = "not_selected", "Not selected"


class Proposal(TenantOwned):
    """A provider's proposal to an RFP, owned by the sponsor. ``current_version`` is the latest submission."""

    parties = (Party("provider"),)

    rfp = models.ForeignKey(Rfp, on_delete=models.PROTECT, related_name="proposals")
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    invitation = models.OneToOneField(RfpInvitation, on_delete=models.PROTECT, related_name="proposal")
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED)
    current_version = models.ForeignKey(
        "sourcing.ProposalVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rfp", "provider__name"]
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["rfp", "provider"], name="proposal_unique_rfp_provider")]

    def __str__(self) -> str:
        return f"Proposal of {self.provider} to {self.rfp.reference}"


class ProposalVersion(TenantChild):
    """One submission of a proposal. Never changed once written; totals are computed by the server."""

    tenant_parent = "proposal"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=18, decimal_places=2)
    assumptions = models.TextField(blank=True)
    exceptions = models.TextField(blank=True)
    timeline_summary = models.TextField(blank=True)
    note = models.CharField(max_length=255, blank=True, help_text="What changed in this revision.")
    content_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the version's canonical JSON.")

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"


class ProposalLine(TenantChild):
    """The bidder's price for one line of the bid grid. No unit price means the line is not quoted."""

    tenant_parent = "version__proposal"

    version = models.ForeignKey(ProposalVersion, on_delete=models.CASCADE, related_name="lines")
    line_item = models.ForeignKey(RfpLineItem, on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    assumption = models.TextField(blank=True)

    class Meta:
        ordering = ["line_item__position", "line_item_id"]
        constraints = [models.UniqueConstraint(fields=["version", "line_item"], name="proposal_line_unique_item")]

    def __str__(self) -> str:
        return f"{self.line_item}: {self.unit_price}"


class ProposalAnswer(TenantChild):
    """The bidder's answer to one of the RFP's questions."""

    tenant_parent = "version__proposal"

    version = models.ForeignKey(ProposalVersion, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RfpQuestion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["question__position", "question_id"]

    def __str__(self) -> str:
        return self.text[:80]


class ProposalMilestone(TenantChild):
    """A step of the bidder's proposed timeline; becomes a work-order milestone on award."""

    tenant_parent = "version__proposal"

    version = models.ForeignKey(ProposalVersion, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    due_date = models.DateField()

    class Meta:
        ordering = ["position", "due_date", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_date})"


class Score(TenantOwned):
    """One evaluator's score (0 to 10) of one proposal on one criterion."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "criterion__position", "evaluator__username"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "criterion", "evaluator"], name="score_unique_evaluator")
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} gave {self.score} on {self.criterion}"


class Award(TenantOwned):
    """The award of an RFP to one proposal version, e-signed. One per RFP (also enforced by the database)."""

    rfp = models.OneToOneField(Rfp, on_delete=models.PROTECT, related_name="award")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    signature = models.OneToOneField("core.Signature", on_delete=models.PROTECT, related_name="+")
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(default=timezone.now)
    rationale = models.TextField(blank=True)

    class Meta:
        ordering = ["-awarded_at"]
        base_manager_name = "unscoped"

    def __str__(self) -> str:
        return f"Award of {self.rfp.reference} to {self.proposal.provider}"
