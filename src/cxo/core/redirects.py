"""Redirect targets that come from the request (``next``, a form's way back) are checked before use.

Only a path on this site (or an absolute URL of an allowed host, https when the request is) is
followed; anything else — another host, ``javascript:``, a header-breaking newline — falls back to
a safe default. Django's own login and logout views make the same check on their ``next``.
"""

from __future__ import annotations

from django.http import HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, target: str | None, *, fallback: str) -> str:
    """``target`` when it is a safe place on this site to go back to, else ``fallback``."""
    if (
        target
        and "\n" not in target
        and "\r" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def with_query(path: str, query: str) -> str:
    """``path?query`` with the query string parsed and re-encoded, so it can only add parameters to our path."""
    clean = QueryDict(query).urlencode()
    return f"{path}?{clean}" if clean else path
