"""The client's address, the one answer for the audit trail and the rate limits.

Behind the shipped set-up (nginx → gunicorn on a Unix socket, docs/deploy.md) the
connection gunicorn sees comes from nginx, not from the client: over a Unix socket it has
no address at all (`REMOTE_ADDR` is empty). nginx names the client in `X-Forwarded-For`
(`$proxy_add_x_forwarded_for`: whatever the client sent, then the address nginx saw).

The header is believed only when the direct peer is a trusted proxy: an address or
network of `PINGAN_TRUSTED_PROXIES`, or the local Unix socket when
`PINGAN_TRUST_UNIX_SOCKET` is on (the default: only local processes that may open the
socket reach it). Then the client is the right-most address of the header that is not
itself a trusted proxy; everything to its left was written by the client and proves
nothing. From any other peer the header is ignored and the peer's own address counts.
`X-Real-IP` is never read: the shipped nginx does not set it, so behind it the header is
whatever the client wrote.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_CACHE = "_pingan_client_address"


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it (`203.0.113.9`, `2001:db8::1`, with or without a
    port: `203.0.113.9:5123`, `[2001:db8::1]:443`); IPv4-mapped IPv6 as IPv4. None when
    it is not an address."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def trusted_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(getattr(settings, "PINGAN_TRUSTED_PROXIES", ()) or ()))


def is_trusted_proxy(ip: IPAddress) -> bool:
    return any(ip.version == net.version and ip in net for net in trusted_networks())


def resolve(meta: dict[str, Any]) -> str | None:
    """The client's address from a request's META (see the module's docstring)."""
    raw = str(meta.get("REMOTE_ADDR") or "").strip()
    peer = parse_address(raw) if raw else None
    if peer is None:
        # A Unix socket has no peer address. Anything else unreadable is no proxy.
        trusted = not raw and bool(getattr(settings, "PINGAN_TRUST_UNIX_SOCKET", False))
    else:
        trusted = is_trusted_proxy(peer)
    last = peer
    if trusted:
        hops = str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        for hop in reversed([h for h in hops if h.strip()]):
            ip = parse_address(hop)
            if ip is None:
                break  # not written by a proxy we trust: stop at the last hop we believe
            last = ip
            if not is_trusted_proxy(ip):
                break
    return last.compressed if last is not None else None


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address for `request`, worked out once per request; None when
    unknown (a Unix socket without a trusted header, no request)."""
    if request is None:
        return None
    cached = request.__dict__.get(_CACHE, _CACHE)
    if cached is not _CACHE:
        return cached  # type: ignore[no-any-return]
    address = resolve(request.META)
    request.__dict__[_CACHE] = address
    return address
