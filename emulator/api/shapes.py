"""The JSON shapes the API answers with: flows, runs, step results, deliveries and the app catalogue.

Secrets never leave through these: trigger inputs and step mappings of secret fields are masked, a
hook subscription's values under secret field names (the kit's :data:`connector.definitions.WIRE_SECRET_FIELD_NAMES`
and the trigger app's own secret auth fields) are masked, and stored deliveries were saved without their
credential headers. Traces were redacted by the kit when recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from connector.definitions import WIRE_SECRET_FIELD_NAMES, App, Field, Operation, SearchOrCreate, Trigger
from connector.mapping import MappingPreview
from connector.templates import sample_tokens
from emulator.invoking import Invoker

MASK = "[redacted]"


def iso(value: float | None) -> str | None:
    """Epoch seconds as an ISO 8601 UTC timestamp."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")


def mask_secret_names(value: Any, names: frozenset[str]) -> Any:
    """Mask every plain value under a key in ``names`` (compared in lower case), at any depth."""
    if isinstance(value, Mapping):
        return {
            k: MASK if str(k).lower() in names and not isinstance(v, Mapping | list) else mask_secret_names(v, names)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secret_names(v, names) for v in value]
    return value


def subscription_secret_names(invoker: Invoker, app_key: str) -> frozenset[str]:
    """The names a hook subscription of ``app_key`` keeps secrets under: the kit's and the app's own."""
    app = invoker.apps.get(app_key)
    own = app.auth.secret_field_keys() if app is not None else frozenset()
    return frozenset(name.lower() for name in WIRE_SECRET_FIELD_NAMES | own)


def _mask_fields(values: Mapping[str, Any], fields: Sequence[Field]) -> dict[str, Any]:
    secret = {f.key for f in fields if f.is_secret}
    return {k: (MASK if k in secret and v not in (None, "") else v) for k, v in values.items()}


def _op_fields(invoker: Invoker, app_key: str, op_key: str) -> tuple[Field, ...]:
    try:
        return invoker.operation(app_key, op_key)[1].input_fields
    except Exception:  # an uninstalled app still shows its flows
        return ()


def flow_shape(
    flow: Mapping[str, Any], invoker: Invoker, *, held: int | None = None, failed_deliveries: int | None = None
) -> dict[str, Any]:
    kind = None
    app_hook = False
    try:
        trigger = invoker.trigger(flow)[1]
        kind, app_hook = trigger.kind, trigger.app_hook is not None
    except Exception:
        kind = None
    steps = [
        {**step, "mapping": _mask_fields(step.get("mapping") or {}, _op_fields(invoker, s_app, s_op))}
        for step in flow["steps"]
        for s_app, s_op in [(step["app"], step["operation"])]
    ]
    shape: dict[str, Any] = {
        "id": flow["id"],
        "name": flow["name"],
        "state": flow["state"],
        "paused_reason": flow["paused_reason"],
        "trigger": {
            "app": flow["trigger_app"],
            "operation": flow["trigger_operation"],
            "kind": kind,
            "input": _mask_fields(
                flow["trigger_input"] or {}, _op_fields(invoker, flow["trigger_app"], flow["trigger_operation"])
            ),
            "connection_id": flow["trigger_connection_id"],
        },
        "steps": steps,
        "interval_seconds": flow["interval_seconds"],
        "cursor": flow["cursor"],
        "subscribed": bool(flow["subscription"]),
        "subscription": (
            mask_secret_names(flow["subscription"], subscription_secret_names(invoker, flow["trigger_app"]))
            if flow["subscription"] else None
        ),
        # An app-level hook (HighLevel) receives on one URL per app, set once in the app's settings.
        "hook_url": (invoker.settings.app_hook_url(flow["trigger_app"]) if app_hook
                     else invoker.settings.hook_url(flow["id"]) if kind == "hook" else None),
        "next_poll_at": iso(flow["next_poll_at"]),
        "last_error": flow["last_poll_error"],
        "created": iso(flow["created"]),
        "updated": iso(flow["updated"]),
    }
    if held is not None:
        shape["held_runs"] = held
    if failed_deliveries is not None:
        shape["failed_deliveries"] = failed_deliveries
    return shape


def run_shape(run: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": run["id"],
        "flow_id": run["flow_id"],
        "item_id": run["item_id"],
        "status": run["status"],
        "created": iso(run["created"]),
        "finished": iso(run["finished"]),
        "next_retry_at": iso(run["next_retry_at"]),
        "replays": run["replays"],
        "error": run["error"],
    }


def step_result_shape(result: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "index": result["index"],
        "key": result["step_key"],
        "status": result["status"],
        "input": result["input"],
        "output": result["output"],
        "trace": result["trace"] or [],
        "error": result["error"],
        "attempts": result["attempts"],
        "next_retry_at": iso(result["next_retry_at"]),
        "duration_ms": result["duration_ms"],
        "started": iso(result["started"]),
        "finished": iso(result["finished"]),
    }


def delivery_shape(delivery: Mapping[str, Any], body_limit: int = 4000) -> dict[str, Any]:
    body = bytes(delivery["body"])
    return {
        "id": delivery["id"],
        "flow_id": delivery["flow_id"],
        "received_at": iso(delivery["received_at"]),
        "method": delivery["method"],
        "headers": delivery["headers"],
        "size": len(body),
        "body": body[:body_limit].decode("utf-8", "replace"),
        "status": delivery["status"],
        "items": delivery["items"],
        "error": delivery["error"],
        "attempts": delivery.get("attempts") or 0,
        "next_attempt_at": iso(delivery.get("next_attempt_at")),
    }


def preview_shape(
    flow: Mapping[str, Any], sample: Any, previews: Sequence[MappingPreview], invoker: Invoker
) -> dict[str, Any]:
    """Per step: the values the mapping makes from ``sample`` and the problems per field.

    Secret-typed fields are masked, in the values and in the problems' offending values.
    """
    steps = []
    for step, p in zip(flow["steps"], previews, strict=True):
        fields = _op_fields(invoker, step["app"], step["operation"])
        steps.append({"key": step["key"], **masked_preview(p, fields)})
    return {"sample": sample, "steps": steps}


def masked_preview(preview: MappingPreview, fields: Sequence[Field]) -> dict[str, Any]:
    """A mapping preview as JSON, secret-typed fields masked in the values and the problems' values."""
    secret = {f.key for f in fields if f.is_secret}
    return {
        "values": _mask_fields(preview.values, fields),
        "ok": preview.ok,
        "problems": [
            {"field": pr.field, "message": pr.message,
             "value": MASK if pr.field.split(".")[0].split("[")[0] in secret else jsonable(pr.value)}
            for pr in preview.problems
        ],
    }


def jsonable(value: Any) -> Any:
    """A value JSON can carry: itself when it can, else its text."""
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def field_shape(f: Field) -> dict[str, Any]:
    choices: Any = f.choices
    if choices is not None and not isinstance(choices, Mapping):
        choices = list(choices)
    return {
        "key": f.key,
        "label": f.display_label,
        "type": f.type,
        "required": f.required,
        "default": None if f.is_secret else f.default,
        "help_text": f.help_text,
        "placeholder": f.placeholder,
        "choices": dict(choices) if isinstance(choices, Mapping) else choices,
        "dynamic": (
            {"operation": f.dynamic.operation, "value": f.dynamic.value, "label": f.dynamic.label}
            if f.dynamic else None
        ),
        "children": [field_shape(c) for c in f.children],
        "item_type": f.item_type,
        "secret": f.is_secret,
        "nullable": f.nullable,
    }


def operation_shape(op: Operation) -> dict[str, Any]:
    sample = dict(op.sample)
    shape: dict[str, Any] = {
        "key": op.key,
        "type": op.kind_name,
        "noun": op.noun,
        "label": op.label,
        "description": op.description,
        "hidden": op.hidden,
        "area": op.area,
        "important": op.important,
        "input_fields": [field_shape(f) for f in op.input_fields],
        "output_fields": [field_shape(f) for f in op.output_fields],
        "sample": sample,
        "sample_tokens": [{"token": t, "value": v} for t, v in sample_tokens(sample)],
    }
    if isinstance(op, Trigger):
        shape["kind"] = op.kind
        shape["primary_keys"] = list(op.primary_keys)
    else:
        shape["semantics"] = getattr(op, "semantics", None)
    if isinstance(op, SearchOrCreate):
        shape["search"], shape["create"] = op.search, op.create
    return shape


def app_shape(app: App) -> dict[str, Any]:
    return {
        "key": app.key,
        "name": app.name,
        "version": app.version,
        "description": app.description,
        "homepage": app.homepage,
        "auth": {"type": app.auth.type, "fields": [field_shape(f) for f in app.auth.fields]},
        "triggers": [operation_shape(op) for op in app.triggers],
        "actions": [operation_shape(op) for op in app.actions],
        "searches": [operation_shape(op) for op in app.searches],
        "search_or_creates": [operation_shape(op) for op in app.search_or_creates],
    }
