"""The one path that runs an operation: CLI, pytest fixtures and the emulator all call :func:`invoke`.

It validates input before any HTTP call, builds the HTTP client through the single factory, runs the
operation under a time limit, and checks the result the way a hosted platform would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from connector.context import Connection, Context, HookRequest, Meta
from connector.definitions import Action, App, Operation, Search, SearchOrCreate, Trigger
from connector.errors import (
    BadInput,
    CodeCrashed,
    ConnectorBug,
    ConnectorError,
    DefinitionError,
    ResultError,
    Throttled,
)
from connector.http import RetryPolicy, make_client
from connector.mapping import validate_input
from connector.result_checks import Step, check_result, checked, item_identities, item_identity, plain_key
from connector.trace import TraceRecorder
from connector.workers import WORKERS

DEFAULT_TIME_LIMIT = 30.0
TRIAL_LIMIT = 3

@dataclass
class ParsedDelivery:
    """One delivery of a ``parse_deliveries`` step: its checked items and their identities, or its error."""

    items: list[dict[str, Any]] = field(default_factory=list)
    identities: list[str] = field(default_factory=list)
    error: ConnectorError | None = None


@dataclass
class Invocation:
    """What one run of an operation produced."""

    output: Any
    trace: list[dict[str, Any]] = field(default_factory=list)
    cursor: str | None = None
    duration_ms: float = 0.0
    input: dict[str, Any] = field(default_factory=dict)
    #: A trigger's item identities, in output order, computed once while its result was checked (the
    #: platform dedupes on them); None for actions and searches.
    identities: list[str] | None = None


def invoke(
    app: App,
    operation: str | Operation,
    connection: Connection | None = None,
    input: Mapping[str, Any] | None = None,
    meta: Meta | None = None,
    *,
    step: Step = "perform",
    transport: httpx.BaseTransport | None = None,
    strict: bool = True,
    time_limit: float = DEFAULT_TIME_LIMIT,
    trace: bool = False,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    hook_request: HookRequest | None = None,
    seen_sink: Callable[[list[str]], None] | None = None,
    input_checked: bool = False,
    hook_requests: list[HookRequest] | None = None,
) -> Invocation:
    """Run one step of an operation and return its checked output.

    Args:
        step: ``perform`` (poll trigger, action, search; for hook triggers the samples), ``subscribe``,
            ``unsubscribe``, ``list_samples``, ``parse_delivery`` (needs ``hook_request``),
            ``parse_deliveries`` (needs ``hook_requests``; the output is one :class:`ParsedDelivery` per
            request, in order, each checked like a ``parse_delivery`` result) or ``test`` (the app's
            connection test).
        strict: also check that every output object matches the operation's output schema (a ``null``
            in a non-nullable field fails the step). On by default, the same rule in the CLI, the pytest
            fixtures and the emulator; a first poll is exempt, since it fires nothing and may hold a whole
            org (its items only seed the dedupe record).
        trace: record the HTTP exchange with secrets redacted into ``Invocation.trace``.
        seen_sink: on a first poll, receives the identities of items the trigger hands over page by page
            with ``ctx.record_seen`` (the platform seeds its dedupe record without holding them all).
        input_checked: ``input`` is already what :func:`connector.mapping.validate_input` returns (the
            platform rendered it through a :class:`connector.mapping.FieldMapping`, which validates):
            it is used as given instead of being validated a second time.

    Raises:
        BadInput: before any HTTP call, when the input does not satisfy the input schema.
        ConnectorError: any branch, as the operation or the HTTP seam raised it.
    """
    op = app.operation(operation) if isinstance(operation, str) else operation
    try:
        return _invoke(
            app, op, connection, input, meta, step=step, transport=transport, strict=strict,
            time_limit=time_limit, trace=trace, retry=retry, sleep=sleep, hook_request=hook_request,
            seen_sink=seen_sink, input_checked=input_checked, hook_requests=hook_requests,
        )
    except ConnectorBug as bug:
        bug.locate(app.key, op.key, op.qualified_key)
        raise


def _invoke(
    app: App,
    op: Operation,
    connection: Connection | None,
    input: Mapping[str, Any] | None,
    meta: Meta | None,
    *,
    step: Step,
    transport: httpx.BaseTransport | None,
    strict: bool,
    time_limit: float,
    trace: bool,
    retry: RetryPolicy | None,
    sleep: Callable[[float], None],
    hook_request: HookRequest | None,
    seen_sink: Callable[[list[str]], None] | None,
    input_checked: bool = False,
    hook_requests: list[HookRequest] | None = None,
) -> Invocation:
    meta = meta or Meta()
    connection = connection or Connection(app=app.key)
    if step == "test":
        values: dict[str, Any] = {}
    elif input_checked:
        values = dict(input or {})
    else:
        values = validate_input(op.input_fields, dict(input or {}))
    deadline = time.monotonic() + time_limit
    secret_inputs = [str(values[f.key]) for f in op.input_fields if f.is_secret and values.get(f.key)]
    recorder = TraceRecorder(
        secrets=[*_secret_values(app, connection), *secret_inputs], secret_headers=app.auth.secret_headers
    ) if trace else None
    client = make_client(
        _base_url(app, connection),
        auth=_auth_for(app, connection),
        transport=transport if transport is not None else connection.transport,
        timeout=min(time_limit, DEFAULT_TIME_LIMIT),
        retry=retry if retry is not None else RetryPolicy(),
        recorder=recorder,
        deadline=deadline,
        sleep=sleep,
    )
    ctx = Context(http=client, connection=connection, meta=meta)
    if seen_sink is not None and isinstance(op, Trigger):
        trigger = op

        def stream_identities(items: list[dict[str, Any]]) -> None:
            seen_sink(item_identities(trigger, items))

        ctx.seen_sink = stream_identities
        if plain_key(trigger) is not None:
            ctx.seen_ids_sink = seen_sink  # the ids a trigger hands over are its items' identities
    started = time.perf_counter()
    try:
        work = (
            _parse_deliveries(app, op, ctx, hook_requests or [])
            if step == "parse_deliveries" else _step_function(app, op, step, ctx, values, hook_request)
        )
        raw = _run_with_time_limit(work, time_limit, f"{app.key}.{op.key}")
    except ConnectorError as exc:
        # Failed steps keep their HTTP exchange too: run history shows what the vendor answered.
        exc.trace = recorder.to_list() if recorder else []
        raise
    except Exception as exc:
        crashed = CodeCrashed(f"{step} raised {type(exc).__name__}: {exc}")
        crashed.trace = recorder.to_list() if recorder else []
        raise crashed from exc
    finally:
        client.close()
    if step == "parse_deliveries":
        return Invocation(
            output=[_parsed(op, entry, strict=strict) for entry in raw], trace=recorder.to_list() if recorder else [],
            duration_ms=(time.perf_counter() - started) * 1000, input=values,
        )
    if ctx.seen_items and isinstance(op, Trigger) and isinstance(raw, list):
        raw = raw + _unseen(op, raw, ctx.seen_items)
    output, identities = checked(op, raw, step=step, strict=strict and not meta.first_poll)
    limit = None
    if isinstance(op, Trigger) and step in ("perform", "list_samples") and meta.trial:
        limit = meta.limit or TRIAL_LIMIT
    elif isinstance(op, Trigger | Search) and meta.limit is not None and isinstance(output, list):
        limit = meta.limit
    if limit is not None:
        output = output[:limit]
        identities = identities[:limit] if identities is not None else None
    return Invocation(
        output=output,
        trace=recorder.to_list() if recorder else [],
        cursor=ctx.next_cursor,
        duration_ms=(time.perf_counter() - started) * 1000,
        input=values,
        identities=identities,
    )


def _unseen(trigger: Trigger, items: list[Any], seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items handed to ``record_seen`` (oldest first) as output, newest first, once per identity.

    Seeding may hand the same item twice (listed, then logged while the listing ran): harmless for a
    dedupe record, so the output simply keeps the first.
    """
    known = {item_identity(trigger, item, n) for n, item in enumerate(items) if isinstance(item, dict)}
    extra = []
    for n, item in enumerate(reversed(seen)):
        identity = item_identity(trigger, item, n)
        if identity not in known:
            known.add(identity)
            extra.append(item)
    return extra


def _step_function(
    app: App, op: Operation, step: Step, ctx: Context, values: dict[str, Any], request: HookRequest | None
) -> Callable[[], Any]:
    where = f"{app.key}.{op.qualified_key}"
    if step == "test":
        if app.auth.test is None:
            raise DefinitionError(f"{app.key}.auth has no connection test")
        test = app.auth.test
        return lambda: test(ctx)
    if step == "perform":
        if isinstance(op, SearchOrCreate):
            pair = op
            return lambda: search_or_create(app, pair, ctx, values)
        if isinstance(op, Trigger) and op.kind == "hook":
            step = "list_samples"
        else:
            fn = op.perform
            if fn is None:
                raise DefinitionError(f"{where} has no perform function")
            return lambda: fn(ctx, values)
    if not isinstance(op, Trigger):
        raise DefinitionError(f"{where}: step {step!r} applies only to triggers")
    if step == "parse_delivery":
        parse = op.parse_delivery
        if parse is None or request is None:
            raise DefinitionError(f"{where} cannot parse deliveries (no parse_delivery or no request)")
        return lambda: parse(ctx, request)
    fn2 = {"subscribe": op.subscribe, "unsubscribe": op.unsubscribe, "list_samples": op.list_samples}[step]
    if fn2 is None:
        if step == "list_samples" and op.perform is not None:
            fn2 = op.perform
        else:
            raise DefinitionError(f"{where} has no {step} function")
    bound = fn2
    return lambda: bound(ctx, values)


def _parse_deliveries(app: App, op: Operation, ctx: Context, requests: list[HookRequest]) -> Callable[[], Any]:
    """The work of a ``parse_deliveries`` step: the trigger's own batch parse, or ``parse_delivery`` for each."""
    where = f"{app.key}.{op.qualified_key}"
    if not isinstance(op, Trigger) or (op.parse_deliveries is None and op.parse_delivery is None):
        raise DefinitionError(f"{where} cannot parse deliveries (no parse_delivery)")
    batch, single = op.parse_deliveries, op.parse_delivery

    def each() -> list[Any]:
        assert single is not None
        parsed: list[Any] = []
        for request in requests:
            try:
                parsed.append(single(ctx, request))
            except Throttled:  # the vendor asks to wait: the next delivery would only meet it again
                raise
            except ConnectorError as exc:  # this delivery's problem: the others go on
                parsed.append(exc)
            except Exception as exc:  # a definition that crashes on one body (not JSON) fails that delivery
                crashed = CodeCrashed(f"parse_delivery raised {type(exc).__name__}: {exc}")
                crashed.__cause__ = exc
                parsed.append(crashed)
        return parsed

    def together() -> list[Any]:
        assert batch is not None
        parsed = batch(ctx, requests)
        if not isinstance(parsed, list) or len(parsed) != len(requests):
            raise ResultError(f"{where}.parse_deliveries must return one entry per delivery ({len(requests)})")
        return parsed

    return together if batch is not None else each


def _parsed(op: Operation, entry: Any, *, strict: bool) -> ParsedDelivery:
    """One delivery's entry of a batch parse, checked like a ``parse_delivery`` result."""
    if isinstance(entry, ConnectorError):
        return ParsedDelivery(error=entry)
    if isinstance(entry, Exception):
        crashed = CodeCrashed(f"parse_deliveries gave {type(entry).__name__}: {entry}")
        crashed.__cause__ = entry
        return ParsedDelivery(error=crashed)
    try:
        items, identities = checked(op, entry, step="parse_delivery", strict=strict)
    except ConnectorError as exc:
        return ParsedDelivery(error=exc)
    return ParsedDelivery(items=items, identities=identities or [])


def search_or_create(app: App, op: SearchOrCreate, ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    """Run the app's search with its share of ``values``; when it finds nothing, run the create.

    Each half gets only its own fields, validated as if it ran alone, and its result is checked by the
    same rules; the output is the first match or the created record, with ``found_or_created`` saying
    which. Both halves share the step's HTTP client, so the trace shows the search and the create.
    """
    search, create = app.operation(op.search), app.operation(op.create)
    if not isinstance(search, Search) or not isinstance(create, Action) or search.perform is None \
            or create.perform is None:
        raise DefinitionError(f"{app.key}.{op.qualified_key} must pair a search and an action with perform functions")
    found = check_result(search, search.perform(ctx, _own_values(search, values)))
    if found:
        return {**found[0], "found_or_created": "found"}
    created = check_result(create, create.perform(ctx, _own_values(create, values)))
    return {**created, "found_or_created": "created"}


def _own_values(op: Operation, values: Mapping[str, Any]) -> dict[str, Any]:
    keys = {f.key for f in op.input_fields}
    return validate_input(op.input_fields, {k: v for k, v in values.items() if k in keys})


def _run_with_time_limit(work: Callable[[], Any], limit: float, label: str) -> Any:
    """Run ``work`` on a kept worker thread and give up waiting after ``limit`` seconds.

    The HTTP client already refuses to start requests or sleep past the deadline; the thread is the
    backstop for code that blocks elsewhere. A job that overruns is abandoned, not killed
    (:mod:`connector.workers`).
    """
    return WORKERS.run(work, limit, label)


def _base_url(app: App, connection: Connection) -> str:
    if connection.base_url:
        return connection.base_url
    if app.auth.base_url is not None:
        return app.auth.base_url(connection.fields)
    return ""


def _auth_for(app: App, connection: Connection) -> httpx.Auth | None:
    if connection.auth is not None:
        return connection.auth
    if app.auth.handler is not None and connection.fields:
        return app.auth.handler(connection.fields)
    return None


def _secret_values(app: App, connection: Connection) -> list[str]:
    secret_keys = app.auth.secret_field_keys()
    return [str(v) for k, v in connection.fields.items() if k in secret_keys and v]


__all__ = [
    "BadInput", "ConnectorError", "Invocation", "ParsedDelivery", "Step", "check_result", "invoke",
    "item_identities", "item_identity",
]
