"""Documents stored by their SHA-256, for every app: RFP and proposal files (sourcing), agreement versions,
milestone evidence and invoices (contracts).

A document row inherits :class:`StoredDocument` (name, file, size, content type, checksum, who and when)
and is filled by :func:`document_fill`, which checks the upload and saves the file under a path derived
from its checksum: the same content is the same file, and a changed file is a new checksum.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import FileResponse
from django.utils import timezone

from cxo.core.errors import ServiceError


@dataclass(frozen=True)
class DocumentData:
    """An uploaded file before it is stored."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"


def document_path(instance: Any, filename: str) -> str:
    """``<app>/<organisation id>/<sha[:2]>/<sha>/<name>``: where a document's file is kept."""
    sha = instance.sha256
    return f"{instance._meta.app_label}/{instance.organisation_id}/{sha[:2]}/{sha}/{filename}"


class StoredDocument(models.Model):
    """The stored file of a document row, with its SHA-256 and size. Abstract: each app's row says what it is for."""

    name = models.CharField(max_length=255)
    file = models.FileField(upload_to=document_path, max_length=500)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


D = TypeVar("D", bound=StoredDocument)


def document_fill(document: D, data: DocumentData, *, field: str = "documents") -> D:
    """Check ``data`` (a name, not empty, at most ``CXO_DOCUMENT_MAX_BYTES``) and store it in ``document``, which
    the caller saves."""
    name = (data.name or "").replace("/", "_").replace("\\", "_").strip()[:200]
    if not name:
        raise ServiceError("Every document needs a file name.", field=field)
    if not data.content:
        raise ServiceError(f"The document '{name}' is empty.", field=field)
    if len(data.content) > settings.CXO_DOCUMENT_MAX_BYTES:
        limit = settings.CXO_DOCUMENT_MAX_BYTES / (1024 * 1024)
        raise ServiceError(f"The document '{name}' is larger than {limit:g} MB.", field=field)
    document.name = name
    document.size = len(data.content)
    document.content_type = data.content_type[:120]
    document.sha256 = hashlib.sha256(data.content).hexdigest()
    document.file.save(name, ContentFile(data.content), save=False)
    return document


def document_data_from_upload(upload: UploadedFile) -> DocumentData:
    """A file posted with a form."""
    return DocumentData(
        name=upload.name or "document",
        content=upload.read(),
        content_type=upload.content_type or "application/octet-stream",
    )


def document_data_from_base64(*, name: str, content_base64: str, content_type: str, field: str) -> DocumentData:
    """A file sent in a JSON body; ServiceError when the content is not base64."""
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ServiceError(f"The document '{name}' is not valid base64.", field=field) from exc
    return DocumentData(name, content, content_type)


def document_response(document: StoredDocument) -> FileResponse:
    """The document as a download, with its checksum in a header so a copy can be checked."""
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)
    response["X-Content-SHA256"] = document.sha256
    return response
