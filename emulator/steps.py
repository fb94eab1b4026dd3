"""One step of a flow, called one way: compile the mapping, render it, resolve the connection, invoke, mask.

Runs (:mod:`emulator.runs`), trials (:mod:`emulator.trials`) and scaled workers (which execute runs
through the same runner) all call a step through :class:`StepCaller`, so what a "Test step" shows is what
a run would do, and the hot path does each piece of work once:

- the mapping is compiled once per flow version: a bounded cache keyed by the mapping's content;
- the rendered input is validated by the mapping and handed to the runtime as checked, not validated
  again;
- the connection is resolved through the invoker, whose resolver caches it per connection version
  (:class:`emulator.connections.ConnectionGateway`);
- the step's secret values are worked out once and used for the masked input, the output and the trace.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from connector.context import Meta
from connector.definitions import App, Operation
from connector.mapping import FieldMapping
from emulator.invoking import Invoker, error_dict, error_trace, masked_input, scrub, secret_values

#: Compiled mappings kept (one per distinct step mapping); the least recently used is dropped beyond this.
MAPPING_CACHE_SIZE = 1024


@dataclass
class StepCall:
    """What one call of a step produced.

    ``input``, ``shown_output``, ``trace`` and ``error`` are as run history and trials show them (secret
    inputs masked or scrubbed); ``output`` is the raw output later steps map from; ``exception`` is the
    failure to react to (None on success). ``secrets`` stays in this process: it is what was scrubbed.
    """

    input: dict[str, Any] | None = None
    output: Any = None
    shown_output: Any = None
    trace: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    exception: Exception | None = None
    duration_ms: float = 0.0
    secrets: list[str] = field(default_factory=list, repr=False)

    def scrubbed(self, value: Any) -> Any:
        """``value`` with this step's secret values masked (an error dict built after the call)."""
        return scrub(value, self.secrets)


class StepCaller:
    """Calls flow steps for runs and trials; holds the compiled-mapping cache."""

    def __init__(self, invoker: Invoker, cache_size: int = MAPPING_CACHE_SIZE) -> None:
        self.invoker = invoker
        self.cache_size = cache_size
        self._mappings: OrderedDict[tuple[Any, ...], tuple[App, Operation, FieldMapping]] = OrderedDict()
        self._lock = Lock()

    def compiled(
        self, flow: Mapping[str, Any], index: int, step: Mapping[str, Any]
    ) -> tuple[App, Operation, FieldMapping]:
        """The step's app, operation and compiled mapping, compiled once per distinct mapping.

        The cache is keyed by the mapping's content (its JSON, keys sorted), not by the flow's id and
        version: an edit made within the clock's resolution, or an unsaved flow tried from the editor,
        can never meet a stale compilation.

        Raises:
            BadInput: unknown app or operation, or a mapping that names no input or does not parse.
        """
        templates = step.get("mapping") or {}
        key = (step["app"], step["operation"], json.dumps(templates, sort_keys=True, default=str))
        with self._lock:
            hit = self._mappings.get(key)
            if hit is not None:
                self._mappings.move_to_end(key)
                return hit
        app, op = self.invoker.operation(step["app"], step["operation"], f"steps[{index}].operation")
        compiled = (app, op, FieldMapping(op.input_fields, templates))
        with self._lock:
            self._mappings[key] = compiled
            while len(self._mappings) > self.cache_size:
                self._mappings.popitem(last=False)
        return compiled

    def call(
        self, flow: Mapping[str, Any], index: int, step: Mapping[str, Any], context: Mapping[str, Any], meta: Meta
    ) -> StepCall:
        """Render step ``index``'s mapping against ``context`` and invoke it once; never raises.

        A mapping problem, a missing connection and every failure of the call come back as
        ``exception`` with the error and trace masked; nothing is called when the input cannot be made.
        """
        rendered: dict[str, Any] | None = None
        op: Operation | None = None
        started = time.perf_counter()
        try:
            app, op, mapping = self.compiled(flow, index, step)
            rendered = mapping.render(context)
            connection = self.invoker.connection(step.get("connection_id"), app.key, f"steps[{index}].connection_id")
            result = self.invoker.invoke(app, op, connection, rendered, meta, trace=True, input_checked=True)
        except Exception as exc:  # every failure becomes a recorded outcome, never a crashed worker
            secrets = secret_values(op, rendered) if op is not None else []
            return StepCall(
                input=masked_input(op, rendered) if op is not None else None,
                trace=scrub(error_trace(exc), secrets), error=scrub(error_dict(exc), secrets), exception=exc,
                duration_ms=(time.perf_counter() - started) * 1000, secrets=secrets,
            )
        # Run history is shown to users: secret-typed inputs never reach it, even inside the trace.
        secrets = secret_values(op, result.input)
        return StepCall(
            input=masked_input(op, result.input), output=result.output, shown_output=scrub(result.output, secrets),
            trace=scrub(result.trace, secrets), duration_ms=result.duration_ms, secrets=secrets,
        )
