"""``/api/flows``: create, read, change and delete flows; turn them on and off; trials; held runs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from connector.errors import BadInput
from emulator.api.errors import ApiError, json_body, json_object
from emulator.api.runs import MAX_PAGE, int_arg
from emulator.api.shapes import delivery_shape, flow_shape, preview_shape
from emulator.flow_spec import check_flow
from emulator.rows import DELIVERY_STATUSES

bp = Blueprint("api_flows", __name__, url_prefix="/api/flows")


def _emulator() -> Any:
    return current_app.extensions["emulator"]


def _shape(flow: dict[str, Any]) -> dict[str, Any]:
    em = _emulator()
    shape = flow_shape(
        flow, em.invoker, held=len(em.store.run_ids(flow["id"], "held")),
        failed_deliveries=em.store.count_deliveries(flow["id"], "failed"),
    )
    shape["failed_runs"] = len(em.store.run_ids(flow["id"], "failed"))
    notice = em.notices.status(flow["id"])
    shape["notify_url"] = notice["url"] if notice else None
    shape["notice"] = notice
    return shape


def _notify_url(body: Any) -> tuple[Any, str | None, bool]:
    """The body without ``notify_url``, the URL, and whether the body gave one (null removes it)."""
    if not isinstance(body, dict) or "notify_url" not in body:
        return body, None, False
    body = dict(body)
    url = body.pop("notify_url")
    if url is not None and not isinstance(url, str):
        raise ApiError(422, "must be a URL (text) or null", "notify_url")
    return body, (url or "").strip() or None, True


def _sample(body: dict[str, Any], flow: dict[str, Any]) -> Any:
    """The trigger sample a trial maps from: the body's ``sample`` or the trigger's declared one."""
    if "sample" in body:
        if not isinstance(body["sample"], dict):
            raise ApiError(422, "must be an object (one trigger item)", "sample")
        return body["sample"]
    return _emulator().trials.default_sample(flow)


@bp.get("")
def list_flows() -> Any:
    return jsonify({"flows": [_shape(f) for f in _emulator().store.list_flows()]})


@bp.post("")
def create_flow() -> Any:
    em = _emulator()
    body, notify_url, _given = _notify_url(json_body())
    columns = check_flow(em.invoker.apps, body)
    if notify_url:
        em.notices.check_url(notify_url)  # refuse before anything is stored
    flow = em.store.create_flow(columns, em.clock())
    if notify_url:
        em.notices.set_url(flow["id"], notify_url, em.clock())
    return jsonify(_shape(flow)), 201


@bp.get("/<flow_id>")
def get_flow(flow_id: str) -> Any:
    return jsonify(_shape(_emulator().runner.flow(flow_id)))


@bp.patch("/<flow_id>")
def update_flow(flow_id: str) -> Any:
    em = _emulator()
    flow = em.runner.flow(flow_id)
    body, notify_url, given = _notify_url(json_body())
    columns = check_flow(em.invoker.apps, body, existing=flow)
    if notify_url:
        em.notices.check_url(notify_url)
    trigger_changed = any(k.startswith("trigger_") and columns[k] != flow[k] for k in columns)
    if trigger_changed and flow["state"] != "off":
        raise ApiError(409, "turn the flow off before changing its trigger", "trigger")
    if "interval_seconds" in columns and flow["state"] == "on" and flow["next_poll_at"] is not None:
        columns["next_poll_at"] = min(flow["next_poll_at"], em.clock() + columns["interval_seconds"])
    em.store.update_flow(flow_id, columns, em.clock())
    current = em.notices.status(flow_id)
    if given and (current["url"] if current else None) != notify_url:
        em.notices.set_url(flow_id, notify_url, em.clock())
    return jsonify(_shape(em.runner.flow(flow_id)))


@bp.delete("/<flow_id>")
def delete_flow(flow_id: str) -> Any:
    em = _emulator()
    flow = em.runner.flow(flow_id)
    if flow["state"] != "off":
        em.runner.turn_off(flow_id)
    em.store.delete_flow(flow_id)
    em.notices.forget(flow_id)
    return jsonify({"deleted": flow_id})


@bp.post("/<flow_id>/on")
def turn_on(flow_id: str) -> Any:
    return jsonify(_shape(_emulator().runner.turn_on(flow_id)))


@bp.post("/<flow_id>/off")
def turn_off(flow_id: str) -> Any:
    return jsonify(_shape(_emulator().runner.turn_off(flow_id)))


@bp.post("/<flow_id>/poll")
def poll_now(flow_id: str) -> Any:
    em = _emulator()
    flow = em.runner.flow(flow_id)
    if flow["state"] != "on":
        raise ApiError(409, f"the flow is {flow['state']}; turn it on before polling", "state")
    result = em.runner.poll_flow(flow_id)
    return jsonify({"runs": result.run_ids, "held": result.held, "seen": result.seen})


@bp.post("/<flow_id>/test-trigger")
def test_trigger(flow_id: str) -> Any:
    em = _emulator()
    return jsonify(em.trials.test_trigger(em.runner.flow(flow_id)))


@bp.post("/<flow_id>/steps/<int:index>/test")
def test_step(flow_id: str, index: int) -> Any:
    em = _emulator()
    flow = em.runner.flow(flow_id)
    if index >= len(flow["steps"]):
        raise ApiError(404, f"the flow has {len(flow['steps'])} steps; step {index} does not exist", "index")
    sample = _sample(json_object(required=False), flow)
    return jsonify(em.trials.test_step(flow, index, sample))


@bp.post("/<flow_id>/preview")
def preview(flow_id: str) -> Any:
    em = _emulator()
    flow = em.runner.flow(flow_id)
    sample = _sample(json_object(required=False), flow)
    return jsonify(preview_shape(flow, sample, em.trials.preview_mapping(flow, sample), em.invoker))


@bp.post("/<flow_id>/held/release")
def release_held(flow_id: str) -> Any:
    em = _emulator()
    count = em.runner.release_held(flow_id)
    em.scheduler.wake()
    return jsonify({"released": count})


@bp.post("/<flow_id>/held/discard")
def discard_held(flow_id: str) -> Any:
    return jsonify({"discarded": _emulator().runner.discard_held(flow_id)})


@bp.get("/<flow_id>/deliveries")
def list_deliveries(flow_id: str) -> Any:
    """Newest first, pageable, filtered by status: a failed delivery is never out of sight."""
    em = _emulator()
    em.runner.flow(flow_id)
    status = request.args.get("status") or None
    if status is not None and status not in DELIVERY_STATUSES:
        raise ApiError(422, f"unknown status {status!r}; use one of {', '.join(DELIVERY_STATUSES)}", "status")
    limit = int_arg("limit", 50, 1, MAX_PAGE)
    offset = int_arg("offset", 0, 0, 10**9)
    rows = em.store.list_deliveries(flow_id, limit, status=status, offset=offset)
    return jsonify({
        "deliveries": [delivery_shape(d) for d in rows], "total": em.store.count_deliveries(flow_id, status),
        "limit": limit, "offset": offset,
    })



@bp.post("/<flow_id>/deliveries/<delivery_id>/replay")
def replay_delivery(flow_id: str, delivery_id: str) -> Any:
    """A delivery that finally failed (the vendor kept failing, a poison body) is processed again."""
    em = _emulator()
    em.runner.flow(flow_id)
    delivery = em.store.get_delivery(delivery_id)
    if delivery is None or delivery["flow_id"] != flow_id:
        raise ApiError(404, f"flow {flow_id} has no delivery {delivery_id!r}; list them at "
                            f"/api/flows/{flow_id}/deliveries", "delivery_id")
    try:
        em.runner.replay_delivery(delivery_id)
    except BadInput as exc:
        raise ApiError(409, exc.problems[0].message if exc.problems else exc.message, "status") from exc
    em.scheduler.wake()
    replayed = em.store.get_delivery(delivery_id)
    return jsonify(delivery_shape(replayed or delivery))
