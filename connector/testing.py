"""pytest plugin: fixtures that let a connector author test an operation in a line or two.

Registered through the ``pytest11`` entry point, so installing the kit makes these available::

    from connector.apps.okta.app import APP

    def test_new_user_appears(invoke_operation, okta_connection):
        users = invoke_operation(APP, "new_user", okta_connection).output

Every fixture runs the same :func:`connector.runtime.invoke` the CLI and the emulator run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from connector.context import Connection, Meta
from connector.definitions import App
from connector.extras import sandboxes_installed, sandboxes_missing
from connector.registry import get_app, load_apps

if TYPE_CHECKING:
    from connector.runtime import Invocation


@pytest.fixture
def connector_apps() -> dict[str, App]:
    """Every installed app by key."""
    return load_apps()


@pytest.fixture
def load_app() -> Callable[[str], App]:
    """Load an app by key or by ``module:APP`` spec."""

    def _load(key_or_spec: str) -> App:
        if ":" in key_or_spec:
            return get_app_from_spec(key_or_spec)
        return get_app(key_or_spec)

    return _load


def get_app_from_spec(spec: str) -> App:
    from connector.registry import load_object

    return load_object(spec)


def _require_sandboxes(fixture: str) -> None:
    """Fail the test with one line naming the install command when the sandboxes are not installed."""
    if not sandboxes_installed():
        pytest.fail(sandboxes_missing(f"the {fixture} fixture"), pytrace=False)


InvokeOperation = Callable[..., "Invocation"]


@pytest.fixture
def invoke_operation() -> InvokeOperation:
    """Call an operation through the runtime with test-friendly defaults (strict results, no sleeping).

    ``invoke_operation(app, "create_contact", connection, {"email": ...}, transport=...)``
    """

    def _invoke(
        app: App,
        operation: str,
        connection: Connection | None = None,
        input: Mapping[str, Any] | None = None,
        meta: Meta | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        strict: bool = True,
        **options: Any,
    ) -> Invocation:
        from connector.runtime import invoke  # imported late: the plugin loads before the kit is needed

        options.setdefault("sleep", lambda _seconds: None)
        return invoke(app, operation, connection, input, meta, transport=transport, strict=strict, **options)

    return _invoke


@pytest.fixture
def okta_sandbox() -> Any:
    """A fresh in-process Okta sandbox: ``.base_url``, ``.transport()``, ``.settings.token``,
    ``.seed_users(n)``, ``.faults``; serve it on a real port with ``emulator.serving.serve``.

    Like Okta, it accepts only ``https://`` event hook URIs; set ``.settings.allow_http_hook_uris = True``
    to subscribe a hook trigger to a local ``http://`` receiver."""
    _require_sandboxes("okta_sandbox")
    from sandboxes.okta import OktaSandbox

    sandbox = OktaSandbox()
    yield sandbox
    sandbox.outbox.close()


@pytest.fixture
def contacts_sandbox() -> Any:
    """A fresh in-process Contacts sandbox: ``.base_url``, ``.transport()``, API key
    ``contacts-sandbox-key`` for location ``loc_sandbox``, ``.seed_contacts(n)``, ``.faults``."""
    _require_sandboxes("contacts_sandbox")
    from sandboxes.contacts import ContactsSandbox

    sandbox = ContactsSandbox()
    yield sandbox
    sandbox.outbox.close()


@pytest.fixture
def okta_connection(okta_sandbox: Any) -> Connection:
    """A connection to the Okta sandbox with its API token, routed in-process."""
    return Connection(
        app="okta",
        name="okta-sandbox",
        fields={"org_url": okta_sandbox.base_url, "api_token": okta_sandbox.settings.token},
        base_url=okta_sandbox.base_url,
        transport=okta_sandbox.transport(),
    )


@pytest.fixture
def contacts_connection(contacts_sandbox: Any) -> Connection:
    """A connection to the Contacts sandbox with its location API key, routed in-process."""
    api_key, location = next(iter(contacts_sandbox.settings.api_keys.items()))
    return Connection(
        app="contacts",
        name="contacts-sandbox",
        fields={"api_key": api_key, "location_id": location, "base_url": contacts_sandbox.base_url},
        base_url=contacts_sandbox.base_url,
        transport=contacts_sandbox.transport(),
    )


@pytest.fixture
def personio_sandbox() -> Any:
    """A fresh in-process Personio sandbox: ``.base_url``, ``.transport()``, client credentials
    ``papi-sandbox-client`` / ``papi-sandbox-secret``, ``.seed_employees(n)``, ``.faults``."""
    _require_sandboxes("personio_sandbox")
    from sandboxes.personio import PersonioSandbox

    return PersonioSandbox()


@pytest.fixture
def personio_connection(personio_sandbox: Any) -> Connection:
    """A connection to the Personio sandbox with its client credentials, routed in-process."""
    from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    return Connection(
        app="personio",
        name="personio-sandbox",
        fields={"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
                "base_url": personio_sandbox.base_url},
        base_url=personio_sandbox.base_url,
        transport=personio_sandbox.transport(),
    )
