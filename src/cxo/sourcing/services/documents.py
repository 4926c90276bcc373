"""Storing the documents of RFPs and proposals (the stored file and its checksum: ``cxo.core.documents``)."""

from __future__ import annotations

from cxo.core.documents import DocumentData, document_fill
from cxo.core.models import Organisation, User
from cxo.sourcing.models import Document, ProposalVersion, Rfp

__all__ = ["DocumentData", "document_copy", "document_store"]


def document_store(
    *,
    actor: User,
    rfp: Rfp,
    data: DocumentData,
    provider: Organisation | None = None,
    proposal_version: ProposalVersion | None = None,
) -> Document:
    """Save one file under a path derived from its checksum and record its SHA-256 and size."""
    document = Document(
        organisation=rfp.organisation,
        rfp=rfp,
        provider=provider,
        proposal_version=proposal_version,
        uploaded_by=actor,
    )
    document_fill(document, data)
    document.save()
    return document


def document_copy(*, document: Document, proposal_version: ProposalVersion) -> Document:
    """The same stored file, listed again on a later version (files are content-addressed, so nothing is copied)."""
    return Document.objects.create(
        organisation=document.organisation,
        rfp=document.rfp,
        provider=document.provider,
        proposal_version=proposal_version,
        name=document.name,
        file=document.file.name,
        size=document.size,
        content_type=document.content_type,
        sha256=document.sha256,
        uploaded_by=document.uploaded_by,
        uploaded_at=document.uploaded_at,
    )
