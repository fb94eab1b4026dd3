"""Ids in request paths are escaped by the kit's one path builder, in every operation of every app."""

from __future__ import annotations

import ast
import contextlib
import itertools
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.okta.app import APP as OKTA
from connector.apps.personio.app import APP as PERSONIO
from connector.context import Connection, Meta
from connector.definitions import App, Field, Trigger
from connector.errors import BadInput, ConnectorError
from connector.paths import api_path
from connector.runtime import invoke

ROOT = Path(__file__).resolve().parents[2]
#: Where the shipped apps' operations and their auth live.
APP_SOURCES = [ROOT / "actions", ROOT / "triggers", ROOT / "searches", ROOT / "connector" / "apps",
               *(ROOT / "auth" / f"{app}.py" for app in ("okta", "contacts", "personio"))]
TRAVERSAL = "../../../api/connections/conn_123"


def test_each_value_becomes_exactly_one_escaped_segment():
    path = api_path("/contacts/{contact_id}/tasks/{task_id}", contact_id="a/b?c#d%e", task_id=42)
    assert path == "/contacts/a%2Fb%3Fc%23d%25e/tasks/42"


def test_a_traversal_id_stays_inside_its_segment():
    assert api_path("/contacts/{contact_id}", contact_id=TRAVERSAL) == (
        "/contacts/..%2F..%2F..%2Fapi%2Fconnections%2Fconn_123"
    )


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_dot_segments_and_empty_ids_are_refused_naming_the_field(value):
    with pytest.raises(BadInput, match="request path") as caught:
        api_path("/contacts/{contact_id}/notes", contact_id=value)
    assert caught.value.field == "contact_id"


@pytest.mark.parametrize("value", [None, {"id": "x"}, ["x"], True])
def test_a_value_that_is_not_an_id_is_refused(value):
    with pytest.raises(BadInput, match="text or number id") as caught:
        api_path("/api/v1/users/{user}", user=value)
    assert caught.value.field == "user"


def test_a_template_that_does_not_match_its_values_is_a_bug_not_bad_input():
    with pytest.raises(ValueError, match="missing values"):
        api_path("/contacts/{contact_id}")
    with pytest.raises(ValueError, match="unexpected values"):
        api_path("/contacts/{contact_id}", contact_id="a", task_id="b")
    with pytest.raises(ValueError, match="must start with"):
        api_path("contacts/{contact_id}", contact_id="a")


def _path_formatting(node: ast.AST) -> bool:
    """An f-string, ``+`` or ``%`` that glues a value to a ``/``: a path built by hand."""
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        if parts and isinstance(parts[0], ast.Constant) and str(parts[0].value).startswith("/") and len(parts) > 1:
            return True
        for before, after in itertools.pairwise(parts):
            text = str(before.value) if isinstance(before, ast.Constant) else ""
            if text.endswith("/") and not text.endswith("://") and isinstance(after, ast.FormattedValue):
                return True
            if isinstance(before, ast.FormattedValue) and isinstance(after, ast.Constant) and str(
                after.value
            ).startswith("/"):
                return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        left, right = node.left, node.right
        if isinstance(left, ast.Constant) and isinstance(left.value, str) and left.value.endswith("/"):
            return not isinstance(right, ast.Constant)
        if isinstance(left, ast.Constant) and isinstance(left.value, str) and "/%s" in left.value:
            return True
    return False


def test_no_app_builds_a_request_path_by_hand():
    offenders = []
    files = [p for source in APP_SOURCES for p in ([source] if source.is_file() else sorted(source.rglob("*.py")))]
    assert len(files) > 60
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if _path_formatting(node):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == [], "build request paths with connector.paths.api_path:\n" + "\n".join(offenders)


def test_the_scan_catches_the_forms_it_forbids():
    sources = ['f"/contacts/{cid}"', 'f"{BASE}/{hook_id}"', '"/contacts/" + cid', '"/users/%s" % uid',
               'f"/contacts/{cid}/tasks"']
    allowed = ['f"contact {cid!r} was not found"', '"/contacts/" + "tasks"', 'f"{scheme}://{host}"']
    assert all(any(_path_formatting(n) for n in ast.walk(ast.parse(s))) for s in sources)
    assert not any(_path_formatting(n) for s in allowed for n in ast.walk(ast.parse(s)))


# -- every operation, fed traversal ids from its input and from the vendor's answers --------------------

def _answer(request: httpx.Request) -> httpx.Response:
    """A vendor whose every record id is a traversal string, so ids read back from answers are tested too."""
    record = {"id": TRAVERSAL, "contactId": TRAVERSAL, "body": "", "profile": {"login": TRAVERSAL}}
    body: Any = {**record, "contact": record, "task": record, "note": record, "webhook": record,
                 "contacts": [record], "tasks": [record], "notes": [record], "events": [record],
                 "success": True, "data": [], "meta": {"total": 1}}
    if request.method == "GET" and request.url.path.endswith(("/users", "/groups", "/logs", "/eventHooks")):
        body = [record]
    return httpx.Response(200, json=body)


def _value(field: Field) -> Any:
    if field.type != "string":
        return {"integer": 1, "number": 1, "boolean": True, "list": [TRAVERSAL],
                "datetime": "2026-01-01T00:00:00Z"}.get(field.type)
    if "email" in field.key.lower():
        return "ada@example.com"
    if "phone" in field.key.lower():
        return "+15555550100"
    if field.choices:
        return next(iter(field.choices))
    return TRAVERSAL


def _is_id(field: Field) -> bool:
    return field.required or field.key.lower().endswith("id") or field.key in ("user", "group")


def _operations() -> list[tuple[App, str, str]]:
    cases = []
    for app in (OKTA, CONTACTS, PERSONIO):
        for op in (*app.triggers, *app.actions, *app.searches):
            cases.append((app, op.key, "perform"))
            if isinstance(op, Trigger) and op.unsubscribe is not None:
                cases.append((app, op.key, "unsubscribe"))
    return cases


def _requests_sent(app: App, operation: str, step: Any) -> list[httpx.URL]:
    """Run one step with every id input set to a traversal string; the URLs it sent."""
    sent: list[httpx.URL] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return _answer(request)

    op = app.operation(operation)
    values = {f.key: _value(f) for f in op.input_fields if _is_id(f)}
    meta = Meta(subscription={"id": TRAVERSAL, "hook_id": TRAVERSAL}, target_url="https://hooks.test/h")
    connection = Connection(app=app.key, fields={"location_id": "loc_1"}, base_url="https://vendor.test",
                            auth=httpx.BasicAuth("user", "secret"), transport=httpx.MockTransport(vendor))
    # The fake vendor's answers need not make sense to every operation; only the requests sent matter.
    with contextlib.suppress(ConnectorError, KeyError, TypeError, ValueError, AttributeError):
        invoke(app, op, connection, values, meta, step=step, retry=None, sleep=lambda _s: None)
    return sent


@pytest.mark.parametrize(("app", "operation", "step"), _operations(),
                         ids=lambda v: v.key if isinstance(v, App) else str(v))
def test_a_traversal_id_never_leaves_its_path_segment(app, operation, step):
    for url in _requests_sent(app, operation, step):
        # Escaped, the id stays one segment ("..%2F..%2Fapi%2F..."); unescaped it climbed to
        # /api/connections/conn_123 (a vendor path may have a "connections" segment of its own, Okta's apps do).
        segments = url.raw_path.split(b"?")[0].split(b"/")
        assert b"conn_123" not in segments, f"{app.key}.{operation} ({step}) sent {url}"
        assert b".." not in segments and b"." not in segments


def test_the_traversal_sweep_reaches_the_vendor_in_most_operations():
    reached = [case for case in _operations() if _requests_sent(*case)]
    assert len(reached) >= 50, f"only {len(reached)} of {len(_operations())} steps sent a request"
