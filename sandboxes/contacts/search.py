"""``POST /contacts/search``: HighLevel's documented way to list, page, filter and sort contacts.

HighLevel's OpenAPI document names the body ``SearchBodyV2DTO`` without listing its fields and links
to its search documentation, which gives them: ``locationId`` and ``pageLimit`` (at most 500) are
required; paging is either ``page`` (page * pageLimit up to 10,000) or ``searchAfter`` (the value each
returned contact carries, for deeper walks), never both; ``filters`` is a list of ``{field, operator,
value}`` or ``{group: "AND"|"OR", filters: [...]}`` (the list itself is AND); ``sort`` is a list of
``{field, direction}``; ``query`` is free text of at most 75 characters. The answer is ``{contacts,
total}``; each contact carries ``searchAfter``.

The sandbox serves the fields and operators the connectors use and a few more (see
``FILTER_FIELDS``); anything else is a 400 (the status the document gives this operation) naming the
filter. Choices where the vendor is silent: the default order is ``dateAdded`` descending (newest
first, as HighLevel's contact list shows them), ties broken by id; ``query`` matches like the
deprecated list's ``query``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.auth import require_location
from sandboxes.contacts.errors import bad_request
from sandboxes.contacts.state import ContactsState, Record, epoch_ms
from sandboxes.contacts.validation import json_object

PAGE_LIMIT_MAX = 500
DEEPEST_PAGED_RESULT = 10_000
QUERY_MAX = 75
OPERATORS = ("eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range")
RANGE_BOUNDS = ("gt", "gte", "lt", "lte")
BODY_FIELDS = ("locationId", "page", "pageLimit", "searchAfter", "filters", "sort", "query")
#: Filterable and sortable fields -> how to read them from a stored contact.
FILTER_FIELDS: dict[str, Callable[[Record], Any]] = {
    "id": lambda c: c["id"],
    "firstNameLowerCase": lambda c: c.get("firstNameLowerCase"),
    "lastNameLowerCase": lambda c: c.get("lastNameLowerCase"),
    "email": lambda c: c.get("email"),
    "phone": lambda c: c.get("phone"),
    "companyName": lambda c: c.get("companyName"),
    "businessId": lambda c: c.get("businessId"),
    "source": lambda c: c.get("source"),
    "type": lambda c: c.get("type"),
    "dnd": lambda c: c.get("dnd"),
    "tags": lambda c: c.get("tags") or [],
    "dateAdded": lambda c: epoch_ms(c["dateAdded"]),
    "dateUpdated": lambda c: epoch_ms(c["dateUpdated"]),
}
SORT_FIELDS = ("dateAdded", "dateUpdated", "firstNameLowerCase", "lastNameLowerCase", "email", "companyName")
DATE_FIELDS = ("dateAdded", "dateUpdated")
CUSTOM_FIELD_PREFIX = "customFields."

Predicate = Callable[[Record], bool]


def _as_ms(value: Any) -> Any:
    """Dates in filters may be ISO strings or epoch milliseconds; compare them as milliseconds."""
    if isinstance(value, str):
        try:
            return epoch_ms(value)
        except ValueError:
            return value
    return value


def _reader(field: Any, where: str, problems: list[str]) -> Callable[[Record], Any] | None:
    if isinstance(field, str) and field.startswith(CUSTOM_FIELD_PREFIX) and len(field) > len(CUSTOM_FIELD_PREFIX):
        field_id = field[len(CUSTOM_FIELD_PREFIX):]
        return lambda c: next((i.get("value") for i in c.get("customFields") or [] if i.get("id") == field_id), None)
    reader = FILTER_FIELDS.get(field) if isinstance(field, str) else None
    if reader is None:
        problems.append(f"{where}.field {field!r} is not a supported filter field")
    return reader


def _compare(actual: Any, operator: str, value: Any) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    if operator == "exists":
        return any(v not in (None, "") for v in values)
    if operator == "not_exists":
        return not any(v not in (None, "") for v in values)
    if operator in ("eq", "not_eq"):
        wanted = value.lower() if isinstance(value, str) else value
        hit = any((v.lower() if isinstance(v, str) else v) == wanted for v in values)
        return hit if operator == "eq" else not hit
    if operator in ("contains", "not_contains"):
        hit = any(isinstance(v, str) and str(value).lower() in v.lower() for v in values)
        return hit if operator == "contains" else not hit
    bounds = {name: _as_ms(bound) for name, bound in value.items()}
    for v in values:
        if v is None:
            continue
        try:
            if all(
                (name == "gt" and v > b) or (name == "gte" and v >= b) or (name == "lt" and v < b)
                or (name == "lte" and v <= b)
                for name, b in bounds.items()
            ):
                return True
        except TypeError:
            continue
    return False


def _predicate(item: Any, where: str, problems: list[str]) -> Predicate:
    if not isinstance(item, Mapping):
        problems.append(f"{where} must be an object")
        return lambda c: True
    if "group" in item:
        group = item.get("group")
        inner = item.get("filters")
        if group not in ("AND", "OR"):
            problems.append(f"{where}.group must be one of the following values: AND, OR")
        if not isinstance(inner, list) or not inner:
            problems.append(f"{where}.filters must be a non-empty array")
            return lambda c: True
        parts = [_predicate(sub, f"{where}.filters.{n}", problems) for n, sub in enumerate(inner)]
        combine = any if group == "OR" else all
        return lambda c: combine(part(c) for part in parts)
    unknown = [name for name in item if name not in ("field", "operator", "value")]
    problems.extend(f"{where}: property {name} should not exist" for name in unknown)
    field, operator, value = item.get("field"), item.get("operator"), item.get("value")
    reader = _reader(field, where, problems)
    if operator not in OPERATORS:
        problems.append(f"{where}.operator must be one of the following values: {', '.join(OPERATORS)}")
        return lambda c: True
    if operator in ("exists", "not_exists"):
        if "value" in item:
            problems.append(f"{where}.value must be omitted with operator {operator}")
    elif operator == "range":
        if not isinstance(value, Mapping) or not value or any(name not in RANGE_BOUNDS for name in value):
            problems.append(f"{where}.value must be an object with gt, gte, lt or lte")
            return lambda c: True
    elif not isinstance(value, (str, int, float, bool)) or (isinstance(value, str) and len(value) > QUERY_MAX):
        problems.append(f"{where}.value must be a string, number or boolean of at most {QUERY_MAX} characters")
    if reader is None:
        return lambda c: True
    if field in DATE_FIELDS and operator in ("eq", "not_eq"):
        value = _as_ms(value)
    return lambda c: _compare(reader(c), operator, value)


def _sort_spec(sort: Any, problems: list[str]) -> list[tuple[str, bool]]:
    if sort is None:
        return [("dateAdded", True)]
    if not isinstance(sort, list):
        problems.append("sort must be an array")
        return []
    spec: list[tuple[str, bool]] = []
    for n, item in enumerate(sort):
        if not isinstance(item, Mapping) or item.get("field") not in SORT_FIELDS:
            problems.append(f"sort.{n}.field must be one of the following values: {', '.join(SORT_FIELDS)}")
        elif item.get("direction") not in ("asc", "desc"):
            problems.append(f"sort.{n}.direction must be one of the following values: asc, desc")
        else:
            spec.append((item["field"], item["direction"] == "desc"))
    return spec


def _key_compare(spec: list[tuple[str, bool]]) -> Callable[[list[Any], list[Any]], int]:
    """Compare two ``searchAfter`` keys (sort values then id) in the requested order; missing values last."""

    def compare(left: list[Any], right: list[Any]) -> int:
        for position, (a, b) in enumerate(zip(left, right, strict=True)):
            if a == b:
                continue
            if a is None or b is None:
                return 1 if a is None else -1
            descending = position < len(spec) and spec[position][1]
            try:
                smaller = a < b
            except TypeError:
                smaller = str(a) < str(b)
            return (1 if smaller else -1) if descending else (-1 if smaller else 1)
        return 0

    return compare


def _walk_in_order(
    state: ContactsState, location_id: str, after: list[Any] | None, page: int | None, limit: int,
    answer: Callable[[Record], Record],
) -> Response:
    """The common poll (every contact, oldest first, after a cursor) straight off the ``dateAdded`` index.

    Same answer as the general path, but a binary search instead of a sort: a poll with nothing new
    costs the same in a location of 100 contacts as in one of 100,000.
    """
    with state.lock:
        total = state.count_in_location(location_id)
        if after is not None:
            try:
                start_ms, start_id = int(after[0]), str(after[1])
            except (TypeError, ValueError):
                raise bad_request("searchAfter must be the searchAfter array of a contact from the previous page") \
                    from None
            walk = state.contacts_after(location_id, start_ms, start_id)
        else:
            walk = itertools.islice(state.contacts_after(location_id, None, None), ((page or 1) - 1) * limit, None)
        chosen = list(itertools.islice(walk, limit))
        contacts = [{**answer(c), "searchAfter": [epoch_ms(c["dateAdded"]), c["id"]]} for c in chosen]
    return jsonify(contacts=contacts, total=total)


def search_blueprint(state: ContactsState, answer: Callable[[Record], Record], matches: Callable[[Record, str], bool]
                     ) -> Blueprint:
    blueprint = Blueprint("contacts_search", __name__)

    @blueprint.post("/contacts/search")
    def search_contacts() -> Response:
        body = json_object()
        problems = [f"property {name} should not exist" for name in body if name not in BODY_FIELDS]
        location = body.get("locationId")
        if not isinstance(location, str) or not location.strip():
            problems.append("locationId should not be empty")
        limit = body.get("pageLimit")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= PAGE_LIMIT_MAX:
            problems.append(f"pageLimit must be an integer from 1 to {PAGE_LIMIT_MAX}")
            limit = 1
        page, after = body.get("page"), body.get("searchAfter")
        if page is not None and after is not None:
            problems.append("page and searchAfter cannot be used together: use searchAfter to page past 10,000")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
            problems.append("page must be an integer not less than 1")
        elif page is not None and page * limit > DEEPEST_PAGED_RESULT:
            problems.append(f"page * pageLimit must not exceed {DEEPEST_PAGED_RESULT}: use searchAfter")
        spec = _sort_spec(body.get("sort"), problems)
        if after is not None and (not isinstance(after, list) or len(after) != len(spec) + 1):
            problems.append("searchAfter must be the searchAfter array of a contact from the previous page")
        query = body.get("query")
        if query is not None and (not isinstance(query, str) or len(query) > QUERY_MAX):
            problems.append(f"query must be a string of at most {QUERY_MAX} characters")
        filters = body.get("filters")
        predicates: list[Predicate] = []
        if filters is not None and not isinstance(filters, list):
            problems.append("filters must be an array")
        elif filters:
            predicates = [_predicate(item, f"filters.{n}", problems) for n, item in enumerate(filters)]
        if problems:  # HighLevel documents 400 (not 422) for this operation: one message naming every problem
            raise bad_request("; ".join(problems))
        location_id = require_location(str(location))
        readers = [FILTER_FIELDS[field] for field, _ in spec]
        compare = _key_compare(spec)

        def key(contact: Record) -> list[Any]:
            return [reader(contact) for reader in readers] + [contact["id"]]

        if not predicates and not query and spec == [("dateAdded", False)]:
            return _walk_in_order(state, location_id, after, page, limit, answer)
        with state.lock:
            found = [
                c for c in state.contacts_after(location_id, None, None)
                if all(p(c) for p in predicates) and (not query or matches(c, query.strip()))
            ]
            by_key = functools.cmp_to_key(compare)
            keyed = sorted(((key(c), c) for c in found), key=lambda pair: by_key(pair[0]))
            if after is not None:
                keyed = [(k, c) for k, c in keyed if compare(k, list(after)) > 0]
                chosen = keyed[:limit]
            else:
                start = ((page or 1) - 1) * limit
                chosen = keyed[start:start + limit]
            contacts = [{**answer(c), "searchAfter": k} for k, c in chosen]
        return jsonify(contacts=contacts, total=len(found))

    return blueprint
