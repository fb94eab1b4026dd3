"""Keep user-supplied URLs from reaching this machine or its private network.

An org URL typed into a connection is fetched by the emulator, so without a check anyone who can add a
connection could make it call internal services (server-side request forgery). Loopback, private,
link-local and reserved addresses are refused unless the host is one of the sandboxes the emulator
itself serves, which are allowed explicitly.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from connector.errors import BadInput

Resolver = Callable[[str], list[str]]


def _resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise BadInput(f"cannot resolve host {host!r} ({exc.strerror}); check the URL", "url") from exc
    return sorted({str(info[4][0]) for info in infos})


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return bool(
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
        or ip.is_unspecified
    )


def check_outbound_url(
    url: str,
    *,
    allowed_prefixes: Collection[str] = (),
    field: str = "url",
    resolve: Resolver = _resolve,
) -> str:
    """Return ``url`` when the emulator may call it, else raise BadInput naming ``field``.

    Args:
        allowed_prefixes: URL prefixes always allowed (the emulator's own sandboxes).
        resolve: host name to addresses; injectable so tests need no DNS.
    """
    if any(url.startswith(prefix) for prefix in allowed_prefixes if prefix):
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{url!r} is not an http(s) URL such as https://example.okta.com", field)
    if parts.username or parts.password:
        raise BadInput("URLs with a user name or password are not accepted; use the credential fields", field)
    host = parts.hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = resolve(host)
    blocked = [a for a in addresses if _is_internal(a)]
    if blocked:
        raise BadInput(
            f"{host} points at a loopback or private address ({', '.join(blocked)}); the emulator only "
            "calls public services and its own sandboxes",
            field,
        )
    return url
