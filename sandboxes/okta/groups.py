"""Routes under ``/api/v1/groups``: CRUD, members (paged like users) and membership changes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from sandboxes.okta.cursor_list import CursorList
from sandboxes.okta.errors import validation_error
from sandboxes.okta.expressions import GROUP_FILTER, GROUP_SEARCH
from sandboxes.okta.group_store import GroupRecord
from sandboxes.okta.json_responses import json_array_response, json_response, no_content
from sandboxes.okta.links import paged_links, set_links
from sandboxes.okta.listing import compile_or_400
from sandboxes.okta.request_parsing import int_param, json_body
from sandboxes.okta.state import OktaState

GROUP_PAGE_MAX = 10000
MEMBERS_DEFAULT = 1000
MEMBERS_MAX = 10000


def groups_blueprint(state: OktaState) -> Blueprint:
    """Build the group routes bound to one org's state."""
    blueprint = Blueprint("okta_groups", __name__)

    def page_start(records: CursorList[Any], after: str | None) -> int:
        start = records.start_after(after)
        if start is None:
            raise validation_error("after", f"'{after}' is not a cursor from a previous page")
        return start

    @blueprint.get("/api/v1/groups")
    def list_groups() -> Response:
        limit = int_param("limit", GROUP_PAGE_MAX, GROUP_PAGE_MAX)
        after = request.args.get("after") or None
        keep = None
        if request.args.get("search"):
            matches = compile_or_400(request.args["search"], GROUP_SEARCH, "search")
            base = state.base_url
            keep = lambda group: matches(group.view(base))  # noqa: E731
        elif request.args.get("filter"):
            matches_filter = compile_or_400(request.args["filter"], GROUP_FILTER, "filter")
            base = state.base_url
            keep = lambda group: matches_filter(group.view(base))  # noqa: E731
        elif request.args.get("q"):
            needle = request.args["q"].casefold()
            keep = lambda group: group.name.casefold().startswith(needle)  # noqa: E731
        with state.lock:
            groups, next_cursor = state.groups.records.page(page_start(state.groups.records, after), limit, keep)
            body = [group.view(state.base_url) for group in groups]
        response = json_response(body)
        set_links(response, paged_links(state.base_url, "/api/v1/groups", next_cursor), state.settings.link_style)
        return response

    @blueprint.post("/api/v1/groups")
    def create_group() -> Response:
        body = json_body()
        with state.lock:
            return json_response(state.groups.create(body).view(state.base_url))

    @blueprint.get("/api/v1/groups/<group_id>")
    def get_group(group_id: str) -> Response:
        with state.lock:
            return json_response(state.groups.find(group_id).view(state.base_url))

    @blueprint.put("/api/v1/groups/<group_id>")
    def replace_group(group_id: str) -> Response:
        body = json_body()
        with state.lock:
            group = state.groups.replace(state.groups.find(group_id), body)
            return json_response(group.view(state.base_url))

    @blueprint.delete("/api/v1/groups/<group_id>")
    def delete_group(group_id: str) -> Response:
        with state.lock:
            state.groups.delete(state.groups.find(group_id))
        return no_content()

    @blueprint.get("/api/v1/groups/<group_id>/users")
    def list_members(group_id: str) -> Response:
        limit = int_param("limit", MEMBERS_DEFAULT, MEMBERS_MAX)
        with state.lock:
            group: GroupRecord = state.groups.find(group_id)
            after = request.args.get("after") or None
            if group.all_users is not None:  # Everyone: every user of the org, in creation order
                users, next_cursor = group.all_users.page(page_start(group.all_users, after), limit)
            else:
                member_ids, next_cursor = group.members.page(page_start(group.members, after), limit)
                found = (state.users.records.get(user_id) for user_id in member_ids)
                users = [user for user in found if user is not None]
            response = json_array_response(u.collection_json(state.base_url) for u in users)
        set_links(response, paged_links(state.base_url, f"/api/v1/groups/{group_id}/users", next_cursor),
                  state.settings.link_style)
        return response

    @blueprint.put("/api/v1/groups/<group_id>/users/<user_id>")
    def add_member(group_id: str, user_id: str) -> Response:
        with state.lock:
            state.groups.add_member(state.groups.find(group_id), state.users.find(user_id))
        return no_content()

    @blueprint.delete("/api/v1/groups/<group_id>/users/<user_id>")
    def remove_member(group_id: str, user_id: str) -> Response:
        with state.lock:
            state.groups.remove_member(state.groups.find(group_id), state.users.find(user_id))
        return no_content()

    return blueprint
