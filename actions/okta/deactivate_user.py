"""Deactivate user: stop a user signing in (DEPROVISIONED); the first step before Okta deletes a user.

Allowed from every status but DEPROVISIONED; a refusal names the user's status
(connector/apps/okta/user_lifecycle.py).
"""

from __future__ import annotations

from dataclasses import replace

from connector.apps.okta.user_lifecycle import lifecycle_action

ACTION = replace(lifecycle_action(
    "deactivate_user",
    "deactivate",
    "Deactivate User",
    "Deactivates (deprovisions) an Okta user: they can no longer sign in, and can then be deleted.",
    send_email=False,
    sample_status="DEPROVISIONED",
), important=True)  # one of the operations most flows use: listed first in pickers
