"""A working fake of the Okta Management API (users, groups, System Log, event hooks, OAuth).

See README.md in this folder for what is modelled and what is not.
"""

from __future__ import annotations

from sandboxes.okta.app import OktaSandbox, create_app
from sandboxes.okta.errors import OktaError
from sandboxes.okta.settings import DEFAULT_RATE_LIMITS, OktaSettings

__all__ = ["DEFAULT_RATE_LIMITS", "OktaError", "OktaSandbox", "OktaSettings", "create_app"]
