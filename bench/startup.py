"""Benchmark: how long the ``connector`` command takes to start, against a bare Python interpreter.

A user feels start-up on every command. Each round runs, as fresh processes and alternating:

- ``python -c pass``: the floor, the interpreter alone (with this virtualenv's site-packages);
- ``connector --help``: the command group, which must import none of its commands;
- ``connector validate``: every installed app loaded (the Okta app with its whole generated catalogue,
  over 300 operations), its manifest built and checked against the manifest schema and the cross-field
  rules (imports included: that is what a user waits for). It keeps no cache between runs, so every
  run is a first run.

The line reports each one's median and spread (min-max) over the rounds and its ratio to bare Python.
Goals (the design notes): ``--help`` at most 0.15 s and ``validate`` at most 0.5 s (medians).

    python bench/startup.py                 # 5 rounds
    python bench/startup.py --rounds 9
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchkit import median, spread, verdict

GOALS = {"--help": 0.15, "validate": 0.5}


def commands() -> dict[str, list[str]]:
    """What is timed, as argv lists; ``connector`` is this interpreter's console script."""
    script = Path(sys.executable).with_name("connector")
    connector = [str(script)] if script.exists() else [sys.executable, "-m", "connector.cli"]
    return {
        "python": [sys.executable, "-c", "pass"],
        "--help": [*connector, "--help"],
        "validate": [*connector, "validate"],
    }


def time_once(argv: list[str]) -> float:
    """Wall seconds for one run of ``argv``; a failing command is an error, not a figure."""
    # Users' installs keep bytecode caches; an environment that forbids writing them (as some CI and
    # sandboxed shells do) would time the compiler on every run instead of the command.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return seconds


def measure(rounds: int) -> dict[str, list[float]]:
    """``{name: [seconds per round]}``, every command once per round, after one untimed warm-up each."""
    argvs = commands()
    for argv in argvs.values():
        time_once(argv)  # warm the OS file cache and the bytecode cache
    results: dict[str, list[float]] = {name: [] for name in argvs}
    for _ in range(rounds):
        for name, argv in argvs.items():
            results[name].append(time_once(argv))
    return results


def summarise(results: dict[str, list[float]]) -> str:
    floor = median(results["python"])
    parts = [f"python -c pass {floor:.3f}s [{spread(results['python'], 's', 3)}]"]
    passed = True
    for name, goal in GOALS.items():
        value = median(results[name])
        passed &= value <= goal
        parts.append(
            f"connector {name} {value:.3f}s [{spread(results[name], 's', 3)}] ({value / floor:.1f}x python, "
            f"goal <= {goal}s)"
        )
    rounds = len(results["python"])
    return f"startup ({rounds} rounds, median [min-max]): {'; '.join(parts)}: {verdict(passed)}"


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="9 rounds")
    args = parser.parse_args(argv)
    line = summarise(measure(9 if args.full else max(1, args.rounds)))
    print(line, flush=True)
    return line


if __name__ == "__main__":
    main()
