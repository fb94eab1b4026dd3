"""Test doubles for the Personio app stories: a clock the tests move by hand."""

from __future__ import annotations


class ManualClock:
    """Epoch seconds that move only when a test says so (Personio's times are to the second)."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
