"""The one error shape of the UI's JSON endpoints, the same as the emulator's API uses."""

from __future__ import annotations

from flask import Response, jsonify


class ApiProblem(Exception):
    """A 4xx/5xx answer ``{"error": {"message", "field"}}`` naming the field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def problem_response(error: ApiProblem) -> tuple[Response, int]:
    return jsonify({"error": {"message": error.message, "field": error.field}}), error.status
