"""User updated: fires when an Okta user's profile changes (System Log ``user.account.update_profile``).

Poll items carry the user's current state; their id is ``<user id>:<time of the change>`` (the
platform's rule for "updated" triggers) and the user's id is kept in ``user_id``. Several changes to
one user at the same instant fire once. Polling cost: see connector/apps/okta/event_polling.py (one call
when nothing changed). ``HOOK_TRIGGER`` (``user_updated_instant``) gets the same events through an
Okta event hook (id = event uuid).
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.event_fields import POLLED_EVENT_FIELDS, event_sample, polled_sample
from connector.apps.okta.event_hooks import hook_trigger
from connector.apps.okta.event_polling import poll_events
from connector.apps.okta.system_log import EVENT_OUTPUT_FIELDS
from connector.context import Context
from connector.definitions import Trigger

EVENT_TYPES = ("user.account.update_profile",)
MESSAGE = "Update user profile for Okta"


def update_id(item: dict[str, Any]) -> str:
    """``<user id>:<published>``: one item per change of one user."""
    return f"{item['user_id']}:{item['published']}"


def updated_users(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return poll_events(ctx, EVENT_TYPES, update_id)


_SAMPLE = polled_sample(EVENT_TYPES[0], MESSAGE)

TRIGGER = Trigger(
    key="user_updated",
    noun="User",
    label="Updated User",
    description="Triggers when an Okta user's profile is changed (checked by polling the System Log).",
    output_fields=POLLED_EVENT_FIELDS,
    sample={**_SAMPLE, "id": f"{_SAMPLE['user_id']}:{_SAMPLE['published']}"},
    perform=updated_users,
    kind="poll",
    scopes=("okta.users.read", "okta.logs.read"),
)

HOOK_TRIGGER = hook_trigger(
    "user_updated_instant",
    noun="User",
    label="Updated User (Instant)",
    description="Triggers the moment an Okta user's profile is changed, through an Okta event hook.",
    event_types=EVENT_TYPES,
    output_fields=EVENT_OUTPUT_FIELDS,
    sample=event_sample(EVENT_TYPES[0], MESSAGE),
)
