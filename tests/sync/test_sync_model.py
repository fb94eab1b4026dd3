"""Model-based test of the two-way sync (Hypothesis stateful testing).

Random interleaved edits on both sides of many linked records (fields, and tags where both sides have
them), new records on either side, sync cycles stopped at random checkpoints (what a kill -9 leaves:
the database as last committed) and finished by a fresh engine, on vendor clocks skewed by tens of
seconds. A plain-Python model says what each completed cycle must leave:

- a field changed on one side since the last cycle takes that value on both;
- changed on both: the value of the side whose record changed later (vendors give one modification
  time per record, so "latest" is the record's latest edit), never the other;
- tags: each side's additions and removals since the last cycle, applied to both;
- a record new on one side exists on the other, once;
- a record deleted on one side (found by the full listing each cycle makes when the run reconciles):
  with the deletion policy ``mirror`` towards the other side its partner is deleted too, otherwise
  the partner stays as it is and is never linked, written or copied back again (no resurrection).

And at the end, after one more cycle: nothing is written, every field written (and every record
created or deleted) was written exactly once per audit entry, every deletion has exactly one audit
entry, and no record is duplicated. Edits are at least 2.1 s apart: the engine's error in
comparing two vendors' times is below 1.5 s (Personio's whole seconds plus the offset estimate).

Runs a few seconds in the suite; ``SYNC_MODEL_EXAMPLES``/``SYNC_MODEL_STEPS`` make it longer, and
``SYNC_MODEL_SEED`` replays a run (each run prints its seed).
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test
from sync_world import SyncWorld

from auth.personio import forget_cached_tokens
from emulator.sync.engine import SyncEngine, SyncStopped
from emulator.sync.spec import Side
from sandboxes.contacts import ContactsSandbox

NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald")
TAGS = ("vip", "sales", "berlin", "beta")
WRITING_REASONS = ("changed", "conflict won", "created", "deleted")

SEED = int(os.environ.get("SYNC_MODEL_SEED") or random.SystemRandom().randrange(2**32))
PROFILE = settings(
    max_examples=int(os.environ.get("SYNC_MODEL_EXAMPLES", "6")),
    stateful_step_count=int(os.environ.get("SYNC_MODEL_STEPS", "14")),
    deadline=None,
    derandomize=False,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class Driver:
    """One side as a user edits it in the vendor's own UI, and as the model reads it back."""

    fields: tuple[str, ...] = ()
    has_tags = False

    def create(self, email: str, values: dict[str, str]) -> str:
        raise NotImplementedError

    def edit(self, record_id: str, key: str, value: str) -> None:
        raise NotImplementedError

    def tag(self, record_id: str, tag: str, add: bool) -> None:
        raise NotImplementedError

    def read(self, record_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def find(self, email: str) -> str | None:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def delete(self, record_id: str) -> None:
        raise NotImplementedError

    def exists(self, record_id: str) -> bool:
        raise NotImplementedError


class PersonioDriver(Driver):
    fields = ("first_name", "last_name")

    def __init__(self, world: SyncWorld) -> None:
        self.world = world

    def create(self, email: str, values: dict[str, str]) -> str:
        return str(self.world.personio.create_employee(email=email, **values)["id"])

    def edit(self, record_id: str, key: str, value: str) -> None:
        self.world.edit_employee(record_id, **{key: value})

    def read(self, record_id: str) -> dict[str, Any]:
        employee = self.world.employee(record_id)
        return {key: employee.get(key) for key in self.fields}

    def find(self, email: str) -> str | None:
        found = self.world.personio.employees.matching(email=email)
        return str(found[0]["id"]) if found else None

    def count(self) -> int:
        return len(self.world.personio.employees.records)

    def delete(self, record_id: str) -> None:
        self.world.fire(record_id)

    def exists(self, record_id: str) -> bool:
        return int(record_id) in self.world.personio.employees.records


class ContactsDriver(Driver):
    fields = ("first_name", "last_name")
    has_tags = True
    _API = {"first_name": "firstName", "last_name": "lastName"}

    def __init__(self, world: SyncWorld, sandbox: ContactsSandbox) -> None:
        self.world = world
        self.sandbox = sandbox

    def create(self, email: str, values: dict[str, str]) -> str:
        return self.world.add_contact(email, values["first_name"], values["last_name"], sandbox=self.sandbox)

    def edit(self, record_id: str, key: str, value: str) -> None:
        self.world.edit_contact(record_id, sandbox=self.sandbox, **{self._API[key]: value})

    def tag(self, record_id: str, tag: str, add: bool) -> None:
        self.world.tag_contact(record_id, tag, add=add, sandbox=self.sandbox)

    def read(self, record_id: str) -> dict[str, Any]:
        contact = self.world.contact(record_id, sandbox=self.sandbox)
        values: dict[str, Any] = {key: contact.get(api) for key, api in self._API.items()}
        values["tags"] = frozenset(str(t).casefold() for t in contact.get("tags") or [])
        return values

    def find(self, email: str) -> str | None:
        for contact in self.world.contacts_list(sandbox=self.sandbox):
            if contact.get("email") == email.lower():
                return str(contact["id"])
        return None

    def count(self) -> int:
        return len(self.sandbox.state.contacts)

    def delete(self, record_id: str) -> None:
        self.world.delete_contact(record_id, sandbox=self.sandbox)

    def exists(self, record_id: str) -> bool:
        return record_id in self.sandbox.state.contacts


class ModelRecord:
    """What the model knows of one person: ids, and per side the values as of the last cycle."""

    def __init__(self, email: str, side: str, record_id: str, values: dict[str, Any]) -> None:
        self.email = email
        self.ids: dict[str, str | None] = {"left": None, "right": None}
        self.ids[side] = record_id
        self.now: dict[str, dict[str, Any]] = {side: dict(values)}
        self.base: dict[str, dict[str, Any]] | None = None
        self.edited_at: dict[str, float] = {"left": 0.0, "right": 0.0}
        #: The side a user deleted the record on, until a cycle has seen it; then the sides gone for good.
        self.deleting: str | None = None
        self.gone: set[str] = set()


def _field_pairs(left: Driver, right: Driver) -> list[tuple[str, str]]:
    return [(key, key) for key in left.fields]


def _spec(left_app: str, left_connection: str, right_connection: str, left: Driver, right: Driver,
          reconcile: float) -> dict[str, Any]:
    left_type = "personio.employee" if left_app == "personio" else "contacts.contact"
    fields: list[dict[str, Any]] = [
        {"left": "email", "right": "email", "direction": "left_to_right" if left_app == "personio" else "both"},
        *({"left": lk, "right": rk, "direction": "both"} for lk, rk in _field_pairs(left, right)),
    ]
    if left.has_tags and right.has_tags:
        fields.append({"left": "tags", "right": "tags", "direction": "both"})
    return {
        "name": "model",
        "left": {"app": left_app, "connection_id": left_connection, "record_type": left_type},
        "right": {"app": "contacts", "connection_id": right_connection, "record_type": "contacts.contact"},
        "fields": fields,
        "tie_winner": "left",
        # Personio's API cannot delete an employee: a deleted contact is flagged, a deleted employee mirrored.
        "deletion": "mirror_left_to_right" if left_app == "personio" else "mirror",
        "reconcile_seconds": reconcile,
    }


class SyncModel(RuleBasedStateMachine):
    """Two sides, one sync, and the model of what every completed cycle must leave."""

    left_app = "personio"

    def __init__(self) -> None:
        super().__init__()
        forget_cached_tokens()
        self.tmp = Path(tempfile.mkdtemp(prefix="sync-model-"))
        self.world = SyncWorld(self.tmp)
        if self.left_app == "personio":
            self.drivers: dict[str, Driver] = {"left": PersonioDriver(self.world),
                                               "right": ContactsDriver(self.world, self.world.contacts)}
        else:
            self.drivers = {"left": ContactsDriver(self.world, self.world.contacts),
                            "right": ContactsDriver(self.world, self.world.contacts_b)}
        self.pairs = _field_pairs(self.drivers["left"], self.drivers["right"])
        self.tags = self.drivers["left"].has_tags and self.drivers["right"].has_tags
        self.sync_id = ""
        self.spec: dict[str, Any] = {}
        self.reconciles = False
        self.records: list[ModelRecord] = []
        self.serial = 0

    def teardown(self) -> None:
        try:
            if self.records:
                self._final_checks()
        finally:
            self.world.contacts.outbox.close()
            self.world.contacts_b.outbox.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            forget_cached_tokens()

    # --- helpers ---------------------------------------------------------------------------------
    def _values(self, rng_names: list[str]) -> dict[str, str]:
        keys = self.drivers["left"].fields
        return {key: rng_names[i % len(rng_names)] + str(i) for i, key in enumerate(keys)}

    def _add(self, side: str, names: list[str], tags: list[str]) -> None:
        self.serial += 1
        email = f"person{self.serial}@example.com"
        driver = self.drivers[side]
        base_values = self._values(names)
        values = base_values if side == "left" else {rk: base_values[lk] for lk, rk in self.pairs}
        record_id = driver.create(email, values)
        for tag in tags if driver.has_tags else []:
            driver.tag(record_id, tag, True)
        record = ModelRecord(email, side, record_id, driver.read(record_id))
        record.edited_at[side] = self.world.clock()
        self.records.append(record)

    def _engine(self, stop_at: int | None) -> SyncEngine:
        count = {"n": 0}

        def checkpoint(name: str) -> None:
            count["n"] += 1
            if stop_at is not None and count["n"] == stop_at:
                raise SyncStopped(name)

        return self.world.engine(checkpoint if stop_at is not None else None)

    def _run_cycle(self, stops: list[int]) -> None:
        for stop in stops:
            try:
                self._engine(stop).run_cycle(self.sync_id)
            except SyncStopped:
                continue  # killed: the next engine is a restarted process on the same database
            break
        report = self._engine(None).run_cycle(self.sync_id)
        assert not report.errors, f"seed {SEED}: {report.errors}"

    def _mirrors_to(self, target: str) -> bool:
        deletion = self.spec["deletion"]
        source = "left" if target == "right" else "right"
        return bool(deletion in ("mirror", f"mirror_{source}_to_{target}"))

    def _expected(self, record: ModelRecord) -> None:
        """Apply the model's rules for one completed cycle to ``record``."""
        left, right = self.drivers["left"], self.drivers["right"]
        if record.gone:
            return  # the link is over: whatever happens to a survivor stays on its side
        if record.deleting is not None:
            side, target = record.deleting, "right" if record.deleting == "left" else "left"
            record.gone = {side, target} if self._mirrors_to(target) else {side}
            record.deleting = None
            return
        if record.base is None:  # new on one side: copied to the other
            side = "left" if record.ids["left"] else "right"
            source = record.now[side]
            target = "right" if side == "left" else "left"
            copied: dict[str, Any] = {}
            for lk, rk in self.pairs:
                copied[rk if target == "right" else lk] = source[lk if side == "left" else rk]
            if self.tags:
                copied["tags"] = source["tags"]
            target_driver = right if target == "right" else left
            if not target_driver.has_tags:
                copied.pop("tags", None)
            elif "tags" not in copied:
                copied["tags"] = frozenset()
            record.now[target] = copied
            record.ids[target] = self.drivers[target].find(record.email)
            assert record.ids[target] is not None, f"seed {SEED}: {record.email} was not created on the {target}"
        else:
            now, base = record.now, record.base
            for lk, rk in self.pairs:
                lv, rv, lb, rb = now["left"][lk], now["right"][rk], base["left"][lk], base["right"][rk]
                changed_left, changed_right = lv != lb, rv != rb
                if changed_left and changed_right and lv != rv:
                    winner = "left" if record.edited_at["left"] >= record.edited_at["right"] else "right"
                    value = lv if winner == "left" else rv
                elif changed_left:
                    value = lv
                elif changed_right:
                    value = rv
                else:
                    continue
                now["left"][lk] = now["right"][rk] = value
            if self.tags:
                lt, rt = now["left"]["tags"], now["right"]["tags"]
                lbt, rbt = base["left"]["tags"], base["right"]["tags"]
                merged = (lt | rt) - ((lbt - lt) | (rbt - rt))
                now["left"]["tags"] = now["right"]["tags"] = frozenset(merged)
        record.base = {side: dict(values) for side, values in record.now.items()}

    def _check_all(self) -> None:
        for record in self.records:
            for side in ("left", "right"):
                record_id = record.ids[side]
                assert record_id is not None
                if side in record.gone:
                    assert not self.drivers[side].exists(record_id), (
                        f"seed {SEED}: {record.email} on the {side} should be deleted")
                    continue
                actual = self.drivers[side].read(record_id)
                assert actual == record.now[side], (
                    f"seed {SEED}: {record.email} on the {side}: {actual} != model {record.now[side]}")

    def _final_checks(self) -> None:
        self._run_cycle([])
        for record in self.records:
            self._expected(record)
        self._check_all()
        writes_before = len(self.world.field_writes)
        audit_before = len(self.world.sync_store.audit_entries(self.sync_id, limit=None))
        self._engine(None).run_cycle(self.sync_id)
        assert len(self.world.field_writes) == writes_before, f"seed {SEED}: a quiet cycle wrote"
        later = self.world.sync_store.audit_entries(self.sync_id, limit=None)
        assert all(entry["reason"] == "echo ignored" for entry in later[: len(later) - audit_before]), \
            f"seed {SEED}: a quiet cycle audited changes"
        # Every field the sync sent was sent once per audit entry saying so, and never otherwise.
        spec_sides = {name: Side(self.spec[name]["app"], self.spec[name]["connection_id"], "")
                      for name in ("left", "right")}
        urls = {name: self.world.base_url_of(side) for name, side in spec_sides.items()}
        audited: Counter[tuple[str, str, str]] = Counter()
        links = {link["id"]: link for link in self.world.sync_store.all_links(self.sync_id, limit=100_000)}
        for entry in self.world.sync_store.audit_entries(self.sync_id, limit=None):
            if entry["reason"] not in WRITING_REASONS:
                continue
            target = "right" if entry["direction"] == "left_to_right" else "left"
            link = links[entry["link_id"]]
            if entry["reason"] == "deleted" and entry["intent_id"] is None:
                continue  # a deletion found and flagged or ignored: nothing written
            key = {"created": "*created*", "deleted": "*deleted*"}.get(entry["reason"], entry["field"])
            audited[(urls[target], link[f"{target}_id"], key)] += 1
        assert Counter(self.world.field_writes) == audited, f"seed {SEED}: writes and audit entries differ"
        # Nobody twice, on either side; the deleted stay deleted; one audit entry per deletion.
        for side in ("left", "right"):
            alive = sum(1 for record in self.records if side not in record.gone)
            assert self.drivers[side].count() == alive, f"seed {SEED}: {side} holds a duplicate or a resurrection"
        assert len(self.records) == len(links)
        deletions = Counter(entry["link_id"] for entry in self.world.sync_store.audit_entries(
            self.sync_id, reason="deleted", limit=None))
        assert sorted(deletions.values()) == [1] * sum(1 for record in self.records if record.gone), \
            f"seed {SEED}: deletions and their audit entries differ: {deletions}"

    # --- rules -----------------------------------------------------------------------------------
    @initialize(count=st.integers(2, 4), names=st.lists(st.sampled_from(NAMES), min_size=3, max_size=3),
                tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True), reconciles=st.booleans())
    def start(self, count: int, names: list[str], tags: list[str], reconciles: bool) -> None:
        # Reconciling every cycle lists both sides in full, which finds deletions; otherwise cycles
        # list only changes (and the model deletes nothing).
        self.reconciles = reconciles
        self.spec = _spec(self.left_app, "personio" if self.left_app == "personio" else "contacts",
                          "contacts" if self.left_app == "personio" else "contacts_b",
                          self.drivers["left"], self.drivers["right"], 1.0 if reconciles else 3600.0)
        self.sync_id = self.world.engine().create(self.spec)["id"]
        for index in range(count):
            self._add("left", names[index % 3:] + names[: index % 3], tags)
        self.world.clock.advance(2.5)
        self._add("right", names, tags)
        self.world.clock.advance(2.5)
        self._run_cycle([])
        for record in self.records:
            self._expected(record)
        self._check_all()

    @rule(side=st.sampled_from(("left", "right")), which=st.integers(0, 50), field=st.integers(0, 1),
          name=st.sampled_from(NAMES), wait=st.floats(2.1, 8.0))
    def edit(self, side: str, which: int, field: int, name: str, wait: float) -> None:
        record = self.records[which % len(self.records)]
        record_id = record.ids[side]
        if record_id is None or record.base is None or side in record.gone or record.deleting is not None:
            return
        lk, rk = self.pairs[field % len(self.pairs)]
        key = lk if side == "left" else rk
        if record.now[side][key] == name:
            return  # the vendor would not count it as a change
        self.world.clock.advance(wait)
        self.drivers[side].edit(record_id, key, name)
        record.now[side][key] = name
        record.edited_at[side] = self.world.clock()

    @precondition(lambda self: self.tags)
    @rule(side=st.sampled_from(("left", "right")), which=st.integers(0, 50), tag=st.sampled_from(TAGS),
          add=st.booleans(), wait=st.floats(2.1, 8.0))
    def tag(self, side: str, which: int, tag: str, add: bool, wait: float) -> None:
        record = self.records[which % len(self.records)]
        record_id = record.ids[side]
        if record_id is None or record.base is None or (tag in record.now[side]["tags"]) == add \
                or side in record.gone or record.deleting is not None:
            return
        self.world.clock.advance(wait)
        self.drivers[side].tag(record_id, tag, add)
        tags = set(record.now[side]["tags"])
        if add:
            tags.add(tag)
        else:
            tags.discard(tag)
        record.now[side]["tags"] = frozenset(tags)
        record.edited_at[side] = self.world.clock()

    @precondition(lambda self: self.reconciles)
    @rule(side=st.sampled_from(("left", "right")), which=st.integers(0, 50), wait=st.floats(2.1, 8.0))
    def delete(self, side: str, which: int, wait: float) -> None:
        record = self.records[which % len(self.records)]
        record_id = record.ids[side]
        if record_id is None or record.base is None or record.gone or record.deleting is not None:
            return
        self.world.clock.advance(wait)
        self.drivers[side].delete(record_id)
        record.deleting = side

    @rule(side=st.sampled_from(("left", "right")), names=st.lists(st.sampled_from(NAMES), min_size=3, max_size=3))
    def new_record(self, side: str, names: list[str]) -> None:
        self.world.clock.advance(2.5)
        self._add(side, names, ["beta"])

    @rule(stops=st.lists(st.integers(1, 40), max_size=2), wait=st.floats(2.1, 20.0))
    def cycle(self, stops: list[int], wait: float) -> None:
        self.world.clock.advance(wait)
        self._run_cycle(stops)
        for record in self.records:
            self._expected(record)
        self._check_all()


class ContactsPairModel(SyncModel):
    left_app = "contacts"


def _run(machine: type[RuleBasedStateMachine]) -> None:
    print(f"sync model seed: {SEED} (replay with SYNC_MODEL_SEED={SEED})")
    run_state_machine_as_test(seed(SEED)(machine), settings=PROFILE)


@pytest.mark.parametrize("machine", [SyncModel, ContactsPairModel], ids=["personio-contacts", "contacts-contacts"])
def test_random_edits_kills_and_skewed_clocks_always_settle_on_the_latest_edit(machine: type[SyncModel]) -> None:
    _run(machine)
