"""Who is calling and what they may do: ``SSWS`` API tokens and OAuth ``Bearer`` access tokens.

Okta documents ``Authorization: SSWS <token>``; some clients send ``SSWS<token>`` with no space. Real
Okta's answer to that form is not documented, so the sandbox accepts both (a client that works here may
still need the space against real Okta; the connector sends it).
"""

from __future__ import annotations

from sandboxes.okta.errors import OktaError
from sandboxes.okta.oauth import Grant, TokenStore
from sandboxes.okta.system_log import SYSTEM_ACTOR, Actor

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Family -> (scope that allows reads, scope that allows everything). `manage` implies `read`.
SCOPES_BY_FAMILY = {
    "users": ("okta.users.read", "okta.users.manage"),
    "user": ("okta.users.read", "okta.users.manage"),
    "groups": ("okta.groups.read", "okta.groups.manage"),
    "logs": ("okta.logs.read", "okta.logs.read"),
    "eventHooks": ("okta.eventHooks.read", "okta.eventHooks.manage"),
}


def authenticate(header: str | None, tokens: TokenStore) -> Grant:
    """Resolve the ``Authorization`` header into a grant; 401 E0000011 when missing or unknown."""
    if not header:
        raise OktaError("E0000011", causes=["Authorization: missing; send 'SSWS <api token>' or "
                                            "'Bearer <access token>'"])
    grant: Grant | None = None
    if header.startswith("SSWS"):
        grant = tokens.ssws(header[4:].strip())
    elif header[:7].lower() == "bearer ":
        grant = tokens.bearer(header[7:].strip())
    if grant is None:
        raise OktaError("E0000011")
    return grant


def require_scope(grant: Grant, family: str, method: str) -> None:
    """403 E0000006 when the grant lacks the scope this endpoint family needs for this method."""
    scopes = SCOPES_BY_FAMILY.get(family)
    if scopes is None:
        return
    read_scope, manage_scope = scopes
    needed = {read_scope, manage_scope} if method in READ_METHODS else {manage_scope}
    if grant.scopes.isdisjoint(needed):
        raise OktaError("E0000006", causes=[f"scope: this call needs {' or '.join(sorted(needed))}"])


def actor_for(grant: Grant) -> Actor:
    """The System Log actor behind a grant."""
    if grant.client_id is None:
        return SYSTEM_ACTOR
    return Actor(grant.client_id, "PublicClientApp", grant.client_id, grant.client_id)
