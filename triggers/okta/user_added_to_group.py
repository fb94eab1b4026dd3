"""User added to group: fires when an Okta user joins a group (System Log ``group.user_membership.add``).

Optionally narrowed to one group. Each addition fires once (id = event uuid); items carry the group's
id and name and the user's current state. ``HOOK_TRIGGER`` (``user_added_to_group_instant``) is the
event-hook twin.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.event_fields import (
    GROUP_EVENT_SAMPLE,
    HOOK_GROUP_EVENT_FIELDS,
    POLLED_GROUP_EVENT_FIELDS,
    event_sample,
    polled_sample,
)
from connector.apps.okta.event_hooks import hook_trigger
from connector.apps.okta.event_polling import poll_events
from connector.context import Context
from connector.definitions import DynamicChoices, Field, Trigger

EVENT_TYPES = ("group.user_membership.add",)
MESSAGE = "Add user to group membership"

INPUT_FIELDS: tuple[Field, ...] = (
    Field("group", "Only this group", dynamic=DynamicChoices("list_groups", "id", "profile.name"),
          help_text="Leave empty to trigger for every group."),
)


def added_members(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    items = poll_events(ctx, EVENT_TYPES)
    group = values.get("group")
    return [item for item in items if item.get("group_id") == group] if group else items


TRIGGER = Trigger(
    key="user_added_to_group",
    noun="Group Membership",
    label="User Added to Group",
    description="Triggers when an Okta user is added to a group (checked by polling the System Log).",
    input_fields=INPUT_FIELDS,
    output_fields=POLLED_GROUP_EVENT_FIELDS,
    sample=polled_sample(EVENT_TYPES[0], MESSAGE, **GROUP_EVENT_SAMPLE),
    perform=added_members,
    kind="poll",
    scopes=("okta.users.read", "okta.groups.read", "okta.logs.read"),
)

HOOK_TRIGGER = hook_trigger(
    "user_added_to_group_instant",
    noun="Group Membership",
    label="User Added to Group (Instant)",
    description="Triggers the moment an Okta user is added to a group, through an Okta event hook.",
    event_types=EVENT_TYPES,
    output_fields=HOOK_GROUP_EVENT_FIELDS,
    sample=event_sample(EVENT_TYPES[0], MESSAGE, **GROUP_EVENT_SAMPLE),
)
