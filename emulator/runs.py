"""Execute a run: the flow's steps in order, each error deciding what happens next.

A run is one trigger item going through the flow's steps. Each step renders its mapping against
``{"trigger": item, "steps": {key: output}}`` and invokes its action with a stable idempotency key
(``<run>:<step>``), so running a step again never creates twice where the API honours the key.

The reaction to each error branch (see :mod:`connector.errors`):

================  ===========================================================================
BadInput          step failed; no retry (the mapping or the data must change); message kept
Halted            run halted quietly
Throttled         waiting_retry after the delay the service asked for; does not use up MAX_ATTEMPTS
ExpiredAuth       run failed and the flow paused: "reconnect <connection>"
other retriable   waiting_retry, ``RETRY_BASE_SECONDS * 2**n``, failed after MAX_ATTEMPTS tries
anything else     failed; can be replayed by hand
================  ===========================================================================

Steps that succeeded are never run again: a retry or replay starts at the first unfinished step and
feeds the stored outputs of earlier steps to the mapping.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connector.context import Meta
from connector.errors import BadInput, ExpiredAuth, Halted
from emulator.invoking import Invoker, error_dict, next_try
from emulator.steps import StepCaller
from emulator.store import Store
from emulator.store import runs as runs_table

log = logging.getLogger(__name__)

#: Runs in these states may be executed (again).
RUNNABLE = ("pending", "waiting_retry")
#: Runs in these states may be replayed by hand.
REPLAYABLE = ("failed", "halted", "waiting_retry")
#: What :meth:`RunExecutor.execute` reports when its lease expired and another executor took the run over.
LEASE_LOST = "running"


@dataclass
class StepOutcome:
    status: str
    output: Any = None
    next_retry_at: float | None = None
    error: dict[str, Any] | None = None
    throttled: int = 0


class RunExecutor:
    """Executes and replays runs against the store."""

    def __init__(self, store: Store, invoker: Invoker, steps: StepCaller | None = None) -> None:
        self.store = store
        self.invoker = invoker
        self.settings = invoker.settings
        self.steps = steps or StepCaller(invoker)

    def execute(self, run_id: str, now: float | None = None) -> str:
        """Run the unfinished steps of a pending or due run; returns the run's new status.

        A run another executor holds (or one that is finished) is left alone; a running run whose
        lease expired (its executor died or could not record the outcome) is taken over and resumes
        at its first unfinished step.
        """
        now = self.settings.clock() if now is None else now
        if not self.store.claim_run(run_id, RUNNABLE, now, self.settings.run_lease_seconds):
            run = self.store.get_run(run_id)
            return run["status"] if run else "missing"
        return self._run_claimed(run_id, now)

    def execute_many(self, run_ids: Sequence[str], now: float | None = None) -> dict[str, str]:
        """:meth:`execute` for a batch of runs, with the platform's own bookkeeping shared.

        The runs are claimed in one statement, and their rows, flows and earlier step results are
        read in three queries, not three per run. The outcomes of runs with nothing left to do are
        recorded together, before the next step call starts. Returns each run's new status, as
        :meth:`execute` would.
        """
        now = self.settings.clock() if now is None else now
        claimed = self.store.claim_runs(run_ids, RUNNABLE, now, self.settings.run_lease_seconds)
        statuses: dict[str, str] = {}
        finishes = _Finishes(self.store, statuses)
        flows: dict[str, Any] = {}
        done = self.store.step_results_of_runs([run["id"] for run in claimed])
        order = {run_id: position for position, run_id in enumerate(run_ids)}
        try:
            for run in sorted(claimed, key=lambda row: order[row["id"]]):
                try:
                    if run["flow_id"] not in flows:
                        flows[run["flow_id"]] = self.store.get_flow(run["flow_id"])
                    status = self._run_claimed(
                        run["id"], now, run=run, flow=flows[run["flow_id"]], done=done.get(run["id"], []),
                        finishes=finishes,
                    )
                except Exception:  # one run's failure must not strand the rest of the batch
                    log.exception("executing run %s failed", run["id"])
                    status = "error"
                statuses.setdefault(run["id"], status)
        finally:
            finishes.record()
        won = {run["id"] for run in claimed}
        others = [run_id for run_id in run_ids if run_id not in won]
        found = self.store.run_statuses(others)
        statuses.update({run_id: found.get(run_id, "missing") for run_id in others})
        return statuses

    def _run_claimed(
        self,
        run_id: str,
        now: float,
        *,
        run: Mapping[str, Any] | None = None,
        flow: Mapping[str, Any] | None = None,
        done: Sequence[Mapping[str, Any]] | None = None,
        finishes: _Finishes | None = None,
    ) -> str:
        """Execute a run this process holds the lease of, keeping the lease alive before each step.

        ``run``, ``flow`` and ``done`` (its step results) are read here unless the caller read them
        for a batch; with ``finishes`` the outcome is recorded with the batch's (the run's status is
        then what it will be once recorded).
        """
        if run is None:
            run = self.store.get_run(run_id)
            assert run is not None
            flow = self.store.get_flow(run["flow_id"])
            done = self.store.step_results_for(run_id)
        lease = self.settings.run_lease_seconds
        lease_until = now + lease
        finish = finishes.add if finishes is not None else self._finish
        if flow is None:
            return finish(run_id, "failed", now, {"type": "FlowDeleted", "message": "the flow was deleted"})
        results = {r["index"]: r for r in done or ()}
        context: dict[str, Any] = {"trigger": run["item"], "steps": {}}
        for index, step in enumerate(flow["steps"]):
            previous = results.get(index)
            if previous and previous["status"] == "succeeded" and previous["step_key"] == step["key"]:
                context["steps"][step["key"]] = previous["output"]
                continue
            if finishes is not None:
                finishes.record()
            # No other executor can take a run over before its lease ends: renew once half of it is gone.
            if lease_until - self.settings.clock() < lease / 2:
                lease_until = self.settings.clock() + lease
                if not self.store.renew_claim(run_id, lease_until):
                    return LEASE_LOST
            outcome = self._run_step(run, flow, index, step, context, previous, now)
            if outcome.status == "succeeded":
                context["steps"][step["key"]] = outcome.output
                continue
            if outcome.status == "waiting_retry":
                values = {"status": "waiting_retry", "next_retry_at": outcome.next_retry_at, "error": outcome.error}
                return "waiting_retry" if self.store.update_claimed_run(run_id, values) else LEASE_LOST
            return finish(run_id, outcome.status, now, outcome.error)
        return finish(run_id, "succeeded", now, None)

    def replay(self, run_id: str, now: float | None = None) -> str:
        """Run a failed, halted or waiting run's unfinished steps again now, never its trigger.

        The run is claimed with one conditional UPDATE, so of several replays sent at once (or a replay
        racing the scheduler's retry) exactly one runs the steps; the others are refused. The automatic
        retry budget starts over: a replay is the user saying "try again".

        Raises:
            KeyError: no such run.
            BadInput: the run is not failed, halted or waiting (running, pending, succeeded, ...).
        """
        now = self.settings.clock() if now is None else now
        run = self.store.get_run(run_id)
        if run is None:
            raise KeyError(run_id)
        claimed = self.store.claim_run(
            run_id, REPLAYABLE, now, self.settings.run_lease_seconds,
            values={"finished": None, "error": None, "replays": runs_table.c.replays + 1},
        )
        if not claimed:
            current = self.store.get_run(run_id) or run
            status = current["status"]
            hint = {
                "running": "; it is being executed right now, wait for it to finish",
                "pending": "; it is queued and will run shortly",
            }.get(status, "")
            raise BadInput(
                f"run {run_id} is {status}; only failed, halted or waiting runs can be replayed{hint}", "status"
            )
        for result in self.store.step_results_for(run_id):
            if result["status"] != "succeeded":
                self.store.save_step_result(
                    run_id, result["index"], {"attempts": 0, "throttled": 0, "status": "pending"}
                )
        return self._run_claimed(run_id, now)

    def _finish(self, run_id: str, status: str, now: float, error: dict[str, Any] | None) -> str:
        values = {"status": status, "finished": now, "next_retry_at": None, "error": error}
        return status if self.store.update_claimed_run(run_id, values) else LEASE_LOST

    def _run_step(
        self,
        run: Mapping[str, Any],
        flow: Mapping[str, Any],
        index: int,
        step: Mapping[str, Any],
        context: Mapping[str, Any],
        previous: Mapping[str, Any] | None,
        now: float,
    ) -> StepOutcome:
        attempts = (previous["attempts"] if previous else 0) + 1
        if previous and previous["status"] == "running" and attempts > self.settings.max_attempts:
            # Every try so far was cut off without an outcome (the process died, the store could not
            # record it): a step that takes its executor down must not be started forever.
            error = {
                "type": "Interrupted", "retriable": False, "attempts": attempts - 1,
                "message": f"the step was interrupted {attempts - 1} times without finishing (gave up); "
                           "check the emulator's log, then replay the run",
            }
            self.store.save_step_result(run["id"], index, {"status": "failed", "error": error, "finished": now})
            return StepOutcome("failed", error=error)
        record: dict[str, Any] = {
            "step_key": step["key"], "status": "running", "attempts": attempts, "started": now,
            "next_retry_at": None, "error": None,
        }
        self.store.save_step_result(run["id"], index, record)
        meta = Meta(idempotency_key=f"{run['id']}:{step['key']}", flow_id=flow["id"])
        call = self.steps.call(flow, index, step, context, meta)
        if call.exception is not None:
            outcome = self._react(call.exception, attempts, (previous or {}).get("throttled") or 0, flow, step, now)
            self.store.save_step_result(run["id"], index, {
                "status": outcome.status, "throttled": outcome.throttled, "input": call.input,
                "error": call.scrubbed(outcome.error), "trace": call.trace,
                "next_retry_at": outcome.next_retry_at, "finished": now, "duration_ms": call.duration_ms,
            })
            return outcome
        self.store.save_step_result(run["id"], index, {
            "status": "succeeded", "input": call.input, "output": call.shown_output, "trace": call.trace,
            "duration_ms": call.duration_ms, "finished": self.settings.clock(),
        })
        return StepOutcome("succeeded", output=call.output)

    def _react(
        self, exc: Exception, attempts: int, throttled: int, flow: Mapping[str, Any], step: Mapping[str, Any],
        now: float,
    ) -> StepOutcome:
        error = error_dict(exc)
        error["attempts"] = attempts
        if isinstance(exc, BadInput):
            return StepOutcome("failed", error=error)
        if isinstance(exc, Halted):
            return StepOutcome("halted", error=error)
        if isinstance(exc, ExpiredAuth):
            connection = step.get("connection_id") or step["app"]
            self.store.update_flow(
                flow["id"], {"state": "paused", "paused_reason": f"reconnect {connection}"}, now
            )
            return StepOutcome("failed", error=error)
        plan = next_try(self.settings, exc, attempts, throttled)
        if plan.delay is not None:
            error["retry_in_seconds"] = plan.delay
            return StepOutcome("waiting_retry", next_retry_at=now + plan.delay, error=error, throttled=plan.throttled)
        if plan.gave_up:
            error["message"] = f"{error['message']} ({plan.gave_up})"
        return StepOutcome("failed", error=error, throttled=plan.throttled)


class _Finishes:
    """Outcomes of a batch's runs, recorded together in one transaction before the next step call starts.

    Runs with nothing left to do (no steps, or every step done before) finish in one statement; no
    run's outcome waits for another run's step.
    """

    def __init__(self, store: Store, statuses: dict[str, str]) -> None:
        self.store = store
        self.statuses = statuses
        self.waiting: dict[str, dict[str, Any]] = {}

    def add(self, run_id: str, status: str, now: float, error: dict[str, Any] | None) -> str:
        self.waiting[run_id] = {"status": status, "finished": now, "next_retry_at": None, "error": error}
        self.statuses[run_id] = status
        return status

    def record(self) -> None:
        """Write the waiting outcomes; a run whose lease was lost meanwhile reports :data:`LEASE_LOST`."""
        if not self.waiting:
            return
        waiting, self.waiting = self.waiting, {}
        kept = self.store.finish_claimed_runs(waiting)
        for run_id in waiting:
            if run_id not in kept:
                self.statuses[run_id] = LEASE_LOST
