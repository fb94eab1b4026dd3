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
