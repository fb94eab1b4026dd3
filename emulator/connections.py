"""Connections as the emulator sees them: saved encrypted, tested on save, resolved for every call.

The gateway decides where a connection's requests go. A base URL under one of the emulator's own
sandboxes is served in-process (no sockets, and the sandbox is explicitly allowed); any other URL must
pass :func:`emulator.outbound.check_outbound_url`, so a user-typed org URL cannot reach this machine
or its private network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from auth.catalog import auth_spec_for, build_auth, require_fields
from auth.connection_check import ConnectionCheck, check_connection
from auth.store import ConnectionRecord, CredentialStore
from connector.context import Connection
from connector.errors import BadInput
from emulator.outbound import check_outbound_url


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
    #: Only for tests on loopback services that are not sandboxes.
    allow_private_urls: bool = False

    def transport_for(self, base_url: str, *, field_name: str = "base_url") -> httpx.BaseTransport | None:
        """The in-process transport of a local sandbox, or None (the real network) after the URL check."""
        for sandbox in self.sandboxes:
            if base_url == sandbox.base_url or base_url.startswith(sandbox.base_url.rstrip("/") + "/"):
                return sandbox.transport
        if not self.allow_private_urls:
            check_outbound_url(base_url, field=field_name)
        return None

    def resolve(self, connection_id: str) -> Connection:
        """Connection id -> a Connection ready to invoke (the emulator's CONNECTION_RESOLVER)."""
        record = self.store.get(connection_id)
        base_url = self._base_url(record.app, self.store.fields(record.id))
        return self.store.connection(connection_id, transport=self.transport_for(base_url))

    def add(self, app: str, name: str, fields: Mapping[str, Any]) -> tuple[ConnectionRecord, ConnectionCheck]:
        """Test the credential first and save it only when the test passes."""
        if not name.strip():
            raise BadInput("give the connection a name, e.g. 'Okta production'", "name")
        base_url = self._base_url(app, fields)
        transport = self.transport_for(base_url, field_name="org_url" if app == "okta" else "base_url")
        spec = auth_spec_for(app)
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
