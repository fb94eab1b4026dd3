from __future__ import annotations

import re
import time

import pytest

from sandboxes.people import FIRST_NAMES, LAST_NAMES, Person, people


def test_the_same_arguments_give_the_same_people() -> None:
    assert list(people(50, seed=3)) == list(people(50, seed=3))
    assert list(people(50, seed=3)) != list(people(50, seed=4))


def test_start_continues_the_same_sequence() -> None:
    whole = list(people(120, seed=9))
    assert list(people(20, seed=9, start=100)) == whole[100:]


def test_people_look_real() -> None:
    person = next(people(1))
    assert isinstance(person, Person)
    assert person.first_name in FIRST_NAMES and person.last_name in LAST_NAMES
    assert person.login == person.email
    assert re.fullmatch(r"[a-z]+\.[a-z]+\d*@example\.com", person.email)
    assert re.fullmatch(r"\+1[2-9]\d{2}[2-9]\d{6}", person.phone)
    assert re.fullmatch(r"\d{5}", person.zip_code)
    assert person.country_code == "US"
    assert all([person.title, person.department, person.city, person.state, person.street_address,
                person.company, person.employee_number])


def test_a_custom_domain_is_used_for_every_email() -> None:
    assert all(p.email.endswith("@acme.test") for p in people(20, domain="ACME.test"))


def test_name_lists_are_large_and_distinct_once_simplified() -> None:
    assert len(FIRST_NAMES) >= 250 and len(LAST_NAMES) >= 250
    assert len({n.lower() for n in FIRST_NAMES}) == len(FIRST_NAMES)
    assert len({n.lower() for n in LAST_NAMES}) == len(LAST_NAMES)


def test_a_hundred_thousand_people_are_unique_and_fast() -> None:
    started = time.perf_counter()
    crowd = list(people(100_000, seed=5))
    elapsed = time.perf_counter() - started
    assert len({p.email for p in crowd}) == 100_000
    assert len({p.login for p in crowd}) == 100_000
    assert len({p.phone for p in crowd}) == 100_000
    assert len({p.employee_number for p in crowd}) == 100_000
    assert any(p.email.split("@")[0][-1].isdigit() for p in crowd)  # colliding names got a number
    assert elapsed < 5  # generous: a shared CI box; typically under a second


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        list(people(-1))
