from __future__ import annotations

import threading
import time

import httpx
import pytest
from flask import Flask, request

from emulator.serving import serve
from sandboxes.outbox import HISTORY_LIMIT, Outbox


class Receiver:
    """A hook receiver that answers a scripted list of statuses, then 200."""

    def __init__(self, statuses: list[int] | None = None, slow_first: float = 0.0) -> None:
        self.statuses = list(statuses or [])
        self.slow_first = slow_first
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.app = Flask("receiver")
        self.app.add_url_rule("/hook", view_func=self.hook, methods=["GET", "POST"])

    def hook(self) -> tuple[dict[str, str], int]:
        with self.lock:
            self.bodies.append(request.get_data())
            self.headers.append(dict(request.headers))
            first = len(self.bodies) == 1
            status = self.statuses.pop(0) if self.statuses else 200
        if first and self.slow_first:
            time.sleep(self.slow_first)
        challenge = request.headers.get("x-okta-verification-challenge")
        return ({"verification": challenge} if challenge else {}), status


def _outbox(receiver: Receiver, **options: object) -> Outbox:
    return Outbox(transport=httpx.WSGITransport(app=receiver.app), **options)  # type: ignore[arg-type]


def test_a_synchronous_delivery_arrives_with_its_headers_and_body() -> None:
    receiver = Receiver()
    with _outbox(receiver, synchronous=True) as outbox:
        delivery = outbox.send("http://receiver.test/hook", {"Authorization": "secret"}, b'{"a":1}')
    assert delivery.delivered
    assert [a.status for a in delivery.attempts] == [200]
    assert receiver.bodies == [b'{"a":1}']
    assert receiver.headers[0]["Authorization"] == "secret"
    assert outbox.deliveries == [delivery]


def test_a_5xx_is_retried_once_and_then_succeeds() -> None:
    receiver = Receiver([503])
    with _outbox(receiver, synchronous=True) as outbox:
        delivery = outbox.send("http://receiver.test/hook", {}, b"{}")
    assert [a.status for a in delivery.attempts] == [503, 200]
    assert delivery.delivered


def test_two_5xx_in_a_row_give_up_after_one_retry() -> None:
    receiver = Receiver([500, 500, 500])
    with _outbox(receiver, synchronous=True) as outbox:
        delivery = outbox.send("http://receiver.test/hook", {}, b"{}")
    assert [a.status for a in delivery.attempts] == [500, 500]
    assert not delivery.delivered
    assert delivery.finished.is_set()


def test_a_4xx_is_never_retried() -> None:
    receiver = Receiver([410])
    with _outbox(receiver, synchronous=True, retries=3) as outbox:
        delivery = outbox.send("http://receiver.test/hook", {}, b"{}")
    assert [a.status for a in delivery.attempts] == [410]
    assert not delivery.delivered
    assert len(receiver.bodies) == 1


def test_a_timeout_is_retried_once_on_a_real_port() -> None:
    receiver = Receiver(slow_first=0.6)
    with serve(receiver.app) as served, Outbox(timeout=0.25, synchronous=True) as outbox:
        delivery = outbox.send(f"{served.base_url}/hook", {}, b"{}")
    assert delivery.attempts[0].status is None
    assert "Timeout" in (delivery.attempts[0].error or "")
    assert delivery.attempts[1].status == 200
    assert delivery.delivered


def test_a_refused_connection_is_retried_and_recorded() -> None:
    served = serve(Receiver().app)
    url = f"{served.base_url}/hook"
    served.stop()
    with Outbox(synchronous=True, timeout=1) as outbox:
        delivery = outbox.send(url, {}, b"{}")
    assert len(delivery.attempts) == 2
    assert all(a.status is None and "ConnectError" in (a.error or "") for a in delivery.attempts)


def test_queued_deliveries_arrive_after_flush() -> None:
    receiver = Receiver([500])
    with _outbox(receiver, workers=2) as outbox:
        sent = [outbox.send("http://receiver.test/hook", {}, f'{{"n":{n}}}'.encode()) for n in range(20)]
        outbox.flush(timeout=5)
        assert all(d.delivered for d in sent)
        assert set(receiver.bodies) == {f'{{"n":{n}}}'.encode() for n in range(20)}
        assert len(receiver.bodies) == 21  # the one answered 500 came again
        assert sum(len(d.attempts) for d in sent) == 21


def test_the_transport_can_be_pointed_elsewhere_later() -> None:
    first, second = Receiver(), Receiver()
    with _outbox(first, synchronous=True) as outbox:
        outbox.send("http://receiver.test/hook", {}, b"1")
        outbox.transport = httpx.WSGITransport(app=second.app)
        outbox.send("http://receiver.test/hook", {}, b"2")
    assert first.bodies == [b"1"]
    assert second.bodies == [b"2"]


def test_a_verification_get_returns_the_receiver_answer_and_retries_a_5xx() -> None:
    receiver = Receiver([502])
    with _outbox(receiver) as outbox:
        response = outbox.get("http://receiver.test/hook", {"x-okta-verification-challenge": "abc"})
    assert response.status_code == 200
    assert response.json() == {"verification": "abc"}
    assert len(receiver.bodies) == 2


def test_a_verification_get_to_nobody_raises_after_the_retry() -> None:
    served = serve(Receiver().app)
    url = f"{served.base_url}/hook"
    served.stop()
    with Outbox(timeout=1) as outbox, pytest.raises(httpx.ConnectError):
        outbox.get(url, {})


def test_history_keeps_only_the_latest_deliveries() -> None:
    receiver = Receiver()
    with _outbox(receiver, synchronous=True) as outbox:
        for n in range(HISTORY_LIMIT + 5):
            outbox.send("http://receiver.test/hook", {}, str(n).encode())
        assert len(outbox.deliveries) == HISTORY_LIMIT
        assert outbox.deliveries[-1].body == str(HISTORY_LIMIT + 4).encode()
        assert outbox.deliveries[0].body == b"5"


def test_a_closed_outbox_refuses_new_deliveries() -> None:
    outbox = _outbox(Receiver())
    outbox.close()
    with pytest.raises(RuntimeError, match="closed"):
        outbox.send("http://receiver.test/hook", {}, b"{}")
