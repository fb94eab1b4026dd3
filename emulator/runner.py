"""Flow lifecycle, polling and hook processing: the platform behaviour the emulator reproduces.

- Turning a poll flow on runs one poll that records the ids it sees and fires nothing.
- Later polls fire only unseen ids, oldest first. The new runs, the seen ids and the new cursor are
  committed in one transaction, so a crash between fetch and commit repeats nothing and drops
  nothing (the next poll fetches the same items again from the old cursor).
- More than ``flood_limit`` new items in one poll are all held until the user releases or discards
  them.
- Turning a flow off clears its dedupe record; hook flows unsubscribe.
- Hook flows subscribe with ``<PUBLIC_URL>/hooks/<flow id>`` and keep what subscribe returned.
  Stored deliveries are parsed into items, deduplicated on the item identity through the same
  dedupe table, and become runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from connector.context import HookRequest, Meta
from connector.definitions import App, Trigger
from connector.errors import BadInput, ConnectorError, ExpiredAuth, Throttled
from connector.http import RetryPolicy
from connector.runtime import ParsedDelivery
from emulator.invoking import Invoker, error_dict, next_try
from emulator.rows import OPEN_DELIVERY_STATUSES, FlowRow
from emulator.runs import RunExecutor
from emulator.seeding import SEED_BATCH, SeedRecorder
from emulator.store import Store

log = logging.getLogger(__name__)


class _StoreWriteFailed(Exception):
    """A store write that did not go through: worth trying again (a full disk may be freed)."""

    retriable = True

#: How a turn-on's first poll retries each request: a 429 after the wait the vendor asks for (up to a
#: minute, Okta's window), up to five times; a dropped connection after 1, 2, 4, 8, 16 s. A 5xx still
#: fails the turn-on at once: the user is watching and turns it on again.
SEED_RETRY = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=65.0, retry_statuses=frozenset({429}))


class FlowNotFound(LookupError):
    """No flow with that id."""


@dataclass
class PollResult:
    """What one poll did: the runs it created (oldest item first) and whether they were held."""

    run_ids: list[str] = field(default_factory=list)
    held: bool = False
    seen: int = 0


class Runner:
    """Turns flows on and off, polls them, ingests deliveries and executes runs.

    One lock serialises lifecycle changes and polls of the same process, so the scheduler thread and
    an API request never poll the same flow at once. Run execution is protected separately by the
    store's claim (a run is executed by whoever moves it to ``running`` first).
    """

    def __init__(self, store: Store, invoker: Invoker) -> None:
        self.store = store
        self.invoker = invoker
        self.settings = invoker.settings
        self.executor = RunExecutor(store, invoker)
        self._lock = threading.RLock()
        #: Flows in the middle of subscribing: their hook URL must already answer handshakes.
        self.subscribing: set[str] = set()
        #: Until when a flow's vendor asked to be left alone while its deliveries were processed.
        self._throttled_until: dict[str, float] = {}

    # --- helpers -------------------------------------------------------------------------------

    def _now(self, now: float | None) -> float:
        return self.settings.clock() if now is None else now

    def flow(self, flow_id: str) -> FlowRow:
        flow = self.store.get_flow(flow_id)
        if flow is None:
            raise FlowNotFound(flow_id)
        return flow

    def _trigger_call(self, flow: Mapping[str, Any]) -> tuple[App, Trigger, Any]:
        app, trigger = self.invoker.trigger(flow)
        connection = self.invoker.connection(flow["trigger_connection_id"], app.key, "trigger.connection_id")
        return app, trigger, connection

    # --- lifecycle -----------------------------------------------------------------------------

    def turn_on(self, flow_id: str, now: float | None = None) -> FlowRow:
        """Start a flow: seed its dedupe record (poll) or subscribe its hook; resume a paused flow.

        Raises:
            ConnectorError: the seeding poll or the subscription failed; the flow stays off.
        """
        now = self._now(now)
        with self._lock:
            flow = self.flow(flow_id)
            if flow["state"] == "on":
                return flow
            if flow["state"] == "paused" and not self.store.dedupe.seed_unfinished(flow_id):
                # Resume: the dedupe record and subscription are intact, so nothing is seeded again.
                _app, trigger = self.invoker.trigger(flow)
                next_poll = now if trigger.kind == "poll" else None
                self.store.update_flow(
                    flow_id, {"state": "on", "paused_reason": None, "next_poll_at": next_poll}, now
                )
                return self.flow(flow_id)
            app, trigger, connection = self._trigger_call(flow)
            if trigger.kind == "hook":
                self._subscribe(flow, app, trigger, connection, now)
            else:
                self._seed(flow, app, trigger, connection, now)
            return self.flow(flow_id)

    def _seed(self, flow: Mapping[str, Any], app: App, trigger: Trigger, connection: Any, now: float) -> None:
        """Run the flow's first poll, recording every id it sees without firing any.

        The ids go into the dedupe record in batches while the pages are read (:mod:`emulator.seeding`
        says how, and why a crash mid-walk cannot leave a record that is used). The last ids, the
        cursor and ``state = on`` commit in one transaction, which is what makes the record usable.

        Pacing: a big org's listing can need more requests than the vendor's rate limit allows in one
        window (Okta: 600 a minute for ``/api/v1/users`` by default, less on small plans), so the walk
        must wait for the next window, and Okta's waits run up to a minute. A later poll is one or two
        calls, where the 30 s step limit and a single attempt (a 429 becomes a visible retry in run
        history) are right; a turn-on is one walk that fires nothing and that the user is watching,
        so it gets ``seed_time_limit`` (15 minutes by default) and retries every 429 after the delay
        the vendor asks for (:data:`SEED_RETRY`). Why not split the walk over scheduler ticks instead:
        resuming needs the listing's position and the log's starting time kept durably per trigger,
        and Okta's ``after`` cursors are not promised to outlive a pause; a walk that waits holds no
        database lock (its ids are written in short batches) and its record is unusable until the
        last commit, so a crash mid-walk costs a new walk, never a wrong record. Known cost: the
        runner's lock is held for the whole walk, so while a paced turn-on waits, other flows' polls
        wait too (hook deliveries are still stored and acknowledged).
        """
        flow_id = flow["id"]
        with SeedRecorder(self.store, flow_id, SEED_BATCH) as record_seen:
            result = self.invoker.invoke(
                app, trigger, connection, flow["trigger_input"], Meta(first_poll=True, flow_id=flow_id),
                seen_sink=record_seen, time_limit=self.settings.seed_time_limit, retry=SEED_RETRY,
            )
            record_seen.wait()  # before the transaction: the writer's last batch needs the write lock
            with self.store.begin() as conn:
                record_seen.finish(conn, result.identities or [])
                self.store.update_flow(flow_id, {
                    "state": "on", "paused_reason": None, "cursor": result.cursor, "last_poll_error": None,
                    "next_poll_at": now + flow["interval_seconds"],
                }, now, conn)

    def _subscribe(self, flow: Mapping[str, Any], app: App, trigger: Trigger, connection: Any, now: float) -> None:
        subscription: dict[str, Any] = {}
        if not trigger.static_hook:
            meta = Meta(target_url=self.settings.hook_url(flow["id"]), flow_id=flow["id"])
            self.subscribing.add(flow["id"])
            try:
                result = self.invoker.invoke(app, trigger, connection, flow["trigger_input"], meta, step="subscribe")
            finally:
                self.subscribing.discard(flow["id"])
            subscription = result.output
        with self.store.begin() as conn:
            self.store.dedupe.clear(flow["id"], conn)
            self.store.update_flow(flow["id"], {
                "state": "on", "paused_reason": None, "subscription": subscription, "next_poll_at": None,
            }, now, conn)

    def renew_subscription(self, flow_id: str, now: float | None = None) -> FlowRow:
        """Subscribe an "on" hook flow again, keeping its dedupe record.

        For vendors that forget hooks (a sandbox started afresh); a real vendor keeps them, so callers
        decide when this applies. Events already seen still fire only once.
        """
        now = self._now(now)
        with self._lock:
            flow = self.flow(flow_id)
            app, trigger, connection = self._trigger_call(flow)
            if flow["state"] != "on" or trigger.kind != "hook" or trigger.static_hook:
                return flow
            meta = Meta(target_url=self.settings.hook_url(flow["id"]), flow_id=flow["id"])
            self.subscribing.add(flow["id"])
            try:
                result = self.invoker.invoke(app, trigger, connection, flow["trigger_input"], meta, step="subscribe")
            finally:
                self.subscribing.discard(flow["id"])
            self.store.update_flow(flow_id, {"subscription": result.output}, now)
            return self.flow(flow_id)

    def turn_off(self, flow_id: str, now: float | None = None) -> FlowRow:
        """Stop a flow: unsubscribe its hook, forget the ids it has seen, stop polling.

        An unsubscribe the vendor refuses does not keep the flow on (the user asked to stop it); the
        error is kept in ``last_poll_error`` so the UI can say the vendor may still send deliveries,
        which are then answered 410 Gone.
        """
        now = self._now(now)
        with self._lock:
            flow = self.flow(flow_id)
            problem: dict[str, Any] | None = None
            if flow["state"] != "off" and flow["subscription"]:
                try:
                    app, trigger, connection = self._trigger_call(flow)
                    if trigger.kind == "hook" and not trigger.static_hook:
                        meta = Meta(subscription=dict(flow["subscription"]), flow_id=flow_id,
                                    target_url=self.settings.hook_url(flow_id))
                        self.invoker.invoke(
                            app, trigger, connection, flow["trigger_input"], meta, step="unsubscribe"
                        )
                except ConnectorError as exc:
                    problem = {**exc.to_dict(), "during": "unsubscribe"}
            with self.store.begin() as conn:
                self.store.dedupe.forget(flow_id, conn)
                self.store.update_flow(flow_id, {
                    "state": "off", "paused_reason": None, "cursor": None, "subscription": None,
                    "next_poll_at": None, "last_poll_error": problem,
                }, now, conn)
            return self.flow(flow_id)

    def pause(self, flow_id: str, reason: str, now: float | None = None) -> None:
        self.store.update_flow(flow_id, {"state": "paused", "paused_reason": reason}, self._now(now))

    # --- polling -------------------------------------------------------------------------------

    def poll_flow(self, flow_id: str, now: float | None = None) -> PollResult:
        """Poll an "on" poll flow once and store runs for the items it has not seen.

        Raises:
            ConnectorError: the poll failed (also recorded on the flow; expired auth pauses it).
        """
        now = self._now(now)
        with self._lock:
            flow = self.flow(flow_id)
            if flow["state"] != "on":
                raise BadInput(f"flow {flow_id} is {flow['state']}; turn it on before polling", "state")
            try:
                app, trigger, connection = self._trigger_call(flow)
                if trigger.kind != "poll":
                    raise BadInput("hook flows receive deliveries; they are not polled", "trigger")
                result = self.invoker.invoke(
                    app, trigger, connection, flow["trigger_input"], Meta(cursor=flow["cursor"], flow_id=flow_id)
                )
                identities = result.identities or []
            except ConnectorError as exc:
                wait = float(flow["interval_seconds"])
                if isinstance(exc, Throttled):  # polling again before the vendor's reset only meets another 429
                    wait = max(wait, min(float(exc.delay), self.settings.max_retry_seconds))
                values: dict[str, Any] = {"last_poll_error": exc.to_dict(), "next_poll_at": now + wait}
                if isinstance(exc, ExpiredAuth):
                    values.update(state="paused", paused_reason=f"reconnect {flow['trigger_connection_id']}")
                self.store.update_flow(flow_id, values, now)
                raise
            by_id = dict(zip(identities, result.output, strict=True))
            with self.store.begin() as conn:
                current = self.store.get_flow(flow_id, conn)
                if current is None or current["state"] != "on":
                    return PollResult(seen=len(identities))  # turned off meanwhile: emit nothing
                new_ids = self.store.dedupe.filter_new(flow_id, identities, conn)
                oldest_first = [(i, by_id[i]) for i in reversed(new_ids)]
                held = len(oldest_first) > self.settings.flood_limit
                run_ids = self.store.insert_runs(flow_id, oldest_first, "held" if held else "pending", now, conn)
                self.store.update_flow(flow_id, {
                    "cursor": result.cursor if result.cursor is not None else flow["cursor"],
                    "last_poll_error": None, "next_poll_at": now + flow["interval_seconds"],
                }, now, conn)
            return PollResult(run_ids=run_ids, held=held, seen=len(identities))

    def release_held(self, flow_id: str, now: float | None = None) -> int:
        """Let held runs of a flow go ahead; returns how many."""
        self.flow(flow_id)
        return self.store.set_run_status(flow_id, "held", "pending", self._now(now))

    def discard_held(self, flow_id: str, now: float | None = None) -> int:
        """Drop held runs (they stay in history as discarded and never run)."""
        self.flow(flow_id)
        return self.store.set_run_status(flow_id, "held", "discarded", self._now(now))

    # --- hook deliveries -----------------------------------------------------------------------

    def process_delivery(self, delivery_id: str, now: float | None = None, *, claimed: bool = False) -> list[str]:
        """Parse a stored delivery into items and create runs for the ones not seen before.

        The delivery was acknowledged to the vendor, so it must not be lost. A retriable failure (the
        vendor throttled or failed while the trigger read more data, a transport error, a store write
        that did not go through) leaves it ``waiting_retry`` with the delay the vendor asked for, or
        growing delays; after ``max_attempts`` tries, or at once for a failure that cannot pass by
        itself, it is ``failed`` with the error shown, and can be replayed (:meth:`replay_delivery`).

        Args:
            claimed: the caller already holds the delivery's lease (the scheduler claims a batch at once).
        """
        return self.process_deliveries([delivery_id], now, claimed=claimed)

    def process_deliveries(
        self, delivery_ids: list[str], now: float | None = None, *, claimed: bool = False
    ) -> list[str]:
        """:meth:`process_delivery` for several deliveries: each flow's deliveries in one trigger call.

        One call parses a flow's deliveries together (its trigger's ``parse_deliveries``: Okta reads the
        profiles of every user they name in one request), the connection is resolved once for them, and
        their runs are stored in one transaction. A delivery that is malformed fails alone; a failure of
        the call itself (throttled, the vendor down) leaves each of them to be tried again.
        """
        now = self._now(now)
        if not claimed:
            taken = self.store.claim_deliveries(list(delivery_ids), now, now + self.settings.run_lease_seconds)
            delivery_ids = [d for d in delivery_ids if d in taken]
        by_flow: dict[str, list[dict[str, Any]]] = {}
        for delivery in self.store.get_deliveries(delivery_ids):
            if delivery["status"] in OPEN_DELIVERY_STATUSES:
                by_flow.setdefault(delivery["flow_id"], []).append(delivery)
        run_ids: list[str] = []
        for flow_id, group in by_flow.items():
            run_ids += self._process_flow_deliveries(flow_id, group, now)
        return run_ids

    def _process_flow_deliveries(self, flow_id: str, group: list[dict[str, Any]], now: float) -> list[str]:
        flow = self.store.get_flow(flow_id)
        if flow is None or flow["state"] != "on":
            for delivery in group:  # they wait for the flow, unclaimed
                self.store.update_delivery(delivery["id"], {"claimed_until": None})
            return []
        resume_at = self._throttled_until.get(flow_id, 0.0)
        if now < resume_at:
            # The vendor just asked this flow to slow down: the deliveries wait with it, without a call.
            for delivery in group:
                self.store.update_delivery(
                    delivery["id"], {"status": "waiting_retry", "next_attempt_at": resume_at, "claimed_until": None}
                )
            return []
        requests = [
            HookRequest(method=d["method"], headers=dict(d["headers"]), body=bytes(d["body"]), query=dict(d["query"]))
            for d in group
        ]
        try:
            app, trigger, connection = self._trigger_call(flow)
            meta = Meta(subscription=dict(flow["subscription"] or {}), flow_id=flow_id)
            result = self.invoker.invoke(
                app, trigger, connection, flow["trigger_input"], meta, step="parse_deliveries", hook_requests=requests
            )
        except Exception as exc:  # the call failed for all of them: each is tried again (or fails) on its own
            if not isinstance(exc, Throttled):
                for delivery in group:
                    self._delivery_not_processed(delivery, error_dict(exc), exc, (delivery["attempts"] or 0) + 1, now)
                return []
            # Throttled: the first delivery counts the throttled try; the rest wait with the flow, untried.
            first, *rest = group
            self._delivery_not_processed(first, error_dict(exc), exc, (first["attempts"] or 0) + 1, now)
            resume_at = self._throttled_until[flow_id] = now + max(0.0, float(exc.delay))
            for delivery in rest:
                self.store.update_delivery(
                    delivery["id"], {"status": "waiting_retry", "next_attempt_at": resume_at, "claimed_until": None}
                )
            return []
        parsed: list[ParsedDelivery] = result.output
        good = []
        for delivery, entry in zip(group, parsed, strict=True):
            if entry.error is not None:  # a malformed delivery must not stop the others
                self._delivery_not_processed(
                    delivery, error_dict(entry.error), entry.error, (delivery["attempts"] or 0) + 1, now
                )
            else:
                good.append((delivery, entry))
        run_ids: list[str] = []
        try:
            with self.store.begin() as conn:
                # One dedupe pass for the whole group; an event in two deliveries (Okta delivers at least
                # once) becomes a run of the first.
                all_ids = [identity for _delivery, entry in good for identity in entry.identities]
                fresh = set(self.store.dedupe.filter_new(flow_id, all_ids, conn))
                items: list[tuple[str, Any]] = []
                outcomes: list[tuple[str, int, int]] = []
                for delivery, entry in good:
                    mine = [(i, item) for i, item in zip(entry.identities, entry.items, strict=True) if i in fresh]
                    fresh.difference_update(i for i, _item in mine)
                    items += mine
                    outcomes.append((delivery["id"], len(mine), (delivery["attempts"] or 0) + 1))
                run_ids = self.store.insert_runs(flow_id, items, "pending", now, conn)
                self.store.mark_processed(outcomes, conn)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("the runs of %d deliveries of flow %s could not be stored: %s", len(good), flow_id, exc)
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            error = {"type": "StoreError", "retriable": True,
                     "message": f"the delivery's runs could not be stored ({reason})"}
            for delivery, _entry in good:
                self._delivery_not_processed(
                    delivery, dict(error), _StoreWriteFailed(), (delivery["attempts"] or 0) + 1, now
                )
            return []
        return run_ids

    def _delivery_not_processed(
        self, delivery: Mapping[str, Any], error: dict[str, Any], exc: BaseException, attempts: int, now: float
    ) -> None:
        """Record a failed try: wait and try again when the failure may pass, else fail visibly."""
        plan = next_try(self.settings, exc, attempts, delivery.get("throttled") or 0)
        error["attempts"] = attempts
        values: dict[str, Any] = {
            "attempts": attempts, "throttled": plan.throttled, "claimed_until": None, "error": error,
        }
        if plan.delay is not None:
            error["retry_in_seconds"] = plan.delay
            values.update(status="waiting_retry", next_attempt_at=now + plan.delay)
        else:
            if plan.gave_up:
                error["message"] = f"{error['message']} ({plan.gave_up}; replay the delivery)"
            values.update(status="failed", next_attempt_at=None)
        self.store.update_delivery(delivery["id"], values)

    def replay_delivery(self, delivery_id: str, now: float | None = None) -> list[str]:
        """Process a failed delivery again now with a fresh budget of tries; returns the runs it made.

        Raises:
            KeyError: no such delivery.
            BadInput: the delivery has not failed (it is processed, or still being processed).
        """
        delivery = self.store.get_delivery(delivery_id)
        if delivery is None:
            raise KeyError(delivery_id)
        if not self.store.reopen_delivery(delivery_id):
            current = self.store.get_delivery(delivery_id) or delivery
            raise BadInput(
                f"delivery {delivery_id} is {current['status']}; only failed deliveries can be replayed", "status"
            )
        return self.process_delivery(delivery_id, now)

    # --- runs ----------------------------------------------------------------------------------

    def execute_run(self, run_id: str, now: float | None = None) -> str:
        return self.executor.execute(run_id, now)

    def execute_runs(self, run_ids: Sequence[str], now: float | None = None) -> dict[str, str]:
        return self.executor.execute_many(run_ids, now)

    def replay_run(self, run_id: str, now: float | None = None) -> str:
        return self.executor.replay(run_id, now)
