"""Error responses in HighLevel's shapes.

HighLevel's v2 API is a NestJS service, so its errors follow NestJS defaults:

* 400 ``{statusCode, message}`` for requests the service understood but refuses;
* 401 ``{statusCode:401, message, error:"Unauthorized"}`` for bad or missing credentials;
* 422 ``{statusCode:422, message:[...], error:"Unprocessable Entity"}`` for body/query validation, one
  message per broken rule, worded like class-validator ("email must be an email").

Every view raises :class:`ApiError`; one error handler turns it into the JSON body.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

INVALID_TOKEN = "Invalid token: access token is invalid"
SCOPE_DENIED = "The token is not authorized for this scope."
LOCATION_DENIED = "The token does not have access to this location."

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An error answer in the vendor's shape; ``extra`` adds fields such as ``meta`` or ``error``."""

    def __init__(self, status: int, message: str | list[str], **extra: Any) -> None:
        super().__init__(message if isinstance(message, str) else "; ".join(message))
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"statusCode": self.status, "message": self.message, **self.extra}


def bad_request(message: str, **extra: Any) -> ApiError:
    """400 ``{statusCode, message}`` (e.g. "Contact not found", duplicate contact)."""
    return ApiError(400, message, **extra)


def unprocessable(messages: list[str]) -> ApiError:
    """422 with one class-validator style message per broken rule."""
    return ApiError(422, messages, error="Unprocessable Entity")


def unauthorized(message: str = INVALID_TOKEN) -> ApiError:
    return ApiError(401, message, error="Unauthorized")


def forbidden(message: str = LOCATION_DENIED) -> ApiError:
    return ApiError(403, message, error="Forbidden")


def error_response(error: ApiError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    return response


def server_error_response(status: int) -> Response:
    """The body a 500 or 503 fault answers with (NestJS' default for unhandled errors)."""
    message = "Internal server error" if status == 500 else "Service Unavailable"
    return error_response(ApiError(status, message, error=_REASONS.get(status, "Error")))
