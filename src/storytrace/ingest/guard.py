"""Fetching pages for someone else without reaching into the network the fetcher runs on.

A URL given to storytrace (``ingest --urls``, the web app's URL form) is fetched by the
machine storytrace runs on, so a URL naming ``localhost``, a private address or a cloud
metadata endpoint would read a service its author cannot reach: server-side request
forgery. The guard sits where a connection is opened, not where a URL is parsed:

- the host is resolved once, every address it resolves to is checked, and the connection
  goes to the checked address itself, so a name that resolves differently a moment later
  (DNS rebinding) cannot slip past between the check and the connect;
- each redirect opens its own connection, so each hop is checked the same way;
- the address actually connected to is checked once more before a byte is sent.

Loopback, private, shared (carrier-grade NAT), link-local, multicast, reserved and
unspecified addresses are refused, IPv4 and IPv6 alike (IPv4-mapped IPv6 addresses are
judged by the IPv4 address they carry). Proxies from the environment are not used by a
guarded client: a proxy would make the connection, and its address says nothing about the
page's. TLS still verifies the certificate against the host name in the URL.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Most specific first: the first property an address has names it in the refusal.
_KINDS = (
    ("is_unspecified", "an unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_private", "a private address"),
)


class RefusedAddress(httpcore.ConnectError):
    """A connection the guard would not open; the message says which address and why."""


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be fetched from (``'a loopback address'``, ...), or
    ``None``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for attribute, kind in _KINDS:
        if getattr(address, attribute):
            return kind
    # Shared address space (100.64.0.0/10) and the like: not private, not global either.
    return None if address.is_global else "an address that is not globally routable"


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, in the resolver's order (no duplicates)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def check(host: str, addresses: Iterable[IPAddress]) -> None:
    """Refuse the lot when any address of ``host`` is one the guard refuses: a name that
    mixes public and internal addresses is not one to trust with a choice between them."""
    for address in addresses:
        kind = refusal(address)
        if kind is not None:
            named = host if host == str(address) else f"{host} ({address})"
            raise RefusedAddress(
                f"refused to fetch from {named}: {kind} (internal networks are "
                "not fetched; the command line allows them with --allow-private-urls)"
            )


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, connecting only to checked addresses."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        check(host, addresses)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _checked_peer(host, stream)
        raise failure or httpcore.ConnectError(f"{host!r} resolves to no address")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise RefusedAddress("refused to connect to a Unix socket")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _checked_peer(host: str, stream: httpcore.NetworkStream) -> httpcore.NetworkStream:
    """The address the socket is connected to, checked again: what was resolved is not
    necessarily what answered."""
    peer = stream.get_extra_info("server_addr")
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
        check(host, [address])
    except (TypeError, ValueError, IndexError):
        stream.close()
        message = f"refused to fetch from {host}: the connected address is unknown"
        raise RefusedAddress(message) from None
    except RefusedAddress:
        stream.close()
        raise
    return stream


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a pool whose connections are opened by ``GuardedBackend``."""

    def __init__(self) -> None:
        limits = httpx.Limits()  # httpx's defaults
        super().__init__(trust_env=False, limits=limits)
        # httpx 0.28 has no parameter for the pool's network backend (encode/httpx#3749, open);
        # httpcore's pool takes one as public API, so the pool is built here as httpx would.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(),
        )


def refused_by_guard(exc: BaseException) -> RefusedAddress | None:
    """The guard's refusal behind an httpx error, if that is what it was."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, RefusedAddress):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
