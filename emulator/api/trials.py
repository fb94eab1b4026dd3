"""``/api/trials``: test a trigger or a step, and preview mappings, for a flow that is not saved yet.

The body describes the flow inline (``{"trigger": {...}, "steps": [...], "sample": {...}}``); the
answers are the same as the per-flow trial endpoints under ``/api/flows/<id>``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from emulator.api.errors import ApiError, json_object
from emulator.api.shapes import preview_shape
from emulator.flow_spec import draft_flow

bp = Blueprint("api_trials", __name__, url_prefix="/api/trials")


def _draft() -> tuple[Any, dict[str, Any], Any]:
    em = current_app.extensions["emulator"]
    body = json_object()
    sample = body.pop("sample", None)
    if sample is not None and not isinstance(sample, dict):
        raise ApiError(422, "must be an object (one trigger item)", "sample")
    flow = draft_flow(em.invoker.apps, body)
    return em, flow, sample if sample is not None else em.trials.default_sample(flow)


@bp.post("/trigger")
def test_trigger() -> Any:
    em, flow, _sample = _draft()
    return jsonify(em.trials.test_trigger(flow))


@bp.post("/steps/<int:index>/test")
def test_step(index: int) -> Any:
    em, flow, sample = _draft()
    if index >= len(flow["steps"]):
        raise ApiError(404, f"the flow has {len(flow['steps'])} steps; step {index} does not exist", "index")
    return jsonify(em.trials.test_step(flow, index, sample))


@bp.post("/preview")
def preview() -> Any:
    em, flow, sample = _draft()
    return jsonify(preview_shape(flow, sample, em.trials.preview_mapping(flow, sample), em.invoker))
