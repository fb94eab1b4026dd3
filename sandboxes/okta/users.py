"""Routes under ``/api/v1/users``: create, list, read, replace, update, delete, lifecycle, groups."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request

from sandboxes.okta.errors import OktaError, validation_error
from sandboxes.okta.json_responses import json_array_response, json_response, no_content
from sandboxes.okta.links import paged_links, set_links
from sandboxes.okta.listing import USER_PAGE_MAX, UserQuery, list_users
from sandboxes.okta.request_parsing import bool_param, int_param, json_body
from sandboxes.okta.state import OktaState
from sandboxes.okta.system_log import SYSTEM_ACTOR
from sandboxes.okta.user_records import UserRecord

USER_GROUPS_MAX = 10000


def _password(credentials: Any) -> str | None:
    """The password a request sets, if any (``value``, or a ``hash`` treated as a set password)."""
    if credentials is None:
        return None
    if not isinstance(credentials, dict):
        raise validation_error("credentials", "must be an object")
    password = credentials.get("password")
    if password is None:
        return None
    if not isinstance(password, dict):
        raise validation_error("credentials.password", "must be an object like {\"value\": \"...\"}")
    if "value" in password:
        value = password["value"]
        if not isinstance(value, str) or not value:
            raise validation_error("credentials.password.value", "must be a non-empty string")
        return value
    if "hash" in password or "hook" in password:
        return "<imported>"
    return None


def _recovery_question(credentials: Any) -> str | None:
    if isinstance(credentials, dict) and isinstance(credentials.get("recovery_question"), dict):
        question = credentials["recovery_question"].get("question")
        return question if isinstance(question, str) else None
    return None


def users_blueprint(state: OktaState) -> Blueprint:
    """Build the users routes bound to one org's state."""
    blueprint = Blueprint("okta_users", __name__)

    def single(user: UserRecord) -> Response:
        return json_response(user.single(state.base_url))

    def _token_owner() -> Response:
        """``/users/me``: an API token acts as the org's admin, who is not one of the listed users.

        OAuth service-app tokens act for no user, so Okta answers them with "not found".
        """
        grant = g.get("grant")
        if grant is None or grant.client_id is not None:
            raise OktaError("E0000007", causes=["users/me: a service-app token acts for no user"])
        admin = SYSTEM_ACTOR
        first, _, last = admin.display_name.partition(" ")
        return json_response({
            "id": admin.id, "status": "ACTIVE", "type": {"id": "otysandboxdefault0001"},
            "profile": {"login": admin.alternate_id, "email": admin.alternate_id, "firstName": first,
                        "lastName": last},
            "_links": {"self": {"href": f"{state.base_url}/api/v1/users/{admin.id}"}},
        })

    @blueprint.post("/api/v1/users")
    def create_user() -> Response:
        body = json_body()
        if not isinstance(body, dict):
            raise validation_error("body", "must be an object with a profile")
        next_login = request.args.get("nextLogin")
        if next_login not in (None, "", "changePassword"):
            raise validation_error("nextLogin", f"'{next_login}' is not supported; use changePassword")
        credentials = body.get("credentials")
        type_info = body.get("type")
        with state.lock:
            user = state.users.create(
                body.get("profile"),
                activate=bool_param("activate", True),
                password=_password(credentials),
                provider=bool_param("provider", False),
                recovery_question=_recovery_question(credentials),
                type_id=type_info.get("id") if isinstance(type_info, dict) else None,
                realm_id=body.get("realmId") if isinstance(body.get("realmId"), str) else None,
                next_login=next_login or None,
            )
            for group_id in body.get("groupIds") or []:
                state.groups.add_member(state.groups.find(str(group_id)), user)
            return single(user)

    @blueprint.get("/api/v1/users")
    def list_all_users() -> Response:
        query = UserQuery(
            limit=int_param("limit", 0, USER_PAGE_MAX) or None,
            after=request.args.get("after") or None,
            q=request.args.get("q"),
            filter=request.args.get("filter") or None,
            search=request.args.get("search") or None,
            sort_by=request.args.get("sortBy") or None,
            sort_order=request.args.get("sortOrder") or "asc",
        )
        with state.lock:
            users, next_cursor = list_users(state.users, query)
            base = state.base_url
            response = json_array_response(user.collection_json(base) for user in users)
        set_links(response, paged_links(base, "/api/v1/users", next_cursor), state.settings.link_style)
        return response

    @blueprint.get("/api/v1/users/<id_or_login>")
    def get_user(id_or_login: str) -> Response:
        if id_or_login in ("me", SYSTEM_ACTOR.id):  # the token's owner, also at the id its self link names
            return _token_owner()
        with state.lock:
            return single(state.users.find(id_or_login))

    @blueprint.put("/api/v1/users/<user_id>")
    def replace_user(user_id: str) -> Response:
        return _update(user_id, replace=True)

    @blueprint.post("/api/v1/users/<user_id>")
    def update_user(user_id: str) -> Response:
        return _update(user_id, replace=False)

    def _update(user_id: str, *, replace: bool) -> Response:
        body = json_body()
        if not isinstance(body, dict):
            raise validation_error("body", "must be an object with profile and/or credentials")
        with state.lock:
            user = state.users.find(user_id)
            password = _password(body.get("credentials"))
            if "profile" in body or replace:
                state.users.update_profile(user, body.get("profile"), replace=replace)
            if password is not None:
                state.users.set_password(user, password)
            return single(user)

    @blueprint.delete("/api/v1/users/<user_id>")
    def delete_user(user_id: str) -> Response:
        with state.lock:
            user = state.users.find(user_id)
            if user.status != "DEPROVISIONED":
                state.lifecycle.apply(user, "deactivate")
            else:
                state.groups.forget_user(user)
                state.users.delete(user)
        return no_content()

    @blueprint.post("/api/v1/users/<user_id>/lifecycle/<operation>")
    def change_status(user_id: str, operation: str) -> Response:
        send_email = bool_param("sendEmail", True)
        with state.lock:
            user = state.users.find(user_id)
            result = state.lifecycle.apply(user, operation, send_email=send_email)
        return Response(status=200) if result is None else json_response(result)

    @blueprint.get("/api/v1/users/<user_id>/groups")
    def groups_of_user(user_id: str) -> Response:
        limit = int_param("limit", USER_GROUPS_MAX, USER_GROUPS_MAX)
        after = request.args.get("after") or None
        with state.lock:
            user = state.users.find(user_id)
            groups = state.groups.groups_for(user.id)
            start = 0
            if after is not None:
                ids = [group.id for group in groups]
                if after not in ids:
                    raise validation_error("after", f"'{after}' is not a cursor from a previous page")
                start = ids.index(after) + 1
            page = groups[start : start + limit]
            next_cursor = page[-1].id if page and start + limit < len(groups) else None
            body = [group.view(state.base_url) for group in page]
        response = json_response(body)
        set_links(response, paged_links(state.base_url, f"/api/v1/users/{user_id}/groups", next_cursor),
                  state.settings.link_style)
        return response

    return blueprint
