"""The emulator's rows, typed: flows, runs, step results and hook deliveries as the store returns them.

Each is a ``TypedDict`` over the table's columns, with its status a ``Literal``, so a misspelt key or
status is a type error instead of a run that silently never matches. They are TypedDicts rather than
dataclasses because every consumer (the runner, the JSON API's shapes, the UI, the scaled jobs) reads
them as mappings today and the store hands them straight to JSON; ``docs/decisions.md`` says why and
what would change the choice.

The status tuples are derived from the ``Literal`` types, so the API's filters and the types cannot
drift apart.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, get_args

FlowState = Literal["off", "on", "paused"]
RunStatus = Literal["pending", "running", "succeeded", "failed", "halted", "held", "waiting_retry", "discarded"]
StepStatus = Literal["pending", "running", "succeeded", "failed", "halted", "waiting_retry"]
DeliveryStatus = Literal["received", "waiting_retry", "processed", "failed"]

FLOW_STATES: tuple[FlowState, ...] = get_args(FlowState)
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
STEP_STATUSES: tuple[StepStatus, ...] = get_args(StepStatus)
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)
#: Deliveries in these states are still to be parsed into runs.
OPEN_DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = ("received", "waiting_retry")


class FlowRow(TypedDict):
    """A flow: a trigger and its mapped steps, with its state and its poll or hook bookkeeping."""

    id: str
    name: str
    trigger_app: str
    trigger_operation: str
    trigger_input: dict[str, Any]
    trigger_connection_id: str | None
    steps: list[dict[str, Any]]
    state: FlowState
    paused_reason: str | None
    interval_seconds: float
    cursor: str | None
    subscription: dict[str, Any] | None
    next_poll_at: float | None
    last_poll_error: dict[str, Any] | None
    created: float
    updated: float


class RunRow(TypedDict):
    """One trigger item on its way through the flow's steps."""

    id: str
    flow_id: str
    item_id: str | None
    item: Any
    status: RunStatus
    seq: int
    created: float
    finished: float | None
    next_retry_at: float | None
    replays: int
    error: dict[str, Any] | None
    claimed_by: str | None
    claimed_until: float | None


class StepRow(TypedDict):
    """The result of one step of a run: its input, output, trace and tries."""

    run_id: str
    index: int
    step_key: str
    status: StepStatus
    input: dict[str, Any] | None
    output: Any
    trace: list[dict[str, Any]] | None
    error: dict[str, Any] | None
    attempts: int
    throttled: int | None
    next_retry_at: float | None
    duration_ms: float | None
    started: float | None
    finished: float | None


class DeliveryRow(TypedDict):
    """A hook delivery as received (credential headers already removed), and how its parsing went."""

    id: str
    flow_id: str
    received_at: float
    method: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    status: DeliveryStatus
    items: int | None
    error: dict[str, Any] | None
    attempts: int | None
    throttled: int | None
    next_attempt_at: float | None
    claimed_until: float | None
