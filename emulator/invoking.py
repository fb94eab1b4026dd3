"""How the emulator calls the kit's one runtime path, :func:`connector.runtime.invoke`.

Everything the emulator runs (polls, hook subscriptions, deliveries, action steps, trials) goes
through :class:`Invoker`, which looks up the app and operation, resolves the connection through the
injected resolver (the credential store lives elsewhere) and applies the emulator's limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.context import Connection, HookRequest, Meta
from connector.definitions import App, Operation, Trigger
from connector.errors import BadInput, CodeCrashed, ConnectorError, FieldProblem, Throttled
from connector.http import RetryPolicy
from connector.runtime import Invocation, Step, invoke
from connector.trace import is_secret_header

ConnectionResolver = Callable[[str], Connection]


@dataclass
class RunnerSettings:
    """The platform limits, all configurable through ``create_app(config)``.

    ``invoke_retry`` is the HTTP seam's in-call retry policy. The default makes one attempt per
    call, so a 429 or 5xx becomes a visible ``waiting_retry`` in run history rather than a hidden
    sleep that blocks the scheduler.
    """

    public_url: str = "http://localhost:5000"
    flood_limit: int = 100
    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    time_limit: float = 30.0
    #: A turn-on's first poll walks the whole org, pacing itself across the vendor's rate limit: it gets
    #: this long (``emulator.runner.Runner._seed`` says why) instead of ``time_limit``.
    seed_time_limit: float = 900.0
    trial_limit: int = 3
    invoke_retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=1))
    #: How long a claim on a run or a delivery lasts without renewal. Longer than one step can take
    #: (``time_limit``), so only an executor that died or could not record its outcome loses it.
    lease_seconds: float = 120.0
    #: Longest automatic retry delay, also for a vendor that asks for more (it is asked again then).
    max_retry_seconds: float = 3600.0
    #: Throttled tries of one step or delivery before it fails anyway. A 429 is the vendor saying "later",
    #: not a failure, so it does not use up ``max_attempts``; this only stops a limit that never lifts.
    max_throttled_tries: int = 100
    clock: Callable[[], float] = time.time

    @property
    def run_lease_seconds(self) -> float:
        return max(self.lease_seconds, self.time_limit + 10.0)

    def hook_url(self, flow_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/hooks/{flow_id}"

    def app_hook_url(self, app_key: str) -> str:
        """The one URL of an app whose vendor sends every event there (see emulator/app_hooks.py)."""
        return f"{self.public_url.rstrip('/')}/hooks/apps/{app_key}"


@dataclass(frozen=True)
class NextTry:
    """What a failed try of a step or a delivery leads to.

    Attributes:
        delay: seconds until the next try, or None: it failed for good.
        throttled: throttled tries so far, this one included.
        gave_up: why it failed for good after retries (None when retrying or never retriable).
    """

    delay: float | None
    throttled: int
    gave_up: str | None = None


def next_try(settings: RunnerSettings, error: BaseException, attempts: int, throttled: int) -> NextTry:
    """Retry with the vendor's delay (429), or growing delays (5xx, transport errors, timeouts), or stop.

    Args:
        attempts: tries so far, this one included.
        throttled: throttled tries before this one.
    """
    if isinstance(error, Throttled):
        throttled += 1
        if throttled >= settings.max_throttled_tries:
            return NextTry(None, throttled, f"gave up after {throttled} throttled tries")
        return NextTry(min(max(0.0, float(error.delay)), settings.max_retry_seconds), throttled)
    if not getattr(error, "retriable", False):
        return NextTry(None, throttled)
    failures = max(1, attempts - throttled)
    if failures >= settings.max_attempts:
        return NextTry(None, throttled, f"gave up after {attempts} attempts")
    delay = settings.retry_base_seconds * 2 ** (failures - 1)
    return NextTry(min(delay, settings.max_retry_seconds), throttled)


class Invoker:
    """Runs operations for the emulator with its connections and limits."""

    def __init__(self, apps: Mapping[str, App], resolve: ConnectionResolver | None, settings: RunnerSettings) -> None:
        self.apps = apps
        self._resolve = resolve
        self.settings = settings

    def operation(self, app_key: str, op_key: str, field: str = "operation") -> tuple[App, Operation]:
        app = self.apps.get(app_key)
        if app is None:
            known = ", ".join(sorted(self.apps)) or "none installed"
            raise BadInput(f"unknown app {app_key!r}; known apps: {known}", field)
        return app, app.operation(op_key)

    def trigger(self, flow: Mapping[str, Any]) -> tuple[App, Trigger]:
        app, op = self.operation(flow["trigger_app"], flow["trigger_operation"], "trigger.operation")
        if not isinstance(op, Trigger):
            raise BadInput(f"{op.key!r} is not a trigger", "trigger.operation")
        return app, op

    def connection(self, connection_id: str | None, app_key: str, field: str = "connection_id") -> Connection:
        """The connection a flow names; no id means an app that needs no credentials."""
        if connection_id is None:
            return Connection(app=app_key)
        if self._resolve is None:
            raise BadInput("the emulator has no connection store configured (CONNECTION_RESOLVER)", field)
        try:
            connection = self._resolve(connection_id)
        except ConnectorError:
            raise
        except (KeyError, LookupError, ValueError) as exc:
            raise BadInput(
                [FieldProblem(field, f"connection {connection_id!r} does not exist; connect the account again")]
            ) from exc
        if connection.app != app_key:
            raise BadInput(
                f"connection {connection_id!r} belongs to {connection.app!r}, not {app_key!r}; pick a "
                f"{app_key} connection",
                field,
            )
        return connection

    def invoke(
        self,
        app: App,
        op: Operation,
        connection: Connection,
        values: Mapping[str, Any] | None,
        meta: Meta,
        *,
        step: Step = "perform",
        hook_request: HookRequest | None = None,
        hook_requests: list[HookRequest] | None = None,
        trace: bool = False,
        seen_sink: Callable[[list[str]], None] | None = None,
        time_limit: float | None = None,
        retry: RetryPolicy | None = None,
        input_checked: bool = False,
    ) -> Invocation:
        """Run one step through the kit's runtime (``time_limit`` and ``retry`` default to the settings').

        Raises:
            ConnectorError: every failure; an exception a definition raised by mistake (a KeyError
                in a trigger) is a CodeCrashed naming the app and operation (the runtime converts
                those raised while the step runs; this catches the rest), so one broken connector
                cannot stop the scheduler.
        """
        try:
            return invoke(
                app, op, connection, values, meta, step=step, trace=trace, hook_request=hook_request,
                hook_requests=hook_requests,
                retry=retry or self.settings.invoke_retry, time_limit=time_limit or self.settings.time_limit,
                seen_sink=seen_sink, input_checked=input_checked,
            )
        except ConnectorError:
            raise
        except Exception as exc:
            crashed = CodeCrashed(f"{step} raised {type(exc).__name__}: {exc}")
            crashed.locate(app.key, op.key)
            raise crashed from exc


def error_dict(error: BaseException) -> dict[str, Any]:
    """A JSON-safe error for run history; unexpected exceptions are described, not raised."""
    if isinstance(error, ConnectorError):
        return error.to_dict()
    return {"type": type(error).__name__, "message": str(error) or type(error).__name__, "retriable": False}


def error_trace(error: BaseException) -> list[dict[str, Any]]:
    """The HTTP trace a failed invocation recorded, when the runtime attached one."""
    trace = getattr(error, "trace", None)
    return list(trace) if isinstance(trace, list) else []


MASK = "[redacted]"


def secret_inputs(op: Operation) -> frozenset[str]:
    """The keys of an operation's secret-typed inputs, worked out once per operation object."""
    return _input_kinds(op)[0]


def _input_kinds(op: Operation) -> tuple[frozenset[str], frozenset[str]]:
    """An operation's secret-typed input keys and its object input keys (headers and the like)."""
    cached = _inputs_by_operation.get(id(op))
    if cached is None or cached[0] is not op:
        secret = frozenset(f.key for f in op.input_fields if f.is_secret)
        objects = frozenset(f.key for f in op.input_fields if f.type == "dict")
        cached = (op, (secret, objects))
        _inputs_by_operation[id(op)] = cached
    return cached[1]


_inputs_by_operation: dict[int, tuple[Operation, tuple[frozenset[str], frozenset[str]]]] = {}


def secret_values(op: Operation, values: Mapping[str, Any] | None) -> list[str]:
    """The values of an operation's secret-typed inputs (a password mapped into a step), and of entries
    named like credentials in its object inputs (an ``X-Api-Key`` in the API request action's headers)."""
    secret, objects = _input_kinds(op)
    if not values or not (secret or objects):
        return []
    found = [str(values[k]) for k in secret if values.get(k) not in (None, "")]
    for key in objects:
        given = values.get(key)
        if isinstance(given, Mapping):
            found.extend(str(v) for k, v in given.items() if is_secret_header(str(k)) and v not in (None, ""))
    return found


def masked_input(op: Operation, values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Rendered input as run history shows it: secret-typed fields masked, and entries of object inputs
    named like credentials (headers such as ``X-Api-Key``)."""
    if values is None:
        return None
    secret, objects = _input_kinds(op)
    if not (secret or objects):
        return dict(values)

    def shown(key: str, value: Any) -> Any:
        if key in secret and value not in (None, ""):
            return MASK
        if key in objects and isinstance(value, Mapping):
            return {k: (MASK if is_secret_header(str(k)) and v not in (None, "") else v) for k, v in value.items()}
        return value

    return {k: shown(k, v) for k, v in values.items()}


def scrub(value: Any, secrets: list[str]) -> Any:
    """``value`` with every occurrence of the given secrets replaced, at any depth (traces)."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {k: scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    return value
