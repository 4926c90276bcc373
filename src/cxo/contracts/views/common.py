"""What the contracts pages share: running one step and going back to the record, with its refusal shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cxo.core.access import OrgRequest
from cxo.core.errors import NotFound, ServiceError


def work_order_page(request: OrgRequest, work_order_id: int, anchor: str = "") -> str:
    url = reverse(
        "contracts:work_order_detail", kwargs={"org": request.organisation.slug, "work_order_id": work_order_id}
    )
    return f"{url}#{anchor}" if anchor else url


def step(request: OrgRequest, run: Callable[[], Any], *, done: str, back: str) -> HttpResponse:
    """Run one service call; say it was done, or show the refusal; then go back to ``back``."""
    try:
        run()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(back)
