"""The seam keeps the cookies a service sets, as httpx does, and skips the jar for answers that set none."""

from __future__ import annotations

import flask
import httpx

from connector.http import make_client


def cookie_service() -> flask.Flask:
    app = flask.Flask("cookies")

    @app.get("/login")
    def login() -> flask.Response:
        response = flask.jsonify({"ok": True})
        response.set_cookie("session", "s-123", path="/")
        return response

    @app.get("/plain")
    def plain() -> flask.Response:
        return flask.jsonify({"seen": flask.request.cookies.get("session")})

    return app


def test_a_cookie_the_service_sets_is_sent_back_and_plain_answers_leave_the_jar_alone() -> None:
    client = make_client("http://cookies.test", transport=httpx.WSGITransport(app=cookie_service()), retry=None)
    assert client.get("/plain").json() == {"seen": None}
    assert len(client.cookies.jar) == 0
    client.get("/login")
    assert client.cookies.get("session") == "s-123"
    assert client.get("/plain").json() == {"seen": "s-123"}
    assert len(client.cookies.jar) == 1


def test_cookies_can_still_be_set_on_the_client() -> None:
    client = make_client("http://cookies.test", transport=httpx.WSGITransport(app=cookie_service()), retry=None)
    client.cookies = {"session": "given"}
    assert client.get("/plain").json() == {"seen": "given"}
