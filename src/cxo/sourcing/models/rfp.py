"""RFPs: the request, its bid grid, questions for bidders, evaluation criteria, invitations and clarifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cxo.core.documents import StoredDocument, document_path
from cxo.core.tenancy import Party, TenantChild, TenantOwned
from cxo.sourcing.models.programme import Need


class RfpStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    CLOSED = "closed", "Closed"
    AWARDED = "awarded", "Awarded"
    CANCELLED = "cancelled", "Cancelled"


class Rfp(TenantOwned):
    """A request for proposals built from a need. Its status changes only through ``cxo.sourcing.states``.

    Its parties are the sponsor that owns it and, once it is issued, the providers invited to it.
    """

    parties = (Party("invitations__provider", when=~Q(status=RfpStatus.DRAFT)),)

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="rfps")
    reference = models.CharField(max_length=40, help_text="e.g. RFP-2026-001, unique within the sponsor")
    title = models.CharField(max_length=200)
    scope = models.TextField(blank=True)
    deliverables = models.TextField(blank=True)
    timeline = models.TextField(blank=True, help_text="The sponsor's expected timeline, in words.")
    currency = models.CharField(max_length=3, default="USD")
    response_deadline = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RfpStatus.choices, default=RfpStatus.DRAFT, db_index=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="rfp_unique_org_reference")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def deadline_passed(self) -> bool:
        return self.response_deadline is not None and self.response_deadline <= timezone.now()


class RfpLineItem(TenantChild):
    """One line of the bid grid: what is priced, in which unit, how many, and what each bidder must state."""

    tenant_parent = "rfp"

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="line_items")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=255)
    unit = models.CharField(max_length=40)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    assumption_prompt = models.CharField(
        max_length=255, blank=True, help_text="The assumption each bidder must state for this line, if any."
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class RfpQuestion(TenantChild):
    """A question every bidder answers in its proposal."""

    tenant_parent = "rfp"

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class EvaluationCriterion(TenantChild):
    """A criterion proposals are scored on, with its weight (weights of an RFP add up to 100)."""

    tenant_parent = "rfp"

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=255, blank=True)
    weight = models.PositiveIntegerField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class InvitationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class InvitationOutcome(models.TextChoices):
    NONE = "", "—"
    AWARDED = "awarded", "Awarded"
    REGRET = "regret", "Not selected"
    CANCELLED = "cancelled", "RFP cancelled"


class RfpInvitation(TenantOwned):
    """A confidential invitation of one provider organisation to one RFP.

    A provider that is only a registry entry (no members yet) is invited at ``email``; accepting the
    e-mailed link claims the organisation. Only the link's token hash is stored. The provider sees it
    once the RFP is issued.
    """

    parties = (Party("provider", when=~Q(rfp__status=RfpStatus.DRAFT)),)

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="invitations")
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(blank=True, help_text="Where the invitation went if the provider has no users yet.")
    token_hash = models.CharField(max_length=64, blank=True)
    # Who followed the e-mailed link to an unclaimed entry: a guest bidder of this invitation only (Role.GUEST).
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, default="directory", help_text="shortlist or directory")
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.INVITED)
    decline_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=InvitationOutcome.choices, default="", blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        base_manager_name = "unscoped"
        constraints = [models.UniqueConstraint(fields=["rfp", "provider"], name="rfp_invitation_unique_provider")]

    def __str__(self) -> str:
        return f"Invitation of {self.provider} to {self.rfp.reference}"


class ClarificationVisibility(models.TextChoices):
    PRIVATE = "private", "Answered privately"
    PUBLISHED = "published", "Published to all invitees"


class Clarification(TenantOwned):
    """A bidder's clarification question. Answered privately, or published to every invitee without the asker.

    Its parties are the provider that asked and, once published, every provider invited to the RFP; what a
    provider may read of it (not the asker, not a private answer to another) is ``inbox_clarification_list``'s.
    """

    parties = (
        Party("provider"),
        Party("rfp__invitations__provider", when=Q(visibility=ClarificationVisibility.PUBLISHED)),
    )

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="clarifications")
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    question = models.TextField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        max_length=16, choices=ClarificationVisibility.choices, default=ClarificationVisibility.PRIVATE
    )

    class Meta:
        ordering = ["asked_at", "id"]
        base_manager_name = "unscoped"

    def __str__(self) -> str:
        return f"Question on {self.rfp.reference}: {self.question[:60]}"


# Migration 0001 names the upload path by this name.
_document_path = document_path


class Document(TenantOwned, StoredDocument):
    """A file attached to an RFP (by the sponsor) or to a proposal version (by a provider), with its SHA-256.

    ``organisation`` is the sponsor that runs the RFP; ``provider`` is set for proposal documents. A provider
    sees its own proposal's documents and the RFP's attachments once it is invited to the issued RFP.
    """

    parties = (
        Party("provider", when=Q(proposal_version__isnull=False)),
        Party("rfp__invitations__provider", when=Q(proposal_version__isnull=True) & ~Q(rfp__status=RfpStatus.DRAFT)),
    )

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="documents")
    proposal_version = models.ForeignKey(
        "sourcing.ProposalVersion", on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]
        base_manager_name = "unscoped"

    def __str__(self) -> str:
        return self.name
