"""Helpers shared by the quality pages (the POST-a-form-call-a-service shape is ``cxo.core.steps``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cxo.core.access import OrgRequest
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can
from cxo.core.steps import post_step


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
    """One POSTed form, one service (given the form's cleaned data), back to the page named ``to``."""
    return post_step(
        request,
        lambda: do(form.cleaned_data if form is not None else {}),
        form=form,
        done=done,
        back=reverse(to, kwargs={"org": request.organisation.slug, **kwargs}),
    )


def members(request: OrgRequest) -> list[User]:
    return [m.user for m in request.organisation.memberships.select_related("user").order_by("user__username")]


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
