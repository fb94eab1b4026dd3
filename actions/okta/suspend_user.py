"""Suspend user: block an ACTIVE user from signing in while keeping their groups and app assignments.

Only ACTIVE users can be suspended; a refusal names the user's status (connector/apps/okta/user_lifecycle.py).
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "suspend_user",
    "suspend",
    "Suspend User",
    "Suspends an ACTIVE Okta user: they cannot sign in until unsuspended, and keep their groups and apps.",
    sample_status="SUSPENDED",
)
