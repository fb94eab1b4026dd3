"""Benchmark: render + coerce + validate a typical "Okta user -> contact" mapping.

Builds 20,000 varied Okta-user-like records and measures, in the same run:

(a) a baseline that builds the same output dict by hand (plain dict copy, no checks);
(b) :meth:`connector.mapping.FieldMapping.render` (templates, coercion, defaults, schema validation);
(c) for reference, the same with ``strict=True`` (jsonschema run on every record, on a quarter of them).

Each is timed a few times and the median kept. Prints one line; the goal is >= 20,000 records/s.
Run: ``/work/venv/bin/python bench/mapping.py [--records N] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from connector.definitions import Field
from connector.mapping import FieldMapping

GOAL = 20_000

CONTACT_FIELDS = (
    Field("firstName", required=True),
    Field("lastName"),
    Field("name"),
    Field("email", type="email", required=True),
    Field("phone"),
    Field("tags", type="list"),
    Field(
        "customFields",
        type="line_items",
        children=(Field("key", required=True), Field("field_value", required=True)),
    ),
    Field("source", choices=("okta", "manual", "import"), default="okta"),
    Field("dnd", type="boolean", default=False),
)

TEMPLATES = {
    "firstName": "{{trigger.profile.firstName}}",
    "lastName": "{{trigger.profile.lastName}}",
    "name": "{{trigger.profile.firstName}} {{trigger.profile.lastName}}",
    "email": "{{trigger.profile.email}}",
    "phone": "{{trigger.profile.mobilePhone}}",
    "tags": ["okta", "{{trigger.profile.department}}"],
    "customFields": {"key": "okta_id", "field_value": "{{trigger.id}}"},
    "source": "okta",
    "dnd": "{{trigger.profile.doNotContact}}",
}

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Frances", "Dennis"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Allen"]
DEPARTMENTS = ["Engineering", "Sales", "Support", "Finance", None]
FLAGS: list[Any] = [True, False, "yes", "no", "true", "0", None]


def okta_users(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Okta-like user objects with the variety a real org has (missing phones, text flags, ...)."""
    rng = random.Random(seed)
    users = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        profile: dict[str, Any] = {
            "firstName": first,
            "lastName": last,
            "email": f"{first}.{last}.{n}@example.com".lower(),
            "login": f"{first}.{last}.{n}@example.com".lower(),
            "department": rng.choice(DEPARTMENTS),
            "doNotContact": rng.choice(FLAGS),
        }
        if rng.random() < 0.7:
            profile["mobilePhone"] = f"+1-555-{rng.randrange(10**7):07d}"
        users.append({
            "id": f"00u{n:017d}",
            "status": "ACTIVE",
            "created": "2024-01-02T03:04:05.000Z",
            "profile": profile,
        })
    return users


def by_hand(context: dict[str, Any]) -> dict[str, Any]:
    """Baseline: the same output dict built directly, without any checking."""
    user = context["trigger"]
    profile = user["profile"]
    out: dict[str, Any] = {
        "firstName": profile["firstName"],
        "lastName": profile["lastName"],
        "name": f"{profile['firstName']} {profile['lastName']}",
        "email": profile["email"],
    }
    if profile.get("mobilePhone"):
        out["phone"] = profile["mobilePhone"]
    out["tags"] = ["okta", profile["department"]] if profile.get("department") else ["okta"]
    out["customFields"] = [{"key": "okta_id", "field_value": user["id"]}]
    out["source"] = "okta"
    out["dnd"] = profile.get("doNotContact") in (True, "yes", "true")
    return out


def rate(work: Callable[[dict[str, Any]], Any], contexts: list[dict[str, Any]], repeats: int) -> float:
    """Median records per second over ``repeats`` passes."""
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        for context in contexts:
            work(context)
        rates.append(len(contexts) / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    contexts = [{"trigger": user, "steps": {}} for user in okta_users(args.records)]
    mapping = FieldMapping(CONTACT_FIELDS, TEMPLATES)
    mapping.render(contexts[0])  # warm caches; also proves the mapping is valid before timing
    baseline = rate(by_hand, contexts, args.repeats)
    mapped = rate(mapping.render, contexts, args.repeats)
    strict = FieldMapping(CONTACT_FIELDS, TEMPLATES, strict=True)
    full = rate(strict.render, contexts[: max(1, len(contexts) // 4)], args.repeats)
    verdict = "PASS" if mapped >= GOAL else "FAIL"
    print(
        f"mapping: {mapped:,.0f} records/s (render+coerce+validate); baseline dict-copy {baseline:,.0f} "
        f"records/s; ratio {baseline / mapped:.1f}x slower than bare copy; goal >= {GOAL:,} records/s: {verdict} "
        f"(strict=True, jsonschema on every record: {full:,.0f} records/s)"
    )


if __name__ == "__main__":
    main()
