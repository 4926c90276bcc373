"""One step on a record from a page: parse the POSTed form, call one service, say what happened, go back.

Every app's POST views share this shape, so the refusal handling is written once: a form that does not
validate and a service's refusal become messages on the page the user goes back to; a ``NotFound`` becomes
the 404 an outsider gets everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from cxo.core.access import OrgRequest
from cxo.core.errors import NotFound, ServiceError


def form_errors(form: Any) -> str:
    """A form's errors as one sentence, for a message when the form is not on the page that answers."""
    parts = [
        f"{form.fields[f].label or f}: {' '.join(e)}" if f != "__all__" else " ".join(e)
        for f, e in form.errors.items()
        if f in form.fields or f == "__all__"
    ]
    return "; ".join(parts) or "Check the form."


def post_step(
    request: OrgRequest,
    run: Callable[[], Any],
    *,
    done: str | Callable[[Any], str],
    back: str,
    form: Any = None,
    invalid: str = "",
    invalid_back: str = "",
) -> HttpResponse:
    """Validate ``form`` (if any), then ``run`` the service and redirect to ``back`` with ``done`` (a message, or
    made from what the service returned) or the service's refusal. A form that does not validate says
    ``invalid`` (default: its errors) and goes to ``invalid_back`` (default: ``back``) without running anything."""
    if form is not None and not form.is_valid():
        messages.error(request, invalid or form_errors(form))
        return redirect(invalid_back or back)
    try:
        result = run()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(back)
