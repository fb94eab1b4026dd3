"""Benchmarks are scripts run as ``python bench/<name>.py``; their folder is put on the path so the smoke
tests can import them the way the scripts import each other (``from benchkit import ...``)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
