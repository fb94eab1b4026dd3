"""Okta's timestamp format: ISO 8601 in UTC with milliseconds and a ``Z`` (``2024-01-02T03:04:05.000Z``)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=65536)
def iso_timestamp(epoch: float) -> str:
    """Format epoch seconds the way Okta does (cached: a user's timestamps are often equal)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(text: str, field: str) -> float:
    """Parse an ISO 8601 timestamp from a query parameter into epoch seconds.

    Raises:
        ValueError: naming ``field`` and the expected format, so the caller can answer 400.
    """
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{field}: '{text}' is not an ISO 8601 timestamp; use e.g. 2024-01-02T03:04:05.000Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
