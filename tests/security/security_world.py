"""One platform driven end to end with planted canary secrets, and everything it showed or wrote.

"Secrets are sacred" is a claim about every surface at once, so the story runs once per test module
and keeps what each surface produced: JSON answers (grouped by API area), HTML pages, log records at
DEBUG, the data folder's files, run history and CLI output. The tests then look for the canaries in
each of them. A canary is a unique random string that can only appear somewhere if it leaked there.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner
from werkzeug.test import Client, TestResponse

from connector.cli import main as connector_cli
from emulator.demo import DEMO_LOCATION, Environment, build_environment
from emulator.serving import ServedApp, serve

#: Loggers whose DEBUG output is known to print requests, token exchanges and form bodies.
CHATTY_LOGGERS = ("", "authlib", "httpx", "httpcore", "werkzeug", "urllib3", "emulator", "connector", "auth")
PASSWORD_STEP = 2  # index of the Okta create_user step (with the password) in the provisioning flow


def canary(label: str) -> str:
    """A unique secret-looking value that appears nowhere unless it leaked."""
    return f"canary{label}{secrets.token_hex(12)}"


class LateApp:
    """A WSGI app served before it exists: the port decides the public URL the platform is built for."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


class LogCatcher(logging.Handler):
    """Keeps every record's final text (message, exception and stack) as a handler would write it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.name, record.getMessage(), record.exc_text or "", record.stack_info or ""]
        if record.exc_info and not record.exc_text:
            parts.append(logging.Formatter().formatException(record.exc_info))
        self.lines.append(" | ".join(parts))


@dataclass
class Seen:
    """What one surface produced, as text, labelled with where it came from."""

    where: str
    text: str


@dataclass
class SecurityStory:
    """The platform after the story, its canaries, and what each surface produced."""

    env: Environment
    served: ServedApp
    data_dir: Path
    canaries: dict[str, str]
    api_answers: dict[str, list[Seen]] = field(default_factory=dict)
    pages: list[Seen] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    cli: list[Seen] = field(default_factory=list)
    cookies: list[Seen] = field(default_factory=list)
    ids: dict[str, Any] = field(default_factory=dict)
    statuses: dict[str, Any] = field(default_factory=dict)

    def leaks(self, seen: list[Seen], kinds: tuple[str, ...] | None = None) -> list[str]:
        """``"<canary kind> in <where>"`` for every canary found in ``seen``."""
        wanted = {k: v for k, v in self.canaries.items() if kinds is None or k in kinds}
        return [f"{kind} in {item.where}" for item in seen for kind, value in wanted.items() if value in item.text]

    def all_api_answers(self) -> list[Seen]:
        return [seen for answers in self.api_answers.values() for seen in answers]


class RecordingClient(Client):
    """A werkzeug client on the composed app that keeps the text of every answer it gets, by area."""

    def __init__(self, app: Any, story: SecurityStory, *, script: bool) -> None:
        super().__init__(app)
        self.story = story
        self.script = script
        self.area = "misc"
        if not script:  # a browser opens the URL `connector emulate` printed, which signs it in
            super().open(story.env.start_url.removeprefix(story.env.public_url))

    def csrf(self) -> str:
        html = super().open("/connections").get_data(as_text=True)
        return html.split('name="csrf-token" content="')[1].split('"')[0]

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        headers = dict(kwargs.pop("headers", None) or {})
        method = str(kwargs.get("method", "GET")).upper()
        if self.script:
            headers.setdefault("X-Emulator-Token", self.story.env.access_token)
        elif method not in ("GET", "HEAD"):
            headers.setdefault("X-CSRF-Token", self.csrf())
        response = super().open(*args, headers=headers, **kwargs)
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "?")
        text = response.get_data(as_text=True) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.story.api_answers.setdefault(self.area, []).append(Seen(f"{method} {path} [{self.area}]", text))
        return response


def _ok(response: TestResponse, *codes: int) -> Any:
    expected = codes or (200, 201)
    assert response.status_code in expected, (response.status_code, response.get_data(as_text=True)[:800])
    return response.get_json(silent=True)


def _connect_oauth(browser: RecordingClient, name: str) -> None:
    """The "Connect" button: start, consent page, allow, callback (as test_platform_connections does)."""
    browser.area = "oauth"
    started = _ok(browser.post("/api/connections/oauth/start", json={"app": "contacts", "name": name}))
    authorize = urlsplit(started["authorize_url"])
    html = browser.get(authorize.path + "?" + authorize.query).get_data(as_text=True)
    nonce = html.split('name="nonce" value="')[1].split('"')[0]
    consent = browser.post(authorize.path, data={"nonce": nonce, "decision": "allow", "locationId": DEMO_LOCATION})
    callback = urlsplit(consent.headers["Location"])
    assert "code" in parse_qs(callback.query), consent.headers["Location"]
    done = browser.get(callback.path + "?" + callback.query)
    assert "connected=" in done.headers.get("Location", ""), done.headers.get("Location")


def _oauth_secrets(env: Environment) -> dict[str, str]:
    """Every token the Contacts authorization server issued (rotations too) and the client secret."""
    found: dict[str, str] = {}
    issued = env.contacts.oauth._tokens  # the sandbox's own ledger: the only place all rotations are listed
    for n, (token, record) in enumerate(sorted(issued.items())):
        found[f"oauth_{record.kind}_{n}"] = token
    for client_id, client in env.contacts.oauth.clients.items():
        found[f"oauth_client_secret_{client_id}"] = client.client_secret
    return found


def _provisioning_flow(okta_conn: str, oauth_conn: str, password: str) -> dict[str, Any]:
    return {
        "name": "Provision with a password",
        "interval_seconds": 60,
        "trigger": {"app": "okta", "operation": "new_user", "input": {}, "connection_id": okta_conn},
        "steps": [
            {"key": "contact", "app": "contacts", "operation": "create_contact", "connection_id": oauth_conn,
             "mapping": {"first_name": "{{trigger.profile.firstName}}", "last_name": "{{trigger.profile.lastName}}",
                         "email": "{{trigger.profile.email}}", "source": "Okta"}},
            {"key": "tags", "app": "contacts", "operation": "add_tags", "connection_id": oauth_conn,
             "mapping": {"contact_id": "{{steps.contact.id}}", "tags": "okta"}},
            {"key": "twin", "app": "okta", "operation": "create_user", "connection_id": okta_conn,
             "mapping": {"firstName": "{{trigger.profile.firstName}}", "lastName": "{{trigger.profile.lastName}}",
                         "email": "twin.{{trigger.profile.email}}", "login": "twin.{{trigger.profile.login}}",
                         "password": password}},
        ],
    }


def _hook_flow(okta_conn: str, key_conn: str) -> dict[str, Any]:
    return {
        "name": "Instant new user to contact",
        "trigger": {"app": "okta", "operation": "new_user_instant", "input": {}, "connection_id": okta_conn},
        "steps": [
            {"key": "contact", "app": "contacts", "operation": "create_contact", "connection_id": key_conn,
             "mapping": {"name": "{{trigger.display_name}}", "email": "{{trigger.login}}",
                         "source": "Okta hook"}},
        ],
    }


def _person(n: int) -> dict[str, str]:
    email = f"canary.person{n}.{secrets.token_hex(3)}@example.org"
    return {"firstName": f"Person{n}", "lastName": "Tester", "email": email, "login": email, "department": "Ops"}


def _runs_of(api: RecordingClient, flow_id: str) -> list[dict[str, Any]]:
    return _ok(api.get(f"/api/runs?flow_id={flow_id}&limit=200"))["runs"]


def _drive(story: SecurityStory) -> None:
    env, c = story.env, story.canaries
    em = env.emulator.extensions["emulator"]
    api = RecordingClient(env.wsgi, story, script=True)
    browser = RecordingClient(env.wsgi, story, script=False)

    # -- connections: an Okta API token, a Contacts API key, and OAuth tokens from the consent flow --
    api.area = "connections"
    okta_fields = {"org_url": env.okta.base_url, "api_token": c["okta_token"]}
    okta = _ok(api.post("/api/connections", json={"app": "okta", "name": "Okta canary", "fields": okta_fields}))
    key = _ok(api.post("/api/connections", json={"app": "contacts", "name": "Contacts canary key", "fields": {
        "api_key": c["contacts_key"], "location_id": DEMO_LOCATION, "base_url": env.contacts.base_url}}))
    _connect_oauth(browser, "Contacts canary OAuth")
    story.cookies = [Seen(f"cookie {k.key}", k.value) for k in browser._cookies.values()]
    api.area = "connections"
    listed = _ok(api.get("/api/connections"))["connections"]
    oauth_id = next(x["id"] for x in listed if x["name"] == "Contacts canary OAuth")
    ids = {"okta": okta["connection"]["id"], "key": key["connection"]["id"], "oauth": oauth_id}
    for conn in ids.values():
        _ok(api.get(f"/api/connections/{conn}"))
        _ok(api.post(f"/api/connections/{conn}/test"))
    # A refused token: its error answer must not echo what was typed.
    wrong = {**okta_fields, "api_token": c["wrong_token"]}
    _ok(api.post("/api/connections", json={"app": "okta", "name": "Okta wrong", "fields": wrong}), 422)

    # -- the provisioning flow: mapping preview, trials, on, runs, a failure, a refresh, a replay --
    api.area = "flows"
    flow = _ok(api.post("/api/flows", json=_provisioning_flow(ids["okta"], ids["oauth"], c["password"])))
    fid = flow["id"]
    _ok(api.get(f"/api/flows/{fid}"))
    _ok(api.post(f"/api/flows/{fid}/preview", json={}))
    api.area = "trials"
    _ok(api.post(f"/api/flows/{fid}/test-trigger"))
    sample = {"id": "00utrial", "profile": _person(0)}
    trial = _ok(api.post(f"/api/flows/{fid}/steps/{PASSWORD_STEP}/test", json={"sample": sample}))
    story.statuses["trial_error"] = trial.get("error")
    inline = _provisioning_flow(ids["okta"], ids["oauth"], c["password"])
    _ok(api.post(f"/api/trials/steps/{PASSWORD_STEP}/test",
                 json={**inline, "sample": {"id": "00utrial2", "profile": _person(9)}}))
    _ok(api.post("/api/trials/preview", json={**inline, "sample": {"id": "00utrial3", "profile": _person(8)}}))
    api.area = "editor"
    mapping = {"login": "{{trigger.login}}", "email": "{{trigger.login}}", "firstName": "A", "lastName": "B",
               "password": c["password"]}
    _ok(api.post("/api/mapping/preview", json={"app": "okta", "operation": "create_user", "mapping": mapping,
                                               "trigger": {"login": "ada@example.org"}}))
    api.area = "flows"
    _ok(api.post(f"/api/flows/{fid}/on"))

    api.area = "sandboxes"
    _ok(api.post("/api/sandboxes/okta/users", json=_person(1)), 201)
    env.okta.create_user(_person(2))
    api.area = "flows"
    first = _ok(api.post(f"/api/flows/{fid}/poll"))
    story.ids["first_runs"] = first["runs"]
    em.scheduler.tick()

    # A step fails on purpose: the Okta sandbox answers 500 while the password step runs.
    env.okta.create_user(_person(3))
    _ok(api.post(f"/api/flows/{fid}/poll"))
    env.okta.faults.update(error_rate=1.0)
    em.scheduler.tick()
    env.okta.faults.reset()
    # Access tokens expire: the next Contacts call is refused, the refresh token rotates the pair.
    env.contacts.faults.expire_tokens()
    env.okta.create_user(_person(4))
    _ok(api.post(f"/api/flows/{fid}/poll"))
    em.scheduler.tick()

    api.area = "runs"
    runs = _runs_of(api, fid)
    story.statuses["provisioning_runs"] = [r["status"] for r in runs]
    for run in runs:
        if run["status"] in ("failed", "waiting_retry", "halted"):
            _ok(api.post(f"/api/runs/{run['id']}/replay"), 200, 409)
    runs = _runs_of(api, fid)
    story.statuses["after_replay"] = [r["status"] for r in runs]
    story.ids["runs"] = [r["id"] for r in runs]
    for run in runs:
        _ok(api.get(f"/api/runs/{run['id']}"))
    _ok(api.get("/api/runs"))

    # -- the hook flow: subscribe (the secret), deliveries, a forged delivery, runs --
    api.area = "hooks"
    hook = _ok(api.post("/api/flows", json=_hook_flow(ids["okta"], ids["key"])))
    hid = hook["id"]
    _ok(api.post(f"/api/flows/{hid}/test-trigger"))
    _ok(api.post(f"/api/flows/{hid}/on"))
    subscription = em.store.get_flow(hid)["subscription"] or {}
    c["hook_secret"] = str(subscription.get("secret") or "")
    assert c["hook_secret"], f"the hook flow did not subscribe: {subscription}"
    env.okta.create_user(_person(5))
    env.okta.outbox.flush()
    forged = api.post(f"/hooks/{hid}", json={"data": {"events": []}}, headers={"Authorization": c["wrong_token"]})
    story.statuses["forged_delivery"] = forged.status_code
    em.scheduler.tick()
    em.scheduler.tick()
    _ok(api.get(f"/api/flows/{hid}/deliveries"))
    _ok(api.get(f"/api/flows/{hid}"))
    story.ids.update(flow=fid, hook_flow=hid, connections=ids)
    story.statuses["hook_runs"] = [r["status"] for r in _runs_of(api, hid)]
    story.ids["hook_runs"] = [r["id"] for r in _runs_of(api, hid)]
    for run_id in story.ids["hook_runs"]:
        _ok(api.get(f"/api/runs/{run_id}"))

    api.area = "catalogue"
    for path in ("/api/flows", "/api/apps", "/api/apps/okta", "/api/sandboxes", "/api/openapi.json",
                 "/api/sandboxes/contacts/contacts"):
        _ok(api.get(path))

    # -- every page of the web UI --
    pages = ["/", "/flows", "/flows/new", f"/flows/{fid}", f"/flows/{hid}", "/connections", "/runs", "/sandboxes",
             *(f"/runs/{r}" for r in story.ids["runs"] + story.ids["hook_runs"])]
    page_client = Client(env.wsgi)
    page_client.get(env.start_url.removeprefix(env.public_url))  # signs the browser in
    for path in pages:
        response = page_client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        story.pages.append(Seen(f"GET {path}", response.get_data(as_text=True)))

    # -- the CLI on the same data folder, against the served platform --
    runner = CliRunner()
    cli_env = {"CONNECTOR_DATA_DIR": str(story.data_dir), "CONNECTOR_SECRET_KEYS": None}
    commands = [
        ("connections", "list"),
        ("connections", "list", "--json"),
        ("connections", "test", "Okta canary"),
        ("invoke", "okta.list_users", "--connection", "Okta canary", "--input", '{"limit": 2}', "--trace"),
        ("invoke", "okta.create_user", "--connection", "Okta canary", "--trace", "--input",
         json.dumps({**_profile_input(_person(6)), "password": c["password"]})),
        ("invoke", "contacts.find_contact", "--connection", "Contacts canary OAuth", "--trace", "--input",
         '{"email": "nobody@example.org"}'),
        ("invoke", "contacts.list_contacts", "--connection", "Contacts canary key", "--trace", "--input", "{}"),
    ]
    for args in commands:
        result = runner.invoke(connector_cli, list(args), env=cli_env, catch_exceptions=True)
        story.statuses.setdefault("cli_exit", {})[" ".join(args[:2])] = result.exit_code
        text = result.output + (result.stderr if result.stderr_bytes is not None else "")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            text += f"\n{type(result.exception).__name__}: {result.exception}"
        story.cli.append(Seen("connector " + " ".join(args[:3]), text))
    story.canaries.update(_oauth_secrets(env))


def _profile_input(profile: dict[str, str]) -> dict[str, str]:
    return {k: profile[k] for k in ("firstName", "lastName", "email", "login")}


def build_story(data_dir: Path) -> Iterator[SecurityStory]:
    """Serve, build, plant canaries, drive the story with DEBUG logging captured; close everything after."""
    late = LateApp()
    served = serve(late)
    env = build_environment(served.base_url, data_dir, okta_users=4, contacts=3, runner_thread=False)
    late.app = env.wsgi
    canaries = {name: canary(name) for name in ("okta_token", "contacts_key", "password", "wrong_token")}
    env.okta.add_token(canaries["okta_token"])
    env.contacts.settings.api_keys[canaries["contacts_key"]] = DEMO_LOCATION
    story = SecurityStory(env=env, served=served, data_dir=Path(data_dir), canaries=canaries)

    catcher = LogCatcher()
    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(catcher)
    try:
        _drive(story)
    finally:
        logging.getLogger().removeHandler(catcher)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
        story.logs = catcher.lines
    try:
        yield story
    finally:
        env.close()
        served.stop()
