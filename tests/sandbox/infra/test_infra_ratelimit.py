from __future__ import annotations

import threading

import pytest

from sandboxes.ratelimit import WindowLimiter


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_000_010.0)  # 10 s into a clock-aligned minute


def test_requests_within_the_limit_are_allowed_and_count_down(clock: FakeClock) -> None:
    limiter = WindowLimiter(3, 60, clock=clock)
    decisions = [limiter.hit("org") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert all(d.limit == 3 and d.retry_after == 0.0 for d in decisions)
    assert decisions[0].reset_at == 1_700_000_040.0


def test_the_request_over_the_limit_is_refused_until_the_window_resets(clock: FakeClock) -> None:
    limiter = WindowLimiter(2, 60, clock=clock)
    limiter.hit("org")
    limiter.hit("org")
    refused = limiter.hit("org")
    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.retry_after == pytest.approx(30.0)
    clock.now = 1_700_000_040.0
    fresh = limiter.hit("org")
    assert fresh.allowed and fresh.remaining == 1
    assert fresh.reset_at == 1_700_000_100.0


def test_keys_have_separate_budgets(clock: FakeClock) -> None:
    limiter = WindowLimiter(1, 60, clock=clock)
    assert limiter.hit("/api/v1/users").allowed
    assert limiter.hit("/api/v1/logs").allowed
    assert not limiter.hit("/api/v1/users").allowed


def test_changing_the_limit_applies_to_the_running_window(clock: FakeClock) -> None:
    limiter = WindowLimiter(1, 60, clock=clock)
    limiter.hit("org")
    assert not limiter.hit("org").allowed
    limiter.limit = 3
    assert limiter.hit("org").allowed
    assert limiter.peek("org").remaining == 1


def test_peek_and_reset_do_not_spend_budget(clock: FakeClock) -> None:
    limiter = WindowLimiter(2, 10, clock=clock)
    assert limiter.peek("org").remaining == 2
    limiter.hit("org")
    limiter.hit("org")
    assert not limiter.peek("org").allowed
    limiter.reset()
    assert limiter.hit("org").allowed


def test_concurrent_hits_never_exceed_the_limit(clock: FakeClock) -> None:
    limiter = WindowLimiter(100, 60, clock=clock)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(50):
            decision = limiter.hit("org")
            with lock:
                allowed.append(decision.allowed)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 100
    assert len(allowed) == 400


def test_a_nonsense_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window_seconds"):
        WindowLimiter(10, 0)
