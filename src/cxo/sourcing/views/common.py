"""Helpers shared by the sourcing pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest

from cxo.core.access import OrgRequest
from cxo.core.documents import document_data_from_upload
from cxo.core.errors import NotFound, ServiceError
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can


def flash_error(request: HttpRequest, exc: ServiceError, form: Any = None) -> None:
    """Show a service's refusal: on the form's field when there is one, else as a message."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if form is not None:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
    else:
        messages.error(request, exc.message)


def can(request: OrgRequest, permission: Permission) -> bool:
    """Whether the member's role grants ``permission`` (to offer an action the page can take)."""
    return membership_can(membership=request.membership, permission=permission)


document_data = document_data_from_upload


STEPS = [("draft", "Draft"), ("issued", "Issued"), ("closed", "Closed"), ("awarded", "Awarded")]


def rfp_steps(status: str) -> dict[str, Any]:
    """Context for the progress strip: the steps and those already passed."""
    order = [k for k, _ in STEPS]
    if status == "cancelled":
        return {"steps": STEPS, "done": []}
    return {"steps": STEPS, "done": order[: order.index(status)]}
