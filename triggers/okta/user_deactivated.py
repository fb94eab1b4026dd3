"""User deactivated: fires when an Okta user is deactivated (System Log ``user.lifecycle.deactivate``).

This includes the first step of Okta's two-step delete. Each deactivation fires once (id = event
uuid); the item carries the user's current state, or the event's view of them (id, login, name) when
the user has been deleted since. ``HOOK_TRIGGER`` (``user_deactivated_instant``) is the event-hook twin.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.event_fields import POLLED_EVENT_FIELDS, event_sample, polled_sample
from connector.apps.okta.event_hooks import hook_trigger
from connector.apps.okta.event_polling import poll_events
from connector.apps.okta.system_log import EVENT_OUTPUT_FIELDS
from connector.context import Context
from connector.definitions import Trigger

EVENT_TYPES = ("user.lifecycle.deactivate",)
MESSAGE = "Deactivate Okta user"


def deactivated_users(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return poll_events(ctx, EVENT_TYPES)


TRIGGER = Trigger(
    key="user_deactivated",
    noun="User",
    label="Deactivated User",
    description="Triggers when an Okta user is deactivated (checked by polling the System Log).",
    output_fields=POLLED_EVENT_FIELDS,
    sample={**polled_sample(EVENT_TYPES[0], MESSAGE), "status": "DEPROVISIONED"},
    perform=deactivated_users,
    kind="poll",
    scopes=("okta.users.read", "okta.logs.read"),
)

HOOK_TRIGGER = hook_trigger(
    "user_deactivated_instant",
    noun="User",
    label="Deactivated User (Instant)",
    description="Triggers the moment an Okta user is deactivated, through an Okta event hook.",
    event_types=EVENT_TYPES,
    output_fields=EVENT_OUTPUT_FIELDS,
    sample=event_sample(EVENT_TYPES[0], MESSAGE),
)
