"""What an Okta user and group look like to a flow: output fields, samples, and the shaping that gets there.

Every Okta operation returns users and groups in Okta's own shape (``profile.email``, ``status``,
``lastUpdated``) so a mapping written against one operation works against the others, and against
Okta's documentation. Shaping only drops ``_links``/``_embedded``: they are API navigation, useless in a
mapping, and dropping a key keeps the 50,000-user first poll cheap.
"""

from __future__ import annotations

from typing import Any

from connector.definitions import Field

#: Profile attributes offered as their own input fields; anything else goes in ``profile_extra``.
PROFILE_KEYS: tuple[str, ...] = (
    "login", "email", "firstName", "lastName", "mobilePhone", "title", "department", "displayName",
)

USER_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "User ID", required=True),
    Field("status", "Status", help_text="STAGED, PROVISIONED, ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT, "
          "SUSPENDED or DEPROVISIONED"),
    Field("created", "Created", type="datetime"),
    Field("activated", "Activated", type="datetime", nullable=True),
    Field("statusChanged", "Status changed", type="datetime", nullable=True),
    Field("lastLogin", "Last login", type="datetime", nullable=True),
    Field("lastUpdated", "Last updated", type="datetime"),
    Field("passwordChanged", "Password changed", type="datetime", nullable=True),
    Field("profile.login", "Login"),
    Field("profile.email", "Email"),
    Field("profile.firstName", "First name", nullable=True),
    Field("profile.lastName", "Last name", nullable=True),
    Field("profile.mobilePhone", "Mobile phone", nullable=True),
    Field("profile.title", "Title", nullable=True),
    Field("profile.department", "Department", nullable=True),
)

USER_SAMPLE: dict[str, Any] = {
    "id": "00ub0oNGTSWTBKOLGLNR",
    "status": "ACTIVE",
    "created": "2026-01-05T09:30:00.000Z",
    "activated": "2026-01-05T09:30:00.000Z",
    "statusChanged": "2026-01-05T09:30:00.000Z",
    "lastLogin": None,
    "lastUpdated": "2026-01-05T09:30:00.000Z",
    "passwordChanged": "2026-01-05T09:30:00.000Z",
    "type": {"id": "oty1sandboxdefault00"},
    "profile": {
        "login": "isaac.brock@example.com",
        "email": "isaac.brock@example.com",
        "firstName": "Isaac",
        "lastName": "Brock",
        "mobilePhone": "555-415-1337",
    },
    "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}},
}

GROUP_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Group ID", required=True),
    Field("type", "Type", help_text="OKTA_GROUP, APP_GROUP or BUILT_IN"),
    Field("created", "Created", type="datetime"),
    Field("lastUpdated", "Last updated", type="datetime"),
    Field("lastMembershipUpdated", "Membership last updated", type="datetime", nullable=True),
    Field("profile.name", "Name"),
    Field("profile.description", "Description", nullable=True),
)

GROUP_SAMPLE: dict[str, Any] = {
    "id": "00g1emaKYZTWRYYRRTSK",
    "type": "OKTA_GROUP",
    "created": "2026-01-05T09:30:00.000Z",
    "lastUpdated": "2026-01-05T09:30:00.000Z",
    "lastMembershipUpdated": "2026-01-05T09:31:00.000Z",
    "objectClass": ["okta:user_group"],
    "profile": {"name": "Engineering", "description": "Everyone who ships code"},
}


def without_api_links(raw: dict[str, Any]) -> dict[str, Any]:
    """An Okta user or group as a flow sees it: Okta's shape without ``_links``/``_embedded``.

    Mutates and returns ``raw`` (no copy: a first poll may shape 50,000 users).
    """
    raw.pop("_links", None)
    raw.pop("_embedded", None)
    return raw


def profile_input_fields(*, for_create: bool) -> tuple[Field, ...]:
    """The profile fields of create user (email, first and last name required) and update user (all optional)."""
    return (
        Field("email", "Email", type="email", required=for_create,
              help_text="Primary email address (5-100 characters)."),
        Field("login", "Login",
              help_text="Okta login, usually an email address. Create user uses the email when empty."),
        Field("firstName", "First name", required=for_create),
        Field("lastName", "Last name", required=for_create),
        Field("mobilePhone", "Mobile phone"),
        Field("title", "Title"),
        Field("department", "Department"),
        Field("displayName", "Display name"),
        Field("profile_extra", "Other profile attributes", type="dict",
              help_text="Any other Okta profile attributes, e.g. {\"employeeNumber\": \"1042\", \"city\": \"Oslo\"}."),
    )


def profile_from_values(values: dict[str, Any]) -> dict[str, Any]:
    """The Okta ``profile`` object built from the profile input fields (empty inputs are left out)."""
    profile: dict[str, Any] = dict(values.get("profile_extra") or {})
    for key in PROFILE_KEYS:
        if values.get(key) not in (None, ""):
            profile[key] = values[key]
    return profile
