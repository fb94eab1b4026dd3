from __future__ import annotations

import threading

import httpx
import pytest
from flask import Flask

from emulator.serving import serve


def _app() -> Flask:
    app = Flask("served")

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"thread": threading.current_thread().name}

    return app


def test_a_sandbox_served_on_a_free_port_answers_real_http_requests() -> None:
    with serve(_app()) as served:
        assert served.base_url.startswith("http://127.0.0.1:")
        assert served.port > 0
        response = httpx.get(f"{served.base_url}/hello", timeout=3)
        assert response.status_code == 200
        assert "thread" in response.json()


def test_two_sandboxes_get_different_ports() -> None:
    with serve(_app()) as first, serve(_app()) as second:
        assert first.port != second.port


def test_a_stopped_sandbox_refuses_connections() -> None:
    served = serve(_app())
    url = f"{served.base_url}/hello"
    assert httpx.get(url, timeout=3).status_code == 200
    served.stop()
    served.stop()  # stopping twice is harmless
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=3)


def test_the_server_handles_requests_concurrently() -> None:
    with serve(_app()) as served, httpx.Client(base_url=served.base_url, timeout=3) as client:
        results: list[int] = []

        def call() -> None:
            results.append(client.get("/hello").status_code)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [200] * 8
