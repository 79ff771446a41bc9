"""Where webhooks may go: http(s) URLs whose host resolves only to public addresses.

Checked when a subscription is created or changed, and again before every attempt,
on the addresses the request then connects to (a DNS answer may change in between:
DNS rebinding). Private, loopback, link-local, reserved and multicast ranges are
refused unless ``PAYABLES_WEBHOOK_ALLOW_PRIVATE`` is set (tests use loopback).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000


class TargetRefused(ValueError):
    """The URL is not one payables sends webhooks to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def parse_target(url: str) -> Target:
    """Check the URL's shape and split it.

    >>> parse_target("https://erp.example.com/hooks?x=1")
    Target(scheme='https', host='erp.example.com', port=443, path='/hooks?x=1')
    >>> parse_target("ftp://example.com/")
    Traceback (most recent call last):
    ...
    payables.sync.webhooks.targets.TargetRefused: The target must be an http or https URL.
    """
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"The target URL is longer than {MAX_URL_LENGTH} characters.")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise TargetRefused("The target URL must not contain spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("The target must be an http or https URL.")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise TargetRefused("The target URL has an invalid port.") from None
    if not host:
        raise TargetRefused("The target URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("The target URL must not carry credentials; sign-in is by signature.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def is_public(address: str) -> bool:
    """Tell whether an IP address is publicly routable (so a webhook may go there).

    >>> [is_public(a) for a in ("93.184.216.34", "10.0.0.1", "127.0.0.1", "169.254.169.254")]
    [True, False, False, False]
    >>> [is_public(a) for a in ("::1", "::ffff:127.0.0.1", "fd00::1", "2606:4700::1111")]
    [False, False, False, True]
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(target: Target, *, allow_private: bool) -> list[str]:
    """Return the addresses to connect to, refusing the target if any is not public.

    All must be public: a name answering with one public and one private address could
    otherwise be steered to the private one.
    """
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"The target host {target.host!r} does not resolve: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise TargetRefused(
                f"The target resolves to a private or reserved address ({refused[0]}); "
                "payables sends webhooks only to public addresses."
            )
    return addresses


def check_target(url: str, *, allow_private: bool) -> Target:
    """Check a subscription's target as given: shape, and (unless allowed) its addresses."""
    target = parse_target(url)
    if not allow_private:
        resolve(target, allow_private=False)
    return target
