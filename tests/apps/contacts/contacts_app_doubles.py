"""Test doubles for the Contacts app stories."""

from __future__ import annotations

import httpx

from connector.context import HookRequest


class HookReceiver:
    """Stands in for the platform's hook URL: keeps every delivery the sandbox sends, answers 200."""

    def __init__(self) -> None:
        self.deliveries: list[HookRequest] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.deliveries.append(HookRequest(request.method, dict(request.headers), request.read()))
        return httpx.Response(200, json={"ok": True})

    def of_type(self, event_type: str) -> list[HookRequest]:
        return [d for d in self.deliveries if d.json().get("type") == event_type]
