"""Fixtures: the composed platform (emulator + both sandboxes) on a fake clock, built per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from acceptance_world import PUBLIC_URL, FakeClock

from emulator.demo import Environment, build_environment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_platform(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., Environment]]:
    """Build the platform as ``connector emulate`` does, with the scheduler driven by the test.

    Keyword arguments go to :func:`emulator.demo.build_environment`; ``config`` is merged over a fake
    clock and a short retry delay. Every environment built is closed at the end of the test.
    """
    built: list[Environment] = []

    def build(*, config: dict[str, Any] | None = None, **kwargs: Any) -> Environment:
        kwargs.setdefault("okta_users", 40)
        kwargs.setdefault("contacts", 5)
        kwargs.setdefault("runner_thread", False)
        merged = {"CLOCK": clock, "RETRY_BASE_SECONDS": 1.0, **(config or {})}
        env = build_environment(PUBLIC_URL, tmp_path / "data", config=merged, **kwargs)
        built.append(env)
        return env

    yield build
    for env in built:
        env.close()
