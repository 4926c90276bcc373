"""The client's address: the connection's, or behind trusted proxies the one they forwarded.

Behind a TLS proxy or load balancer every request arrives from the proxy, so throttling by address
(django-axes' failed logins, password-reset e-mails) would lump all users together. When the
connection comes from one of ``CXO_TRUSTED_PROXIES`` (addresses or networks), the client is the
right-most address in ``CXO_CLIENT_IP_HEADER`` (``X-Forwarded-For``) that is not itself a trusted
proxy; a forwarded header from anyone else is ignored, so it cannot be forged to dodge a limit.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s, strict=False) for s in spec)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.CXO_TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's IP address (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if not _trusted(remote):
        return remote
    key = "HTTP_" + settings.CXO_CLIENT_IP_HEADER.upper().replace("-", "_")
    forwarded = [a.strip() for a in str(request.META.get(key, "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # a proxy forwarded something that is not an address
    return remote
