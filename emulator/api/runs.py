"""``/api/runs``: run history with filters and paging, run detail, and replay."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from connector.errors import BadInput
from emulator.api.errors import ApiError, not_found
from emulator.api.shapes import run_shape, step_result_shape
from emulator.rows import RUN_STATUSES

bp = Blueprint("api_runs", __name__, url_prefix="/api/runs")

MAX_PAGE = 200


def _emulator() -> Any:
    return current_app.extensions["emulator"]


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within bounds; 422 naming it otherwise."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(422, f"must be a whole number, got {raw!r}", name) from exc
    if not low <= value <= high:
        raise ApiError(422, f"must be between {low} and {high}, got {value}", name)
    return value


def _detail(run_id: str) -> dict[str, Any]:
    em = _emulator()
    run = em.store.get_run(run_id)
    if run is None:
        raise not_found("run", run_id)
    shape = run_shape(run)
    shape["item"] = run["item"]
    shape["steps"] = [step_result_shape(r) for r in em.store.step_results_for(run_id)]
    return shape


@bp.get("")
def list_runs() -> Any:
    em = _emulator()
    status = request.args.get("status")  # present but empty is a mistake, not "any status"
    if status is not None and status not in RUN_STATUSES:
        raise ApiError(422, f"unknown status {status!r}; use one of {', '.join(RUN_STATUSES)}", "status")
    flow_id = request.args.get("flow") or None
    if flow_id is not None and em.store.get_flow(flow_id) is None:
        raise not_found("flow", flow_id)
    limit = int_arg("limit", 50, 1, MAX_PAGE)
    offset = int_arg("offset", 0, 0, 10**9)
    rows, total = em.store.list_runs(flow_id=flow_id, status=status, limit=limit, offset=offset)
    return jsonify({"runs": [run_shape(r) for r in rows], "total": total, "limit": limit, "offset": offset})


@bp.get("/<run_id>")
def get_run(run_id: str) -> Any:
    return jsonify(_detail(run_id))


@bp.post("/<run_id>/replay")
def replay(run_id: str) -> Any:
    em = _emulator()
    if em.store.get_run(run_id) is None:
        raise not_found("run", run_id)
    try:
        em.runner.replay_run(run_id)
    except BadInput as exc:
        raise ApiError(409, exc.problems[0].message if exc.problems else exc.message, "status") from exc
    return jsonify(_detail(run_id))
