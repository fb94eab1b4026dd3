"""Finding the Okta user an action is about, from whatever the flow has: an id or a login.

Okta's ``GET /api/v1/users/{id}`` accepts a login in place of the id, so one call resolves either.
Lifecycle endpoints need the id; an input that already looks like an Okta user id skips the lookup.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from connector.apps.okta.user_fields import without_api_links
from connector.context import Context
from connector.definitions import DynamicChoices, Field
from connector.errors import ResponseError
from connector.paths import api_path

#: Okta user ids: ``00u`` and 17 base62 characters.
USER_ID = re.compile(r"^00u[0-9A-Za-z]{17}$")


def user_input(label: str = "User", help_text: str = "") -> Field:
    """The field where a flow names a user: an id or a login, with a picker fed by ``list_users``."""
    return Field(
        "user", label, required=True,
        help_text=help_text or "The user's Okta ID (00u...) or login (usually the email address).",
        placeholder="00ub0oNGTSWTBKOLGLNR or isaac.brock@example.com",
        dynamic=DynamicChoices("list_users", "id", "profile.login"),
    )


def user_path(id_or_login: str) -> str:
    """``/api/v1/users/{id or login}`` with the login escaped (logins may hold ``/``, ``?`` or ``#``)."""
    return api_path("/api/v1/users/{user}", user=id_or_login)


def _read_user(ctx: Context, id_or_login: str) -> httpx.Response:
    """``GET`` the user; a 404 (E0000007, no such user) is answered, not raised, so callers choose."""
    return ctx.http.get(user_path(id_or_login), extensions={"allow_status": (404,)})


def get_user(ctx: Context, id_or_login: str) -> dict[str, Any] | None:
    """The user with this id or login, or None when Okta has no such user."""
    response = _read_user(ctx, id_or_login)
    return None if response.status_code == 404 else without_api_links(response.json())


def require_user(ctx: Context, id_or_login: str, field: str = "user") -> dict[str, Any]:
    """The user with this id or login; a clear error naming the field when there is none."""
    response = _read_user(ctx, id_or_login)
    if response.status_code == 404:
        raise ResponseError(
            f"{field}: no Okta user has the id or login {id_or_login!r}; check the value (logins are usually "
            "email addresses) or look the user up with Find user first",
            response=response,
        )
    return without_api_links(response.json())


def user_id_of(ctx: Context, id_or_login: str, field: str = "user") -> str:
    """The user's id: the input itself when it is one, else looked up by login (one call)."""
    if USER_ID.match(id_or_login):
        return id_or_login
    return str(require_user(ctx, id_or_login, field)["id"])
