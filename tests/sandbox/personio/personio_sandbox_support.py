"""Test doubles for the Personio sandbox tests: a clock the tests move by hand."""

from __future__ import annotations


class SandboxClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.5

    def __call__(self) -> float:
        return self.now
