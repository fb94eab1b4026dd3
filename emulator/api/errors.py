"""One error shape for the whole JSON API: ``{"error": {"message": ..., "field": ...}}``.

Unknown ids answer 404, bodies that are not JSON 400, invalid values 422 naming the field, a vendor
failing during a trial or a turn-on 502, a connector whose own code is at fault 500 with a message that
names the app and operation. Handlers are registered on the app so even routing errors
(unknown paths, wrong methods) under ``/api`` and ``/hooks`` answer JSON, and no request yields an
HTML page or a bare 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from connector.errors import BadInput, ConnectorBug, ConnectorError
from emulator.runner import FlowNotFound

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer with a status, a message and (when one field is at fault) the field."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def not_found(kind: str, ident: str) -> ApiError:
    return ApiError(404, f"no {kind} with id {ident!r}; list them at /api/{kind}s", "id")


def error_response(status: int, message: str, field: str | None = None, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": {"message": message, "field": field, **extra}}), status


def json_body(*, required: bool = True) -> Any:
    """The request body parsed as JSON (an empty body is ``{}`` unless required).

    Raises:
        ApiError: 400 when the body is not JSON, naming where parsing stopped.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "the request needs a JSON body", "body")
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON ({exc}); send a JSON object", "body") from exc


def json_object(*, required: bool = True) -> dict[str, Any]:
    body = json_body(required=required)
    if not isinstance(body, dict):
        raise ApiError(422, f"the body must be a JSON object, got {type(body).__name__}", "body")
    return body


def _wants_json() -> bool:
    return request.path.startswith(("/api", "/hooks"))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int]:
        return error_response(exc.status, exc.message, exc.field)

    @app.errorhandler(BadInput)
    def _bad_input(exc: BadInput) -> tuple[Response, int]:
        problems = [{"field": p.field, "message": p.message} for p in exc.problems]
        return error_response(422, exc.message, exc.field, problems=problems)

    @app.errorhandler(FlowNotFound)
    def _no_flow(exc: FlowNotFound) -> tuple[Response, int]:
        return error_response(404, f"no flow with id {exc.args[0]!r}; list them at /api/flows", "id")

    @app.errorhandler(ConnectorBug)
    def _connector_bug(exc: ConnectorBug) -> tuple[Response, int]:
        # The connector's code is at fault: say so, and do not blame the vendor with a 502.
        return error_response(500, exc.message, None, details=exc.to_dict())

    @app.errorhandler(ConnectorError)
    def _connector(exc: ConnectorError) -> tuple[Response, int]:
        return error_response(502, f"the app's service failed: {exc.message}", None, details=exc.to_dict())

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if not _wants_json():
            return exc.get_response()
        response, status = error_response(exc.code or 400, exc.description or exc.name, None)
        for name, value in exc.get_headers():  # e.g. the Allow header a 405 must carry (RFC 9110)
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(RecursionError)
    def _too_deep(exc: RecursionError) -> tuple[Response, int]:
        # Only a pathologically nested body gets here (json parsing or walking it); it is the client's.
        return error_response(400, "the body is nested too deeply to read; send a flatter JSON document", "body")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if not _wants_json():
            raise exc  # the UI's pages keep Flask's own handling (and tracebacks in tests)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "the emulator failed unexpectedly; the error is in its log", None)
