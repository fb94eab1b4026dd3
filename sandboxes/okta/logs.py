"""Route ``GET /api/v1/logs`` (the System Log)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sandboxes.okta.json_responses import json_response
from sandboxes.okta.links import page_url, set_links
from sandboxes.okta.log_query import LogQuery, query_log
from sandboxes.okta.request_parsing import int_param
from sandboxes.okta.state import OktaState

LOG_LIMIT_DEFAULT = 100
LOG_LIMIT_MAX = 1000


def logs_blueprint(state: OktaState) -> Blueprint:
    blueprint = Blueprint("okta_logs", __name__)

    @blueprint.get("/api/v1/logs")
    def read_log() -> Response:
        query = LogQuery(
            since=request.args.get("since") or None,
            until=request.args.get("until") or None,
            after=request.args.get("after") or None,
            filter=request.args.get("filter") or None,
            q=request.args.get("q") or None,
            limit=int_param("limit", LOG_LIMIT_DEFAULT, LOG_LIMIT_MAX, minimum=0),
            sort_order=request.args.get("sortOrder") or "ASCENDING",
        )
        with state.lock:
            page = query_log(state.log, query, state.clock())
        response = json_response(page.events)
        links = [("self", page_url(state.base_url, "/api/v1/logs", {}))]
        if page.next_cursor is not None:
            links.append(("next", page_url(state.base_url, "/api/v1/logs",
                                           {"after": page.next_cursor, "since": None})))
        set_links(response, links, state.settings.link_style)
        return response

    return blueprint
