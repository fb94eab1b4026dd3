"""Add user to group: make an Okta user a member of a group (nothing changes if they already are)."""

from __future__ import annotations

from dataclasses import replace

from connector.apps.okta.group_membership import membership_action

ACTION = replace(membership_action(
    "add_user_to_group", "PUT", "Add User to Group",
    "Adds an Okta user to a group; a user who is already a member stays one.",
), important=True)  # one of the operations most flows use: listed first in pickers
