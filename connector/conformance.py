"""The checks a marketplace runs on every operation, generated for any app in one line.

In a connector's tests::

    from connector.conformance import conformance_suite
    TestOktaConformance = conformance_suite(APP)

plus a ``conformance_setup`` fixture returning a :class:`ConformanceSetup` (a working connection, a
connection with bad credentials, a valid input per operation, and how to count live hooks). Every
check runs through :func:`connector.runtime.invoke`, the same path as production.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import jsonschema
import pytest

from connector.context import Connection, Meta
from connector.definitions import Action, App, Operation, Trigger
from connector.errors import BadInput, ConnectorError
from connector.runtime import invoke, item_identity
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


def conformance_suite(app: App) -> type:
    """A pytest test class with the standard marketplace checks for every operation of ``app``."""
    operations = {op.key: op for op in app.operations}
    required_ops = [k for k, op in operations.items() if any(f.required for f in op.input_fields)]
    poll_triggers = [t.key for t in app.triggers if t.kind == "poll"]
    hook_triggers = [t.key for t in app.triggers if t.kind == "hook" and not t.static_hook]
    repeatable = [a.key for a in app.actions if a.semantics == "upsert" or a.idempotent]

    def _params(keys: list[str]) -> Iterator[Any]:
        yield from (pytest.param(k, id=k) for k in keys)

    class ConformanceChecks:
        """Generated checks; each reads like a marketplace reviewer's rule."""

        @pytest.mark.parametrize("key", list(_params(list(operations))))
        def test_sample_matches_the_output_schema(self, key: str) -> None:
            op = operations[key]
            problems = _schema_errors(op, op.sample)
            assert not problems, f"{app.key}.{key} sample breaks its output schema at {'; '.join(problems)}"

        @pytest.mark.parametrize("key", list(_params(list(operations))))
        def test_sample_matches_what_the_operation_returns(self, key: str, conformance_setup: ConformanceSetup) -> None:
            op = operations[key]
            if isinstance(op, Trigger) and op.kind == "hook" and op.list_samples is None and op.perform is None:
                pytest.skip("hook trigger without list_samples")
            if key not in conformance_setup.inputs and any(f.required for f in op.input_fields):
                pytest.skip("no valid input given for this operation")
            values = copy.deepcopy(dict(conformance_setup.inputs.get(key, {})))
            # Lenient here, so the check below lists every field that breaks the schema, not only the first.
            result = invoke(
                app, op, conformance_setup.connection, values, Meta(trial=True), sleep=_no_sleep, strict=False
            )
            item = _first_item(result.output)
            if item is None:
                pytest.skip("the operation returned nothing to compare")
            problems = _schema_errors(op, item)
            assert not problems, f"{app.key}.{key} output breaks its schema at {'; '.join(problems)}"
            missing = sorted(set(op.sample) - set(item))
            assert missing == [], f"{app.key}.{key} sample has keys the real output lacks: {missing}"

        @pytest.mark.parametrize("key", list(_params(required_ops)))
        def test_invalid_input_makes_no_http_call(self, key: str, conformance_setup: ConformanceSetup) -> None:
            connection, counter = _counted(conformance_setup.connection)
            with pytest.raises(BadInput) as caught:
                invoke(app, key, connection, {}, sleep=_no_sleep)
            required = {f.key for f in operations[key].input_fields if f.required}
            assert {p.field for p in caught.value.problems} & required
            assert counter.requests == []

        def test_bad_credentials_fail_the_connection_test(self, conformance_setup: ConformanceSetup) -> None:
            first = app.operations[0]
            assert invoke(app, first, conformance_setup.connection, step="test", sleep=_no_sleep).output
            with pytest.raises(ConnectorError):
                invoke(app, first, conformance_setup.bad_connection, step="test", sleep=_no_sleep, retry=None)

        @pytest.mark.parametrize("key", list(_params(poll_triggers)))
        def test_polling_twice_returns_nothing_new_the_second_time(
            self, key: str, conformance_setup: ConformanceSetup
        ) -> None:
            trigger = operations[key]
            assert isinstance(trigger, Trigger)
            if conformance_setup.make_new_item is not None:
                conformance_setup.make_new_item(key)
            values = dict(conformance_setup.inputs.get(key, {}))
            first = invoke(app, key, conformance_setup.connection, values, Meta(first_poll=True), sleep=_no_sleep)
            seen = {item_identity(trigger, item) for item in first.output}
            second = invoke(app, key, conformance_setup.connection, values, Meta(cursor=first.cursor), sleep=_no_sleep)
            new = [item for item in second.output if item_identity(trigger, item) not in seen]
            assert new == [], f"{app.key}.{key} fired {len(new)} item(s) again with nothing changed"

        @pytest.mark.parametrize("key", list(_params(hook_triggers)))
        def test_subscribe_then_unsubscribe_leaves_no_hook_behind(
            self, key: str, conformance_setup: ConformanceSetup
        ) -> None:
            if conformance_setup.hooks is None:
                pytest.skip("no way to count hooks given")
            before = conformance_setup.hooks()
            values = dict(conformance_setup.inputs.get(key, {}))
            meta = Meta(target_url=conformance_setup.target_url, flow_id="conformance")
            subscription = invoke(app, key, conformance_setup.connection, values, meta, step="subscribe").output
            assert conformance_setup.hooks() == before + 1
            invoke(app, key, conformance_setup.connection, values, Meta(subscription=subscription), step="unsubscribe")
            assert conformance_setup.hooks() == before

        @pytest.mark.parametrize("key", list(_params(repeatable)))
        def test_running_twice_with_the_same_input_leaves_one_record(
            self, key: str, conformance_setup: ConformanceSetup
        ) -> None:
            if key not in conformance_setup.inputs:
                pytest.skip("no valid input given for this operation")
            action = operations[key]
            assert isinstance(action, Action)
            values = dict(conformance_setup.inputs[key])
            meta = Meta(idempotency_key=f"conformance:{key}")
            first = invoke(app, key, conformance_setup.connection, copy.deepcopy(values), meta, sleep=_no_sleep).output
            second = invoke(app, key, conformance_setup.connection, copy.deepcopy(values), meta, sleep=_no_sleep).output
            assert first.get("id") is not None and first.get("id") == second.get("id"), (
                f"{app.key}.{key} made a second record on a repeated run: {first.get('id')} vs {second.get('id')}"
            )

    # A check with nothing to check (no hook triggers, no replay-safe actions...) is left out, not skipped.
    for name, keys in (
        ("test_invalid_input_makes_no_http_call", required_ops),
        ("test_polling_twice_returns_nothing_new_the_second_time", poll_triggers),
        ("test_subscribe_then_unsubscribe_leaves_no_hook_behind", hook_triggers),
        ("test_running_twice_with_the_same_input_leaves_one_record", repeatable),
    ):
        if not keys:
            delattr(ConformanceChecks, name)
    ConformanceChecks.__name__ = f"Test{app.name.replace(' ', '')}Conformance"
    ConformanceChecks.__qualname__ = ConformanceChecks.__name__
    return ConformanceChecks
