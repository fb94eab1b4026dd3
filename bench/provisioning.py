"""Benchmark 5: new Okta users provisioned into a rate-limited Contacts sandbox, through the product's path.

An Okta sandbox and a Contacts sandbox are served on real threaded ports. The new-user trigger's first
poll runs (to take the cursor); then N users are created through the Okta API's code path (so the System
Log records them); then one poll through ``invoke`` returns them, and for each the field mapping
(``connector.mapping.FieldMapping``) is rendered and the Contacts ``create_contact`` action is invoked
(which searches by external id and by email before it creates, so a replay never duplicates).

The Contacts sandbox keeps HighLevel's fixed-window budget, scaled up so the run takes seconds instead of
minutes (``--limit`` requests per ``--window`` seconds; the vendor's is 100 per 10 s). A WSGI wrapper
counts every request and every 429 the sandbox answered; 429s are retried by the HTTP seam as the
``Retry-After`` header asks, and before that the seam's pacer (``connector.pacing``) spaces requests
to the budget the sandbox announces in its ``X-RateLimit-*`` headers (``--no-pacing`` turns it off). The
baseline is the budget itself: the requests the sandbox accepted during the provisioning loop, compared
with ``limit`` times the number of windows the loop touched.

Goals: achieved rate at least 95% of the allowed rate, no 429 left unhandled (no action failed), every
user present exactly once as a contact (zero lost, zero duplicates).

    python bench/provisioning.py              # 40 users, 20 requests per 1 s (smoke)
    python bench/provisioning.py --full       # 2,000 users, 100 requests per 2 s (5x the vendor's rate)
"""

from __future__ import annotations

import argparse
import importlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from benchkit import okta_org, verdict

from connector.context import Connection, Meta
from connector.errors import ConnectorError
from connector.mapping import FieldMapping
from connector.runtime import invoke
from emulator.serving import serve
from sandboxes.contacts import ContactsSandbox, ContactsSettings

RATE_GOAL = 0.95
API_KEY = "contacts-sandbox-key"
LOCATION = "loc_sandbox"

#: An "Okta user -> contact" mapping as a user would set it up in a flow.
TEMPLATES: dict[str, Any] = {
    "first_name": "{{trigger.profile.firstName}}",
    "last_name": "{{trigger.profile.lastName}}",
    "email": "{{trigger.profile.email}}",
    "phone": "{{trigger.profile.mobilePhone}}",
    "source": "okta",
    "tags": ["okta"],
    "external_id": "{{trigger.id}}",
}


class StatusCounter:
    """WSGI middleware counting the statuses a sandbox answers, and when the first and last came."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def counting_start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            with self._lock:
                self.statuses[int(status.split(" ", 1)[0])] += 1
            return start_response(status, headers, *rest)

        return self.app(environ, counting_start_response)

    def reset(self) -> None:
        with self._lock:
            self.statuses.clear()


def provision(users: int, limit: int, window: float) -> dict[str, Any]:
    okta_app = importlib.import_module("connector.apps.okta.app").APP
    contacts_app = importlib.import_module("connector.apps.contacts.app").APP
    okta = okta_org(0)
    contacts = ContactsSandbox(ContactsSettings(rate_limit=limit, rate_window_seconds=window, daily_limit=10**9))
    counter = StatusCounter(contacts.app.wsgi_app)
    contacts.app.wsgi_app = counter  # type: ignore[method-assign]
    with serve(okta.app) as okta_served, serve(contacts.app) as contacts_served:
        okta.base_url = okta_served.base_url
        contacts.base_url = contacts_served.base_url
        okta_connection = Connection(
            app="okta", fields={"org_url": okta.base_url, "api_token": okta.settings.token}, base_url=okta.base_url
        )
        contacts_connection = Connection(
            app="contacts",
            fields={"api_key": API_KEY, "location_id": LOCATION, "base_url": contacts.base_url},
            base_url=contacts.base_url,
        )
        first = invoke(okta_app, "new_user", okta_connection, {}, Meta(first_poll=True))
        for n in range(users):
            okta.create_user({
                "firstName": f"Bench{n}", "lastName": "Provisioned", "email": f"bench.{n}@example.com",
                "login": f"bench.{n}@example.com", "mobilePhone": f"+1555{n:07d}",
            })
        poll = invoke(okta_app, "new_user", okta_connection, {}, Meta(cursor=first.cursor))
        new_users = list(reversed(poll.output))  # the platform runs oldest first
        action = contacts_app.operation("create_contact")
        mapping = FieldMapping(action.input_fields, TEMPLATES)
        failures: list[str] = []
        counter.reset()
        started = time.perf_counter()
        first_window = int(time.time() // window)
        for user in new_users:
            try:
                invoke(contacts_app, action, contacts_connection, mapping.render({"trigger": user, "steps": {}}))
            except ConnectorError as exc:
                failures.append(f"{user['id']}: {type(exc).__name__}: {exc}")
        seconds = time.perf_counter() - started
        windows = int(time.time() // window) - first_window + 1
        statuses = dict(counter.statuses)
    okta.close()
    emails = [c.get("email") for c in contacts.state.contacts.values()]
    return {
        "users": users,
        "polled": len(new_users),
        "seconds": seconds,
        "windows": windows,
        "accepted": sum(count for status, count in statuses.items() if status != 429),
        "throttled": statuses.get(429, 0),
        "failures": failures,
        "contacts": len(emails),
        "unique": len(set(emails)),
        "expected": {f"bench.{n}@example.com" for n in range(users)} <= set(emails),
    }


def summarise(result: dict[str, Any], limit: int, window: float) -> str:
    allowed = limit / window
    achieved = result["accepted"] / result["seconds"]
    # Fixed windows: a run touching k windows may make at most k * limit requests (a partial first and
    # last window included), which is the fair bar for a run of a few windows.
    ratio = result["accepted"] / (limit * result["windows"])
    lost = result["users"] - result["unique"] if result["expected"] else result["users"]
    duplicates = result["contacts"] - result["unique"]
    passed = (
        ratio >= RATE_GOAL and not result["failures"] and lost == 0 and duplicates == 0
        and result["polled"] == result["users"]
    )
    failure = f"; first failure: {result['failures'][0]}" if result["failures"] else ""
    return (
        f"provisioning: {result['users']:,} users ({result['polled']:,} polled) -> {result['contacts']:,} contacts "
        f"in {result['seconds']:.1f} s; {result['accepted']:,} requests accepted, achieved {achieved:.1f} req/s of "
        f"{allowed:.1f} allowed ({limit} per {window:g} s); {ratio:.0%} of the "
        f"{limit * result['windows']:,} requests its {result['windows']} windows allowed; "
        f"{result['throttled']} 429s handled, "
        f"{len(result['failures'])} unhandled; {lost} lost, {duplicates} duplicates; "
        f"goals: >= {RATE_GOAL:.0%} of allowed, 0 unhandled, 0 lost, 0 duplicates: {verdict(passed)}{failure}"
    )


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="2,000 users at 100 requests per 2 s")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--limit", type=int, default=None, help="Contacts requests allowed per window")
    parser.add_argument("--window", type=float, default=None, help="Contacts rate window, seconds")
    parser.add_argument("--no-pacing", action="store_true",
                        help="turn the seam's client-side pacing off (429s then drive the rate, as before issue 7)")
    args = parser.parse_args(argv)
    if args.no_pacing:
        import connector.http

        connector.http.SHARED_PACER = None  # type: ignore[assignment]  # make_client then paces nothing
    users = args.users or (2_000 if args.full else 40)
    limit = args.limit or (100 if args.full else 20)
    window = args.window or (2.0 if args.full else 1.0)
    line = summarise(provision(users, limit, window), limit, window)
    print(line, flush=True)
    return line


if __name__ == "__main__":
    main()
