"""Connections as the emulator sees them: saved encrypted, tested on save, resolved for every call.

The gateway decides where a connection's requests go. Each request is routed by its own URL: one under
the base URL of the emulator's own sandboxes is served in-process (no sockets); any other goes through
the kit's one outbound guard (:mod:`connector.outbound`), at save time with the names resolved and at
connect time on the address actually connected, so a user-typed org URL, token URL or a vendor's next
link cannot reach this machine or its private network. Origins the operator allowed explicitly
(``connector emulate --allow-url``) pass.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from auth.catalog import auth_spec_for, build_auth, require_fields
from auth.connection_check import ConnectionCheck, check_connection
from auth.oauth_pending import OAuthPendingStore
from auth.store import ConnectionRecord, CredentialStore
from connector.context import Connection
from connector.errors import BadInput
from connector.outbound import (
    DEFAULT_POLICY,
    OutboundPolicy,
    Resolver,
    RoutingTransport,
    check_url,
    is_under,
    system_resolver,
)

#: Connection fields that hold URLs the connection's requests go to.
#: URL fields every auth spec may have; each app's own ``AuthSpec.url_field`` (an org URL, a server) joins them.
URL_FIELDS = ("base_url", "token_url", "authorize_url")
#: Resolved connections a gateway keeps per process, least recently used dropped first.
CONNECTION_CACHE_SIZE = 256


@dataclass(frozen=True)
class LocalSandbox:
    """A sandbox the emulator serves itself: requests under ``base_url`` go to ``transport``."""

    base_url: str
    transport: httpx.BaseTransport


@dataclass(frozen=True)
class OAuthClientSettings:
    """The emulator's own registration at an app's authorization server (the "Connect" button)."""

    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    redirect_uri: str
    scopes: tuple[str, ...]
    base_url: str


@dataclass
class ConnectionGateway:
    store: CredentialStore
    sandboxes: Sequence[LocalSandbox] = ()
    oauth_clients: Mapping[str, OAuthClientSettings] = field(default_factory=dict)
    #: Origins the operator allowed although they are local or private (``--allow-url``).
    policy: OutboundPolicy = DEFAULT_POLICY
    #: Host name -> addresses, for the save-time check and at connect time (tests play DNS with it).
    resolver: Resolver = system_resolver
    #: Started "Connect" authorizations, server-side and single use (default: in the credential store's database).
    pending: OAuthPendingStore = field(init=False)

    #: Resolved connections kept in this process (see :meth:`resolve`).
    cache_size: int = CONNECTION_CACHE_SIZE

    def __post_init__(self) -> None:
        self.pending = OAuthPendingStore(self.store.engine, lambda: self.store.box)
        self._cache: OrderedDict[str, tuple[tuple[str, float, str], Connection]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def is_local(self, url: str) -> bool:
        """Whether ``url`` is served by one of the emulator's own sandboxes (in-process)."""
        return any(is_under(url, sandbox.base_url) for sandbox in self.sandboxes)

    def transport_for(self, base_url: str, *, field_name: str = "base_url") -> RoutingTransport:
        """Where a connection's requests go: its sandbox in-process, everything else the guarded network.

        Raises:
            BadInput: ``base_url`` is not one the emulator may call (named as ``field_name``).
        """
        local = self.is_local(base_url) if base_url else False
        if base_url and not local:
            check_url(base_url, field=field_name, policy=self.policy)
        return RoutingTransport(
            local=[(sandbox.base_url, sandbox.transport) for sandbox in self.sandboxes],
            policy=self.policy,
            resolve=self.resolver,
            real_network=not local,
        )

    def check_urls(self, app: str, fields: Mapping[str, Any]) -> None:
        """Every URL field of a connection about to be saved, names resolved: an early error naming the field."""
        for name in dict.fromkeys((auth_spec_for(app).url_field, *URL_FIELDS)):
            value = fields.get(name)
            if isinstance(value, str) and value.strip() and not self.is_local(value.strip()):
                check_url(value.strip(), field=name, policy=self.policy, resolve=self.resolver)

    def resolve(self, connection_id: str) -> Connection:
        """Connection id -> a Connection ready to invoke (the emulator's CONNECTION_RESOLVER).

        Decrypting the secrets and building the auth happen once per connection version: the resolved
        connection is kept in this process (never written anywhere), keyed by the connection's id and
        its ``updated`` and ``status``, which every change moves (a rotated token, a reconnect, marked
        expired), and each call checks that version with one read that decrypts nothing. A deleted
        connection is gone at its next check. At most ``cache_size`` connections are kept, least
        recently used dropped first.
        """
        try:
            version = self.store.version(connection_id)
        except BadInput:
            with self._cache_lock:
                self._cache.pop(connection_id, None)
            raise
        with self._cache_lock:
            hit = self._cache.get(connection_id)
            if hit is not None and hit[0] == version:
                self._cache.move_to_end(connection_id)
                return hit[1]
        record = self.store.get(connection_id)
        base_url = self._base_url(record.app, self.store.fields(record.id))
        transport = self.transport_for(base_url)
        transport.shared = True
        connection = self.store.connection(connection_id, transport=transport)
        with self._cache_lock:
            self._cache[connection_id] = (version, connection)
            self._cache.move_to_end(connection_id)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return connection

    def add(self, app: str, name: str, fields: Mapping[str, Any]) -> tuple[ConnectionRecord, ConnectionCheck]:
        """Test the credential first and save it only when the test passes."""
        if not name.strip():
            raise BadInput("give the connection a name, e.g. 'Production'", "name")
        spec = auth_spec_for(app)
        base_url = self._base_url(app, fields)
        self.check_urls(app, fields)
        transport = self.transport_for(base_url, field_name=spec.url_field)
        require_fields(app, fields, spec)
        probe = Connection(
            app=app, fields=dict(fields), base_url=base_url, transport=transport,
            auth=build_auth(spec, fields, transport=transport),
        )
        check = check_connection(probe)
        record = self.store.save(app, name.strip(), dict(fields), label=check.label)
        return record, check

    def test(self, connection_id: str) -> ConnectionCheck:
        check = check_connection(self.resolve(connection_id))
        self.store.set_label(connection_id, check.label)
        self.store.mark_ok(connection_id)
        return check

    @staticmethod
    def _base_url(app: str, fields: Mapping[str, Any]) -> str:
        spec = auth_spec_for(app)
        return spec.base_url(fields) if spec.base_url is not None else ""
