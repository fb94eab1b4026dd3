"""``create_app`` configuration for the scaled benchmarks' processes: every installed app, one Contacts
connection to the sandbox at ``SCALE_CONTACTS_URL`` (``CONNECTOR_APP_FACTORY=scale_factory:config``)."""

from __future__ import annotations

import os
from typing import Any

import httpx

from connector.context import Connection
from connector.http import shared_ssl_context
from connector.registry import load_apps

API_KEY = "scale-bench-key"
LOCATION = "loc_scale_bench"


class _NetworkTransport(httpx.HTTPTransport):
    """A plain network transport the HTTP seam paces like any vendor's (shared budgets in scaled mode)."""

    real_network = True


def config() -> dict[str, Any]:
    base_url = os.environ["SCALE_CONTACTS_URL"]

    def resolve(connection_id: str) -> Connection:
        return Connection(
            app="contacts", name=connection_id, base_url=base_url,
            transport=_NetworkTransport(verify=shared_ssl_context()),
            fields={"api_key": API_KEY, "location_id": LOCATION, "base_url": base_url},
        )

    return {"APPS": load_apps(), "CONNECTION_RESOLVER": resolve, "TIME_LIMIT": 10.0, "LEASE_SECONDS": 5.0}
