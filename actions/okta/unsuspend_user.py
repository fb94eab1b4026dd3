"""Unsuspend user: return a SUSPENDED user to ACTIVE.

Only SUSPENDED users can be unsuspended; a refusal names the user's status (connector/apps/okta/user_lifecycle.py).
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "unsuspend_user",
    "unsuspend",
    "Unsuspend User",
    "Returns a SUSPENDED Okta user to ACTIVE.",
)
