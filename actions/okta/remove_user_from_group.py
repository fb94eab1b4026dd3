"""Remove user from group: end an Okta user's membership of a group (nothing changes if they are not in it)."""

from __future__ import annotations

from connector.apps.okta.group_membership import membership_action

ACTION = membership_action(
    "remove_user_from_group", "DELETE", "Remove User from Group",
    "Removes an Okta user from a group; a user who is not a member is left as they are.",
)
