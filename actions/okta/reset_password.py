"""Reset password: start a password reset; the user goes to RECOVERY until they choose a new password.

With "Send email" off, Okta returns the reset link instead of emailing it, and the action returns it
(``resetPasswordUrl``) so the flow can deliver it another way. A refusal names the user's status
(connector/apps/okta/user_lifecycle.py).
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "reset_password",
    "reset_password",
    "Reset Password",
    "Starts a password reset for an Okta user; without the email it returns the reset URL.",
    send_email=True,
    sample_status="RECOVERY",
    sample_extra={"resetPasswordUrl": "https://example.okta.com/reset_password/XE6wE17zmphl3KqAPFxO"},
)
