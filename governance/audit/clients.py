"""Who is on the other end of a request: the client's address and browser.

Behind `TRUSTED_PROXY_COUNT` reverse proxies, each proxy appends the address it was reached
from to X-Forwarded-For, so the client is the entry that many places from the right; anything
further left was written by the client and is not believed. With no proxies the header is
ignored altogether and the socket's address is used. django-axes uses the same function
(AXES_CLIENT_IP_CALLABLE), so lockouts and the audit log name the same address.
"""

import ipaddress

from django.conf import settings

USER_AGENT_LENGTH = 255


def _valid(address: str | None) -> str | None:
    if not address:
        return None
    address = address.strip()
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR"))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return _valid(forwarded[max(0, len(forwarded) - proxies)]) or remote


def client_user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
