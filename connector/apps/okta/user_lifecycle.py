"""Okta user status changes (``POST /api/v1/users/{id}/lifecycle/{operation}``) with messages a user can act on.

Okta refuses a transition the current status does not allow with a terse code (E0000001 "Api validation
failed: status", E0000038 "not allowed in the user's current status", E0000016 "already active").
This module keeps Okta's documented lifecycle table so the error can say what happened and what to do:
"cannot suspend user 00u... (ann@example.com): it is STAGED; only ACTIVE users can be suspended".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.apps.okta.user_fields import USER_OUTPUT_FIELDS, USER_SAMPLE, without_api_links
from connector.apps.okta.user_lookup import get_user, user_id_of, user_input, user_path
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import ResponseError
from connector.paths import api_path

ALL_BUT_DEPROVISIONED = (
    "STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED",
)


@dataclass(frozen=True)
class StatusChange:
    """One lifecycle operation: its words for messages and the statuses Okta allows it from."""

    verb: str
    outcome: str
    allowed_from: tuple[str, ...]
    hint: str = ""


STATUS_CHANGES: dict[str, StatusChange] = {
    "activate": StatusChange("activate", "be activated", ("STAGED", "DEPROVISIONED", "PROVISIONED"),
                             "an ACTIVE user needs no activation"),
    "reactivate": StatusChange("reactivate", "be reactivated", ("PROVISIONED", "RECOVERY")),
    "deactivate": StatusChange("deactivate", "be deactivated", ALL_BUT_DEPROVISIONED,
                               "a DEPROVISIONED user is already deactivated"),
    "suspend": StatusChange("suspend", "be suspended", ("ACTIVE",), "activate or unsuspend the user first"),
    "unsuspend": StatusChange("unsuspend", "be unsuspended", ("SUSPENDED",)),
    "unlock": StatusChange("unlock", "be unlocked", ("LOCKED_OUT",)),
    "expire_password": StatusChange(
        "expire the password of", "have their password expired",
        ("ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"),
        "a user without a password has none to expire",
    ),
    "reset_factors": StatusChange(
        "reset the factors of", "have their factors reset",
        ("ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "PROVISIONED", "SUSPENDED"),
    ),
    "reset_password": StatusChange(
        "reset the password of", "have their password reset",
        ("ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "PROVISIONED"),
    ),
}

#: Codes Okta uses to refuse a transition (rather than to report a missing user or a bad token).
REFUSAL_CODES = frozenset({"E0000001", "E0000016", "E0000038"})


def _error_code(error: ResponseError) -> str | None:
    try:
        body = error.response.json() if error.response is not None else None
    except ValueError:
        return None
    return body.get("errorCode") if isinstance(body, dict) else None


def explain_refusal(ctx: Context, user_id: str, operation: str, error: ResponseError) -> ResponseError:
    """A refusal rewritten with the user's current status and the statuses the operation needs.

    Costs one GET, only on the error path.
    """
    change = STATUS_CHANGES[operation]
    user = get_user(ctx, user_id)
    if user is None:
        return error
    status = user.get("status", "unknown")
    login = (user.get("profile") or {}).get("login")
    who = f"user {user_id}" + (f" ({login})" if login else "")
    allowed = " or ".join(", ".join(change.allowed_from).rsplit(", ", 1))
    already = " already" if _error_code(error) == "E0000016" or status == "DEPROVISIONED" else ""
    message = (
        f"cannot {change.verb} {who}: it is{already} {status}; only {allowed} users can {change.outcome}"
        + (f" ({change.hint})" if change.hint else "")
        + f". Okta said: {error.message}"
    )
    return type(error)(message, response=error.response)


def change_status(
    ctx: Context, id_or_login: str, operation: str, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run a lifecycle operation and return the user afterwards plus what Okta answered (links, tokens).

    Raises:
        ResponseError: the user does not exist, or the status does not allow ``operation`` (the message
            names the current status and the allowed ones).
    """
    user_id = user_id_of(ctx, id_or_login)
    try:
        response = ctx.http.post(
            api_path("/api/v1/users/{user}/lifecycle/{operation}", user=user_id, operation=operation),
            params=params or {},
        )
    except ResponseError as error:
        if error.status_code in (400, 403) and _error_code(error) in REFUSAL_CODES:
            raise explain_refusal(ctx, user_id, operation, error) from error
        raise
    answer = response.json() if response.content else {}
    user = without_api_links(ctx.http.get(user_path(user_id)).json())
    if isinstance(answer, dict):
        for key in ("activationUrl", "activationToken", "resetPasswordUrl"):
            if answer.get(key):
                user[key] = answer[key]
    return user


LIFECYCLE_OUTPUT_FIELDS: tuple[Field, ...] = (
    *USER_OUTPUT_FIELDS,
    Field("activationUrl", "Activation URL", help_text="Only when activated without sending the email."),
    Field("activationToken", "Activation token", secret=True,
          help_text="Only when activated without sending the email: the token of the activation link, for a "
                    "flow that delivers the link itself."),
    Field("resetPasswordUrl", "Reset password URL", help_text="Only when reset without sending the email."),
)


def lifecycle_action(
    key: str,
    operation: str,
    label: str,
    description: str,
    *,
    send_email: bool | None = None,
    sample_status: str = "ACTIVE",
    sample_extra: dict[str, Any] | None = None,
) -> Action:
    """An action that runs one lifecycle operation on one user and returns the user afterwards.

    Args:
        send_email: the default of a ``send_email`` input, or None when the operation sends no email.
    """
    fields: list[Field] = [user_input()]
    if send_email is not None:
        fields.append(Field(
            "send_email", "Send email", type="boolean", default=send_email,
            help_text="No returns the link instead of emailing it to the user, so the flow can deliver it.",
        ))

    def perform(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
        params = {"sendEmail": "true" if values.get("send_email") else "false"} if send_email is not None else {}
        return change_status(ctx, values["user"], operation, params)

    return Action(
        key=key,
        noun="User",
        label=label,
        description=description,
        input_fields=tuple(fields),
        output_fields=LIFECYCLE_OUTPUT_FIELDS,
        sample={**USER_SAMPLE, "status": sample_status, **(sample_extra or {})},
        perform=perform,
        semantics="update",
        scopes=("okta.users.manage",),
    )
