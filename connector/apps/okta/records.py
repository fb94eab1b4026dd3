"""Okta users as a syncable record type (``okta.user``), with their group memberships as a set.

- **Changes**: users whose ``lastUpdated`` is at or after the time asked for (``search=lastUpdated ge``),
  plus users whose group memberships changed since then, from the System Log's
  ``group.user_membership.add``/``remove`` events: Okta does not move a user's ``lastUpdated`` when a
  group gains or loses them, so the log is the only record of it. A user's modification time is the later
  of ``lastUpdated`` and its newest membership event (both Okta's own clock).
- **Groups** are a list part named by group name, so a sync can pair them with tags (a prefix such as
  ``crm:`` picks the groups that take part). A group that does not exist yet is created when the first
  member is added (``POST /api/v1/groups``); memberships change one by one
  (``PUT``/``DELETE /api/v1/groups/{groupId}/users/{userId}``), so a membership someone added is kept.
- **Create**: ``POST /api/v1/users?activate=false`` (login = email), then the groups.
- **Update**: ``POST /api/v1/users/{id}`` with the changed profile attributes only (Okta's partial update).
- **Delete**: Okta's lifecycle rule: ``DELETE /api/v1/users/{id}`` deactivates a user that is not
  deactivated yet, and deletes a deactivated (``DEPROVISIONED``) one, so a delete is that call twice
  (404: already gone). A full listing (no ``search``) leaves deactivated users out, as Okta does, so a
  user deactivated in Okta reads as deleted to a sync's reconciliation.
- **Identity**: the email, then the login.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from connector.apps.okta.paging import PAGE_SIZE
from connector.apps.okta.system_log import LOG_PAGE, polling_cursor, read_new_events
from connector.apps.okta.user_lookup import get_user, user_path
from connector.apps.personio.records import epoch_of
from connector.context import Context
from connector.definitions import Field
from connector.pagination import follow_links
from connector.paths import api_path
from connector.records import RecordType, RecordUpdate, SyncRecord

#: Record field key -> Okta profile attribute.
_PROFILE: dict[str, str] = {
    "email": "email",
    "login": "login",
    "first_name": "firstName",
    "last_name": "lastName",
    "mobile_phone": "mobilePhone",
    "title": "title",
    "department": "department",
}
FIELDS: tuple[Field, ...] = (
    Field("email", "Email", type="email"),
    Field("login", "Login"),
    Field("first_name", "First name"),
    Field("last_name", "Last name"),
    Field("mobile_phone", "Mobile phone"),
    Field("title", "Title"),
    Field("department", "Department"),
)
GROUPS = Field("groups", "Groups", type="list", item_type="string", help_text="Names of the user's groups.")
MEMBERSHIP_EVENTS = ("group.user_membership.add", "group.user_membership.remove")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def user_groups(ctx: Context, user_id: str) -> list[str]:
    """Names of the user's groups (``GET /api/v1/users/{id}/groups``, every page; Okta documents no
    ``limit`` there). The built-in ``Everyone`` group holds every user and cannot be joined or left, so
    it is not a membership to sync."""
    path = api_path("/api/v1/users/{user_id}/groups", user_id=user_id)
    names: list[str] = []
    for page in follow_links(ctx.http, path, {}):
        names.extend(str((group.get("profile") or {}).get("name") or "") for group in page.json()
                     if group.get("type") != "BUILT_IN")
    return sorted(name for name in names if name)


def _record(ctx: Context, user: Mapping[str, Any], touched: float = 0.0) -> SyncRecord:
    profile = user.get("profile") or {}
    values: dict[str, Any] = {key: profile.get(attr) for key, attr in _PROFILE.items()}
    values["groups"] = user_groups(ctx, str(user["id"]))
    return SyncRecord(str(user["id"]), max(epoch_of(user.get("lastUpdated")), touched), values)


def _membership_changes(ctx: Context, since: float) -> dict[str, float]:
    """User id -> time of its newest membership event since ``since`` (System Log, oldest first)."""
    touched: dict[str, float] = {}
    cursor = polling_cursor(MEMBERSHIP_EVENTS, _iso(since))
    while True:
        events, cursor = read_new_events(ctx, cursor)
        for event in events:
            when = epoch_of(event.get("published"))
            for target in event.get("target") or []:
                if target.get("type") == "User" and target.get("id"):
                    touched[str(target["id"])] = max(touched.get(str(target["id"]), 0.0), when)
        if len(events) < LOG_PAGE:
            return touched


def list_changes(ctx: Context, since: float | None) -> Iterator[list[SyncRecord]]:
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    touched: dict[str, float] = {}
    if since is not None:
        params["search"] = f'lastUpdated ge "{_iso(since)}"'
        touched = _membership_changes(ctx, since)
    seen: set[str] = set()
    for page in follow_links(ctx.http, "/api/v1/users", params):
        records = [_record(ctx, user, touched.get(str(user["id"]), 0.0)) for user in page.json()]
        seen.update(record.id for record in records)
        yield records
    extra = []
    for user_id, when in touched.items():
        if user_id in seen:
            continue
        user = get_user(ctx, user_id)
        if user is not None:
            extra.append(_record(ctx, user, when))
    if extra:
        yield extra


def read(ctx: Context, record_id: str) -> SyncRecord | None:
    user = get_user(ctx, record_id)
    return None if user is None else _record(ctx, user)


def find(ctx: Context, identity: Mapping[str, Any]) -> SyncRecord | None:
    for key in ("email", "login"):
        value = identity.get(key)
        if value:
            response = ctx.http.get("/api/v1/users", params={"search": f'profile.{key} eq "{value}"', "limit": 2})
            users = response.json()
            if users:
                return _record(ctx, users[0])
    return None


def _group_id(ctx: Context, name: str, *, create: bool) -> str | None:
    """The id of the group named exactly ``name``; made when ``create`` and there is none."""
    for group in ctx.http.get("/api/v1/groups", params={"q": name, "limit": PAGE_SIZE}).json():
        if str((group.get("profile") or {}).get("name", "")).casefold() == name.casefold():
            return str(group["id"])
    if not create:
        return None
    made = ctx.http.post("/api/v1/groups", json={"profile": {"name": name, "description": "Made by a sync"}})
    return str(made.json()["id"])


def _change_groups(ctx: Context, user_id: str, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
    for name in added:
        group_id = _group_id(ctx, name, create=True)
        assert group_id is not None
        ctx.http.put(api_path("/api/v1/groups/{group_id}/users/{user_id}", group_id=group_id, user_id=user_id))
    for name in removed:
        group_id = _group_id(ctx, name, create=False)
        if group_id is not None:
            ctx.http.delete(api_path("/api/v1/groups/{group_id}/users/{user_id}", group_id=group_id, user_id=user_id),
                            extensions={"allow_status": (404,)})


def create(ctx: Context, values: Mapping[str, Any]) -> SyncRecord:
    profile = {attr: values[key] for key, attr in _PROFILE.items() if values.get(key) not in (None, "")}
    profile.setdefault("login", profile.get("email"))
    user = ctx.http.post("/api/v1/users", params={"activate": "false"}, json={"profile": profile}).json()
    _change_groups(ctx, str(user["id"]), tuple(values.get("groups") or ()), ())
    found = read(ctx, str(user["id"]))
    assert found is not None
    return found


def update(ctx: Context, record_id: str, change: RecordUpdate) -> SyncRecord:
    profile = {_PROFILE[key]: value for key, value in change.values.items() if key in _PROFILE}
    if profile:
        ctx.http.post(user_path(record_id), json={"profile": profile})
    _change_groups(ctx, record_id, change.added.get("groups", ()), change.removed.get("groups", ()))
    found = read(ctx, record_id)
    assert found is not None
    return found


def delete(ctx: Context, record_id: str) -> bool:
    """Deactivate, then delete (Okta deletes only deactivated users); False when the user was already gone."""
    path = user_path(record_id)
    first = ctx.http.delete(path, extensions={"allow_status": (404,)})
    if first.status_code == 404:
        return False
    ctx.http.delete(path, extensions={"allow_status": (404,)})
    return True


RECORD_TYPE = RecordType(
    key="user",
    noun="User",
    label="Users",
    description="Okta users: profile attributes, and group memberships by group name as a set.",
    fields=FIELDS,
    list_parts=(GROUPS,),
    identity_keys=("email", "login"),
    modified_resolution=0.001,
    list_changes=list_changes,
    read=read,
    create=create,
    update=update,
    find=find,
    delete=delete,
    scopes=("okta.users.read", "okta.users.manage", "okta.groups.manage", "okta.logs.read"),
    sample={"email": "ada@example.com", "login": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
            "mobile_phone": None, "title": "Engineer", "department": "R&D", "groups": ["crm:vip"]},
)
