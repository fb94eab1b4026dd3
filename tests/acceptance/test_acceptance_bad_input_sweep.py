"""DESIGN's bar "bad input at every entry point: a clear error, no 500", swept over the OpenAPI document.

For every documented route and method of the composed platform, the sweep sends malformed bodies
(not JSON, wrong JSON types, deep nesting, huge strings), a valid body with each field in turn
replaced by a wrong value, unknown and absurd ids, and junk query strings. Every answer must be below
500, and every 4xx from the JSON API must carry ``{"error": {"message": ...}}`` saying what is wrong.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from acceptance_world import api_client, hook_flow_spec

from emulator.demo import demo_flow_spec, seed_demo

pytestmark = pytest.mark.slow

HUGE = "x" * 200_000
DEEP_ARRAY = b"[" * 50_000 + b"]" * 50_000
DEEP_OBJECT = b'{"a":' * 50_000
JUNK_VALUES: list[Any] = [None, 0, -1, 1e308, True, "", HUGE, "\x00💥", [], [None, {}], {}, {"{{": "}}"}]
RAW_BODIES: list[bytes | None] = [
    None, b"", b"   ", b"null", b"[]", b'"text"', b"12", b"true", b"{", b'{"a": }', b"\xff\xfe\x00",
    DEEP_ARRAY, DEEP_OBJECT, ('{"name": "' + HUGE + '"}').encode(),
]
BAD_IDS = ["nope", "flow_00000000000000000000", HUGE[:5000], "..%2F..%2Fapi", "%00", "é✓", "-1", "9" * 40]
BAD_QUERIES = ["limit=-1", "limit=abc", "offset=1e99", "status=%00", "flow=" + HUGE[:5000], "limit=9" * 3,
               "state=" + HUGE[:5000], "code=&state=&error=" + HUGE[:2000], "query=%ff%fe"]


def _paths_of_leaves(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a JSON value (objects and lists), the value itself included."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths_of_leaves(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths_of_leaves(child, (*prefix, index))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.deepcopy(value)
    target = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copied


def _mutations(valid: Any) -> Iterator[Any]:
    """The valid body with each part in turn replaced by each junk value, then with an unknown key."""
    for path in _paths_of_leaves(valid):
        if not path:
            continue
        for junk in JUNK_VALUES:
            yield _replaced(valid, path, junk)
    if isinstance(valid, dict):
        yield {**valid, "unexpected_key": HUGE}


@dataclass(frozen=True)
class KnownDefect:
    """A 5xx the sweep found in a module this suite does not own; each has a strict-xfail test below."""

    what: str
    route: str
    matches: Callable[[Any], bool]


#: 5xx answers the sweep accepts for now; each entry names a defect to fix (empty: none known).
KNOWN_DEFECTS: tuple[KnownDefect, ...] = ()


def _known(route: str, body: Any) -> bool:
    return any(d.route in ("*", route) and d.matches(body) for d in KNOWN_DEFECTS)


class Sweep:
    """Sends requests and remembers every answer that breaks the rule."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.broken: list[str] = []
        self.sent = 0

    def send(self, method: str, path: str, *, data: bytes | None = None, json: Any = None,
             query: str = "", route: str = "") -> None:
        url = f"{path}?{query}" if query else path
        kwargs: dict[str, Any] = {}
        if json is not None:
            kwargs["json"] = json
        elif data is not None:
            kwargs.update(data=data, content_type="application/json")
        response = self.client.open(url, method=method, **kwargs)
        self.sent += 1
        label = f"{method} {url[:120]} body={str(json if json is not None else data)[:80]!r}"
        if response.status_code >= 500 and not _known(route, json if json is not None else data):
            self.broken.append(f"{response.status_code} for {label}: {response.get_data(as_text=True)[:200]}")
        elif response.status_code >= 400 and path.startswith(("/api", "/hooks")):
            body = response.get_json(silent=True)
            message = body.get("error", {}).get("message") if isinstance(body, dict) else None
            if not message:
                self.broken.append(f"{response.status_code} without an error message for {label}")


@pytest.fixture
def world(make_platform):
    env = make_platform(okta_users=10, contacts=3)
    ids = seed_demo(env)
    client = api_client(env)
    hook = client.post("/api/flows", json=hook_flow_spec(ids["okta"], ids["contacts"])).get_json()
    assert client.post(f"/api/flows/{hook['id']}/on").status_code == 200
    assert client.post(f"/api/flows/{ids['flow']}/on").status_code == 200
    env.okta.create_user({"firstName": "Sweep", "lastName": "Target", "email": "sweep@acceptance.example",
                          "login": "sweep@acceptance.example"})
    [run_id] = client.post(f"/api/flows/{ids['flow']}/poll").get_json()["runs"]
    env.okta.outbox.flush()  # the hook flow's delivery of the same user, so the sweep starts settled
    env.emulator.extensions["emulator"].scheduler.tick()
    real = {"flow_id": ids["flow"], "run_id": run_id, "connection_id": ids["okta"], "app_key": "okta",
            "index": "0"}
    document = client.get("/api/openapi.json").get_json()
    return env, client, ids, hook["id"], real, document


def _valid_body(route: str, method: str, ids: dict[str, str]) -> Any:
    """A body the route accepts, so the mutations probe one wrong field at a time."""
    flow = demo_flow_spec(ids["okta"], ids["contacts"])
    sample = {"id": "00u1", "profile": {"firstName": "Ada", "email": "ada@example.com", "department": "R&D"}}
    if route in ("/api/flows", "/api/flows/{flow_id}") and method in ("post", "patch"):
        return flow
    if route.startswith("/api/trials"):
        return {**flow, "sample": sample}
    if route.endswith(("/preview", "/test")) and route.startswith("/api/flows/"):
        return {"sample": sample}
    if route == "/api/mapping/preview":
        return {"app": "contacts", "operation": "create_contact", "mapping": flow["steps"][0]["mapping"],
                "trigger": sample, "steps": {}}
    if route == "/api/choices":
        return {"app": "contacts", "operation": "create_contact", "field": "email", "connection_id": ids["contacts"]}
    if route == "/api/connections":
        return {"app": "okta", "name": "Another", "fields": {"org_url": "http://127.0.0.1:1", "api_token": "t"}}
    if route == "/api/connections/oauth/start":
        return {"app": "contacts", "name": "Contacts via OAuth"}
    if route == "/api/sandboxes/okta/users":
        return {"firstName": "Fuzz", "lastName": "Person", "email": "fuzz@acceptance.example"}
    return None


def _fill(route: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "x"), route)


def _routes(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(route, method) pairs, deletions and turning off last so the real ids stay valid for the rest."""
    pairs = [(route, method) for route, ops in document["paths"].items() for method in ops if method != "parameters"]
    return iter(sorted(pairs, key=lambda p: (p[1] == "delete" or p[0].endswith("/off"), p[0], p[1])))


def test_every_documented_route_answers_bad_input_with_a_clear_4xx_never_a_500(world):
    _env, client, ids, _hook_flow, real, document = world
    sweep = Sweep(client)
    routes = list(_routes(document))
    assert len(routes) >= 30  # the sweep really covers the API

    for route, method in routes:
        verb = method.upper()
        real_path = _fill(route, real)
        valid = _valid_body(route, method, ids)
        takes_body = verb in ("POST", "PATCH", "PUT")
        if takes_body:
            for raw in RAW_BODIES:
                sweep.send(verb, real_path, data=raw, route=route)
            for body in _mutations(valid) if valid is not None else ():
                sweep.send(verb, real_path, json=body, route=route)
        for query in BAD_QUERIES:
            sweep.send(verb, real_path, query=query)
        if "{" in route:
            for bad in BAD_IDS:
                path = _fill(route, {name: bad for name in re.findall(r"{(\w+)}", route)})
                sweep.send(verb, path, json=valid if takes_body else None)
                sweep.send(verb, path, data=b"{" if takes_body else None)

    assert sweep.broken == [], f"{len(sweep.broken)} of {sweep.sent} requests broke the rule:\n" + "\n".join(
        sweep.broken[:40])


def test_the_hook_ingress_refuses_junk_deliveries_and_the_scheduler_survives_them(world):
    env, client, ids, hook_flow, _real, _document = world
    emulator = env.emulator.extensions["emulator"]
    secret = emulator.store.get_flow(hook_flow)["subscription"]["secret"]
    sweep = Sweep(client)
    for raw in RAW_BODIES:
        sweep.send("POST", f"/hooks/{hook_flow}", data=raw)  # no secret: refused before it is stored
    assert sweep.broken == []
    assert client.post(f"/hooks/{hook_flow}", data=b"{}").status_code == 401
    assert client.post(f"/hooks/{ids['flow']}", data=b"{}").status_code == 410  # a polled flow takes no hooks
    assert client.post("/hooks/flow_gone", data=b"{}").status_code == 410
    too_big = client.post(f"/hooks/{hook_flow}", data=b"x" * (emulator.max_hook_body + 1),
                          headers={"Authorization": secret})
    assert too_big.status_code == 413

    # Authenticated junk is stored and acknowledged (Okta must not wait); parsing it later fails cleanly.
    authenticated = [client.post(f"/hooks/{hook_flow}", data=raw, headers={"Authorization": secret})
                     for raw in RAW_BODIES if raw]
    assert {r.status_code for r in authenticated} == {200}
    report = emulator.scheduler.tick()
    assert report.deliveries == len(authenticated) and report.executed == {}
    deliveries = emulator.store.list_deliveries(hook_flow, limit=100)
    assert [d["status"] for d in deliveries].count("failed") == len(authenticated)
    assert all(d["error"]["message"] for d in deliveries if d["status"] == "failed")
    listed = client.get(f"/api/flows/{hook_flow}/deliveries")
    assert listed.status_code == 200 and len(listed.get_json()["deliveries"]) == len(deliveries)


@pytest.mark.parametrize("route", ["/api/flows", "/api/trials/preview", "/api/mapping/preview", "/api/choices"])
def test_json_nested_thousands_deep_gets_a_400(world, route):
    client = world[1]
    assert client.post(route, data=DEEP_ARRAY, content_type="application/json").status_code == 400


def test_adding_a_connection_with_a_list_as_app_gets_a_422(world):
    client = world[1]
    response = client.post("/api/connections", json={"app": [], "name": "x", "fields": {}})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "app"


def test_creating_a_sandbox_user_the_okta_sandbox_refuses_gets_a_422(world):
    client = world[1]
    response = client.post("/api/sandboxes/okta/users", json={"email": "not-an-email"})
    assert response.status_code == 422
