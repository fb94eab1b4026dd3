"""Event hooks: registration, the one-time verification handshake, and batched deliveries.

Deliveries go through the sandbox's Outbox, which applies Okta's rules (3 s timeout, one retry on 5xx or
timeout, none on 4xx). Events written by one request are delivered together; ``duplicate_rate`` sends
some deliveries twice, because Okta promises at-least-once delivery and receivers must de-duplicate.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandboxes.okta.cursor_list import CursorList
from sandboxes.okta.errors import OktaError, validation_error
from sandboxes.okta.event_filters import compile_condition
from sandboxes.okta.ids import EVENT_HOOK_PREFIX, IdFactory, random_token
from sandboxes.okta.system_log import SYSTEM_ACTOR
from sandboxes.okta.timestamps import iso_timestamp
from sandboxes.outbox import Outbox

MAX_ACTIVE_HOOKS = 25
ELIGIBLE_EVENT_TYPES = frozenset({
    "user.lifecycle.create", "user.lifecycle.activate", "user.lifecycle.deactivate",
    "user.lifecycle.suspend", "user.lifecycle.unsuspend", "user.lifecycle.reactivate",
    "user.lifecycle.delete.initiated", "user.account.update_profile", "user.account.lock",
    "user.account.unlock", "user.account.reset_password", "user.account.expire_password",
    "user.mfa.factor.reset_all", "group.user_membership.add", "group.user_membership.remove",
    "group.lifecycle.create", "group.lifecycle.delete", "group.profile.update",
})


@dataclass(eq=False)
class HookRecord:
    id: str
    name: str
    event_types: list[str]
    uri: str
    headers: list[dict[str, str]]
    auth_scheme: dict[str, str] | None
    created: float
    last_updated: float
    created_by: str
    status: str = "ACTIVE"
    verification_status: str = "UNVERIFIED"
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: ``events.filter``'s map as sent: [{event, expression}] (None: every subscribed event is delivered)
    event_filter: list[dict[str, str]] | None = None

    def wants(self, event: dict[str, Any]) -> bool:
        """Whether an event of a subscribed type passes the hook's filter (every condition on its type)."""
        return all(compile_condition(entry["expression"], "events.filter")(event)
                   for entry in self.event_filter or [] if entry["event"] == event.get("eventType"))

    def view(self, base_url: str) -> dict[str, Any]:
        """The hook as Okta returns it; the auth secret is write-only and never echoed."""
        config: dict[str, Any] = {"uri": self.uri, "headers": [dict(h) for h in self.headers]}
        if self.auth_scheme:  # left out when unset: the document's authScheme is never null
            config["authScheme"] = {"type": self.auth_scheme["type"], "key": self.auth_scheme["key"]}
        url = f"{base_url}/api/v1/eventHooks/{self.id}"
        return {
            "id": self.id,
            "status": self.status,
            "verificationStatus": self.verification_status,
            "name": self.name,
            "description": self.description,
            "created": iso_timestamp(self.created),
            "createdBy": self.created_by,
            "lastUpdated": iso_timestamp(self.last_updated),
            "events": {"type": "EVENT_TYPE", "items": list(self.event_types), "filter": None if not self.event_filter
                       else {"type": "EXPRESSION_LANGUAGE", "eventFilterMap": [
                           {"event": entry["event"], "condition": {"expression": entry["expression"], "version": None}}
                           for entry in self.event_filter]}},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": config},
            # The links Okta's document gives a hook (self, verify, deactivate), in every status, as its
            # own example of a deactivated hook shows.
            "_links": {
                "self": {"href": url, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
                "verify": {"href": f"{url}/lifecycle/verify", "hints": {"allow": ["POST"]}},
                "deactivate": {"href": f"{url}/lifecycle/deactivate", "hints": {"allow": ["POST"]}},
            },
        }

    def delivery_headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": "Okta Event Hooks (sandbox)"}
        for header in self.headers:
            headers[header["key"]] = header["value"]
        if self.auth_scheme:
            headers[self.auth_scheme["key"]] = self.auth_scheme["value"]
        return headers


def _parse_hook(body: Any, allow_http: bool) -> dict[str, Any]:
    """Validate a hook registration body; errors name the field and what to send instead."""
    if not isinstance(body, dict):
        raise validation_error("body", "must be an event hook object with name, events and channel")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation_error("name", "The field cannot be left blank")
    events = body.get("events")
    if not isinstance(events, dict) or events.get("type") != "EVENT_TYPE":
        raise validation_error("events.type", "must be EVENT_TYPE")
    items = events.get("items")
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise validation_error("events.items", "must be a non-empty list of event types")
    unknown = [item for item in items if item not in ELIGIBLE_EVENT_TYPES]
    if unknown:
        raise validation_error("events.items", f"{unknown[0]} is not an event-hook eligible event type")
    channel = body.get("channel")
    if not isinstance(channel, dict) or channel.get("type") != "HTTP":
        raise validation_error("channel.type", "must be HTTP")
    if channel.get("version") not in (None, "1.0.0"):
        raise validation_error("channel.version", "must be 1.0.0")
    config = channel.get("config")
    if not isinstance(config, dict):
        raise validation_error("channel.config", "must be an object with a uri")
    uri = config.get("uri")
    # Okta requires https. Plain http only with the sandbox's explicit ``allow_http_hook_uris`` setting,
    # which the emulator turns on for its own receiver on 127.0.0.1.
    schemes = ("https://", "http://") if allow_http else ("https://",)
    if not isinstance(uri, str) or not uri.startswith(schemes):
        hint = "" if allow_http else " (an http:// receiver needs the sandbox setting allow_http_hook_uris)"
        raise validation_error("channel.config.uri", f"must be an absolute https:// URL{hint}")
    headers = config.get("headers") or []
    if not isinstance(headers, list) or not all(
        isinstance(h, dict) and isinstance(h.get("key"), str) and isinstance(h.get("value"), str)
        for h in headers
    ):
        raise validation_error("channel.config.headers", "must be a list of {key, value} strings")
    scheme = config.get("authScheme")
    if scheme is not None:
        if not isinstance(scheme, dict) or scheme.get("type") != "HEADER":
            raise validation_error("channel.config.authScheme.type", "must be HEADER")
        if not isinstance(scheme.get("key"), str) or not isinstance(scheme.get("value"), str):
            raise validation_error("channel.config.authScheme", "needs string key and value")
        scheme = {"type": "HEADER", "key": scheme["key"], "value": scheme["value"]}
    description = body.get("description")
    return {"name": name, "event_types": list(items), "uri": uri,
            "headers": [{"key": h["key"], "value": h["value"]} for h in headers],
            "auth_scheme": scheme, "description": description if isinstance(description, str) else None,
            "event_filter": _parse_filter(events.get("filter"))}


def _parse_filter(given: Any) -> list[dict[str, str]] | None:
    """``events.filter``: a map of event type to an Okta Expression Language condition, each compiled now."""
    if given is None:
        return None
    mapped = given.get("eventFilterMap") if isinstance(given, dict) else None
    if not isinstance(mapped, list) or not mapped:
        raise validation_error("events.filter.eventFilterMap", "must be a non-empty list of {event, condition}")
    out = []
    for n, entry in enumerate(mapped):
        where = f"events.filter.eventFilterMap[{n}]"
        condition = entry.get("condition") if isinstance(entry, dict) else None
        expression = condition.get("expression") if isinstance(condition, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("event"), str) or not isinstance(expression, str):
            raise validation_error(where, "needs an event type and condition.expression, both text")
        compile_condition(expression, f"{where}.condition.expression")
        out.append({"event": entry["event"], "expression": expression})
    return out


class HookStore:
    """Registered hooks and their deliveries."""

    def __init__(
        self,
        outbox: Outbox,
        clock: Callable[[], float],
        ids: IdFactory,
        base_url: Callable[[], str],
        *,
        duplicate_rate: Callable[[], float],
        allow_http: Callable[[], bool] = lambda: False,
        seed: int = 0,
    ) -> None:
        self.records: CursorList[HookRecord] = CursorList()
        self.outbox = outbox
        self._clock = clock
        self._ids = ids
        self._base_url = base_url
        self._duplicate_rate = duplicate_rate
        self._allow_http = allow_http
        self._rng = random.Random(seed)
        self._lock = threading.RLock()

    def find(self, hook_id: str) -> HookRecord:
        hook = self.records.get(hook_id)
        if hook is None:
            raise OktaError("E0000007", f"{hook_id} (EventHook)")
        return hook

    def _check_active_limit(self) -> None:
        if sum(1 for hook in self.records if hook.status == "ACTIVE") >= MAX_ACTIVE_HOOKS:
            raise validation_error(
                "status", f"an org can have at most {MAX_ACTIVE_HOOKS} active event hooks; deactivate one first"
            )

    def create(self, body: Any) -> HookRecord:
        fields = _parse_hook(body, self._allow_http())
        with self._lock:
            self._check_active_limit()
            now = self._clock()
            hook = HookRecord(id=self._ids.new(EVENT_HOOK_PREFIX), created=now, last_updated=now,
                              created_by=SYSTEM_ACTOR.id, **fields)
            self.records.add(hook.id, hook)
            return hook

    def replace(self, hook: HookRecord, body: Any) -> HookRecord:
        fields = _parse_hook(body, self._allow_http())
        with self._lock:
            if fields["uri"] != hook.uri:
                hook.verification_status = "UNVERIFIED"
            if fields["auth_scheme"] is None:
                fields["auth_scheme"] = hook.auth_scheme  # the secret is write-only: keep it if omitted
            for name, value in fields.items():
                setattr(hook, name, value)
            hook.last_updated = self._clock()
            return hook

    def delete(self, hook: HookRecord) -> None:
        if hook.status == "ACTIVE":
            raise validation_error("status", "an ACTIVE event hook cannot be deleted; deactivate it first")
        with self._lock:
            self.records.remove(hook.id)

    def set_active(self, hook: HookRecord, active: bool) -> HookRecord:
        with self._lock:
            if active and hook.status != "ACTIVE":
                self._check_active_limit()
            hook.status = "ACTIVE" if active else "INACTIVE"
            hook.last_updated = self._clock()
            return hook

    def verify(self, hook: HookRecord) -> HookRecord:
        """One GET with ``x-okta-verification-challenge``; the receiver must echo it as ``verification``."""
        challenge = random_token(40)
        headers = hook.delivery_headers()
        headers.pop("Content-Type", None)
        headers["x-okta-verification-challenge"] = challenge
        try:
            response = self.outbox.get(hook.uri, headers)
            answer = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as exc:
            raise validation_error("channel.config.uri", f"verification request failed: {exc}") from None
        if not isinstance(answer, dict) or answer.get("verification") != challenge:
            raise validation_error(
                "channel.config.uri",
                "verification failed: the endpoint must answer 200 with "
                '{"verification": "<value of the x-okta-verification-challenge header>"}',
            )
        with self._lock:
            hook.verification_status = "VERIFIED"
            hook.last_updated = self._clock()
        return hook

    def deliver(self, events: list[dict[str, Any]]) -> None:
        """Send a batch of new events to every active, verified hook subscribed to any of them."""
        with self._lock:
            hooks = [h for h in self.records if h.status == "ACTIVE" and h.verification_status == "VERIFIED"]
        for hook in hooks:
            wanted = set(hook.event_types)
            matching = [event for event in events if event["eventType"] in wanted and hook.wants(event)]
            if not matching:
                continue
            body = json.dumps({
                "eventType": "com.okta.event_hook",
                "eventTypeVersion": "1.0",
                "cloudEventsVersion": "0.1",
                "source": f"{self._base_url()}/api/v1/eventHooks/{hook.id}",
                "eventId": str(uuid.uuid4()),
                "eventTime": iso_timestamp(self._clock()),
                "contentType": "application/json",
                "data": {"events": matching},
            }).encode()
            headers = hook.delivery_headers()
            self.outbox.send(hook.uri, headers, body)
            with self._lock:
                duplicate = self._rng.random() < self._duplicate_rate()
            if duplicate:
                self.outbox.send(hook.uri, headers, body)
