"""Reset factors: unenroll every MFA factor of a user, who enrolls again at their next sign-in.

The user's status does not change; a STAGED or DEPROVISIONED user is refused with a message naming it.
"""

from __future__ import annotations

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = lifecycle_action(
    "reset_factors",
    "reset_factors",
    "Reset Factors",
    "Unenrolls every MFA factor of an Okta user; they enroll again at their next sign-in.",
)
