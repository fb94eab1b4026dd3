"""Running a sync: one cycle reads what changed on both sides, links, merges, writes, and audits.

A cycle, in order, each step durable before the next:

1. **Finish what a crash left.** Pending write-ahead intents are completed first. Each is checked
   against the target as it is now: a change already there is not sent again, a change someone has
   overwritten since is dropped (their edit is newer, and the next merge sees it), the rest is sent.
   So an intent is applied exactly once, however often the process dies.
2. **List changes** on each side since its cursor, page by page into the store (``sync_staged``), so
   a cycle holds one page in memory whatever the number of records. Every ``reconcile_seconds`` a
   side is listed in full instead; a linked record missing from a full listing was deleted there,
   and the deletion policy applies (``ignore``, ``flag``, ``mirror``). The cursor is the vendor's own
   time at the start of the previous listing, from its ``Date`` header, minus a second: listings are
   inclusive and merges idempotent, so re-reading a record costs nothing but a comparison. Every
   answer's ``Date`` also narrows the estimate of that vendor's clock offset (:mod:`emulator.sync.clock`).
3. **Pair**, by indexed queries over the staged listing: changed records joined with the links table;
   an unlinked record is matched by the identity keys the field map pairs (email <-> email) against the
   other side's staged identity values, a page at a time, then through the other record type's
   ``find``; failing that it is created on the other side (or waits, when its side's rule is
   ``link_only``).
4. **Merge** each pair (:func:`emulator.sync.merge.merge_pair`) against the bases of the link.
5. **Apply.** Writes are recorded as an intent, sent, then the intent is marked done together with its
   audit entries and the link's new bases, in one transaction.
6. **Advance the cursors** and the clock estimates, only after every pair was handled.

``checkpoint`` is called between steps; tests make it raise to stop a cycle anywhere, the way a kill -9
would, and a fresh engine on the same database must then finish the work with nothing lost or doubled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from connector.context import Connection, Context
from connector.definitions import App
from connector.errors import BadInput, ConnectorError
from connector.http import RetryPolicy, make_client
from connector.records import RecordType, RecordUpdate, SyncRecord
from emulator.store import new_id
from emulator.sync.clock import ClockOffset
from emulator.sync.merge import (
    Change,
    MergePlan,
    PairState,
    applied_base,
    member_view,
    merge_pair,
    normalise,
    render_towards,
)
from emulator.sync.spec import (
    SIDES,
    Side,
    SideName,
    SyncSpec,
    check_spec,
    deletion_choices,
    deletion_towards,
    other,
    parse_spec,
    record_type_of,
)
from emulator.sync.store import SyncStore

ConnectionFor = Callable[[Side], Connection]
Checkpoint = Callable[[str], None]

#: Seconds a cursor steps back from the listing's start, so a change in the same second is read again.
CURSOR_OVERLAP = 1.0
#: Records per query when pairing a staged listing: what a cycle holds in memory at once.
PAIR_PAGE = 500


class SyncStopped(Exception):
    """Raised by a test's checkpoint to stop a cycle where a kill -9 would."""


@dataclass
class CycleReport:
    """What one cycle did, for the API, the UI and the tests."""

    listed: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    linked: int = 0
    created: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    #: Records found deleted on each side, and partners the sync deleted (deletion policy mirror).
    gone: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    deleted: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    conflicts: int = 0
    echoes: int = 0
    resumed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)
    #: What a person may want to know that is not a failure (a record deleted on one side).
    notices: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SideRun:
    """One side during a cycle: its record type, an HTTP context, and its clock estimate."""

    name: SideName
    side: Side
    record_type: RecordType
    ctx: Context
    offset: ClockOffset
    resolution: float
    since: float | None
    #: Whether this cycle lists the side in full (a first sync, or a reconciliation that finds deletions).
    full: bool = False
    #: Our time of the last full listing.
    full_at: float | None = None
    #: Vendor time (from ``Date``) of the first answer of this cycle's listing.
    listing_started: float | None = None
    calls: int = 0

    def our_time(self, vendor_time: float) -> float:
        """A vendor modification time on our clock (the middle of its resolution interval)."""
        middle = vendor_time + (self.resolution / 2 if self.resolution >= 0.5 else 0.0)
        return middle - self.offset.seconds


@dataclass
class Pair:
    """Two records to merge; a record not listed this cycle is unchanged since its base."""

    link: dict[str, Any] | None
    records: dict[SideName, SyncRecord | None]


class SyncEngine:
    """Creates, previews and runs syncs against the emulator's connections and apps."""

    def __init__(
        self,
        store: SyncStore,
        apps: Mapping[str, App],
        connection_for: ConnectionFor,
        *,
        clock: Callable[[], float] = time.time,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self.store = store
        self.apps = apps
        self.connection_for = connection_for
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.checkpoint = checkpoint or (lambda name: None)

    # --- definitions ---------------------------------------------------------------------------
    def create(self, data: Any) -> dict[str, Any]:
        spec = parse_spec(data)
        check_spec(spec, self.apps)
        return self.store.create_sync(spec.to_json(), self.clock())

    def change(self, sync_id: str, data: Any) -> dict[str, Any]:
        """Change a sync's settings (deletion policy, tie rule, intervals, field map); the whole result is
        checked again, and nothing is saved when a problem is found. Sides cannot change: links pair
        records of these two record types."""
        row = self.sync_row(sync_id)
        if not isinstance(data, Mapping):
            raise BadInput("send a JSON object with the settings to change, such as {\"deletion\": \"flag\"}", "sync")
        fixed = [key for key in ("left", "right") if key in data and data[key] != row["spec"].get(key)]
        if fixed:
            raise BadInput(f"the {fixed[0]} side cannot change once records are linked; create another sync",
                           fixed[0])
        spec = parse_spec({**row["spec"], **data})
        check_spec(spec, self.apps)
        self.store.update_sync(sync_id, spec=spec.to_json(), name=spec.name, updated=self.clock())
        return self.sync_row(sync_id)

    def choices(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """What each side's record type supports, and which deletion policies this sync may use (and why
        not), for the UI to offer only what works."""
        spec = self.spec_of(row)
        types: dict[SideName, RecordType] = {"left": record_type_of(self.apps, spec.left, "left"),
                                             "right": record_type_of(self.apps, spec.right, "right")}
        names: dict[SideName, str] = {side: spec.side(side).record_type for side in SIDES}
        return {
            "deletion": deletion_choices(types, names),
            "sides": {side: {"can_delete": types[side].delete is not None, "delete_note": types[side].delete_note,
                             "list_parts": [f.key for f in types[side].list_parts]} for side in SIDES},
        }

    def spec_of(self, row: Mapping[str, Any]) -> SyncSpec:
        return parse_spec(row["spec"])

    def sync_row(self, sync_id: str) -> dict[str, Any]:
        row = self.store.get_sync(sync_id)
        if row is None:
            raise BadInput(f"sync {sync_id!r} does not exist; list syncs with GET /api/syncs", "sync_id")
        return row

    def turn(self, sync_id: str, on: bool) -> dict[str, Any]:
        self.sync_row(sync_id)
        self.store.update_sync(sync_id, state="on" if on else "off", updated=self.clock(),
                               next_run_at=self.clock() if on else None)
        return self.sync_row(sync_id)

    # --- HTTP ------------------------------------------------------------------------------------
    def _side_run(self, name: SideName, spec: SyncSpec, record_type: RecordType, state: Mapping[str, Any]) -> SideRun:
        side = spec.side(name)
        connection = self.connection_for(side)
        app = self.apps[side.app]
        offset = ClockOffset.from_json(state.get("offset"))
        base_url = connection.base_url or (app.auth.base_url(connection.fields) if app.auth.base_url else "")
        auth = connection.auth or (app.auth.handler(connection.fields)
                                   if app.auth.handler is not None and connection.fields else None)
        client = make_client(base_url, auth=auth, transport=connection.transport, retry=self.retry, sleep=self.sleep)
        since, full_at = state.get("since"), state.get("full_at")
        full = since is None or full_at is None or self.clock() - float(full_at) >= spec.reconcile_seconds
        run = SideRun(name, side, record_type, Context(http=client, connection=connection), offset,
                      record_type.modified_resolution, None if full else since, full, full_at)

        def stamp(request: httpx.Request) -> None:
            request.extensions["sync_sent"] = self.clock()

        def observe(response: httpx.Response) -> None:
            run.calls += 1
            sent = response.request.extensions.get("sync_sent", self.clock())
            vendor = run.offset.observe(response.headers.get("date"), sent, self.clock())
            if run.listing_started is None and vendor is not None and response.request.extensions.get("listing"):
                run.listing_started = vendor

        client.event_hooks["request"].append(stamp)
        client.event_hooks["response"].append(observe)
        return run

    @contextmanager
    def _sides(self, sync_id: str) -> Iterator[tuple[dict[str, Any], SyncSpec, dict[SideName, SideRun]]]:
        row = self.sync_row(sync_id)
        spec = self.spec_of(row)
        left_type, right_type = check_spec(spec, self.apps)
        runs = {
            "left": self._side_run("left", spec, left_type, row["left_state"] or {}),
            "right": self._side_run("right", spec, right_type, row["right_state"] or {}),
        }
        try:
            yield row, spec, runs  # type: ignore[misc]
        finally:
            for run in runs.values():
                run.ctx.http.close()

    # --- one cycle -------------------------------------------------------------------------------
    def run_cycle(self, sync_id: str) -> CycleReport:
        """Run one cycle to the end (see the module docstring); safe to call again after any crash."""
        report = CycleReport()
        with self._sides(sync_id) as (row, spec, runs):
            self._finish_intents(sync_id, spec, runs, report)
            self.store.drop_staged(sync_id=sync_id)  # what a crashed cycle listed
            run_id = new_id("stage")
            try:
                for run in runs.values():
                    self._stage(sync_id, run_id, spec, runs, run, report)
                self.checkpoint("listed")
                self._find_deletions(sync_id, run_id, spec, runs, report)
                failed = False
                for pair in self._pairs(sync_id, run_id, spec, runs):
                    try:
                        self._handle(sync_id, spec, runs, pair, report)
                    except ConnectorError as error:
                        failed = True
                        report.errors.append(str(error))
            finally:
                self.store.drop_staged(run_id=run_id)
            self.checkpoint("before-cursors")
            now = self.clock()
            states: dict[str, Any] = {}
            for name, run in runs.items():
                # A pair that failed is listed again next cycle: the cursor stays where it was.
                since = (row[f"{name}_state"] or {}).get("since") if failed else self._next_since(run)
                full_at = now if run.full and not failed else run.full_at
                states[f"{name}_state"] = {"since": since, "offset": run.offset.to_json(), "full_at": full_at}
                report.calls[name] = run.calls
            self.store.update_sync(
                sync_id, None, **states, last_cycle={"at": now, **report.to_json()}, updated=now,
                next_run_at=now + spec.interval_seconds if row["state"] == "on" else None,
            )
        return report

    def _next_since(self, run: SideRun) -> float | None:
        if run.listing_started is not None:
            return run.listing_started - CURSOR_OVERLAP
        # A vendor without Date headers: our clock, moved by the estimate, with a wide margin.
        return self.clock() + run.offset.seconds - 60.0

    def _stage(self, owner: str, run_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun], run: SideRun,
               report: CycleReport) -> None:
        """Every record changed since the side's cursor, a page at a time into the store, with the values
        of its identity keys (the first answer stamps the listing's start). ``owner`` names who may drop
        the rows a crash leaves: the sync's cycles, or its previews."""
        run.listing_started = None
        original = run.ctx.http.build_request

        def listing_request(*args: Any, **kwargs: Any) -> httpx.Request:
            request = original(*args, **kwargs)
            request.extensions["listing"] = True
            return request

        identity = [pair[0 if run.name == "left" else 1] for pair in self._identity_pairs(spec, runs)]
        run.ctx.http.build_request = listing_request  # type: ignore[method-assign]
        count = 0
        try:
            assert run.record_type.list_changes is not None
            for page in run.record_type.list_changes(run.ctx, run.since):
                records = [r for r in page if run.since is None or r.modified_at >= run.since]
                keys = [(index, str(value), record.id) for record in records for index, key in enumerate(identity)
                        if (value := normalise(record.values.get(key), "email")) is not None]
                self.store.stage(run_id, owner, run.name, count, [_record_json(r) for r in records], keys)
                count += len(records)
        finally:
            run.ctx.http.build_request = original  # type: ignore[method-assign]
        report.listed[run.name] = count

    def _identity_pairs(self, spec: SyncSpec, runs: Mapping[SideName, SideRun]) -> list[tuple[str, str]]:
        left_keys, right_keys = runs["left"].record_type.identity_keys, runs["right"].record_type.identity_keys
        pairs = [(r.left, r.right) for r in spec.fields if r.left in left_keys and r.right in right_keys]
        pairs += [(k, k) for k in left_keys if k in right_keys and (k, k) not in pairs]
        return pairs

    def _pairs(self, sync_id: str, run_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun]) -> Iterator[Pair]:
        """The pairs to merge, a page of the staged listing at a time (queries run as pairs are handled,
        so a link made for one page is seen by the next).

        First linked records (from the left with their partner when it was listed too, then from the
        right whose partner was not), then unlinked left records with the unlinked right record they
        match by identity (or none), then the unlinked right records nobody matched.
        """
        for name in SIDES:
            partner = other(name)
            after = -1
            while rows := self.store.staged_linked(run_id, sync_id, name, after, PAIR_PAGE,
                                                   skip_partner_staged=name == "right"):
                after = rows[-1][0]
                mates = (self.store.staged_records(run_id, partner, [link[f"{partner}_id"] for _, _, link in rows])
                         if name == "left" else {})
                for _seq, record, link in rows:
                    mate = mates.get(link[f"{partner}_id"])
                    yield Pair(link, {name: _record_from(record), partner: _record_from(mate) if mate else None})
        identity = self._identity_pairs(spec, runs)
        after = -1
        while lefts := self.store.staged_unlinked(run_id, sync_id, "left", after, PAIR_PAGE):
            after = lefts[-1][0]
            matched = self._match(sync_id, run_id, identity, [record for _seq, record, _partner in lefts])
            for _seq, record, _partner in lefts:
                yield Pair(None, {"left": _record_from(record), "right": matched.get(record["id"])})
        after = -1
        while rights := self.store.staged_unlinked(run_id, sync_id, "right", after, PAIR_PAGE):
            after = rights[-1][0]
            for _seq, record, partner_id in rights:
                if partner_id is None:
                    yield Pair(None, {"left": None, "right": _record_from(record)})

    def _match(self, sync_id: str, run_id: str, identity: list[tuple[str, str]],
               lefts: list[dict[str, Any]]) -> dict[str, SyncRecord]:
        """Left record id -> the unlinked right record it matches by identity, best identity pair first,
        in listing order; each right record matched at most once (marked in the store)."""
        chosen: dict[str, str] = {}
        taken: set[str] = set()
        for index, (left_key, _right_key) in enumerate(identity):
            wanted = {record["id"]: str(value)[:512] for record in lefts if record["id"] not in chosen
                      and (value := normalise(record["values"].get(left_key), "email")) is not None}
            if not wanted:
                continue
            candidates: dict[str, list[str]] = {}
            for value, right_id in self.store.staged_candidates(run_id, sync_id, "right", index,
                                                                sorted(set(wanted.values()))):
                candidates.setdefault(value, []).append(right_id)
            for left_id, value in wanted.items():
                found = next((rid for rid in candidates.get(value, ()) if rid not in taken), None)
                if found is not None:
                    taken.add(found)
                    chosen[left_id] = found
        if not chosen:
            return {}
        self.store.match_staged(run_id, list(chosen.items()))
        records = self.store.staged_records(run_id, "right", list(chosen.values()))
        return {left_id: _record_from(records[right_id]) for left_id, right_id in chosen.items()}

    def _find_deletions(self, sync_id: str, run_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun],
                        report: CycleReport) -> None:
        """Linked records a full listing did not return were deleted on that side."""
        for name, run in runs.items():
            if not run.full:
                continue
            after = ""
            while missing := self.store.links_missing_from(run_id, sync_id, name, after, PAIR_PAGE):
                after = missing[-1]["id"]
                for link in missing:
                    self._gone(sync_id, spec, runs, link, name, report)

    # --- one pair ----------------------------------------------------------------------------------
    def _handle(self, sync_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun], pair: Pair,
                report: CycleReport) -> None:
        if pair.link is None:
            present = [name for name in SIDES if pair.records[name] is not None]
            if len(present) == 1:
                self._unpaired(sync_id, spec, runs, present[0], pair, report)
                return
            link_id = self._new_link(sync_id, pair)
            if link_id is None:
                report.errors.append("a record is already linked to another record; not linked twice")
                return
            report.linked += 1
            pair.link = self.store.link(link_id)
        assert pair.link is not None
        if pair.link["status"] != "ok":
            return
        self._merge_and_apply(sync_id, spec, runs, pair, report)

    def _new_link(self, sync_id: str, pair: Pair, base: bool = False) -> str | None:
        left, right = pair.records["left"], pair.records["right"]
        assert left is not None and right is not None
        try:
            with self.store.begin() as conn:
                link_id = self.store.insert_link(
                    conn, sync_id=sync_id, left_id=left.id, right_id=right.id, left_base=None, right_base=None,
                    left_modified=left.modified_at, right_modified=right.modified_at, status="ok", conflicts=0,
                    updated=self.clock(),
                )
                self.store.add_audit(conn, [self._audit(sync_id, link_id, None, "both", None, None,
                                                        {"left": left.id, "right": right.id}, "linked", pair)])
        except sa.exc.IntegrityError:
            return None
        self.checkpoint("linked")
        return link_id

    def _audit(self, sync_id: str, link_id: str | None, intent_id: str | None, direction: str, field_key: str | None,
               old: Any, new: Any, reason: str, pair: Pair | None = None,
               modified: Mapping[str, float | None] | None = None) -> dict[str, Any]:
        if modified is None and pair is not None:
            modified = {name: (rec.modified_at if rec is not None else None) for name, rec in pair.records.items()}
        modified = modified or {}
        return {"at": self.clock(), "sync_id": sync_id, "link_id": link_id, "intent_id": intent_id,
                "direction": direction, "field": field_key, "old": old, "new": new,
                "left_modified": modified.get("left"), "right_modified": modified.get("right"), "reason": reason}

    def _unpaired(self, sync_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun], source: SideName, pair: Pair,
                  report: CycleReport) -> None:
        """A record with no partner yet: find one by identity, else create one (or wait: link_only)."""
        record = pair.records[source]
        assert record is not None
        target = other(source)
        target_run = runs[target]
        identity = self._target_identity(spec, runs, source, record)
        if identity and runs[target].since is not None and target_run.record_type.find is not None:
            found = target_run.record_type.find(target_run.ctx, identity)
            if found is not None:
                pair.records[target] = found
                link_id = self._new_link(sync_id, pair)
                if link_id is None:
                    report.errors.append(f"{target} record {found.id} is already linked; {record.id} not linked")
                    return
                report.linked += 1
                pair.link = self.store.link(link_id)
                self._merge_and_apply(sync_id, spec, runs, pair, report)
                return
        if spec.side(source).new_records != "create":
            report.waiting += 1
            return
        values = self._values_for(spec, runs, source, record)
        with self.store.begin() as conn:
            intent_id = self.store.add_intent(
                conn, sync_id=sync_id, link_id=None, kind="create", target=target, record_id=None,
                payload={"source": source, "source_record": _record_json(record), "values": values,
                         "identity": identity},
                created=self.clock(),
            )
        self.checkpoint("intent")
        self._apply_create(sync_id, spec, runs, intent_id, source, record, values, identity, report)

    def _target_identity(self, spec: SyncSpec, runs: Mapping[SideName, SideRun], source: SideName,
                         record: SyncRecord) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for left_key, right_key in self._identity_pairs(spec, runs):
            source_key, target_key = (left_key, right_key) if source == "left" else (right_key, left_key)
            value = record.values.get(source_key)
            if value not in (None, ""):
                found[target_key] = value
        return found

    def _values_for(self, spec: SyncSpec, runs: Mapping[SideName, SideRun], source: SideName,
                    record: SyncRecord) -> dict[str, Any]:
        """The new record's values on the other side: every mapped field, sets included.

        A one-way field still fills a new record (that is what create-only fields such as Personio's
        email are for); directions govern the updates that follow.
        """
        target = other(source)
        sides: dict[str, dict[str, Any]] = {source: dict(record.values), target: {}}
        values: dict[str, Any] = {}
        for rule in spec.fields:
            if rule.direction == "none":
                continue
            target_key = rule.right if target == "right" else rule.left
            if runs[target].record_type.is_list_part(target_key):
                prefixes = {"left": rule.left_prefix, "right": rule.right_prefix}
                source_key = rule.left if source == "left" else rule.right
                members = member_view(record.values.get(source_key), prefixes[source]).values()
                values[target_key] = [f"{prefixes[target]}{text}" for text in sorted(members)]
                continue
            value = render_towards(rule, target, sides["left"], sides["right"])
            if normalise(value) is not None:
                values[target_key] = value
        return values

    def _apply_create(self, sync_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun], intent_id: str,
                      source: SideName, record: SyncRecord, values: dict[str, Any], identity: dict[str, Any],
                      report: CycleReport, resumed: bool = False) -> None:
        target = other(source)
        run = runs[target]
        made = None
        if resumed and identity and run.record_type.find is not None:
            made = run.record_type.find(run.ctx, identity)
        self.checkpoint("before-create")
        if made is None:
            assert run.record_type.create is not None
            made = run.record_type.create(run.ctx, values)
        self.checkpoint("created")
        ids = {source: record.id, target: made.id}
        bases = {source: dict(record.values), target: dict(made.values)}
        modified: dict[str, float | None] = {source: record.modified_at, target: made.modified_at}
        try:
            with self.store.begin() as conn:
                link_id = self.store.insert_link(
                    conn, sync_id=sync_id, left_id=ids["left"], right_id=ids["right"], left_base=bases["left"],
                    right_base=bases["right"], left_modified=modified["left"], right_modified=modified["right"],
                    status="ok", conflicts=0, updated=self.clock(),
                )
                direction = "left_to_right" if target == "right" else "right_to_left"
                self.store.add_audit(conn, [self._audit(sync_id, link_id, intent_id, direction, None, None, values,
                                                        "created", modified=modified)])
                self.store.finish_intent(conn, intent_id)
        except sa.exc.IntegrityError:
            with self.store.begin() as conn:
                self.store.finish_intent(conn, intent_id, "refused")
            report.errors.append(f"{target} record {made.id} is already linked; {record.id} was not linked twice")
            return
        report.created[target] += 1

    def _merge_and_apply(self, sync_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun], pair: Pair,
                         report: CycleReport) -> None:
        link = pair.link
        assert link is not None
        states: dict[SideName, PairState] = {}
        for name in SIDES:
            record = pair.records[name]
            base = link[f"{name}_base"]
            if record is None:
                values = base if base is not None else {}
                modified = link[f"{name}_modified"] or 0.0
                if base is None:  # linked without a base and not listed: read it
                    read = runs[name].record_type.read
                    assert read is not None
                    fresh = read(runs[name].ctx, link[f"{name}_id"])
                    if fresh is None:
                        self._gone(sync_id, spec, runs, link, name, report)
                        return
                    pair.records[name], values, modified = fresh, dict(fresh.values), fresh.modified_at
                states[name] = PairState(values, base, runs[name].our_time(modified))
            else:
                states[name] = PairState(record.values, base, runs[name].our_time(record.modified_at))
        types = {name: run.record_type for name, run in runs.items()}
        plan = merge_pair(spec, types, states)
        modified = {name: (rec.modified_at if rec is not None else link[f"{name}_modified"])
                    for name, rec in pair.records.items()}
        if not plan.updates:
            self._settle(sync_id, link, pair, states, plan, modified, report)
            return
        payload = {
            "link_id": link["id"],
            "targets": {name: _update_json(update) for name, update in plan.updates.items()},
            "seen": {name: dict(states[name].values) for name in SIDES},
            "changes": [_change_json(change) for change in plan.changes],
            "modified": modified,
            "conflicts": len(plan.conflicts),
        }
        with self.store.begin() as conn:
            intent_id = self.store.add_intent(conn, sync_id=sync_id, link_id=link["id"], kind="update", target="pair",
                                              record_id=None, payload=payload, created=self.clock())
        self.checkpoint("intent")
        self._apply_update(sync_id, runs, intent_id, payload, report)

    def _settle(self, sync_id: str, link: Mapping[str, Any], pair: Pair, states: Mapping[SideName, PairState],
                plan: MergePlan, modified: Mapping[str, Any], report: CycleReport) -> None:
        """Nothing to write: move the bases to what was seen, and note echoes of our own writes."""
        entries = [self._audit(sync_id, link["id"], None, c.direction, c.field, c.old, c.new, c.reason,
                               modified=modified) for c in plan.changes]
        written = dict(link.get("written") or {}) if isinstance(link.get("written"), dict) else {}
        for name in SIDES:
            record = pair.records[name]
            if record is not None and link[f"{name}_modified"] is not None \
                    and abs(record.modified_at - link[f"{name}_modified"]) < 1e-9 and link[f"{name}_base"] is not None \
                    and written.get(name):
                written.pop(name)
                report.echoes += 1
                entries.append(self._audit(sync_id, link["id"], None,
                                           "right_to_left" if name == "right" else "left_to_right", None, None, None,
                                           "echo ignored", modified=modified))
        new_bases = {f"{name}_base": dict(states[name].values) for name in SIDES}
        unchanged = all(new_bases[f"{n}_base"] == link[f"{n}_base"] for n in SIDES)
        if unchanged and not entries and all(modified[n] == link[f"{n}_modified"] for n in SIDES):
            return
        with self.store.begin() as conn:
            self.store.update_link(conn, link["id"], **new_bases, left_modified=modified["left"],
                                   right_modified=modified["right"], written=written, updated=self.clock())
            self.store.add_audit(conn, entries)

    def _apply_update(self, sync_id: str, runs: Mapping[SideName, SideRun], intent_id: str, payload: Mapping[str, Any],
                      report: CycleReport, resumed: bool = False) -> None:
        link = self.store.link(payload["link_id"])
        if link is None:
            with self.store.begin() as conn:
                self.store.finish_intent(conn, intent_id, "dropped")
            return
        seen = payload["seen"]
        stored: dict[str, SyncRecord] = {}
        dropped: set[tuple[str, str]] = set()
        for name, raw in payload["targets"].items():
            run = runs[name]
            update = _update_from(raw)
            if resumed:
                assert run.record_type.read is not None
                current = run.record_type.read(run.ctx, link[f"{name}_id"])
                if current is None:
                    continue
                update, superseded = _remaining(update, seen[name], current.values, run.record_type)
                dropped |= {(name, key) for key in superseded}
                if not update:
                    stored[name] = current
                    continue
            self.checkpoint("before-write")
            assert run.record_type.update is not None
            try:
                stored[name] = run.record_type.update(run.ctx, link[f"{name}_id"], update)
            except ConnectorError as error:
                if run.record_type.read is not None and run.record_type.read(run.ctx, link[f"{name}_id"]) is None:
                    with self.store.begin() as conn:
                        self.store.finish_intent(conn, intent_id, "dropped")
                    self._gone(sync_id, self.spec_of(self.sync_row(sync_id)), runs, link, name, report)
                    return
                raise error
            report.updated[name] += 1
            self.checkpoint("written")
        modified = dict(payload["modified"])
        written = dict(link.get("written") or {}) if isinstance(link.get("written"), dict) else {}
        bases: dict[str, Any] = {}
        for name in SIDES:
            state = PairState(seen[name], None, 0.0)
            if name in stored:
                update = _update_from(payload["targets"][name])
                kept = RecordUpdate({k: v for k, v in update.values.items() if (name, k) not in dropped},
                                    {k: v for k, v in update.added.items() if (name, k) not in dropped},
                                    {k: v for k, v in update.removed.items() if (name, k) not in dropped})
                list_keys = {f.key for f in runs[name].record_type.list_parts}
                bases[f"{name}_base"] = applied_base(state, kept, stored[name].values, list_keys)
                modified[name] = stored[name].modified_at
                written[name] = True
            else:
                bases[f"{name}_base"] = dict(seen[name])
        entries = []
        for raw in payload["changes"]:
            change = Change(**raw)
            if (change.target, change.field) in dropped or (change.writes and change.target not in stored):
                continue
            entries.append(self._audit(sync_id, link["id"], intent_id, change.direction, change.field, change.old,
                                       change.new, change.reason, modified=payload["modified"]))
        with self.store.begin() as conn:
            self.store.update_link(conn, link["id"], **bases, left_modified=modified["left"],
                                   right_modified=modified["right"], conflicts=link["conflicts"] + payload["conflicts"],
                                   written=written, updated=self.clock())
            self.store.add_audit(conn, entries)
            self.store.finish_intent(conn, intent_id)
        report.conflicts += payload["conflicts"]
        self.checkpoint("committed")

    def _gone(self, sync_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun], link: Mapping[str, Any],
              side: SideName, report: CycleReport) -> None:
        """The record of ``side`` no longer exists: apply the deletion policy towards its partner.

        ``mirror`` deletes the partner (through a write-ahead intent, like every write); ``flag`` stops
        the link and marks it for a person to look at; ``ignore`` stops the link and leaves the partner
        as it is. In every case the link stays, so the partner is never linked again or copied back
        (no resurrection), and the deletion has exactly one audit entry.
        """
        report.gone[side] += 1
        target = other(side)
        policy = deletion_towards(spec, target)
        if policy == "mirror" and runs[target].record_type.delete is not None:
            payload = {"link_id": link["id"], "source": side, "deleted": link[f"{side}_id"]}
            with self.store.begin() as conn:
                intent_id = self.store.add_intent(conn, sync_id=sync_id, link_id=link["id"], kind="delete",
                                                  target=target, record_id=link[f"{target}_id"], payload=payload,
                                                  created=self.clock())
            self.checkpoint("intent")
            self._apply_delete(sync_id, runs, intent_id, target, link[f"{target}_id"], payload, report)
            return
        status = "flagged" if policy == "flag" else "deleted"
        with self.store.begin() as conn:
            self.store.update_link(conn, link["id"], status=status, updated=self.clock())
            direction = "left_to_right" if side == "left" else "right_to_left"
            self.store.add_audit(conn, [self._audit(sync_id, link["id"], None, direction, None,
                                                    {side: link[f"{side}_id"]}, None, "deleted")])
        kept = "flagged for a look" if status == "flagged" else "left as it is"
        report.notices.append(f"{side} record {link[f'{side}_id']} was deleted; its {target} partner "
                             f"{link[f'{target}_id']} is {kept} and will not be linked again")

    def _apply_delete(self, sync_id: str, runs: Mapping[SideName, SideRun], intent_id: str, target: SideName,
                      record_id: str, payload: Mapping[str, Any], report: CycleReport, resumed: bool = False) -> None:
        """Delete the partner, then mark the link deleted, audit and finish the intent in one transaction.

        A partner already gone when a resumed intent runs was deleted by the interrupted attempt (the
        intent was recorded for exactly this write), so it is audited as the sync's write.
        """
        run = runs[target]
        assert run.record_type.delete is not None
        self.checkpoint("before-write")
        removed = run.record_type.delete(run.ctx, record_id)
        self.checkpoint("written")
        wrote = removed or resumed
        direction = "left_to_right" if target == "right" else "right_to_left"
        source = payload["source"]
        with self.store.begin() as conn:
            self.store.update_link(conn, payload["link_id"], status="deleted", updated=self.clock())
            self.store.add_audit(conn, [self._audit(
                sync_id, payload["link_id"], intent_id if wrote else None, direction, None,
                {source: payload["deleted"], target: record_id}, None, "deleted")])
            self.store.finish_intent(conn, intent_id)
        if wrote:
            report.deleted[target] += 1
        self.checkpoint("committed")

    def _finish_intents(self, sync_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun],
                        report: CycleReport) -> None:
        for intent in self.store.pending_intents(sync_id):
            report.resumed += 1
            payload = intent["payload"]
            try:
                if intent["kind"] == "delete":
                    self._apply_delete(sync_id, runs, intent["id"], intent["target"], intent["record_id"], payload,
                                       report, resumed=True)
                elif intent["kind"] == "create":
                    record = _record_from(payload["source_record"])
                    self._apply_create(sync_id, spec, runs, intent["id"], payload["source"], record,
                                       payload["values"], payload["identity"], report, resumed=True)
                else:
                    self._apply_update(sync_id, runs, intent["id"], payload, report, resumed=True)
            except BadInput as error:  # the vendor refuses the value: retrying cannot help
                with self.store.begin() as conn:
                    self.store.finish_intent(conn, intent["id"], "refused")
                report.errors.append(str(error))

    # --- preview -----------------------------------------------------------------------------------
    def preview(self, sync_id: str, limit: int = 200) -> dict[str, Any]:
        """What the next cycle would do, without writing anything: links, creates, updates, conflicts."""
        buckets = ("link", "create", "update", "conflicts", "waiting", "deleted")
        out: dict[str, Any] = {bucket: [] for bucket in buckets}
        counts = dict.fromkeys(buckets, 0)

        def add(bucket: str, item: Any) -> None:  # counts everything, keeps the first ``limit`` (memory stays flat)
            counts[bucket] += 1
            if len(out[bucket]) < limit:
                out[bucket].append(item)

        with self._sides(sync_id) as (_row, spec, runs):
            run_id = new_id("stage")
            try:
                for run in runs.values():
                    # Staged under a name of its own, so a cycle starting meanwhile does not drop it.
                    self._stage(f"preview:{sync_id}", run_id, spec, runs, run, CycleReport())
                self._preview_pairs(sync_id, run_id, spec, runs, add)
            finally:
                self.store.drop_staged(run_id=run_id)
        return out | {"counts": counts}

    def _preview_pairs(self, sync_id: str, run_id: str, spec: SyncSpec, runs: Mapping[SideName, SideRun],
                       add: Callable[[str, Any], None]) -> None:
        types = {name: run.record_type for name, run in runs.items()}
        for name, run in runs.items():
            if run.full:
                after = ""
                while missing := self.store.links_missing_from(run_id, sync_id, name, after, PAIR_PAGE):
                    after = missing[-1]["id"]
                    for link in missing:
                        add("deleted", {"side": name, "id": link[f"{name}_id"], "partner": link[f"{other(name)}_id"],
                                        "policy": deletion_towards(spec, other(name))})
        for pair in self._pairs(sync_id, run_id, spec, runs):
            present = [name for name in SIDES if pair.records[name] is not None]
            if pair.link is None and len(present) == 1:
                source = present[0]
                record = pair.records[source]
                assert record is not None
                bucket = "create" if spec.side(source).new_records == "create" else "waiting"
                add(bucket, {"from": source, "id": record.id, "values": self._values_for(spec, runs, source, record)})
                continue
            states = {}
            for name in SIDES:
                record = pair.records[name]
                base = pair.link[f"{name}_base"] if pair.link else None
                values = record.values if record is not None else (base or {})
                when = record.modified_at if record is not None else (pair.link or {}).get(f"{name}_modified") or 0
                states[name] = PairState(values, base, runs[name].our_time(when))
            plan = merge_pair(spec, types, states)
            ids: dict[str, Any] = {name: (rec.id if rec is not None else (pair.link or {}).get(f"{name}_id"))
                                   for name, rec in pair.records.items()}
            if pair.link is None:
                add("link", ids)
            if plan.updates:
                add("update", {**ids, "changes": [_change_json(c) for c in plan.changes if c.writes]})
            for change in plan.changes:
                if change.reason == "conflict lost":
                    add("conflicts", {**ids, "field": change.field, "losing_value": change.new,
                                      "kept_value": change.old, "kept_side": change.target})


def _record_json(record: SyncRecord) -> dict[str, Any]:
    return {"id": record.id, "modified_at": record.modified_at, "values": dict(record.values)}


def _record_from(data: Mapping[str, Any]) -> SyncRecord:
    return SyncRecord(str(data["id"]), float(data["modified_at"]), dict(data["values"]))


def _update_json(update: RecordUpdate) -> dict[str, Any]:
    return {"values": dict(update.values), "added": {k: list(v) for k, v in update.added.items()},
            "removed": {k: list(v) for k, v in update.removed.items()}}


def _update_from(data: Mapping[str, Any]) -> RecordUpdate:
    return RecordUpdate(dict(data.get("values") or {}),
                        {k: tuple(v) for k, v in (data.get("added") or {}).items()},
                        {k: tuple(v) for k, v in (data.get("removed") or {}).items()})


def _change_json(change: Change) -> dict[str, Any]:
    return {"target": change.target, "field": change.field, "old": change.old, "new": change.new,
            "reason": change.reason, "writes": change.writes}


def _remaining(update: RecordUpdate, seen: Mapping[str, Any], current: Mapping[str, Any],
               record_type: RecordType) -> tuple[RecordUpdate, set[str]]:
    """What of an interrupted update still has to be sent, and which fields someone changed meanwhile.

    A field already holding the new value is done; one still holding the value seen when the update
    was planned is sent; one holding anything else was changed by someone after us, and their change
    (newer than ours) is kept.
    """
    values: dict[str, Any] = {}
    superseded: set[str] = set()
    for key, new in update.values.items():
        f = record_type.field_named(key)
        kind = f.type if f is not None else "string"
        now = normalise(current.get(key), kind)
        if now == normalise(new, kind):
            continue
        if now == normalise(seen.get(key), kind):
            values[key] = new
        else:
            superseded.add(key)
    def members(key: str) -> set[str]:
        return {str(m).casefold() for m in current.get(key) or []}

    added = {k: tuple(m for m in v if m.casefold() not in members(k)) for k, v in update.added.items()}
    removed = {k: tuple(m for m in v if m.casefold() in members(k)) for k, v in update.removed.items()}
    remaining = RecordUpdate(values, {k: v for k, v in added.items() if v}, {k: v for k, v in removed.items() if v})
    return remaining, superseded
