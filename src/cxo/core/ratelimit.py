"""Per-user rate limits of expensive operations: matching, comparison exports, document uploads.

Counted in the database (:class:`~cxo.core.models.RateLimitCounter`), not in Django's cache: web
workers are stateless and scale out, and the default cache is per process, so a limit kept there
would multiply with the workers. The database is the one store they all share (no cache server to
run). The counter is a fixed window: at most ``limit`` requests per ``period`` seconds, counted
from the start of each window; one UPDATE (or INSERT) per counted request.

Limits come from ``CXO_RATE_LIMITS`` (``{"match": "60/min", …}``, each overridable with
``CXO_RATE_LIMIT_<SCOPE>``). Over the limit the answer is 429 with ``Retry-After``: JSON
``{"detail": …}`` from the API (:class:`RateLimited` is a ServiceError), a page otherwise.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cxo.core.errors import ServiceError
from cxo.core.models import RateLimitCounter

PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


class RateLimited(ServiceError):
    """Too many requests of one kind (429); ``retry_after`` is in seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def rate_parse(rate: str) -> tuple[int, int]:
    """``"60/min"`` → (60, 60): requests, and the period in seconds."""
    count, _, period = rate.partition("/")
    if not count.strip().isdigit() or period.strip() not in PERIODS:
        raise ValueError(f"A rate is 'N/period' with a period of {', '.join(PERIODS)}, not {rate!r}.")
    return int(count), PERIODS[period.strip()]


def rate_limit_hit(*, scope: str, key: str, limit: int, period: int, now: float | None = None) -> int | None:
    """Count one request of ``key`` (a user) to ``scope``; the seconds to wait if it is over the limit, else None."""
    now = time.time() if now is None else now
    window = int(now // period)
    counters = RateLimitCounter.objects.filter(scope=scope, key=key)
    with transaction.atomic():
        if not counters.filter(window=window).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(scope=scope, key=key, window=window, count=1)
            except IntegrityError:  # another worker started the window first
                counters.filter(window=window).update(count=F("count") + 1)
            counters.filter(window__lt=window).delete()
        count = counters.filter(window=window).values_list("count", flat=True).get()
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))


def rate_limit_wait(*, scope: str, key: str) -> int | None:
    """Count one request of ``key`` against the configured limit of ``scope``: seconds to wait, or None."""
    rate = settings.CXO_RATE_LIMITS.get(scope)
    if not rate:
        return None
    limit, period = rate_parse(rate)
    return rate_limit_hit(scope=scope, key=key[:150], limit=limit, period=period)


def rate_limit_check(*, scope: str, request: HttpRequest) -> None:
    """Count this request against the user's limit for ``scope``; raise RateLimited when it is over."""
    rate = settings.CXO_RATE_LIMITS.get(scope)
    user = getattr(request, "user", None)
    if not rate or user is None or not user.is_authenticated:
        return
    wait = rate_limit_wait(scope=scope, key=str(user.pk))
    if wait is not None:
        raise RateLimited(
            f"Too many requests: at most {rate} for {scope.replace('_', ' ')}. Try again in {wait} seconds.",
            retry_after=wait,
        )


def rate_limited(scope: str, *, methods: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit a view or API operation per user (only ``methods`` when given, e.g. the POST of a form page).

    For a page the refusal is a 429 page; in the API, RateLimited reaches the API's error handler.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not methods or request.method in methods:
                try:
                    rate_limit_check(scope=scope, request=request)
                except RateLimited as exc:
                    if request.path_info.startswith("/api/"):
                        raise
                    return too_many(request, exc)
            return view(request, *args, **kwargs)

        # Django Ninja reads an operation's parameters from its signature; with postponed annotations
        # it would resolve their names in this module, so hand it the view's own, already resolved.
        cast(Any, wrapped).__signature__ = inspect.signature(view, eval_str=True)
        cast(Any, wrapped).cxo_rate_limit = scope  # the OpenAPI document declares its 429 (cxo.core.openapi)
        return wrapped

    return decorator


def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = render(
        request, "request_refused.html", {"title": "Too many requests", "message": exc.message}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response
