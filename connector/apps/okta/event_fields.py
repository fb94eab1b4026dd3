"""Output fields and samples of the System Log based user triggers (poll and instant variants)."""

from __future__ import annotations

from typing import Any

from connector.apps.okta.system_log import EVENT_OUTPUT_FIELDS, EVENT_SAMPLE, GROUP_EVENT_FIELDS
from connector.apps.okta.user_fields import USER_OUTPUT_FIELDS, USER_SAMPLE
from connector.definitions import Field

#: Poll items: the event, plus the user's current state (every user field but ``id``, which is the item's).
POLLED_EVENT_FIELDS: tuple[Field, ...] = (*EVENT_OUTPUT_FIELDS, *USER_OUTPUT_FIELDS[1:])
POLLED_GROUP_EVENT_FIELDS: tuple[Field, ...] = (*POLLED_EVENT_FIELDS, *GROUP_EVENT_FIELDS)
HOOK_GROUP_EVENT_FIELDS: tuple[Field, ...] = (*EVENT_OUTPUT_FIELDS, *GROUP_EVENT_FIELDS)

GROUP_EVENT_SAMPLE: dict[str, Any] = {"group_id": "00g1emaKYZTWRYYRRTSK", "group_name": "Engineering"}


def event_sample(event_type: str, message: str, **extra: Any) -> dict[str, Any]:
    """A hook item sample for one event type."""
    return {**EVENT_SAMPLE, "event_type": event_type, "display_message": message, **extra}


def polled_sample(event_type: str, message: str, **extra: Any) -> dict[str, Any]:
    """A poll item sample: the event sample merged with the user sample (the event's id wins)."""
    return {**{k: v for k, v in USER_SAMPLE.items() if k != "id"}, **event_sample(event_type, message, **extra)}
