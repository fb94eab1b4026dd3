"""pytest plugin: fixtures that let a connector author test an operation in a line or two.

Registered through the ``pytest11`` entry point, so installing the kit makes these available::

    from connector.apps.okta.app import APP

    def test_new_user_appears(invoke_operation, okta_connection):
        users = invoke_operation(APP, "new_user", okta_connection).output

Every fixture runs the same :func:`connector.runtime.invoke` the CLI and the emulator run.

For the stories of one app, name it once and take the short fixtures (the shipped apps' own tests do)::

    @pytest.fixture
    def connector_app():          # in the app's tests/conftest.py
        return APP

    def test_a_contact_is_created(run, sandbox, request_counter):
        contact = run.output("create_contact", {"email": "ada@example.com"})
        assert contact["id"] in sandbox.state.contacts and request_counter.requests

``sandbox`` is the app's ``<key>_sandbox`` fixture (delivering hooks inline), ``connection`` its
``<key>_connection`` routed through ``request_counter``, ``run`` an :class:`OperationRunner` on them and
``hook_receiver`` a :class:`HookReceiver` the sandbox delivers its hooks to. A third-party app provides
``<key>_sandbox`` and ``<key>_connection`` (or overrides ``sandbox`` and ``connection``) in its conftest.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from connector.context import Connection, HookRequest, Meta
from connector.definitions import App
from connector.extras import sandboxes_installed, sandboxes_missing
from connector.registry import get_app, load_apps

if TYPE_CHECKING:
    from connector.conformance import CountingTransport
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


def _invoke_for_tests(
    app: App, operation: str, connection: Connection | None, input: Mapping[str, Any] | None, meta: Meta | None,
    **options: Any,
) -> Invocation:
    """:func:`connector.runtime.invoke` with the test defaults: strict result checks, no sleeping."""
    from connector.runtime import invoke  # imported late: the plugin loads before the kit is needed

    options.setdefault("strict", True)
    options.setdefault("sleep", lambda _seconds: None)
    return invoke(app, operation, connection, input, meta, **options)


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
        return _invoke_for_tests(app, operation, connection, input, meta, transport=transport, strict=strict,
                                 **options)

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


# -- one app under test: connector_app, sandbox, connection, request_counter, run, hook_receiver ----------
class OperationRunner:
    """Runs operations of one app on one connection, as :func:`invoke_operation` does.

    ``run("new_user", meta=Meta(first_poll=True))`` gives the :class:`~connector.runtime.Invocation`
    (output, cursor, trace); ``run.output("create_user", {...})`` only the output. Options
    (``step=``, ``hook_request=``, ``strict=``...) go to :func:`connector.runtime.invoke`.
    """

    def __init__(self, app: App, connection: Connection) -> None:
        self.app = app
        self.connection = connection

    def __call__(
        self, operation: str, input: Mapping[str, Any] | None = None, meta: Meta | None = None, **options: Any
    ) -> Invocation:
        return _invoke_for_tests(self.app, operation, self.connection, dict(input or {}), meta, **options)

    def output(
        self, operation: str, input: Mapping[str, Any] | None = None, meta: Meta | None = None, **options: Any
    ) -> Any:
        return self(operation, input, meta, **options).output


class HookReceiver:
    """Stands in for the platform's hook URL: keeps every delivery a sandbox sends and answers 200."""

    def __init__(self) -> None:
        self.deliveries: list[HookRequest] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.deliveries.append(HookRequest(request.method, dict(request.headers), request.read()))
        return httpx.Response(200, json={"ok": True})

    def where(self, **fields: Any) -> list[HookRequest]:
        """The deliveries whose JSON body has these top-level values, e.g. ``where(type="ContactCreate")``."""
        found = []
        for delivery in self.deliveries:
            try:
                body = json.loads(delivery.body or b"null")
            except ValueError:
                continue
            if isinstance(body, dict) and all(body.get(name) == value for name, value in fields.items()):
                found.append(delivery)
        return found


@pytest.fixture
def connector_app() -> App:
    """The app under test. Override it in your conftest (``return APP``) to use ``sandbox``,
    ``connection`` and ``run``."""
    raise pytest.UsageError(
        "the sandbox, connection and run fixtures need to know your app: "
        "add `@pytest.fixture\ndef connector_app(): return APP` to your conftest.py"
    )


def _app_fixture(request: pytest.FixtureRequest, app: App, what: str) -> Any:
    """The app's ``<key>_<what>`` fixture, or an error saying which fixture to write."""
    name = f"{app.key}_{what}"
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        raise pytest.UsageError(
            f"app {app.key!r} has no {name} fixture: define `{name}` in your conftest.py "
            f"(or override `{what}` itself)"
        ) from None


@pytest.fixture
def sandbox(connector_app: App, request: pytest.FixtureRequest) -> Any:
    """The sandbox of the app under test (its ``<key>_sandbox`` fixture), delivering hooks inline."""
    box = _app_fixture(request, connector_app, "sandbox")
    outbox = getattr(box, "outbox", None)
    if outbox is not None:
        outbox.synchronous = True  # a hook has arrived by the time the call that caused it returns
    return box


@pytest.fixture
def request_counter(sandbox: Any) -> CountingTransport:
    """Every request the app's connection sends, as ``"METHOD /path"`` in ``.requests``."""
    from connector.conformance import CountingTransport

    return CountingTransport(sandbox.transport())


@pytest.fixture
def connection(connector_app: App, request: pytest.FixtureRequest, request_counter: CountingTransport) -> Connection:
    """The app's ``<key>_connection`` to its sandbox, its requests counted by ``request_counter``."""
    base: Connection = _app_fixture(request, connector_app, "connection")
    return dataclasses.replace(base, transport=request_counter)


@pytest.fixture
def run(connector_app: App, connection: Connection) -> OperationRunner:
    """``run("create_contact", {...})`` -> the Invocation; ``run.output(...)`` -> its output."""
    return OperationRunner(connector_app, connection)


@pytest.fixture
def hook_receiver(sandbox: Any) -> HookReceiver:
    """Receives what the sandbox's outbox delivers (event hooks, app webhooks), in process."""
    receiver = HookReceiver()
    sandbox.outbox.transport = httpx.MockTransport(receiver.handle)
    return receiver
