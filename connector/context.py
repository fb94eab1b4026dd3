"""What an operation receives when it runs: the HTTP client, the connection and the call's meta."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Connection:
    """An authenticated account of an app.

    ``fields`` holds what the user entered (org URL, API key, ...) and any tokens obtained later.
    ``auth`` is the ``httpx.Auth`` that applies the credential; the auth handlers build it.
    """

    app: str
    fields: dict[str, Any] = field(default_factory=dict)
    auth: httpx.Auth | None = None
    name: str = ""
    base_url: str = ""
    #: Where requests go instead of the network (a sandbox in-process); None means the real network.
    transport: httpx.BaseTransport | None = None

    def __repr__(self) -> str:  # never show secrets, even in tracebacks
        return f"Connection(app={self.app!r}, name={self.name!r}, base_url={self.base_url!r})"


@dataclass
class Meta:
    """How the platform is calling the operation.

    Attributes:
        trial: a "Test trigger"/"Test action" run; triggers return only a few samples.
        limit: most items a trigger should return (trials: 3).
        cursor: the durable cursor the last poll saved (poll triggers that page with a cursor).
        first_poll: the poll that seeds the dedupe record when a flow is turned on.
        target_url: the hook URL a hook trigger subscribes (``/hooks/<flow>``).
        subscription: what ``subscribe`` returned, given back to ``unsubscribe`` and to hooks.
        idempotency_key: stable key for this step of this run, so a replay never creates twice.
    """

    trial: bool = False
    limit: int | None = None
    cursor: str | None = None
    first_poll: bool = False
    target_url: str | None = None
    subscription: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    flow_id: str | None = None


@dataclass
class HookRequest:
    """A delivery to a hook URL, independent of the web framework that received it."""

    method: str
    headers: Mapping[str, str]
    body: bytes = b""
    query: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return default

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Context:
    """Passed to every perform/subscribe/unsubscribe/parse function."""

    http: httpx.Client
    connection: Connection
    meta: Meta = field(default_factory=Meta)
    #: Set by poll triggers that keep a cursor; the platform stores it with the run.
    next_cursor: str | None = None
    #: Where :meth:`record_seen` streams item batches (the platform's dedupe record); None keeps them.
    seen_sink: Callable[[list[dict[str, Any]]], None] | None = None
    #: Items handed to :meth:`record_seen` when no sink was given; the runtime appends them to the output.
    seen_items: list[dict[str, Any]] = field(default_factory=list)
    #: Where :meth:`record_seen_ids` streams identities: set by the runtime beside ``seen_sink`` when the
    #: trigger's identity is one plain key, so the ids are the identities.
    seen_ids_sink: Callable[[list[str]], None] | None = None

    def save_cursor(self, cursor: str | None) -> None:
        """Remember where the next poll starts; committed together with the items it emitted."""
        self.next_cursor = cursor

    def record_seen(self, items: Iterable[dict[str, Any]]) -> None:
        """On a first poll, hand over items that already exist, page by page, to be recorded without firing.

        Hand them over in the order the vendor lists them (oldest first). The platform streams them into
        its dedupe record, so seeding a huge org holds one page at a time; callers without a sink (the CLI,
        tests) get them appended to the output, newest first.
        """
        batch = list(items)
        if not batch:
            return
        if self.seen_sink is not None:
            self.seen_sink(batch)
        else:
            self.seen_items.extend(batch)

    def record_seen_ids(self, ids: list[str], item: Callable[[str], dict[str, Any]]) -> None:
        """:meth:`record_seen` for a trigger keyed by one plain id, given the ids (strings) themselves.

        A first poll over a big org hands over tens of thousands of ids: where the platform records
        identities, they go to it as they are, without an item built per id; elsewhere ``item`` builds
        each item and :meth:`record_seen` takes them.
        """
        if not ids:
            return
        if self.seen_ids_sink is not None:
            self.seen_ids_sink(ids)
        else:
            self.record_seen(item(identity) for identity in ids)
