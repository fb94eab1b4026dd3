"""Trials: "Test trigger", "Test step" and the mapping preview, run before a flow is turned on.

Trials call steps through the same :class:`emulator.steps.StepCaller` as real runs, but never touch the
dedupe record and never create runs, so testing a flow cannot make it skip or repeat an item later.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from connector.context import Meta
from connector.definitions import Trigger
from connector.errors import BadInput
from connector.mapping import MappingPreview
from emulator.invoking import Invoker, error_dict, error_trace
from emulator.steps import StepCaller


def _context_for(steps: list[Mapping[str, Any]], upto: int, sample: Any, invoker: Invoker) -> dict[str, Any]:
    """Mapping context for step ``upto``: the trigger sample and earlier steps' sample outputs."""
    outputs: dict[str, Any] = {}
    for step in steps[:upto]:
        try:
            _app, op = invoker.operation(step["app"], step["operation"])
            outputs[step["key"]] = dict(op.sample)
        except BadInput:
            outputs[step["key"]] = {}
    return {"trigger": sample, "steps": outputs}


class Trials:
    """Runs trial calls for flows (stored or described inline)."""

    def __init__(self, invoker: Invoker, steps: StepCaller | None = None) -> None:
        self.invoker = invoker
        self.steps = steps or StepCaller(invoker)

    def test_trigger(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        """The newest few items (hook triggers: their samples), without touching the dedupe record.

        ``flow`` is a stored flow row (``trigger_app``... columns).
        """
        app, trigger = self.invoker.trigger(flow)
        connection = self.invoker.connection(flow["trigger_connection_id"], app.key, "trigger.connection_id")
        limit = self.invoker.settings.trial_limit
        meta = Meta(trial=True, limit=limit, flow_id=flow.get("id"))
        try:
            result = self.invoker.invoke(app, trigger, connection, flow["trigger_input"], meta, trace=True)
        except Exception as exc:
            return {"samples": [], "trace": error_trace(exc), "error": error_dict(exc)}
        samples = list(result.output)[:limit]
        return {"samples": samples, "trace": result.trace, "error": None}

    def default_sample(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        """The trigger's declared sample, used when the user has not tested the trigger yet."""
        _app, trigger = self.invoker.trigger(flow)
        return dict(trigger.sample) if isinstance(trigger, Trigger) else {}

    def test_step(self, flow: Mapping[str, Any], index: int, sample: Any) -> dict[str, Any]:
        """Render step ``index``'s mapping against ``sample`` and run the step once.

        Returns ``{input, output, trace, error}``; a mapping problem is an error with no HTTP call.
        """
        steps = list(flow["steps"])
        if not 0 <= index < len(steps):
            raise IndexError(index)
        step = steps[index]
        context = _context_for(steps, index, sample, self.invoker)
        meta = Meta(trial=True, idempotency_key=f"trial-{uuid.uuid4().hex}:{step['key']}", flow_id=flow.get("id"))
        call = self.steps.call(flow, index, step, context, meta)
        return {"input": call.input, "output": call.shown_output, "trace": call.trace, "error": call.error}

    def preview_mapping(self, flow: Mapping[str, Any], sample: Any) -> list[MappingPreview]:
        """What each step would receive for ``sample``, with problems per field; never calls out."""
        steps = list(flow["steps"])
        previews: list[MappingPreview] = []
        for index, step in enumerate(steps):
            try:
                _app, _op, mapping = self.steps.compiled(flow, index, step)
            except BadInput as exc:
                previews.append(MappingPreview({}, list(exc.problems)))
                continue
            previews.append(mapping.preview(_context_for(steps, index, sample, self.invoker)))
        return previews
