"""The one guard for outbound URLs: no request reaches this machine or a private network unless allowed.

A connection's base URL, its token URL, a ``Link: rel="next"`` page and any redirect are all chosen
by someone other than the operator (a user typing a URL, a vendor's answer). Without a guard a
platform that calls them can be made to call its own admin API, a cloud metadata service or anything
else on its private network, with a credential attached (server-side request forgery).

Two checks, both driven by one :class:`OutboundPolicy`:

- :func:`check_url`, before anything is sent: http(s) only, no user name or password, IP addresses
  written the one canonical way, a literal address outside the blocked ranges; with ``resolve``, the
  names too (used when a connection is saved, for an early error naming the field).
- :class:`GuardedTransport`, at connect time: its network backend resolves the host itself, refuses
  when any address is in a blocked range, connects to an address it checked (never resolving again:
  a name that answers public first and private next, DNS rebinding, still meets the check) and checks
  the socket's peer address once connected.

Blocked ranges are IANA's special-purpose registries for IPv4 and IPv6 (:data:`SPECIAL_PURPOSE`),
written out because Python 3.11's ``ipaddress`` tables lag behind them (``192.0.0.0/24``, ``fec0::/10``
and ``3fff::/20`` count as global there); anything ``ipaddress`` considers not global is blocked too.
IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) are
judged by the address they carry; Teredo is refused outright.

An operator can allow origins explicitly (``connector emulate --allow-url http://127.0.0.1:8080``) for
an API of their own on this machine; everything else stays guarded.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx

from connector.errors import BadInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Host name -> addresses (strings); injectable so tests can play a DNS server.
Resolver = Callable[[str], list[str]]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
#: IANA IPv4 and IPv6 special-purpose address registries: ranges not to be called on a user's behalf.
SPECIAL_PURPOSE: tuple[tuple[_V4 | _V6, str], ...] = (
    (_V4("0.0.0.0/8"), "'this network'"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "shared (carrier-grade NAT)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local (cloud metadata)"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "IETF protocol assignment"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "6to4 relay anycast"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("240.0.0.0/4"), "reserved"),
    (_V6("::1/128"), "loopback"),
    (_V6("::/128"), "unspecified"),
    (_V6("64:ff9b:1::/48"), "local-use IPv4/IPv6 translation"),
    (_V6("100::/64"), "discard-only"),
    (_V6("2001::/32"), "Teredo tunnel"),
    (_V6("2001::/23"), "IETF protocol assignment"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("5f00::/16"), "segment routing (SRv6)"),
    (_V6("fc00::/7"), "unique local (private)"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local"),
    (_V6("ff00::/8"), "multicast"),
    (_V6("::/8"), "reserved (IPv4-compatible)"),  # last: holds 64:ff9b::/96 and 64:ff9b:1::/48
)
_NAT64 = _V6("64:ff9b::/96")
#: Host names that are numbers in disguise: 2130706433, 0x7f.1, 017700000001, 127.1.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}


def blocked_reason(address: str | IPAddress) -> str | None:
    """Why ``address`` may not be called (e.g. ``"loopback"``), or None when it is a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0]) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = None
        if ip.ipv4_mapped is not None:
            embedded, form = ip.ipv4_mapped, "IPv4-mapped"
        elif ip in _NAT64:
            embedded, form = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
        elif ip.sixtofour is not None:
            embedded, form = ip.sixtofour, "6to4"
        if embedded is not None:
            inner = blocked_reason(embedded)
            return f"{form} form of a {inner} address ({embedded})" if inner else None
    for network, name in SPECIAL_PURPOSE:
        if ip.version == network.version and ip in network:
            return name
    if not ip.is_global or ip.is_multicast:
        return "not globally reachable"
    return None


def origin_of(url: str | httpx.URL) -> str:
    """``scheme://host:port`` with the host lower-cased, an IP address in its canonical form and the port
    always written, so two spellings of one origin compare equal."""
    parts = url if isinstance(url, httpx.URL) else httpx.URL(url)
    host = parts.host.lower().rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
        host = f"[{ip}]" if ip.version == 6 else str(ip)
    except ValueError:
        pass
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    return f"{parts.scheme}://{host}:{port}"


def parse_allowed_origin(url: str) -> str:
    """An ``--allow-url`` value as a canonical origin; BadInput when it is more than an origin."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{url!r} is not an http(s) origin such as http://127.0.0.1:8080", "allow_url")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BadInput(
            f"{url!r} must be an origin only (scheme, host and port, e.g. http://127.0.0.1:8080): "
            "every path on it is allowed",
            "allow_url",
        )
    return origin_of(url)


@dataclass(frozen=True)
class OutboundPolicy:
    """Which origins the guard lets through although they point at a blocked range.

    Attributes:
        allowed_origins: canonical origins (see :func:`parse_allowed_origin`), e.g. an author's own API
            on ``http://127.0.0.1:8080`` during local development.
        how_to_allow: the sentence that tells the operator how to allow an origin, with ``{origin}``.
    """

    allowed_origins: frozenset[str] = frozenset()
    how_to_allow: str = "to allow it for local development, start the emulator with --allow-url {origin}"

    @classmethod
    def allowing(cls, urls: Iterable[str], **options: Any) -> OutboundPolicy:
        return cls(frozenset(parse_allowed_origin(url) for url in urls), **options)

    def allows(self, url: str | httpx.URL) -> bool:
        return bool(self.allowed_origins) and origin_of(url) in self.allowed_origins

    def allows_host(self, host: str, port: int) -> bool:
        """Whether a connection to ``host``:``port`` belongs to an allowed origin (any scheme)."""
        if not self.allowed_origins:
            return False
        wanted = {f"{scheme}://{host}:{port}" for scheme in DEFAULT_PORTS}
        return any(origin_of(candidate) in self.allowed_origins for candidate in wanted)

    def refusal(self, host: str, address: str, reason: str, origin: str, field: str) -> BadInput:
        return BadInput(
            f"{host} points at a {reason} address ({address}); only public services and the emulator's own "
            f"sandboxes are called; {self.how_to_allow.format(origin=origin)}",
            field,
        )


DEFAULT_POLICY = OutboundPolicy()


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to; BadInput when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise BadInput(f"cannot resolve host {host!r} ({exc}); check the URL", "url") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(
    url: str | httpx.URL,
    *,
    field: str = "url",
    policy: OutboundPolicy = DEFAULT_POLICY,
    resolve: Resolver | None = None,
) -> str:
    """Return ``url`` when it may be called, else raise BadInput naming ``field``.

    Without ``resolve`` only what the URL itself says is checked (the connect-time check in
    :class:`GuardedTransport` covers names); with it, every address the name resolves to is checked too.
    """
    text = str(url)
    try:
        parts = httpx.URL(text)
    except (httpx.InvalidURL, TypeError) as exc:
        raise BadInput(f"{text!r} is not a URL ({exc})", field) from None
    if parts.scheme not in ("http", "https") or not parts.host:
        raise BadInput(f"{text!r} is not an http(s) URL such as https://api.example.com", field)
    if parts.userinfo:
        raise BadInput("URLs with a user name or password are not accepted; use the credential fields", field)
    if policy.allows(parts):
        return text
    host = parts.host.lower()
    origin = origin_of(parts)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if _NUMERIC_HOST.match(host):
            raise BadInput(
                f"{host!r} is an IP address in an unusual notation; write it as four decimal numbers "
                "(e.g. 93.184.216.34) or use the service's host name",
                field,
            ) from None
        try:
            addresses = resolve(host.rstrip(".")) if resolve is not None else []
        except BadInput as exc:
            raise BadInput(exc.problems[0].message, field) from None
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            raise policy.refusal(host, address, reason, origin, field)
    return text


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the guard at connect time (see the module docstring)."""

    def __init__(
        self,
        policy: OutboundPolicy = DEFAULT_POLICY,
        *,
        resolve: Resolver = system_resolver,
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolve = resolve
        self.inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if self.policy.allows_host(host, port):
            return self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        origin = origin_of(f"http://{_bracketed(host)}:{port}")
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = self.resolve(host)
        for address in addresses:
            reason = blocked_reason(address)
            if reason:
                raise self.policy.refusal(host, address, reason, origin, "url")
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            self._check_peer(stream, host, origin)
            return stream
        raise error

    def _check_peer(self, stream: httpcore.NetworkStream, host: str, origin: str) -> None:
        """The address actually connected to must pass too (a proxy or a resolver shim could differ)."""
        sock = stream.get_extra_info("socket")
        if sock is None:
            return
        peer = str(sock.getpeername()[0])
        reason = blocked_reason(peer)
        if reason:
            stream.close()
            raise self.policy.refusal(host, peer, reason, origin, "url")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise BadInput("Unix sockets are never called on a connection's behalf", "url")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class GuardedTransport(httpx.HTTPTransport):
    """The real network, guarded: :func:`check_url` on every request, :class:`GuardedBackend` on every
    connection. Never uses proxies from the environment (the guard must see the real peer)."""

    #: The seam paces requests through this transport like the default network transport.
    real_network = True

    def __init__(
        self,
        policy: OutboundPolicy = DEFAULT_POLICY,
        *,
        verify: ssl.SSLContext | None = None,
        resolve: Resolver = system_resolver,
        limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20),  # noqa: B008
    ) -> None:
        if verify is None:
            from connector.http import shared_ssl_context  # the seam imports this module

            verify = shared_ssl_context()
        ssl_context = verify
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self.policy = policy
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy, resolve=resolve),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_url(request.url, field=str(request.extensions.get(URL_FIELD, "url")), policy=self.policy)
        return super().handle_request(request)


#: Request extension naming the field a URL came from (``token_url``), for the refusal message.
URL_FIELD = "connector_url_field"


@dataclass
class RoutingTransport(httpx.BaseTransport):
    """In-process for the URLs under a local sandbox's base URL, the guarded network for everything else.

    Routing each request by its own URL (not by the connection's base URL) means a token URL or a next
    link pointing elsewhere meets the guard too.
    """

    local: list[tuple[str, httpx.BaseTransport]] = field(default_factory=list)
    policy: OutboundPolicy = DEFAULT_POLICY
    resolve: Resolver = system_resolver
    #: Whether the connection's own base URL is on the network (the seam then paces its requests).
    real_network: bool = True
    #: Built on the first request that needs the network: a sandbox-only connection never pays for a pool.
    network: httpx.BaseTransport | None = None
    #: Shared by many calls at once (a connection cached per process): a client closing after its call
    #: must not close the pool under the others; the pool's sockets go when the transport is dropped.
    shared: bool = False

    def route(self, url: httpx.URL) -> httpx.BaseTransport:
        for base_url, transport in self.local:
            if is_under(url, base_url):
                return transport
        if self.network is None:
            self.network = GuardedTransport(self.policy, resolve=self.resolve)
        return self.network

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.route(request.url).handle_request(request)

    def close(self) -> None:
        if self.network is not None and not self.shared:
            self.network.close()


def is_under(url: str | httpx.URL, base_url: str | httpx.URL) -> bool:
    """Whether ``url`` has ``base_url``'s origin and lies under its path (segment-wise, no dot segments).

    Runs for every request (the client's base-URL check, the emulator's routing), so the base URL is
    parsed once and the target, usually an ``httpx.URL`` already, is not parsed again.
    """
    try:
        target = url if isinstance(url, httpx.URL) else httpx.URL(url)
        scheme, host, port, prefix = _base_parts(str(base_url))
    except httpx.InvalidURL:
        return False  # not a URL at all: under nothing (check_url says what is wrong with it)
    if (target.scheme != scheme or target.host.lower().rstrip(".") != host
            or (target.port or DEFAULT_PORTS.get(target.scheme, 0)) != port):
        return False
    path = target.raw_path.split(b"?", 1)[0]
    if b"%2e" in path.lower() and any(
        unquote(segment) in (".", "..") for segment in path.decode("ascii", "replace").split("/")
    ):
        return False  # an escaped dot segment that a server may still resolve
    return path == prefix or path.startswith(prefix + b"/")


@functools.lru_cache(maxsize=256)
def _base_parts(base_url: str) -> tuple[str, str, int, bytes]:
    base = httpx.URL(base_url)
    port = base.port or DEFAULT_PORTS.get(base.scheme, 0)
    return base.scheme, base.host.lower().rstrip("."), port, base.raw_path.split(b"?", 1)[0].rstrip(b"/")
