"""Where webhooks may go: http(s) URLs whose host resolves only to public addresses.

Checked when a subscription is created or changed, and again before every attempt,
on the addresses the request then connects to (a DNS answer may change in between:
DNS rebinding). Private, loopback, link-local, reserved and multicast ranges are
refused unless ``PAYABLES_WEBHOOK_ALLOW_PRIVATE`` is set (tests use loopback).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
# A name that does not resolve within this long is refused (the resolver has no timeout
# of its own that we control): a hung DNS server must not hold an API request or a worker.
RESOLVE_TIMEOUT = 5.0
# IPv6 ranges that carry an IPv4 address in their last 32 bits (NAT64, IPv4-compatible):
# a request there goes to that IPv4 address, so that address is the one to check.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


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
    payables.events.webhooks.targets.TargetRefused: The target must be an http or https URL.
    """
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"The target URL is longer than {MAX_URL_LENGTH} characters.")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise TargetRefused("The target URL must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL": an unclosed [ in the host
        raise TargetRefused(f"The target is not a valid URL: {exc}.") from None
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

    IPv6 addresses that embed an IPv4 one (mapped, 6to4, Teredo, NAT64, IPv4-compatible)
    are public only if the embedded address is too: they lead to it.

    >>> [is_public(a) for a in ("2002:7f00:1::", "64:ff9b::a00:1", "::7f00:1", "::808:808")]
    [False, False, False, True]
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return all(one.is_global and not one.is_multicast for one in (ip, *_embedded_ipv4(ip)))


def _embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list:
    """The IPv4 addresses an IPv6 address leads to, by the transition mechanisms."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [one for one in embedded if one is not None]


def resolve(target: Target, *, allow_private: bool, timeout: float = RESOLVE_TIMEOUT) -> list[str]:
    """Return the addresses to connect to, refusing the target if any is not public.

    All must be public: a name answering with one public and one private address could
    otherwise be steered to the private one. A name that takes longer than ``timeout``
    to resolve raises ``TimeoutError``.
    """
    try:
        infos = _getaddrinfo(target.host, target.port, timeout=timeout)
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


def _getaddrinfo(host: str, port: int, *, timeout: float) -> list:
    """``socket.getaddrinfo`` given up after ``timeout`` seconds.

    The lookup runs in a daemon thread: it cannot be cancelled, but the caller stops
    waiting for it (the thread ends with the system resolver's own timeout).
    """
    result: list = []

    def lookup() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:  # handed over to the caller
            result.append(exc)

    thread = threading.Thread(target=lookup, name="webhook-resolve", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.001))
    if not result:
        raise TimeoutError(f"resolving {host!r} took longer than {timeout:g} s")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def check_target(url: str, *, allow_private: bool) -> Target:
    """Check a subscription's target as given: shape, and (unless allowed) its addresses."""
    target = parse_target(url)
    if not allow_private:
        try:
            resolve(target, allow_private=False)
        except TimeoutError:
            raise TargetRefused(
                f"The target host {target.host!r} did not resolve within {RESOLVE_TIMEOUT:g} s."
            ) from None
    return target
