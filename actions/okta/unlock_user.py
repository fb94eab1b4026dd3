"""Unlock user: let a LOCKED_OUT user (too many failed sign-ins) sign in again with their password.

Okta unlocks only LOCKED_OUT users; for any other status the refusal names it (user_lifecycle.py).
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "unlock_user",
    "unlock",
    "Unlock User",
    "Unlocks a LOCKED_OUT Okta user, who becomes ACTIVE and signs in with their current password.",
)
