"""Fast, deterministic seeding of an org with generated people (100,000 users in a few seconds).

Seeded users skip validation and, unless asked, the System Log: a big seed should not flood the log or
the event hooks. Ids come from an RNG seeded by ``seed`` so the same seed gives the same org.
"""

from __future__ import annotations

from sandboxes.okta.ids import USER_PREFIX, IdFactory
from sandboxes.okta.state import OktaState
from sandboxes.okta.user_records import STATUSES, UserRecord
from sandboxes.okta.user_store import login_key, user_target
from sandboxes.people import people

WITH_PASSWORD = frozenset({"ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED"})


def seed_users(state: OktaState, count: int, *, seed: int = 1, status: str = "ACTIVE", log: bool = False) -> list[
    str
]:
    """Add ``count`` users made from ``people(count, seed=seed)``; returns their ids in order.

    Seeding again with the same seed continues the sequence (new people, new ids), so it never collides.

    Raises:
        ValueError: ``status`` is not an Okta user status, or a generated login is already taken.
    """
    if status not in STATUSES:
        raise ValueError(f"status: '{status}' is not an Okta user status; use one of {', '.join(STATUSES)}")
    if count < 0:
        raise ValueError(f"count: must be 0 or more, got {count}")
    with state.lock:
        start = state.seeded.get(seed, 0)
        ids = IdFactory(seed * 1_000_003 + start)
        now = state.clock()
        created_ids: list[str] = []
        users = state.users
        for offset, person in enumerate(people(count, seed=seed, start=start)):
            if login_key(person.login) in users.by_login:
                raise ValueError(f"seed: login {person.login} already exists; seed with another seed value")
            user_id = ids.new(USER_PREFIX)
            while user_id in users.records:
                user_id = ids.new(USER_PREFIX)
            created = now - (count - offset)
            active = status not in ("STAGED", "DEPROVISIONED")
            user = UserRecord(
                id=user_id,
                status=status,
                profile={
                    "firstName": person.first_name,
                    "lastName": person.last_name,
                    "email": person.email,
                    "login": person.login,
                    "mobilePhone": person.phone,
                    "title": person.title,
                    "department": person.department,
                    "city": person.city,
                    "state": person.state,
                    "countryCode": person.country_code,
                    "zipCode": person.zip_code,
                    "streetAddress": person.street_address,
                    "employeeNumber": person.employee_number,
                    "organization": person.company,
                },
                created=created,
                last_updated=created,
                activated=created if active else None,
                status_changed=created if status != "STAGED" else None,
                password_changed=created if status in WITH_PASSWORD else None,
                has_password=status in WITH_PASSWORD,
            )
            users.insert(user)
            created_ids.append(user_id)
            if log:
                state.log.record("user.lifecycle.create", "Create Okta user", [user_target(user)])
        state.seeded[seed] = start + count
        return created_ids
