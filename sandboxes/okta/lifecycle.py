"""User status transitions with Okta's documented rules and error codes.

Transitions happen at once, so ``transitioningToStatus`` is never shown (real Okta shows it only while an
asynchronous change is in progress).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandboxes.okta.errors import OktaError
from sandboxes.okta.ids import random_token
from sandboxes.okta.system_log import SystemLog
from sandboxes.okta.user_records import UserRecord
from sandboxes.okta.user_store import user_target


@dataclass(frozen=True)
class Transition:
    """One lifecycle operation: where it may start, what it yields, and how it refuses."""

    allowed_from: frozenset[str]
    event_type: str | None
    message: str
    refusal: str = "E0000038"  # error code when the status does not allow it


STATUSES_WITH_LOGIN = frozenset({"ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "PROVISIONED"})

TRANSITIONS: dict[str, Transition] = {
    # PROVISIONED is accepted too: Okta re-sends the activation then (documented sandbox choice).
    "activate": Transition(frozenset({"STAGED", "DEPROVISIONED", "PROVISIONED"}),
                           "user.lifecycle.activate", "Activate Okta user"),
    "reactivate": Transition(frozenset({"PROVISIONED", "RECOVERY"}),
                             "user.lifecycle.reactivate", "Reactivate Okta user"),
    "deactivate": Transition(frozenset({"STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED",
                                        "LOCKED_OUT", "SUSPENDED"}),
                             "user.lifecycle.deactivate", "Deactivate Okta user"),
    "suspend": Transition(frozenset({"ACTIVE"}), "user.lifecycle.suspend", "Suspend Okta user", "E0000001"),
    "unsuspend": Transition(frozenset({"SUSPENDED"}), "user.lifecycle.unsuspend", "Unsuspend Okta user",
                            "E0000001"),
    "unlock": Transition(frozenset({"LOCKED_OUT"}), "user.account.unlock", "Unlock user account"),
    "reset_password": Transition(STATUSES_WITH_LOGIN, "user.account.reset_password",
                                 "Fired when a password reset is requested"),
    "expire_password": Transition(STATUSES_WITH_LOGIN - {"PROVISIONED"}, "user.account.expire_password",
                                  "Expire user password"),
    "reset_factors": Transition(STATUSES_WITH_LOGIN | {"SUSPENDED"}, "user.mfa.factor.reset_all",
                                "Reset all factors for user"),
}


class Lifecycle:
    """Applies transitions to users and writes the matching System Log events."""

    def __init__(self, log: SystemLog, clock: Callable[[], float], base_url: Callable[[], str]) -> None:
        self._log = log
        self._clock = clock
        self._base_url = base_url

    def apply(self, user: UserRecord, operation: str, *, send_email: bool = True) -> dict[str, Any] | None:
        """Run ``operation`` on ``user`` and return the response body Okta sends for it.

        None means an empty 200: Okta's document gives deactivate, suspend, unsuspend, unlock and
        reset_factors no response body.

        Raises:
            OktaError: E0000016 when activating an active user, otherwise the transition's refusal code
                (E0000038 or E0000001) when the current status does not allow it.
        """
        transition = TRANSITIONS.get(operation)
        if transition is None:
            raise OktaError("E0000008")
        if operation == "activate" and user.status == "ACTIVE":
            raise OktaError("E0000016")
        if user.status not in transition.allowed_from:
            if transition.refusal == "E0000001":
                raise OktaError(
                    "E0000001", "status",
                    causes=[f"status: cannot {operation} a user whose status is {user.status}"],
                )
            raise OktaError("E0000038")
        result = getattr(self, "_" + operation)(user, send_email)
        now = self._clock()
        user.touch(now)
        if transition.event_type:
            self._log.record(transition.event_type, transition.message, [user_target(user)])
        return result

    def set_status(self, user: UserRecord, status: str) -> None:
        now = self._clock()
        if status != user.status:
            user.status = status
            user.status_changed = now
        user.touch(now)

    def _activation(self, user: UserRecord, send_email: bool) -> dict[str, Any]:
        if send_email:
            return {}
        token = random_token(20)
        return {"activationUrl": f"{self._base_url()}/welcome/{token}", "activationToken": token}

    def _activate(self, user: UserRecord, send_email: bool) -> dict[str, Any]:
        self.set_status(user, "ACTIVE" if user.has_password else "PROVISIONED")
        user.activated = self._clock()
        return self._activation(user, send_email)

    def _reactivate(self, user: UserRecord, send_email: bool) -> dict[str, Any]:
        self.set_status(user, "PROVISIONED")
        return self._activation(user, send_email)

    def _deactivate(self, user: UserRecord, send_email: bool) -> None:
        self.set_status(user, "DEPROVISIONED")
        user.activated = None
        return None

    def _suspend(self, user: UserRecord, send_email: bool) -> None:
        self.set_status(user, "SUSPENDED")
        return None

    def _unsuspend(self, user: UserRecord, send_email: bool) -> None:
        self.set_status(user, "ACTIVE")
        return None

    def _unlock(self, user: UserRecord, send_email: bool) -> None:
        self.set_status(user, "ACTIVE")
        return None

    def _reset_password(self, user: UserRecord, send_email: bool) -> dict[str, Any]:
        self.set_status(user, "RECOVERY")
        if send_email:
            return {}
        return {"resetPasswordUrl": f"{self._base_url()}/reset_password/{random_token(20)}"}

    def _expire_password(self, user: UserRecord, send_email: bool) -> dict[str, Any]:
        self.set_status(user, "PASSWORD_EXPIRED")
        return user.single(self._base_url())

    def _reset_factors(self, user: UserRecord, send_email: bool) -> None:
        return None

    def lock_out(self, user: UserRecord) -> None:
        """Simulate too many failed sign-ins (Okta has no API for this; tests need LOCKED_OUT users)."""
        if user.status not in ("ACTIVE", "PASSWORD_EXPIRED", "RECOVERY"):
            raise OktaError("E0000038")
        self.set_status(user, "LOCKED_OUT")
        self._log.record("user.account.lock", "Max sign in attempts exceeded", [user_target(user)])
