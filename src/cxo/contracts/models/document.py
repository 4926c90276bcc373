"""Documents of contracts: agreement versions, milestone evidence, invoices (stored by checksum, in core)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cxo.core.documents import StoredDocument
from cxo.core.tenancy import Party, TenantOwned


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", "Agreement"
    EVIDENCE = "evidence", "Milestone evidence"
    INVOICE = "invoice", "Invoice"


class ContractDocument(TenantOwned, StoredDocument):
    """A file of an agreement, a milestone or an invoice. ``organisation`` is the sponsor; ``version`` counts the
    files of the same record (an agreement's v1, v2 …). The provider sees them once the record is shared."""

    parties = (Party("provider", when=Q(agreement__isnull=True) | Q(agreement__sent_at__isnull=False)),)

    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    agreement = models.ForeignKey(
        "contracts.MasterAgreement", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    milestone = models.ForeignKey(
        "contracts.Milestone", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    invoice = models.ForeignKey(
        "contracts.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["uploaded_at", "id"]
        base_manager_name = "unscoped"

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"
