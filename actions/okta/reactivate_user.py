"""Reactivate user: restart the activation of a PROVISIONED (or RECOVERY) user whose activation never finished.

Okta allows it only from PROVISIONED or RECOVERY; anything else is refused with a message naming the
user's status (connector/apps/okta/user_lifecycle.py). With "Send email" off, Okta returns the new activation
link and token, so the flow can deliver them itself.
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "reactivate_user",
    "reactivate",
    "Reactivate User",
    "Restarts the activation of a PROVISIONED Okta user; without the email it returns the new activation link.",
    send_email=False,
    sample_status="PROVISIONED",
    sample_extra={"activationUrl": "https://example.okta.com/welcome/XE6wE17zmphl3KqAPFxO",
                  "activationToken": "XE6wE17zmphl3KqAPFxO"},
)
