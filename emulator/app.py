"""The emulator's Flask factory: the one composition root, and the object that ties its parts together.

``create_app(config)`` builds the store, the runner and the scheduler, and registers every blueprint:
the web UI, the connections API (with its OAuth callback), the JSON API, the syncs API, the hook
ingress. It leaves the parts on ``app.extensions["emulator"]`` for tests and the web UI. Whoever serves
it only adds what a process keeps outside (:mod:`emulator.local`: the data folder, the access token)
or around it (:mod:`emulator.demo`: the sandboxes and their pages, demo data).

Configuration (all optional; every key the emulator reads is in this table, a test keeps it so):

=====================  ===============================================================================
DATABASE_URL           SQLAlchemy URL; default ``sqlite:///<instance>/emulator.db`` in WAL mode
SECRET_KEY             Flask session key; default ``$EMULATOR_SECRET_KEY``, else random per process
APPS                   ``{key: App}``; default :func:`connector.registry.load_apps`
CONNECTIONS            :class:`emulator.connections.ConnectionGateway`: saved connections, their API and
                       the "Connect" button; it also resolves connections unless CONNECTION_RESOLVER is set
CONNECTION_RESOLVER    ``connection id -> Connection`` (with auth, base_url, transport)
PUBLIC_URL             base of hook URLs, ``<PUBLIC_URL>/hooks/<flow id>``
RUNNER_THREAD          start the background scheduler thread (default False)
SCHEDULER_INTERVAL     seconds between ticks of that thread (0.25)
MAX_HOOK_BODY          largest delivery accepted, bytes (10 MB)
FLOOD_LIMIT            new items per poll above which all are held (100)
MAX_ATTEMPTS           tries of a failing step before it fails for good (5)
RETRY_BASE_SECONDS     first automatic retry delay; doubles each time (30)
TIME_LIMIT             seconds per operation (30)
SEED_TIME_LIMIT        seconds a turn-on's first poll may take, paced waits included (900)
INVOKE_RETRY           :class:`connector.http.RetryPolicy` for in-call HTTP retries (one attempt)
CLOCK                  ``() -> epoch seconds``; tests pass a fake clock
SECRET_BOX             ``() -> auth.secrets.SecretBox``; encrypts flow columns that may hold secrets
                       (default: the CONNECTIONS store's box)
RECOVER_ON_START       re-queue runs a killed process left running (True; turn off with several workers)
ALLOW_URLS             origins connections may call although they are local or private (``--allow-url``);
                       :func:`emulator.local.build_local` keeps them canonical here
LEASE_SECONDS          how long a claim on a run or delivery lasts; an expired one is taken over (120)
NOTICE_URL_CHECK       ``url -> url`` check of notification URLs (default: the outbound guard and ALLOW_URLS)
NOTICE_TRANSPORT       httpx transport for notices (default: the guarded network); tests pass a MockTransport
NOTICE_INTERVAL        seconds between sweeps that send failed/paused flow notices (2)
CSRF_ENABLED           check the CSRF token of browser requests that change state (True; unit tests of the
                       JSON API turn it off)
CSRF_EXEMPT_PREFIXES   paths the CSRF check skips (``("/hooks/",)``: vendors authenticate per delivery)
ACCESS_TOKEN           the install's access token, set by :func:`emulator.access.init_access`
SANDBOX_LINKS          ``{app key: base URL}`` of the sandboxes served beside the emulator (set by the
                       demo, whose Sandboxes page links to them)
=====================  ===============================================================================

Flask's own keys (``TESTING``, ``SESSION_COOKIE_*``...) keep Flask's meaning.

Environment variables the product reads:

=======================  ============================================================================
EMULATOR_SECRET_KEY      the browser-session key (else ``<data>/session.key``, or random per process)
CONNECTOR_DATA           data folder of ``connector web``/``worker``/``scheduler`` (``data``)
CONNECTOR_DATA_DIR       the credential store's folder for the ``connect``/``connections`` commands
CONNECTOR_SECRET_KEYS    the credential store's keys (comma-separated Fernet keys) instead of the key file
CONNECTOR_APPS           more apps to load, ``module:attribute`` comma-separated
CONNECTOR_DATABASE_URL   the scaled deployment's shared store
CONNECTOR_BROKER_URL     the scaled deployment's Celery broker
CONNECTOR_REDIS_URL      where scaled processes share rate budgets and refresh locks (default: a Redis broker)
CONNECTOR_QUEUE          the Celery queue name (``connector``)
CONNECTOR_PUBLIC_URL     the scaled deployment's public URL (hook URLs)
CONNECTOR_APP_FACTORY    ``module:function`` returning ``create_app`` configuration for scaled processes
CONNECTOR_ALLOW_URLS     ``connector emulate --allow-url`` origins, space-separated
=======================  ============================================================================
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from connector.definitions import App
from connector.outbound import GuardedTransport, OutboundPolicy, check_url, system_resolver
from emulator.api import register_api
from emulator.api.connections import register_connections
from emulator.api.syncs import register_syncs
from emulator.app_hooks import bp as app_hooks_bp
from emulator.connections import ConnectionGateway
from emulator.hooks import HookIngress
from emulator.hooks import bp as hooks_bp
from emulator.invoking import Invoker, RunnerSettings
from emulator.notices import FlowNotices
from emulator.runner import Runner
from emulator.scheduler import Scheduler
from emulator.sealing import FlowSealer
from emulator.store import Store, engine_for
from emulator.trials import Trials
from emulator.ui import register_ui

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,
    "APPS": None,
    "CONNECTION_RESOLVER": None,
    "PUBLIC_URL": "http://localhost:5000",
    "RUNNER_THREAD": False,
    "SCHEDULER_INTERVAL": 0.25,
    "MAX_HOOK_BODY": 10 * 1024 * 1024,
    "FLOOD_LIMIT": 100,
    "MAX_ATTEMPTS": 5,
    "RETRY_BASE_SECONDS": 30.0,
    "TIME_LIMIT": 30.0,
    "SEED_TIME_LIMIT": 900.0,
    "INVOKE_RETRY": None,
    "CLOCK": None,
    "RECOVER_ON_START": True,
    "LEASE_SECONDS": 120.0,
    "NOTICE_URL_CHECK": None,
    "NOTICE_TRANSPORT": None,
    "NOTICE_INTERVAL": 2.0,
    "CONNECTIONS": None,
    "SANDBOX_LINKS": {},
}


@dataclass
class Emulator:
    """Everything behind the web layer; reachable as ``app.extensions["emulator"]``."""

    store: Store
    invoker: Invoker
    runner: Runner
    trials: Trials
    scheduler: Scheduler
    max_hook_body: int
    notices: FlowNotices

    @property
    def settings(self) -> RunnerSettings:
        return self.invoker.settings

    def clock(self) -> float:
        return self.invoker.settings.clock()


def _apps(value: Mapping[str, App] | None) -> Mapping[str, App]:
    from connector.registry import host_apps, load_apps

    if value is None:
        return load_apps()
    host_apps(dict(value))  # the credential store and connection tests look apps up by key
    return value


def _notices(config: Mapping[str, Any], store: Store) -> FlowNotices:
    """Flow notices behind the same outbound guard (and ``--allow-url`` origins) as every connection."""
    policy = OutboundPolicy.allowing(config.get("ALLOW_URLS") or ())

    def check_notice_url(url: str) -> str:
        return check_url(url, field="notify_url", policy=policy, resolve=system_resolver)

    return FlowNotices(
        store=store,
        check_url=config["NOTICE_URL_CHECK"] or check_notice_url,
        public_url=str(config["PUBLIC_URL"]).rstrip("/"),
        transport=config["NOTICE_TRANSPORT"] or GuardedTransport(policy),
        interval=float(config["NOTICE_INTERVAL"]),
    )


def _settings(config: Mapping[str, Any]) -> RunnerSettings:
    settings = RunnerSettings(
        public_url=str(config["PUBLIC_URL"]),
        flood_limit=int(config["FLOOD_LIMIT"]),
        max_attempts=int(config["MAX_ATTEMPTS"]),
        retry_base_seconds=float(config["RETRY_BASE_SECONDS"]),
        time_limit=float(config["TIME_LIMIT"]),
        lease_seconds=float(config["LEASE_SECONDS"]),
        seed_time_limit=float(config["SEED_TIME_LIMIT"]),
    )
    if config["INVOKE_RETRY"] is not None:
        settings.invoke_retry = config["INVOKE_RETRY"]
    clock: Callable[[], float] | None = config["CLOCK"]
    settings.clock = clock or time.time
    return settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the emulator app; see the module docstring for the configuration keys."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.update(config)
    app.config["SECRET_KEY"] = (
        os.environ.get("EMULATOR_SECRET_KEY") or app.config.get("SECRET_KEY") or secrets.token_hex(32)
    )
    url = app.config["DATABASE_URL"]
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = f"sqlite:///{os.path.join(app.instance_path, 'emulator.db')}"
        app.config["DATABASE_URL"] = url

    connections: ConnectionGateway | None = app.config["CONNECTIONS"]
    if connections is not None:
        app.config["CONNECTION_RESOLVER"] = app.config["CONNECTION_RESOLVER"] or connections.resolve
        app.config.setdefault("SECRET_BOX", lambda: connections.store.box)
    box = app.config.get("SECRET_BOX")  # () -> SecretBox; the credential store's key seals flow secrets
    store = Store(engine_for(url), sealer=FlowSealer(box))
    invoker = Invoker(_apps(app.config["APPS"]), app.config["CONNECTION_RESOLVER"], _settings(app.config))
    runner = Runner(store, invoker)
    emulator = Emulator(
        store=store,
        invoker=invoker,
        runner=runner,
        trials=Trials(invoker),
        scheduler=Scheduler(runner, float(app.config["SCHEDULER_INTERVAL"])),
        max_hook_body=int(app.config["MAX_HOOK_BODY"]),
        notices=_notices(app.config, store),
    )
    if app.config["RECOVER_ON_START"]:
        store.recover_interrupted()
    app.extensions["emulator"] = emulator
    app.register_blueprint(hooks_bp)
    app.register_blueprint(app_hooks_bp)
    app.wsgi_app = HookIngress(app.wsgi_app, emulator)  # type: ignore[method-assign]  # deliveries skip Flask
    register_api(app)
    register_syncs(app)
    register_connections(app, connections)
    register_ui(app)
    if app.config["RUNNER_THREAD"]:
        emulator.scheduler.start()
        emulator.notices.start(emulator.clock)
    return app
