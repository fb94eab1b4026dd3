"""Okta's error catalogue and error body ``{errorCode, errorSummary, errorLink, errorId, errorCauses}``.

Every error the sandbox answers, including unknown paths and wrong methods, goes through here so clients
can rely on ``errorCode`` the way they do with the real service.
"""

from __future__ import annotations

import json

from flask import Response

from sandboxes.okta.ids import random_token

CATALOGUE: dict[str, tuple[int, str]] = {
    "E0000001": (400, "Api validation failed: {detail}"),
    "E0000003": (400, "The request body was not well-formed."),
    "E0000004": (401, "Authentication failed"),
    "E0000006": (403, "You do not have permission to perform the requested action"),
    "E0000007": (404, "Not found: Resource not found: {detail}"),
    "E0000008": (404, "The requested path was not found"),
    "E0000009": (500, "Internal Server Error"),
    "E0000011": (401, "Invalid token provided"),
    "E0000016": (403, "Activation failed because the user is already active"),
    "E0000022": (405, "The endpoint does not support the provided HTTP method"),
    "E0000038": (403, "This operation is not allowed in the user's current status."),
    "E0000047": (429, "API call exceeded rate limit due to too many requests."),
    "E0000053": (400, "Invalid search criteria."),
    # Not in Okta's catalogue: real Okta's edge answers 411 itself; the sandbox keeps the Okta body shape.
    "E0000411": (411, "Length Required: send Content-Length: 0 with a POST or PUT that has no body."),
}


class OktaError(Exception):
    """An error answered with Okta's body; raised anywhere inside a request."""

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        causes: list[str] | None = None,
        status: int | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        default_status, template = CATALOGUE[code]
        self.code = code
        self.status = status or default_status
        self.summary = template.format(detail=detail) if "{detail}" in template else template
        self.causes = causes or []
        self.extra = extra or {}
        super().__init__(f"{code}: {self.summary}")

    def body(self) -> dict[str, object]:
        """The JSON body Okta sends for this error."""
        body: dict[str, object] = {
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": "oae" + random_token(19),
            "errorCauses": [{"errorSummary": cause} for cause in self.causes],
        }
        body.update(self.extra)
        return body

    def response(self) -> Response:
        """A Flask response with the error body and status."""
        return Response(json.dumps(self.body()), status=self.status, mimetype="application/json")


def validation_error(field: str, problem: str) -> OktaError:
    """400 E0000001 naming the field, the way Okta reports profile validation failures."""
    return OktaError("E0000001", field, causes=[f"{field}: {problem}"])


def error_response(status: int) -> Response:
    """Okta-shaped body for an injected fault with the given status (500, 503, ...)."""
    if status == 429:
        return OktaError("E0000047").response()
    error = OktaError("E0000009", status=status)
    if status == 503:
        error.summary = "Service Unavailable"
    return error.response()


def throttle_response() -> Response:
    """Okta-shaped 429 for an injected rate-limit burst."""
    return OktaError("E0000047").response()
