"""Storing documents with their SHA-256 checksum."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile

from cxo.core.errors import ServiceError
from cxo.core.models import Organisation, User
from cxo.sourcing.models import Document, ProposalVersion, Rfp


@dataclass(frozen=True)
class DocumentData:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"


def document_store(
    *,
    actor: User,
    rfp: Rfp,
    data: DocumentData,
    provider: Organisation | None = None,
    proposal_version: ProposalVersion | None = None,
) -> Document:
    """Save one file under a path derived from its checksum and record its SHA-256 and size."""
    name = (data.name or "").replace("/", "_").replace("\\", "_").strip()[:200]
    if not name:
        raise ServiceError("Every document needs a file name.", field="documents")
    if not data.content:
        raise ServiceError(f"The document '{name}' is empty.", field="documents")
    if len(data.content) > settings.CXO_DOCUMENT_MAX_BYTES:
        limit = settings.CXO_DOCUMENT_MAX_BYTES / (1024 * 1024)
        raise ServiceError(f"The document '{name}' is larger than {limit:g} MB.", field="documents")
    document = Document(
        organisation=rfp.organisation,
        rfp=rfp,
        provider=provider,
        proposal_version=proposal_version,
        name=name,
        size=len(data.content),
        content_type=data.content_type[:120],
        sha256=hashlib.sha256(data.content).hexdigest(),
        uploaded_by=actor,
    )
    document.file.save(name, ContentFile(data.content), save=False)
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
