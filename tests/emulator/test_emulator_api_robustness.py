"""No request to the API or the hook ingress, however malformed, gets a 500 or a non-JSON error."""

from __future__ import annotations

import re

import pytest

BODIES = [None, b"", b"null", b"[]", b'"text"', b"12", b"{", b"\xff\x00", b'{"name": 5}', b'{"sample": "x"}',
          b'{"trigger": {"app": 1, "operation": []}}', b'{"steps": [null]}', b'{"steps": [{"mapping": 3}]}',
          b'{"interval_seconds": 1e400}']


def _paths(app, ids):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api", "/hooks")):
            continue
        for values in ids:
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v.get(m.group(1), "x")), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path


@pytest.mark.parametrize("body", BODIES)
def test_malformed_requests_get_json_4xx_answers_never_500(app, client, make_flow, body):
    flow = make_flow()
    ids = [
        {"flow_id": flow["id"], "run_id": "run_nope", "index": 0, "app_key": "kitchen"},
        {"flow_id": "flow_nope", "run_id": "run_nope", "index": 99, "app_key": "nope"},
    ]
    for method, path in _paths(app, ids):
        if method == "DELETE" or path.endswith(("/on", "/poll")):
            continue  # state changes; their errors are covered elsewhere
        response = client.open(path, method=method, data=body, content_type="application/json")
        assert response.status_code < 500, (method, path, body, response.get_data(as_text=True))
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert error["message"], (method, path)


def test_query_strings_with_garbage_are_refused_cleanly(client):
    for query in ("limit=-1", "limit=1e9", "offset=x", "status=%00", "flow=%ff", "limit=999999999999999999999"):
        response = client.get(f"/api/runs?{query}")
        assert response.status_code in (200, 404, 422), query
        assert response.is_json
