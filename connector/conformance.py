"""The checks a marketplace runs on every operation, generated for any app in one line.

In a connector's tests::

    from connector.conformance import conformance_suite
    TestOktaConformance = conformance_suite(APP)

plus a ``conformance_setup`` fixture returning a :class:`ConformanceSetup` (a working connection, a
connection with bad credentials, a valid input per operation, and how to count live hooks). Every
check runs through :func:`connector.runtime.invoke`, the same path as production.

Each check is a named unit (:class:`ConformanceCheck`: its rule, the operations it applies to, the
check itself), indexed in :data:`CONFORMANCE_CHECKS`; :func:`conformance_suite` turns the index into
one pytest test per check, as singer-sdk's test classes are assembled by a factory:

    ====================================================  =================================================
    sample_matches_the_output_schema                      every operation's sample fits its output schema
    sample_matches_what_the_operation_returns             the real output fits the schema and has the
                                                          sample's keys
    invalid_input_makes_no_http_call                      missing required input fails before any request
    bad_credentials_fail_the_connection_test              the connection test refuses a wrong credential
    polling_twice_returns_nothing_new_the_second_time     a second poll with nothing changed fires nothing
    subscribe_then_unsubscribe_leaves_no_hook_behind      turning a hook trigger off removes its hook
    running_twice_with_the_same_input_leaves_one_record   a replay-safe action does not create twice
    ====================================================  =================================================
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import jsonschema
import pytest

from connector.context import Connection, Meta
from connector.definitions import Action, App, Operation, Trigger
from connector.errors import BadInput, ConnectorError
from connector.result_checks import item_identity
from connector.runtime import invoke
from connector.schema import output_schema


class CountingTransport(httpx.BaseTransport):
    """Counts requests on their way to the real transport, so a check can prove none were made."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        return self.inner.handle_request(request)


@dataclass
class ConformanceSetup:
    """What the suite needs from the connector author, usually built from the sandbox fixtures.

    Attributes:
        connection: a working connection (with an in-process ``transport``).
        bad_connection: the same account with a wrong credential.
        inputs: a valid input per operation key; operations without one are skipped where input matters.
        hooks: returns how many hooks/webhooks are live at the vendor (for subscribe/unsubscribe checks).
        target_url: the URL hook triggers subscribe in the checks.
        make_new_item: creates one new item for a poll trigger key (so "nothing new" is meaningful).
    """

    connection: Connection
    bad_connection: Connection
    inputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    hooks: Callable[[], int] | None = None
    target_url: str = "http://127.0.0.1:9/hooks/conformance"
    make_new_item: Callable[[str], None] | None = None


def _counted(connection: Connection) -> tuple[Connection, CountingTransport]:
    if connection.transport is None:
        raise pytest.UsageError("conformance connections need an in-process transport (sandbox.transport())")
    counter = CountingTransport(connection.transport)
    return replace(connection, transport=counter), counter


def _no_sleep(_seconds: float) -> None:
    return None


def _schema_errors(op: Operation, item: Mapping[str, Any]) -> list[str]:
    schema = output_schema(op.output_fields, op.primary_keys if isinstance(op, Trigger) else ())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(item)'}: {e.message}" for e in validator.iter_errors(item)]


def _first_item(output: Any) -> Mapping[str, Any] | None:
    if isinstance(output, list):
        return output[0] if output else None
    return output if isinstance(output, Mapping) else None


@dataclass(frozen=True)
class ConformanceCheck:
    """One marketplace rule, checked for each operation it applies to (or once per app).

    Attributes:
        name: the test's name without ``test_``.
        rule: the rule in one sentence (the generated test's docstring).
        operations: the keys of ``app``'s operations it applies to; None: it runs once per app.
        check: ``(app, operation key or None, setup or None)``; fails with an assertion naming the
            operation, or skips when the setup gives it nothing to check with.
        needs_setup: whether it needs the author's ``conformance_setup`` fixture.
        runs_the_operation: whether it runs the operation against the vendor, so needs records and input
            the setup makes (an operation the author runs in a test of its own is left out of these).
    """

    name: str
    rule: str
    operations: Callable[[App], list[str]] | None
    check: Callable[[App, str | None, ConformanceSetup | None], None]
    needs_setup: bool = True
    runs_the_operation: bool = False


def _operation(app: App, key: str | None) -> Operation:
    assert key is not None
    return app.operation(key)


def _setup(setup: ConformanceSetup | None) -> ConformanceSetup:
    assert setup is not None, "this check needs the conformance_setup fixture"
    return setup


def check_sample_matches_the_output_schema(app: App, key: str | None, setup: ConformanceSetup | None) -> None:
    op = _operation(app, key)
    problems = _schema_errors(op, op.sample)
    assert not problems, f"{app.key}.{key} sample breaks its output schema at {'; '.join(problems)}"


def check_sample_matches_what_the_operation_returns(
    app: App, key: str | None, setup: ConformanceSetup | None
) -> None:
    op, given = _operation(app, key), _setup(setup)
    if isinstance(op, Trigger) and op.kind == "hook" and op.list_samples is None and op.perform is None:
        pytest.skip("hook trigger without list_samples")
    if op.key not in given.inputs and any(f.required for f in op.input_fields):
        pytest.skip("no valid input given for this operation")
    values = copy.deepcopy(dict(given.inputs.get(op.key, {})))
    # Lenient here, so the check below lists every field that breaks the schema, not only the first.
    result = invoke(app, op, given.connection, values, Meta(trial=True), sleep=_no_sleep, strict=False)
    item = _first_item(result.output)
    if item is None:
        pytest.skip("the operation returned nothing to compare")
    problems = _schema_errors(op, item)
    assert not problems, f"{app.key}.{key} output breaks its schema at {'; '.join(problems)}"
    missing = sorted(set(op.sample) - set(item))
    assert missing == [], f"{app.key}.{key} sample has keys the real output lacks: {missing}"


def check_invalid_input_makes_no_http_call(app: App, key: str | None, setup: ConformanceSetup | None) -> None:
    op = _operation(app, key)
    connection, counter = _counted(_setup(setup).connection)
    with pytest.raises(BadInput) as caught:
        invoke(app, op.key, connection, {}, sleep=_no_sleep)
    required = {f.key for f in op.input_fields if f.required}
    assert {p.field for p in caught.value.problems} & required, f"{app.key}.{key} did not name a required field"
    assert counter.requests == [], f"{app.key}.{key} called the API with invalid input: {counter.requests}"


def check_bad_credentials_fail_the_connection_test(app: App, key: str | None, setup: ConformanceSetup | None) -> None:
    given, first = _setup(setup), app.operations[0]
    assert invoke(app, first, given.connection, step="test", sleep=_no_sleep).output
    with pytest.raises(ConnectorError):
        invoke(app, first, given.bad_connection, step="test", sleep=_no_sleep, retry=None)


def check_polling_twice_returns_nothing_new_the_second_time(
    app: App, key: str | None, setup: ConformanceSetup | None
) -> None:
    trigger, given = _operation(app, key), _setup(setup)
    assert isinstance(trigger, Trigger)
    if given.make_new_item is not None:
        given.make_new_item(trigger.key)
    values = dict(given.inputs.get(trigger.key, {}))
    first = invoke(app, trigger.key, given.connection, values, Meta(first_poll=True), sleep=_no_sleep)
    seen = {item_identity(trigger, item) for item in first.output}
    second = invoke(app, trigger.key, given.connection, values, Meta(cursor=first.cursor), sleep=_no_sleep)
    new = [item for item in second.output if item_identity(trigger, item) not in seen]
    assert new == [], f"{app.key}.{key} fired {len(new)} item(s) again with nothing changed"


def check_subscribe_then_unsubscribe_leaves_no_hook_behind(
    app: App, key: str | None, setup: ConformanceSetup | None
) -> None:
    op, given = _operation(app, key), _setup(setup)
    if given.hooks is None:
        pytest.skip("no way to count hooks given")
    before = given.hooks()
    values = dict(given.inputs.get(op.key, {}))
    meta = Meta(target_url=given.target_url, flow_id="conformance")
    subscription = invoke(app, op.key, given.connection, values, meta, step="subscribe").output
    assert given.hooks() == before + 1, f"{app.key}.{key} subscribe left {given.hooks() - before} hooks, not 1"
    invoke(app, op.key, given.connection, values, Meta(subscription=subscription), step="unsubscribe")
    assert given.hooks() == before, f"{app.key}.{key} unsubscribe left its hook behind"


def check_running_twice_with_the_same_input_leaves_one_record(
    app: App, key: str | None, setup: ConformanceSetup | None
) -> None:
    action, given = _operation(app, key), _setup(setup)
    assert isinstance(action, Action)
    if action.key not in given.inputs:
        pytest.skip("no valid input given for this operation")
    values = dict(given.inputs[action.key])
    meta = Meta(idempotency_key=f"conformance:{action.key}")
    first = invoke(app, action.key, given.connection, copy.deepcopy(values), meta, sleep=_no_sleep).output
    second = invoke(app, action.key, given.connection, copy.deepcopy(values), meta, sleep=_no_sleep).output
    assert first.get("id") is not None and first.get("id") == second.get("id"), (
        f"{app.key}.{key} made a second record on a repeated run: {first.get('id')} vs {second.get('id')}"
    )


def _every_operation(app: App) -> list[str]:
    return [op.key for op in app.operations]


def _with_required_input(app: App) -> list[str]:
    return [op.key for op in app.operations if any(f.required for f in op.input_fields)]


def _poll_triggers(app: App) -> list[str]:
    return [t.key for t in app.triggers if t.kind == "poll"]


def _hook_triggers(app: App) -> list[str]:
    return [t.key for t in app.triggers if t.kind == "hook" and not t.static_hook]


def _replay_safe_actions(app: App) -> list[str]:
    return [a.key for a in app.actions if a.semantics == "upsert" or a.idempotent]


CONFORMANCE_CHECKS: tuple[ConformanceCheck, ...] = (
    ConformanceCheck("sample_matches_the_output_schema", "Every operation's sample fits its output schema.",
                     _every_operation, check_sample_matches_the_output_schema, needs_setup=False),
    ConformanceCheck("sample_matches_what_the_operation_returns",
                     "What the operation really returns fits its schema and has every key of its sample.",
                     _every_operation, check_sample_matches_what_the_operation_returns, runs_the_operation=True),
    ConformanceCheck("invalid_input_makes_no_http_call",
                     "Missing required input fails naming the field, before any request is sent.",
                     _with_required_input, check_invalid_input_makes_no_http_call),
    ConformanceCheck("bad_credentials_fail_the_connection_test",
                     "The connection test passes with the working credential and fails with a wrong one.",
                     None, check_bad_credentials_fail_the_connection_test),
    ConformanceCheck("polling_twice_returns_nothing_new_the_second_time",
                     "A second poll with nothing changed at the vendor fires nothing.",
                     _poll_triggers, check_polling_twice_returns_nothing_new_the_second_time,
                     runs_the_operation=True),
    ConformanceCheck("subscribe_then_unsubscribe_leaves_no_hook_behind",
                     "Subscribing adds one hook at the vendor and unsubscribing removes it.",
                     _hook_triggers, check_subscribe_then_unsubscribe_leaves_no_hook_behind,
                     runs_the_operation=True),
    ConformanceCheck("running_twice_with_the_same_input_leaves_one_record",
                     "A replay-safe action run twice with the same input leaves one record.",
                     _replay_safe_actions, check_running_twice_with_the_same_input_leaves_one_record,
                     runs_the_operation=True),
)
#: The checks by name, for docs and tests.
CONFORMANCE_CHECKS_BY_NAME: dict[str, ConformanceCheck] = {check.name: check for check in CONFORMANCE_CHECKS}


def _test_method(app: App, check: ConformanceCheck, run_elsewhere: Collection[str]) -> Callable[..., None] | None:
    """One pytest test for ``check``: parametrized by operation key, or once; None when nothing applies."""
    if check.operations is None:
        def once(self: object, conformance_setup: ConformanceSetup) -> None:
            check.check(app, None, conformance_setup)

        test: Callable[..., None] = once
    else:
        keys = check.operations(app)
        if check.runs_the_operation:
            keys = [key for key in keys if key not in run_elsewhere]
        if not keys:
            return None  # a check with nothing to check (no hook triggers...) is left out, not skipped
        if check.needs_setup:
            def per_operation(self: object, key: str, conformance_setup: ConformanceSetup) -> None:
                check.check(app, key, conformance_setup)

            test = per_operation
        else:
            def per_operation_alone(self: object, key: str) -> None:
                check.check(app, key, None)

            test = per_operation_alone
        test = pytest.mark.parametrize("key", [pytest.param(k, id=k) for k in keys])(test)
    test.__name__ = test.__qualname__ = f"test_{check.name}"
    test.__doc__ = check.rule
    return test


def conformance_suite(app: App, *, run_elsewhere: Collection[str] = ()) -> type:
    """A pytest test class with one test per :data:`CONFORMANCE_CHECKS` check that applies to ``app``.

    Args:
        app: the app under test.
        run_elsewhere: keys of operations the author runs against the vendor in tests of their own (records
            they need made first, say): the checks that run an operation leave them out instead of
            skipping them one by one; the checks that need no run still cover them.
    """
    unknown = sorted(set(run_elsewhere) - {op.key for op in app.operations})
    if unknown:
        raise ValueError(f"run_elsewhere names operations {app.key} does not have: {', '.join(unknown)}")
    methods = {f"test_{check.name}": _test_method(app, check, run_elsewhere) for check in CONFORMANCE_CHECKS}
    name = f"Test{app.name.replace(' ', '')}Conformance"
    suite = type(name, (), {
        "__doc__": "Generated checks; each reads like a marketplace reviewer's rule.",
        **{key: method for key, method in methods.items() if method is not None},
    })
    suite.__qualname__ = name
    return suite
