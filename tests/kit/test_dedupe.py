"""Each trigger item fires once per flow, across restarts, with bounded memory."""

from __future__ import annotations

from connector.dedupe import SqlDedupeStore, sqlite_engine


def test_seeding_records_ids_so_only_later_ones_are_new(tmp_path):
    store = SqlDedupeStore(sqlite_engine(str(tmp_path / "d.db")))
    assert store.seed("flow-1", ["a", "b"]) == 2
    assert store.filter_new("flow-1", ["c", "b", "a", "d"]) == ["c", "d"]
    assert store.filter_new("flow-1", ["c", "d"]) == []


def test_flows_keep_separate_records_and_clearing_one_forgets_it(tmp_path):
    store = SqlDedupeStore(sqlite_engine(str(tmp_path / "d.db")))
    store.seed("flow-1", ["a"])
    assert store.filter_new("flow-2", ["a"]) == ["a"]
    store.clear("flow-1")
    assert store.count("flow-1") == 0
    assert store.filter_new("flow-1", ["a"]) == ["a"]


def test_the_record_survives_a_restart(tmp_path):
    path = str(tmp_path / "d.db")
    SqlDedupeStore(sqlite_engine(path)).seed("flow-1", [str(i) for i in range(1200)])
    reopened = SqlDedupeStore(sqlite_engine(path))
    assert reopened.count("flow-1") == 1200
    assert reopened.filter_new("flow-1", ["5", "1200"]) == ["1200"]


def test_the_oldest_ids_are_pruned_past_capacity(tmp_path):
    store = SqlDedupeStore(sqlite_engine(str(tmp_path / "d.db")), capacity=100)
    store.seed("flow-1", [str(i) for i in range(150)])
    assert store.count("flow-1") == 100
    assert store.filter_new("flow-1", ["0", "149"]) == ["0"]


def test_new_ids_commit_with_the_callers_transaction(tmp_path):
    engine = sqlite_engine(str(tmp_path / "d.db"))
    store = SqlDedupeStore(engine)
    try:
        with engine.begin() as conn:
            assert store.filter_new("flow-1", ["x"], conn) == ["x"]
            raise RuntimeError("crash before the run record is written")
    except RuntimeError:
        pass
    assert store.filter_new("flow-1", ["x"]) == ["x"]


def test_a_seed_in_batches_ignores_repeats_prunes_once_at_the_end_and_is_unusable_until_then(tmp_path):
    store = SqlDedupeStore(sqlite_engine(str(tmp_path / "d.db")), capacity=100)
    store.seed("flow-1", ["stale"])
    store.begin_seed("flow-1")
    assert store.count("flow-1") == 0 and store.seed_unfinished("flow-1")
    store.add_seen("flow-1", [str(i) for i in range(80)])
    store.add_seen("flow-1", [str(i) for i in range(60, 150)])  # a user listed, then logged while listing
    assert store.count("flow-1") == 150  # nothing pruned mid-walk
    assert store.seed_unfinished("flow-1")
    store.finish_seed("flow-1")
    assert not store.seed_unfinished("flow-1")
    assert store.count("flow-1") == 100
    assert store.filter_new("flow-1", ["0", "149", "stale"]) == ["0", "stale"]  # the oldest went first


def test_a_forgotten_record_needs_a_seed_and_clearing_a_flow_drops_the_mark(tmp_path):
    store = SqlDedupeStore(sqlite_engine(str(tmp_path / "d.db")))
    store.seed("flow-1", ["a"])
    store.forget("flow-1")
    assert store.count("flow-1") == 0 and store.seed_unfinished("flow-1")
    store.clear("flow-1")
    assert not store.seed_unfinished("flow-1")
