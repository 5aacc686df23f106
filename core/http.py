"""Facts about the HTTP request that several apps need."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]" or "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address of the client that sent the request, as rate limits must see it.

    Behind HAVEN_TRUSTED_PROXY_COUNT proxies of ours, each of which appends the address it was
    reached from to X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`), the client is the
    entry that many places from the right: the rightmost entry was written by the proxy nearest
    to us, and everything left of the client's entry was written by the client itself, so a
    forged header cannot move a client out of its own bucket. With no trusted proxy (the default)
    the header is ignored and the TCP peer is the client.

    If the header has fewer entries than the count (a request that bypassed an outer proxy), its
    leftmost entry is taken: it was written by the outermost proxy of ours that the request met.
    An entry that is not an IP address means the chain is not what the setting says; the TCP peer
    is used then."""
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    count = getattr(settings, "HAVEN_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded.strip():
        return _clean(peer) or peer
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    chosen = entries[-count] if len(entries) >= count else entries[0]
    return _clean(chosen) or _clean(peer) or peer
