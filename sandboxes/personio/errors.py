"""Error answers in Personio's v1 shape: ``{"success": false, "error": {"code", "message"}}``.

Personio documents that envelope and nothing more (no field list), and gives validation failures of
its write endpoints the status 422 with ``code: 422``. The sandbox puts the HTTP status in ``code``
as Personio does, and names the rejected field first in ``message`` (``"supervisor_id: Supervisor
with ID 7 not found"``), the only place a client can find it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

INVALID_TOKEN = "The token is invalid or has expired. Request a new one from POST /v1/auth."
WRONG_CREDENTIALS = "Wrong credentials: the client_id and client_secret do not match an API credential."
TOO_MANY_REQUESTS = "Too Many Requests: the rate limit was exceeded; retry after the time in Retry-After."
VALIDATION = 422


class PersonioApiError(Exception):
    """An error answer with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(error: PersonioApiError) -> Response:
    body: dict[str, Any] = {"code": error.status, "message": error.message}
    response = jsonify(success=False, error=body)
    response.status_code = error.status
    return response


def server_error_response(status: int) -> Response:
    """The body of an injected 500/503 fault."""
    message = "Internal Server Error" if status == 500 else "Service Unavailable"
    return error_response(PersonioApiError(status, message))


def invalid(field: str, problem: str) -> PersonioApiError:
    """A 422 validation failure whose message starts with the field it is about."""
    return PersonioApiError(VALIDATION, f"{field}: {problem}")
