"""Naming an Okta group in an action: by id, picked from the ``list_groups`` search."""

from __future__ import annotations

from connector.definitions import DynamicChoices, Field
from connector.paths import api_path


def group_input(label: str = "Group", help_text: str = "") -> Field:
    """The field where a flow names a group; the picker lists groups by name and stores the id."""
    return Field(
        "group", label, required=True,
        help_text=help_text or "The group's Okta ID (00g...). Pick it from the list or map it from an earlier step.",
        placeholder="00g1emaKYZTWRYYRRTSK",
        dynamic=DynamicChoices("list_groups", "id", "profile.name"),
    )


def group_path(group_id: str) -> str:
    """``/api/v1/groups/{id}`` with the id escaped (a mapped value may hold anything)."""
    return api_path("/api/v1/groups/{group}", group=group_id)
