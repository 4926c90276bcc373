"""Helpers shared by the quality pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from cxo.core.access import OrgRequest
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can


def sponsor_only(request: OrgRequest) -> None:
    """Sponsor pages are not a provider's: 404, as for anything it may not see."""
    if not request.organisation.is_sponsor:
        raise Http404("This page belongs to a sponsor's quality records.")


def provider_only(request: OrgRequest) -> None:
    if request.organisation.is_sponsor:
        raise Http404("This page belongs to a provider's quality records.")


def can(request: OrgRequest, permission: Permission) -> bool:
    return membership_can(membership=request.membership, permission=permission)


def refused(request: OrgRequest, exc: ServiceError, form: Any = None) -> None:
    """Show a service's refusal: on the form's field when it has one, else as a message."""
    if isinstance(exc, NotFound) and not (form is not None and exc.field in form.fields):
        raise Http404(exc.message) from exc
    if form is not None:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        messages.error(request, exc.message)


def back(request: OrgRequest, name: str, **kwargs: Any) -> HttpResponse:
    response: HttpResponse = redirect(name, org=request.organisation.slug, **kwargs)
    return response


def act(
    request: OrgRequest,
    form: Any,
    do: Callable[[dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
    to: str,
    **kwargs: Any,
) -> HttpResponse:
    """One POSTed form, one service, back to the page ``to``: the form's errors or the service's refusal shown
    as a message, else ``done`` (a message, or made from what the service returned)."""
    if form is not None and not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            result = do(form.cleaned_data if form is not None else {})
        except ServiceError as exc:
            refused(request, exc)
        else:
            messages.success(request, done(result) if callable(done) else done)
    return back(request, to, **kwargs)


def members(request: OrgRequest) -> list[User]:
    return [m.user for m in request.organisation.memberships.select_related("user").order_by("user__username")]


def form_errors(form: Any) -> str:
    """A form's errors as one sentence, for a message when the form is not on the page that answers."""
    parts = [
        f"{form.fields[f].label or f}: {' '.join(e)}" if f != "__all__" else " ".join(e)
        for f, e in form.errors.items()
        if f in form.fields or f == "__all__"
    ]
    return "; ".join(parts) or "Check the form."


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
