"""The client's address, the same for django-axes, the throttle and the logs.

Behind TRUSTED_PROXY_COUNT reverse proxies, each appends the address it saw
to X-Forwarded-For; the last proxy is REMOTE_ADDR. The client is therefore
the entry that the outermost trusted proxy appended: the N-th from the
right. Entries further left were written by the client and are not trusted
(anyone can send "X-Forwarded-For: 1.2.3.4"). We read the header ourselves
rather than through django-ipware, whose proxy count means "proxies listed in
the header" and is off by one against nginx's $proxy_add_x_forwarded_for.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not pass all of them
        # (e.g. a probe from inside the network); the direct peer is all we know.
        return remote
    return _valid(forwarded[-count]) or remote
