"""Run an app's connection test (a cheap authenticated call) and build the label the user sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auth.catalog import auth_spec_for, build_auth
from connector.context import Connection, Context
from connector.errors import CodeCrashed, ConnectorBug, ConnectorError, DefinitionError
from connector.http import make_client


@dataclass(frozen=True)
class ConnectionCheck:
    """What a connection test returned and the label built from it."""

    data: dict[str, Any]
    label: str


def check_connection(connection: Connection, *, time_limit: float = 30.0) -> ConnectionCheck:
    """Call the app's connection test through the kit's HTTP seam; errors are ConnectorErrors.

    The runtime's ``invoke(app, op, connection, step="test")`` needs an App with operations; this needs
    only the app's AuthSpec, so it works while an app is still being written.
    """
    spec = auth_spec_for(connection.app)
    if spec.test is None:
        bug = DefinitionError("the auth spec has no connection test; give AuthSpec a `test` function")
        bug.locate(connection.app, "auth.test")
        raise bug
    base = connection.base_url or (spec.base_url(connection.fields) if spec.base_url else "")
    auth = connection.auth
    if auth is None:
        auth = build_auth(spec, connection.fields, transport=connection.transport)
    with make_client(base, auth=auth, transport=connection.transport, timeout=time_limit) as client:
        try:
            data = spec.test(Context(http=client, connection=connection))
            label = spec.label(data) if spec.label is not None else connection.name
        except ConnectorBug as bug:
            bug.locate(connection.app, "auth.test")
            raise
        except ConnectorError:
            raise
        except Exception as exc:
            crashed = CodeCrashed(f"the connection test raised {type(exc).__name__}: {exc}")
            crashed.locate(connection.app, "auth.test")
            raise crashed from exc
    return ConnectionCheck(data=data, label=label)
