"""The runner's table: one row per benchmark with its verdict, the result line wrapped beneath."""

from __future__ import annotations

import pytest

run_all = pytest.importorskip("run_all")


def test_the_table_lists_each_benchmark_with_its_verdict_and_wraps_long_lines():
    rows = [("mapping", "PASS", "mapping: " + "x" * 150, 3.2), ("hook_ingress", "MISS", "hook_ingress: slow", 9.0)]
    text = run_all.table(rows, width=80).splitlines()
    assert text[0].split() == ["benchmark", "result", "time", "line"]
    assert text[2].startswith("mapping            PASS        3s  mapping: ")
    assert text[3].strip().startswith("x")  # the long line continues on the next row
    assert text[-2].startswith("hook_ingress       MISS        9s  hook_ingress: slow")
    assert text[-1].strip().startswith("judged on: connector emulate's ingress / bare Flask ceiling >= 0.8")


def test_every_benchmark_in_the_folder_is_run_by_run_all():
    scripts = {path.stem for path in run_all.BENCH_DIR.glob("*.py")} - {"benchkit", "loadgen", "run_all"}
    assert scripts == {name for name in run_all.BENCHMARKS if (run_all.BENCH_DIR / f"{name}.py").exists()}
    assert set(run_all.JUDGED_ON) == set(run_all.BENCHMARKS)
