"""Activate user: let a STAGED or DEPROVISIONED user sign in (a PROVISIONED one gets a fresh activation).

With a password the user becomes ACTIVE, without one PROVISIONED (they set it from the activation
link). With "Send email" off, Okta returns the activation link, so the flow can deliver it itself.
A refusal names the user's status and the statuses that would work (connector/apps/okta/user_lifecycle.py).
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "activate_user",
    "activate",
    "Activate User",
    "Activates a STAGED or DEPROVISIONED Okta user; without the email it returns the activation URL.",
    send_email=True,
    sample_extra={"activationUrl": "https://example.okta.com/welcome/XE6wE17zmphl3KqAPFxO",
                  "activationToken": "XE6wE17zmphl3KqAPFxO"},
)
