"""Expire password: make a user choose a new password at their next sign-in (status PASSWORD_EXPIRED).

A user who has no password yet (PROVISIONED, STAGED) or cannot sign in (SUSPENDED, DEPROVISIONED) is
refused, with a message naming the status (user_lifecycle.py).
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "expire_password",
    "expire_password",
    "Expire Password",
    "Expires an Okta user's password: they must choose a new one at their next sign-in.",
    sample_status="PASSWORD_EXPIRED",
)
