"""Error answers in Personio's v1 shape: ``{"success": false, "error": {"code", "message"}}``.

Personio documents the envelope but not a catalogue of codes. The sandbox puts the HTTP status in
``code`` (Personio's own answers do the same for 401, 404 and 429) and, for validation failures, adds
``error_data`` naming each rejected field, which is what Personio's write endpoints send.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

INVALID_TOKEN = "The token is invalid or has expired. Request a new one from POST /v1/auth."
WRONG_CREDENTIALS = "Wrong credentials: the client_id and client_secret do not match an API credential."
TOO_MANY_REQUESTS = "Too Many Requests: the rate limit was exceeded; retry after the time in Retry-After."


class PersonioApiError(Exception):
    """An error answer; ``error_data`` maps field names to what is wrong with them."""

    def __init__(self, status: int, message: str, *, error_data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_data = error_data


def error_response(error: PersonioApiError) -> Response:
    body: dict[str, Any] = {"code": error.status, "message": error.message}
    if error.error_data:
        body["error_data"] = error.error_data
    response = jsonify(success=False, error=body)
    response.status_code = error.status
    return response


def server_error_response(status: int) -> Response:
    """The body of an injected 500/503 fault."""
    message = "Internal Server Error" if status == 500 else "Service Unavailable"
    return error_response(PersonioApiError(status, message))


def invalid(field: str, problem: str) -> PersonioApiError:
    """422-style validation failure for one field (Personio answers these with 400 and ``error_data``)."""
    return PersonioApiError(400, f"The given data failed to pass validation: {field} {problem}",
                            error_data={field: [problem]})
