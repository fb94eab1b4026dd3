"""The seam's pacer spends a vendor's announced budget without overflowing it (fake clock, no sleeping)."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from connector.http import make_client
from connector.pacing import RatePacer


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _request(token: str = "Bearer loc-1", path: str = "/contacts/", host: str = "contacts.test") -> httpx.Request:
    return httpx.Request("GET", f"https://{host}{path}", headers={"Authorization": token})


def _highlevel(remaining: int, limit: int = 10, interval_ms: int = 1000) -> httpx.Response:
    return httpx.Response(200, headers={
        "X-RateLimit-Max": str(limit), "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Interval-Milliseconds": str(interval_ms),
    })


def _send(pacer: RatePacer, clock: FakeClock, request: httpx.Request, remaining: int) -> float:
    """Wait for the slot (advancing the fake clock), 'send', and show the pacer the answer."""
    wait = pacer.reserve(request)
    clock.now += wait
    pacer.observe(request, _highlevel(remaining), clock.now)
    return clock.now


def test_a_highlevel_budget_is_spent_in_a_burst_then_the_next_request_waits_for_the_interval() -> None:
    clock = FakeClock()
    pacer = RatePacer(clock=clock, margin=0.0)
    request = _request()
    sent = [_send(pacer, clock, request, remaining=9 - n) for n in range(10)]
    assert sent == [1000.0] * 10  # nothing known before the first answer, then budget left: no waiting
    # The 11th waits until the first of the ten is an interval old.
    assert pacer.reserve(request) == pytest.approx(1.0, abs=0.01)


def test_no_interval_of_the_announced_length_ever_holds_more_than_the_budget() -> None:
    clock = FakeClock()
    pacer = RatePacer(clock=clock)
    request = _request()
    sent: list[float] = []
    for n in range(95):
        sent.append(_send(pacer, clock, request, remaining=max(0, 9 - n % 10)))
        clock.now += 0.013  # each request takes 13 ms
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 1.0) <= 10
    # ... and the budget is used: 95 requests in about 9 intervals, not spread out needlessly.
    assert sent[-1] - sent[0] < 9.5


def test_budgets_are_kept_apart_by_host_and_credential() -> None:
    clock = FakeClock()
    pacer = RatePacer(clock=clock)
    spent = _request("Bearer loc-1")
    for n in range(10):
        _send(pacer, clock, spent, remaining=9 - n)
    assert pacer.reserve(spent) > 0
    assert pacer.reserve(_request("Bearer loc-2")) == 0.0
    assert pacer.reserve(_request("Bearer loc-1", host="other.test")) == 0.0


def test_a_budget_spent_by_someone_else_closes_for_one_interval() -> None:
    clock = FakeClock()
    pacer = RatePacer(clock=clock, margin=0.0)
    request = _request()
    _send(pacer, clock, request, remaining=0)  # our first request, and the service says nothing is left
    assert pacer.reserve(request) == pytest.approx(1.0, abs=0.01)


def _okta(remaining: int, reset_in: int, server_now: float) -> httpx.Response:
    return httpx.Response(200, headers={
        "X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(int(server_now) + reset_in),
        "Date": email.utils.formatdate(server_now, usegmt=True),
    })


def test_okta_is_not_paced_while_budget_remains_and_waits_for_the_reset_once_it_runs_out() -> None:
    clock = FakeClock()
    server_now = 1_700_000_000.0
    pacer = RatePacer(clock=clock, wall_clock=lambda: server_now)
    users = _request("SSWS token", "/api/v1/users", "org.okta.test")
    pacer.observe(users, _okta(remaining=2, reset_in=30, server_now=server_now), clock.now)
    assert pacer.reserve(users) == 0.0
    assert pacer.reserve(users) == 0.0
    assert pacer.reserve(users) == 30.0  # the third would be refused: wait for the window to reset
    # Another endpoint family has its own budget.
    assert pacer.reserve(_request("SSWS token", "/api/v1/logs", "org.okta.test")) == 0.0


def test_the_seam_waits_for_the_pacer_and_the_service_never_sees_its_budget_overflow() -> None:
    clock = FakeClock()
    pacer = RatePacer(clock=clock, margin=0.0)
    arrivals: list[float] = []

    def service(request: httpx.Request) -> httpx.Response:
        arrivals.append(clock.now)
        window = [t for t in arrivals if t > clock.now - 1.0]
        if len(window) > 3:
            return httpx.Response(429, headers={"Retry-After": "1"})
        return _highlevel(remaining=3 - len(window), limit=3)

    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.now += seconds

    with make_client("https://contacts.test", transport=httpx.MockTransport(service), pacer=pacer,
                     sleep=sleep, headers={"Authorization": "Bearer loc-1"}) as client:
        statuses = [client.get("/contacts/").status_code for _ in range(7)]
    assert statuses == [200] * 7
    assert len(arrivals) == 7  # no 429, so no retries
    assert waits == [pytest.approx(1.0, abs=0.01)] * 2


def test_in_process_transports_are_not_paced_unless_asked() -> None:
    def service(request: httpx.Request) -> httpx.Response:
        return _highlevel(remaining=0, limit=1, interval_ms=60_000)

    slept: list[float] = []
    with make_client("https://contacts.test", transport=httpx.MockTransport(service), sleep=slept.append) as client:
        for _ in range(3):
            client.get("/contacts/")
    assert slept == []
