"""The stored form of an Okta user and its JSON views (single user with status links; collection item).

The collection form is cached as JSON bytes per user and dropped on every change, so a 200-user page is
a join of cached strings rather than 200 serialisations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandboxes.okta.timestamps import iso_timestamp

STATUSES = (
    "STAGED",
    "PROVISIONED",
    "ACTIVE",
    "RECOVERY",
    "PASSWORD_EXPIRED",
    "LOCKED_OUT",
    "SUSPENDED",
    "DEPROVISIONED",
)

DEFAULT_USER_TYPE = "oty1sandboxdefault00"

# Lifecycle links a single user carries in each status (Okta filters `_links` by status). Only operations
# the sandbox serves are advertised: Okta's credential links (forgotPassword, changePassword,
# changeRecoveryQuestion) and its schema/type links lead to endpoints the sandbox does not model.
LINKS_BY_STATUS: dict[str, tuple[str, ...]] = {
    "STAGED": ("activate", "deactivate"),
    "PROVISIONED": ("activate", "reactivate", "resetPassword", "deactivate"),
    "ACTIVE": ("suspend", "resetPassword", "resetFactors", "expirePassword", "deactivate"),
    "RECOVERY": ("reactivate", "resetPassword", "resetFactors", "expirePassword", "deactivate", "suspend"),
    "PASSWORD_EXPIRED": ("resetPassword", "resetFactors", "expirePassword", "deactivate", "suspend"),
    "LOCKED_OUT": ("unlock", "resetPassword", "resetFactors", "expirePassword", "deactivate", "suspend"),
    "SUSPENDED": ("unsuspend", "resetPassword", "resetFactors", "deactivate"),
    "DEPROVISIONED": ("activate",),
}

_LINK_PATHS = {
    "activate": "lifecycle/activate",
    "reactivate": "lifecycle/reactivate",
    "deactivate": "lifecycle/deactivate",
    "suspend": "lifecycle/suspend",
    "unsuspend": "lifecycle/unsuspend",
    "unlock": "lifecycle/unlock",
    "resetPassword": "lifecycle/reset_password",
    "resetFactors": "lifecycle/reset_factors",
    "expirePassword": "lifecycle/expire_password",
}


@dataclass(eq=False)
class UserRecord:
    """One user as the sandbox stores it; timestamps are epoch seconds, the password only as a flag."""

    id: str
    status: str
    profile: dict[str, Any]
    created: float
    last_updated: float
    activated: float | None = None
    status_changed: float | None = None
    last_login: float | None = None
    password_changed: float | None = None
    has_password: bool = False
    provider: dict[str, str] = field(default_factory=lambda: {"type": "OKTA", "name": "OKTA"})
    recovery_question: str | None = None
    type_id: str = DEFAULT_USER_TYPE
    realm_id: str | None = None
    _view: dict[str, Any] | None = None
    _json: bytes | None = None
    _json_base: str = ""

    def touch(self, now: float) -> None:
        """Record a change: bump ``lastUpdated`` and drop the cached views."""
        self.last_updated = now
        self._view = None
        self._json = None

    def view(self) -> dict[str, Any]:
        """The user as Okta shows it, without ``_links`` (also what filter/search expressions see)."""
        if self._view is None:
            credentials: dict[str, Any] = {}
            if self.has_password:
                credentials["password"] = {}
            if self.recovery_question:
                credentials["recovery_question"] = {"question": self.recovery_question}
            credentials["provider"] = dict(self.provider)
            self._view = {
                "id": self.id,
                "status": self.status,
                "created": iso_timestamp(self.created),
                "activated": _maybe_time(self.activated),
                "statusChanged": _maybe_time(self.status_changed),
                "lastLogin": _maybe_time(self.last_login),
                "lastUpdated": iso_timestamp(self.last_updated),
                "passwordChanged": _maybe_time(self.password_changed),
                "type": {"id": self.type_id},
                "profile": self.profile,
                "credentials": credentials,
            }
            if self.realm_id:
                self._view["realmId"] = self.realm_id
        return self._view

    def collection_json(self, base_url: str) -> bytes:
        """JSON of the user as a collection item (only the ``self`` link), cached until the next change."""
        if self._json is None or self._json_base != base_url:
            self._json_base = base_url
            item = dict(self.view())
            item["_links"] = {"self": {"href": f"{base_url}/api/v1/users/{self.id}"}}
            self._json = json.dumps(item, separators=(",", ":")).encode()
        return self._json

    def single(self, base_url: str) -> dict[str, Any]:
        """The user as ``GET /api/v1/users/{id}`` returns it: status-filtered lifecycle links."""
        item = dict(self.view())
        user_url = f"{base_url}/api/v1/users/{self.id}"
        links: dict[str, Any] = {}
        for name in LINKS_BY_STATUS[self.status]:
            links[name] = {"href": f"{user_url}/{_LINK_PATHS[name]}", "method": "POST"}
        links["self"] = {"href": user_url}
        item["_links"] = links
        return item


def _maybe_time(epoch: float | None) -> str | None:
    return None if epoch is None else iso_timestamp(epoch)
