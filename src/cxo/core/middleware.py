"""Request id (kept in a context variable so the audit trail can record it), and request limits."""

from __future__ import annotations

import contextvars
import io
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from cxo.core.bounds import NUL

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("cxo_request_id", default="")
_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


# --- request limits ---------------------------------------------------------------------------------

#: API operations whose JSON body carries documents (base64): they may be as large as those documents.
DOCUMENT_JSON_PATHS = tuple(
    re.compile(rf"^/api/v1/organisations/[^/]+/{path}/?$")
    for path in (
        r"inbox/\d+/proposal",  # sourcing: a proposal's documents
        r"agreements/\d+/documents",  # contracts: a master agreement's version
        r"milestones/\d+/report",  # contracts: a milestone's evidence
        r"work-orders/\d+/invoices",  # contracts: an invoice's PDF
        r"invoices/\d+/resubmit",
    )
)
#: A JSON-escaped NUL (``\u0000``) that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_MESSAGE = "Text may not contain NUL characters (\\u0000)."


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


class RequestLimitsMiddleware:
    """Refuse a request before its body is read when it is too large, and any text with a NUL character.

    The size comes from ``Content-Length`` (Django would otherwise read the whole body first): an API
    operation that takes documents in its JSON may send ``CXO_DOCUMENT_JSON_MAX_BYTES``, a page upload
    (multipart) ``CXO_UPLOAD_MAX_BYTES``, anything else ``DATA_UPLOAD_MAX_MEMORY_SIZE``. The answer is
    413, JSON ``{"detail": …}`` under ``/api/`` and a page otherwise. NUL characters, which PostgreSQL
    cannot store in text, are refused (400) in the path, the query string, JSON and form bodies;
    multipart text fields meet Django's form fields, which refuse them too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, "Request refused", "The Content-Length header is not a number.")
        content_type = request.content_type or ""
        document_json = request.path_info.startswith("/api/") and any(
            p.match(request.path_info) for p in DOCUMENT_JSON_PATHS
        )
        if document_json:
            limit = settings.CXO_DOCUMENT_JSON_MAX_BYTES
        elif content_type == "multipart/form-data":
            limit = settings.CXO_UPLOAD_MAX_BYTES
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if content_type == "multipart/form-data" and not (request.content_params or {}).get("boundary"):
            # Django's parser would raise on first use of request.POST, wherever that is (django-axes reads it).
            return _refuse(
                request, 400, "Request refused", "A multipart/form-data body needs a boundary in its Content-Type."
            )
        if length > limit:
            return _refuse(
                request,
                413,
                "Too large",
                f"The request is too large: {_mb(length)}, where at most {_mb(limit)} is accepted here.",
            )
        if NUL in request.path_info or any(NUL in k or NUL in v for k, vs in request.GET.lists() for v in vs):
            return _refuse(request, 400, "Request refused", NUL_MESSAGE)
        if content_type == "application/json" and length:
            if document_json:
                # Read it here, within its own limit: Django's request.body would refuse it as larger
                # than DATA_UPLOAD_MAX_MEMORY_SIZE, which stays small for every other request.
                request._body = request.read()
                request._stream = io.BytesIO(request._body)
            if _JSON_NUL.search(request.body):
                return _refuse(request, 400, "Request refused", NUL_MESSAGE)
        elif (
            content_type == "application/x-www-form-urlencoded"
            and length
            and any(NUL in k or NUL in v for k, vs in request.POST.lists() for v in vs)
        ):
            return _refuse(request, 400, "Request refused", NUL_MESSAGE)
        return None


def _refuse(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "request_refused.html", {"title": title, "message": message}, status=status)


# --- Content-Security-Policy ------------------------------------------------------------------------


class ContentSecurityPolicyMiddleware:
    """Send ``CXO_CONTENT_SECURITY_POLICY`` with every response: only our own static files run or style.

    There are no inline scripts, inline event handlers or style attributes in the templates (page
    behaviour is in ``cxo/cxo.js``; htmx is told not to inject its indicator style or eval). In
    DEBUG, Django's own error pages (inline CSS and JS) are left without the header so they stay readable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CXO_CONTENT_SECURITY_POLICY
        if policy and not (settings.DEBUG and response.status_code >= 400):
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
