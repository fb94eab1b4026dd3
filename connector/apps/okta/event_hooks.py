"""Instant Okta triggers: an Okta event hook per flow, its verification handshake, and deliveries split into items.

Turning a flow on (``subscribe``) registers an event hook whose channel is the flow's hook URL and whose
``Authorization`` header carries a random secret made here; Okta then verifies the URL (a GET with
``x-okta-verification-challenge`` that ``handshake`` answers) and the hook is activated. Turning the flow
off (``unsubscribe``) deactivates and deletes it (Okta refuses to delete an active hook).

Okta does not sign deliveries: the secret header is the only proof a POST comes from Okta, so
``authenticate`` compares it in constant time. Okta delivers at least once and may batch or reorder:
``parse_delivery`` splits ``data.events[]`` into one item per event, drops repeated event ids, and
orders them newest first by ``published``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from connector.apps.okta.event_polling import event_id, user_event_items
from connector.apps.okta.system_log import event_item, fetch_users, newest_first, recent_events
from connector.context import Context, HookRequest
from connector.definitions import Field, Trigger
from connector.errors import BadInput, ConnectorError, ResponseError
from connector.paths import api_path

HOOKS_PATH = "/api/v1/eventHooks"
HOOK_PATH = HOOKS_PATH + "/{hook_id}"
CHALLENGE_HEADER = "x-okta-verification-challenge"
SAMPLE_EVENTS = 3


def handshake(request: HookRequest) -> dict[str, Any] | None:
    """Okta's one-time verification: echo the challenge header as ``{"verification": ...}``."""
    challenge = request.header(CHALLENGE_HEADER)
    if request.method.upper() != "GET" or not challenge:
        return None
    return {"verification": challenge}


def authenticate(request: HookRequest, subscription: dict[str, Any]) -> bool:
    """True when the delivery carries the secret this flow's hook was registered with."""
    expected = subscription.get("secret")
    given = request.header("Authorization")
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), str(expected).encode())


def delivery_events(request: HookRequest) -> list[dict[str, Any]]:
    """The LogEvents of one delivery; a clear BadInput when the body is not an Okta event-hook delivery."""
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"the delivery body is not JSON ({exc}); Okta sends application/json", "body") from None
    data = body.get("data") if isinstance(body, dict) else None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not all(isinstance(e, dict) and e.get("uuid") for e in events):
        raise BadInput(
            "the delivery body has no data.events list of LogEvents with a uuid; is this an Okta event hook "
            "delivery?", "body",
        )
    return events


def _remove_hook(ctx: Context, hook_id: str) -> None:
    """Deactivate then delete a hook; one that is already gone counts as removed."""
    allow = {"allow_status": (404,)}
    ctx.http.post(api_path(HOOK_PATH + "/lifecycle/deactivate", hook_id=hook_id), extensions=allow)
    ctx.http.delete(api_path(HOOK_PATH, hook_id=hook_id), extensions=allow)


def hook_trigger(
    key: str,
    *,
    noun: str,
    label: str,
    description: str,
    event_types: Sequence[str],
    output_fields: tuple[Field, ...],
    sample: dict[str, Any],
) -> Trigger:
    """A hook trigger for some System Log event types; items are :func:`event_item` shapes, id = event uuid."""
    wanted = frozenset(event_types)

    def subscribe(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
        target = ctx.meta.target_url
        if not target:
            raise BadInput("the flow has no hook URL to register with Okta; turn the flow on from the platform",
                           "target_url")
        secret = secrets.token_urlsafe(32)
        body = {
            "name": f"connector {key} {ctx.meta.flow_id or ''}".strip()[:255],
            "events": {"type": "EVENT_TYPE", "items": list(event_types)},
            "channel": {
                "type": "HTTP",
                "version": "1.0.0",
                "config": {"uri": target, "headers": [],
                           "authScheme": {"type": "HEADER", "key": "Authorization", "value": secret}},
            },
        }
        hook = ctx.http.post(HOOKS_PATH, json=body).json()
        hook_id = hook["id"]
        try:
            ctx.http.post(api_path(HOOK_PATH + "/lifecycle/verify", hook_id=hook_id))
            ctx.http.post(api_path(HOOK_PATH + "/lifecycle/activate", hook_id=hook_id))
        except ConnectorError as error:
            _remove_hook(ctx, hook_id)
            raise ResponseError(
                f"Okta could not verify the hook URL {target}: {error.message}. The URL must be reachable from "
                "Okta over HTTPS and answer the verification GET; the hook was removed again",
                response=getattr(error, "response", None),
            ) from error
        return {"hook_id": hook_id, "secret": secret, "target_url": target, "event_types": list(event_types)}

    def unsubscribe(ctx: Context, values: dict[str, Any]) -> None:
        hook_id = ctx.meta.subscription.get("hook_id")
        if hook_id:
            _remove_hook(ctx, str(hook_id))

    def wanted_events(request: HookRequest) -> list[dict[str, Any]]:
        seen: set[str] = set()
        unique = []
        for event in delivery_events(request):
            if event.get("eventType") in wanted and event["uuid"] not in seen:
                seen.add(event["uuid"])
                unique.append(event)
        return newest_first(unique)

    def parse_delivery(ctx: Context, request: HookRequest) -> list[dict[str, Any]]:
        # Runs after the delivery was stored and acknowledged, so reading the users' current profiles
        # (one call per ID_BATCH users) costs the vendor nothing and lets mappings use {{trigger.profile.*}}.
        return user_event_items(ctx, wanted_events(request), event_id)

    def parse_deliveries(ctx: Context, requests: list[HookRequest]) -> list[list[dict[str, Any]] | Exception]:
        # Many deliveries of a burst name different users: one profile read (filter by ids) serves them all.
        parsed: list[list[dict[str, Any]] | Exception] = []
        for request in requests:
            try:
                parsed.append(wanted_events(request))
            except BadInput as exc:  # this delivery is malformed; the others go on
                parsed.append(exc)
        user_ids = [event_item(e)["user_id"] for events in parsed if isinstance(events, list) for e in events]
        users = fetch_users(ctx, (uid for uid in user_ids if uid))
        return [
            events if isinstance(events, Exception) else user_event_items(ctx, events, event_id, users=users)
            for events in parsed
        ]

    def list_samples(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
        events, _ = recent_events(ctx, event_types, ctx.meta.limit or SAMPLE_EVENTS)
        return user_event_items(ctx, events, event_id)

    return Trigger(
        key=key,
        noun=noun,
        label=label,
        description=description,
        output_fields=output_fields,
        sample=sample,
        kind="hook",
        subscribe=subscribe,
        unsubscribe=unsubscribe,
        parse_delivery=parse_delivery,
        parse_deliveries=parse_deliveries,
        list_samples=list_samples,
        handshake=handshake,
        authenticate=authenticate,
        scopes=("okta.eventHooks.manage", "okta.logs.read"),
    )


__all__ = ["authenticate", "delivery_events", "handshake", "hook_trigger"]
