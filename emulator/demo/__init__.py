"""The whole local platform in one WSGI app: the emulator with its three sandboxes mounted beside it.

``connector emulate`` serves what :func:`build_environment` returns, and the browser tests use the same
function, so what a newcomer clicks through is what the tests check::

    /                     the emulator (web UI, /api, /hooks/<flow>)
    /sandbox/okta         the Okta sandbox (its API, System Log, event hooks)
    /sandbox/contacts     the Contacts sandbox (its API, OAuth consent page, webhooks)
    /sandbox/personio     the Personio sandbox (token auth, employees)

The emulator calls its sandboxes in-process and the sandboxes deliver hooks to the emulator in-process,
so nothing leaves the machine. Sandboxes keep their data in memory and are re-seeded deterministically
at every start; flows, runs, dedupe records and connections live in SQLite under the data folder.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from auth.contacts import SCOPES as CONTACTS_SCOPES
from connector.errors import ConnectorError
from connector.extras import sandboxes_installed, sandboxes_missing

if not sandboxes_installed():  # one line naming the install command, instead of a bare ImportError below
    raise ModuleNotFoundError(sandboxes_missing("the demo (emulator.demo)"), name="sandboxes")

from emulator.connections import LocalSandbox, OAuthClientSettings
from emulator.demo.openapi_paths import SANDBOX_OPENAPI_PATHS
from emulator.demo.personio_pages import personio_sandbox_api
from emulator.demo.sandbox_pages import sandboxes_api, sandboxes_page
from emulator.local import LocalPlatform, build_local
from emulator.ui.pages import SANDBOXES_PAGE
from sandboxes.contacts import ContactsSandbox, ContactsSettings
from sandboxes.okta import OktaSandbox, OktaSettings
from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PersonioSandbox
from sandboxes.transport import sandbox_transport

OKTA_PREFIX = "/sandbox/okta"
CONTACTS_PREFIX = "/sandbox/contacts"
PERSONIO_PREFIX = "/sandbox/personio"
DEMO_OKTA_TOKEN = "okta-sandbox-token"
DEMO_CONTACTS_KEY = "contacts-sandbox-key"
DEMO_LOCATION = "loc_sandbox"
DEMO_PERSONIO_CLIENT = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
DEMO_FLOW_NAME = "New Okta user → create contact → add tags"
PERSONIO_FLOW_NAME = "New Personio employee → create contact"
SYNC_NAME = "Personio employees ↔ contacts"


@dataclass(kw_only=True)
class Environment(LocalPlatform):
    """Everything :func:`build_environment` wired together: the local platform plus its three sandboxes."""

    okta: OktaSandbox
    contacts: ContactsSandbox
    personio: PersonioSandbox

    def close(self) -> None:
        super().close()
        self.okta.outbox.close()
        self.contacts.outbox.close()


def build_environment(
    public_url: str,
    data_dir: str | Path,
    *,
    okta_users: int = 40,
    contacts: int = 15,
    employees: int = 10,
    runner_thread: bool = True,
    config: Mapping[str, Any] | None = None,
    allow_urls: Sequence[str] = (),
    bound_host: str | None = None,
    allow_hosts: Iterable[str] = (),
) -> Environment:
    """Build the emulator and its three sandboxes for ``public_url`` (where the WSGI app will be served).

    Everything served answers only to the hosts of :func:`emulator.access.allowed_hosts` (``public_url``'s,
    ``bound_host``, the loopback names, ``allow_hosts``), and the emulator wants the install's access
    token (:mod:`emulator.access`).

    Args:
        allow_urls: origins connections may call although they are local or private (an author's own
            API on ``http://127.0.0.1:8080``); also read from the ``ALLOW_URLS`` config key. The guard
            stays on for every other address.

    Raises:
        BadInput: an ``allow_urls`` entry is not an http(s) origin (field ``allow_url``).
    """
    public_url = public_url.rstrip("/")
    # Okta accepts only https hook URIs; the emulator's own hook receiver is plain http on this machine, so
    # its sandbox org is told, explicitly, to accept http too.
    okta = OktaSandbox(OktaSettings(token=DEMO_OKTA_TOKEN, allow_http_hook_uris=True),
                       base_url=public_url + OKTA_PREFIX)
    okta.seed_users(okta_users, seed=1)
    contacts_sandbox = ContactsSandbox(
        ContactsSettings(api_keys={DEMO_CONTACTS_KEY: DEMO_LOCATION}), base_url=public_url + CONTACTS_PREFIX
    )
    contacts_sandbox.seed_contacts(contacts, seed=1, location_id=DEMO_LOCATION)
    personio = PersonioSandbox(base_url=public_url + PERSONIO_PREFIX)
    personio.seed_employees(employees, seed=1)

    oauth_secret = secrets.token_urlsafe(24)
    redirect_uri = public_url + "/connections/oauth/callback"
    contacts_sandbox.register_oauth_client(
        "connector-emulator", oauth_secret, [redirect_uri], list(CONTACTS_SCOPES)
    )
    contacts_oauth = OAuthClientSettings(
        client_id="connector-emulator",
        client_secret=oauth_secret,
        authorize_url=contacts_sandbox.base_url + "/oauth/chooselocation",
        token_url=contacts_sandbox.base_url + "/oauth/token",
        redirect_uri=redirect_uri,
        scopes=CONTACTS_SCOPES,
        base_url=contacts_sandbox.base_url,
    )
    links = {"okta": okta.base_url, "contacts": contacts_sandbox.base_url, "personio": personio.base_url}
    platform = build_local(
        public_url, data_dir, runner_thread=runner_thread, config={"SANDBOX_LINKS": links, **dict(config or {})},
        allow_urls=allow_urls, bound_host=bound_host, allow_hosts=allow_hosts,
        oauth_clients={"contacts": contacts_oauth},
        mounts={OKTA_PREFIX: okta.app, CONTACTS_PREFIX: contacts_sandbox.app, PERSONIO_PREFIX: personio.app},
    )
    emulator, gateway = platform.emulator, platform.gateway
    emulator.extensions["sandboxes"] = {"okta": okta, "contacts": contacts_sandbox, "personio": personio}
    for blueprint in (sandboxes_api, personio_sandbox_api):
        if blueprint.name not in emulator.blueprints:
            emulator.register_blueprint(blueprint)
    emulator.extensions.setdefault("openapi_paths", {}).update(SANDBOX_OPENAPI_PATHS)
    emulator.extensions[SANDBOXES_PAGE] = sandboxes_page  # the web UI's Sandboxes page and its nav entry
    # Hook deliveries from the sandboxes reach the emulator's ingress in-process.
    okta.outbox.transport = httpx.WSGITransport(app=emulator)
    contacts_sandbox.outbox.transport = httpx.WSGITransport(app=emulator)
    # The marketplace app's webhook setting: every location's events go to the emulator's app-level URL.
    contacts_sandbox.set_app_webhook(f"{public_url}/hooks/apps/contacts")
    # The emulator reaches its sandboxes in-process, through the same URL prefixes a browser uses.
    local = sandbox_transport(platform.dispatcher)
    gateway.sandboxes = [
        LocalSandbox(sandbox.base_url, local) for sandbox in (okta, contacts_sandbox, personio)
    ]
    env = Environment(
        wsgi=platform.wsgi, emulator=emulator, gateway=gateway, public_url=public_url,
        dispatcher=platform.dispatcher, access_token=platform.access_token,
        okta=okta, contacts=contacts_sandbox, personio=personio,
    )
    renew_sandbox_hooks(env)
    return env


def renew_sandbox_hooks(env: Environment) -> list[str]:
    """Subscribe "on" hook flows again when their vendor is one of our freshly started sandboxes.

    Sandboxes keep state in memory, so after a restart they have forgotten the hooks the flows
    registered; real vendors keep them, so only sandbox-backed flows are renewed. A flow whose renewal
    fails is paused with the reason, never left silently deaf.
    """
    emulator = env.emulator.extensions["emulator"]
    renewed = []
    for flow in emulator.store.list_flows():
        connection_id = flow.get("trigger_connection_id")
        if flow["state"] != "on" or not connection_id or flow.get("subscription") is None:
            continue
        try:
            record = env.gateway.store.get(connection_id)
            base_url = env.gateway.resolve(record.id).base_url
        except ConnectorError:
            continue
        if not any(base_url.startswith(s.base_url) for s in env.gateway.sandboxes):
            continue
        try:
            emulator.runner.renew_subscription(flow["id"])
            renewed.append(flow["id"])
        except ConnectorError as exc:
            emulator.runner.pause(flow["id"], f"could not subscribe the hook again: {exc.message}")
    return renewed


def demo_flow_spec(okta_connection_id: str, contacts_connection_id: str) -> dict[str, Any]:
    """The flow the seeds ask for first: a new Okta user becomes a tagged contact."""
    return {
        "name": DEMO_FLOW_NAME,
        "interval_seconds": 5,
        "trigger": {"app": "okta", "operation": "new_user", "input": {}, "connection_id": okta_connection_id},
        "steps": [
            {
                "key": "create_contact",
                "app": "contacts",
                "operation": "create_contact",
                "connection_id": contacts_connection_id,
                "mapping": {
                    "first_name": "{{trigger.profile.firstName}}",
                    "last_name": "{{trigger.profile.lastName}}",
                    "email": "{{trigger.profile.email}}",
                    "phone": "{{trigger.profile.mobilePhone}}",
                    "company_name": "{{trigger.profile.organization}}",
                    "source": "Okta",
                    "external_id": "{{trigger.id}}",
                },
            },
            {
                "key": "add_tags",
                "app": "contacts",
                "operation": "add_tags",
                "connection_id": contacts_connection_id,
                "mapping": {
                    "contact_id": "{{steps.create_contact.id}}",
                    "tags": "okta, {{trigger.profile.department}}",
                },
            },
        ],
    }


def personio_flow_spec(personio_connection_id: str, contacts_connection_id: str) -> dict[str, Any]:
    """The second flow the user asked for: a Personio employee becomes a contact (off until turned on)."""
    return {
        "name": PERSONIO_FLOW_NAME,
        "interval_seconds": 10,
        "trigger": {"app": "personio", "operation": "new_employee", "input": {},
                    "connection_id": personio_connection_id},
        "steps": [{
            "key": "create_contact",
            "app": "contacts",
            "operation": "create_contact",
            "connection_id": contacts_connection_id,
            "mapping": {
                "first_name": "{{trigger.first_name}}",
                "last_name": "{{trigger.last_name}}",
                "email": "{{trigger.email}}",
                "phone": "{{trigger.phone}}",
                "source": "Personio",
                "tags": "personio, {{trigger.department}}",
                "external_id": "personio:{{trigger.id}}",
            },
        }],
    }


def demo_sync_spec(personio_connection_id: str, contacts_connection_id: str) -> dict[str, Any]:
    """The two-way sync the user asked for: names both ways, the email from Personio (where it is set)."""
    return {
        "name": SYNC_NAME,
        "left": {"app": "personio", "connection_id": personio_connection_id, "record_type": "personio.employee"},
        "right": {"app": "contacts", "connection_id": contacts_connection_id, "record_type": "contacts.contact",
                  "new_records": "link_only"},
        "fields": [
            {"left": "email", "right": "email", "direction": "left_to_right"},
            {"left": "first_name", "right": "first_name", "direction": "both"},
            {"left": "last_name", "right": "last_name", "direction": "both"},
        ],
        "deletion": "flag",
        "tie_winner": "left",
        "interval_seconds": 30,
    }


def seed_demo(env: Environment) -> dict[str, str]:
    """Save the demo connections and the demo flow once (later starts keep what the user changed)."""
    from emulator.flow_spec import check_flow

    store = env.gateway.store
    names = {record.name: record.id for record in store.list()}
    if "Okta sandbox" not in names:
        record, _ = env.gateway.add(
            "okta", "Okta sandbox", {"org_url": env.okta.base_url, "api_token": DEMO_OKTA_TOKEN}
        )
        names[record.name] = record.id
    if "Contacts sandbox" not in names:
        record, _ = env.gateway.add(
            "contacts",
            "Contacts sandbox",
            {"api_key": DEMO_CONTACTS_KEY, "location_id": DEMO_LOCATION, "base_url": env.contacts.base_url},
        )
        names[record.name] = record.id
    if "Personio sandbox" not in names:
        record, _ = env.gateway.add(
            "personio",
            "Personio sandbox",
            {"client_id": DEMO_PERSONIO_CLIENT[0], "client_secret": DEMO_PERSONIO_CLIENT[1],
             "base_url": env.personio.base_url},
        )
        names[record.name] = record.id
    emulator = env.emulator.extensions["emulator"]
    existing = {flow["name"]: flow["id"] for flow in emulator.store.list_flows()}
    specs = {
        DEMO_FLOW_NAME: demo_flow_spec(names["Okta sandbox"], names["Contacts sandbox"]),
        PERSONIO_FLOW_NAME: personio_flow_spec(names["Personio sandbox"], names["Contacts sandbox"]),
    }
    for name, spec in specs.items():
        if name not in existing:
            flow = emulator.store.create_flow(check_flow(emulator.invoker.apps, spec), emulator.clock())
            existing[name] = flow["id"]
    syncs = env.emulator.extensions["syncs"]
    sync_ids = {row["name"]: row["id"] for row in syncs.store.list_syncs()}
    if SYNC_NAME not in sync_ids:
        sync_ids[SYNC_NAME] = syncs.create(demo_sync_spec(names["Personio sandbox"], names["Contacts sandbox"]))["id"]
    return {
        "okta": names["Okta sandbox"], "contacts": names["Contacts sandbox"], "personio": names["Personio sandbox"],
        "flow": existing[DEMO_FLOW_NAME], "personio_flow": existing[PERSONIO_FLOW_NAME], "sync": sync_ids[SYNC_NAME],
    }
