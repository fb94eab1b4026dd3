"""What a sync is: two sides, a field map with a direction per field, and rules for new and deleted records.

A spec is plain JSON (it is what the API takes and the store keeps) read into frozen dataclasses and
checked against the two record types before anything runs: every mapped field exists, a field is never
written on a side that cannot change it (Personio's email is create-only), list parts map to list
parts, templates compile. Problems are :class:`~connector.errors.BadInput` naming the member.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from connector.definitions import App
from connector.errors import BadInput, FieldProblem
from connector.records import RecordType
from connector.templates import PathSyntaxError, compile_template

Direction = Literal["both", "left_to_right", "right_to_left", "none"]
DIRECTIONS: tuple[str, ...] = ("both", "left_to_right", "right_to_left", "none")
NewRecords = Literal["create", "link_only"]
Deletion = Literal["ignore", "mirror", "mirror_left_to_right", "mirror_right_to_left", "flag"]
DELETIONS: tuple[str, ...] = ("ignore", "flag", "mirror", "mirror_left_to_right", "mirror_right_to_left")
SideName = Literal["left", "right"]
SIDES: tuple[SideName, SideName] = ("left", "right")


def other(side: SideName) -> SideName:
    return "right" if side == "left" else "left"


@dataclass(frozen=True)
class Side:
    """One end of a sync: an app, the connection to use, and the record type (``personio.employee``)."""

    app: str
    connection_id: str | None
    record_type: str
    #: What happens to a record of this side that has no partner: create one on the other side, or
    #: wait until a partner is found by identity keys.
    new_records: NewRecords = "create"


@dataclass(frozen=True)
class FieldRule:
    """One mapped field. ``to_right``/``to_left`` are optional templates over ``{left, right}``."""

    left: str
    right: str
    direction: Direction = "both"
    to_right: Any = None
    to_left: Any = None
    #: List parts only: the members of each side that take part, by prefix (``crm:`` groups <-> tags).
    left_prefix: str = ""
    right_prefix: str = ""
    #: A transform with a declared inverse (:mod:`emulator.sync.transforms`), and its value.
    transform: str | None = None
    transform_value: str = ""

    def flows(self, towards: SideName) -> bool:
        wanted = "left_to_right" if towards == "right" else "right_to_left"
        return self.direction in ("both", wanted)


@dataclass(frozen=True)
class SyncSpec:
    name: str
    left: Side
    right: Side
    fields: tuple[FieldRule, ...]
    deletion: Deletion = "ignore"
    #: Who wins a conflict whose two changes are equally recent (after clock correction).
    tie_winner: SideName = "left"
    interval_seconds: float = 60.0
    #: Seconds between full listings of a side, which find records deleted there.
    reconcile_seconds: float = 3600.0

    def side(self, name: SideName) -> Side:
        return self.left if name == "left" else self.right

    def to_json(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {"app": s.app, "connection_id": s.connection_id, "record_type": s.record_type,
                    "new_records": s.new_records}

        return {
            "name": self.name,
            "left": side(self.left),
            "right": side(self.right),
            "fields": [
                {"left": r.left, "right": r.right, "direction": r.direction,
                 **({"to_right": r.to_right} if r.to_right is not None else {}),
                 **({"to_left": r.to_left} if r.to_left is not None else {}),
                 **({"left_prefix": r.left_prefix} if r.left_prefix else {}),
                 **({"right_prefix": r.right_prefix} if r.right_prefix else {}),
                 **({"transform": {"name": r.transform, **({"value": r.transform_value} if r.transform_value else {})}}
                    if r.transform else {})}
                for r in self.fields
            ],
            "deletion": self.deletion,
            "tie_winner": self.tie_winner,
            "interval_seconds": self.interval_seconds,
            "reconcile_seconds": self.reconcile_seconds,
        }


def _text(data: Mapping[str, Any], key: str, where: str, problems: list[FieldProblem]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(FieldProblem(f"{where}{key}", "is required: give it as text"))
        return ""
    return value.strip()


def _choice(data: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str,
            problems: list[FieldProblem]) -> str:
    value = data.get(key, default)
    if value not in allowed:
        problems.append(FieldProblem(f"{where}{key}", f"is {value!r}; use one of: {', '.join(allowed)}"))
        return default
    return str(value)


def _side(data: Any, name: str, problems: list[FieldProblem]) -> Side:
    if not isinstance(data, Mapping):
        problems.append(FieldProblem(name, 'must be an object such as {"app": "recipes", "connection_id": "...", '
                                           '"record_type": "recipes.recipe"}'))
        return Side("", None, "")
    connection = data.get("connection_id")
    if connection is not None and not isinstance(connection, str):
        problems.append(FieldProblem(f"{name}.connection_id", "must be a connection id (text) or null"))
        connection = None
    return Side(
        app=_text(data, "app", f"{name}.", problems),
        connection_id=connection,
        record_type=_text(data, "record_type", f"{name}.", problems),
        new_records=_choice(data, "new_records", ("create", "link_only"), "create", f"{name}.",
                            problems),  # type: ignore[arg-type]
    )


def parse_spec(data: Any) -> SyncSpec:
    """A spec from its JSON form; BadInput lists every problem with its member."""
    problems: list[FieldProblem] = []
    if not isinstance(data, Mapping):
        raise BadInput("the sync must be a JSON object with name, left, right and fields", "sync")
    name = _text(data, "name", "", problems)
    left = _side(data.get("left"), "left", problems)
    right = _side(data.get("right"), "right", problems)
    rules: list[FieldRule] = []
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append(FieldProblem("fields", 'must be a non-empty list such as [{"left": "first_name", '
                                               '"right": "first_name", "direction": "both"}]'))
        raw_fields = []
    for index, raw in enumerate(raw_fields):
        where = f"fields.{index}."
        if not isinstance(raw, Mapping):
            problems.append(FieldProblem(f"fields.{index}", "must be an object with left, right and direction"))
            continue
        transform, transform_value = _transform(raw.get("transform"), f"fields.{index}.transform", problems)
        rules.append(FieldRule(
            left=_text(raw, "left", where, problems),
            right=_text(raw, "right", where, problems),
            direction=_choice(raw, "direction", DIRECTIONS, "both", where, problems),  # type: ignore[arg-type]
            to_right=raw.get("to_right"),
            to_left=raw.get("to_left"),
            left_prefix=str(raw.get("left_prefix") or ""),
            right_prefix=str(raw.get("right_prefix") or ""),
            transform=transform,
            transform_value=transform_value,
        ))
    interval = data.get("interval_seconds", 60.0)
    if isinstance(interval, bool) or not isinstance(interval, int | float) or not 1 <= interval <= 86400:
        problems.append(FieldProblem("interval_seconds", f"is {interval!r}; give seconds between 1 and 86400"))
        interval = 60.0
    reconcile = data.get("reconcile_seconds", 3600.0)
    if isinstance(reconcile, bool) or not isinstance(reconcile, int | float) or not 1 <= reconcile <= 604800:
        problems.append(FieldProblem("reconcile_seconds", f"is {reconcile!r}; give seconds between 1 and 604800 "
                                                          "(how often each side is listed in full to find deletions)"))
        reconcile = 3600.0
    spec = SyncSpec(
        name=name, left=left, right=right, fields=tuple(rules),
        deletion=_choice(data, "deletion", DELETIONS, "ignore", "", problems),  # type: ignore[arg-type]
        reconcile_seconds=float(reconcile),
        tie_winner=_choice(data, "tie_winner", SIDES, "left", "", problems),  # type: ignore[arg-type]
        interval_seconds=float(interval),
    )
    if problems:
        raise BadInput(problems)
    return spec


def _transform(raw: Any, where: str, problems: list[FieldProblem]) -> tuple[str | None, str]:
    from emulator.sync.transforms import TRANSFORMS

    if raw is None:
        return None, ""
    if isinstance(raw, str):
        raw = {"name": raw}
    name = raw.get("name") if isinstance(raw, Mapping) else None
    if not isinstance(name, str) or name not in TRANSFORMS:
        problems.append(FieldProblem(f"{where}.name" if isinstance(raw, Mapping) else where,
                                     f"is {name!r}; use one of: {', '.join(TRANSFORMS)} "
                                     '(such as {"name": "suffix", "value": " (HR)"})'))
        return None, ""
    value = raw.get("value", "")
    if not isinstance(value, str) or (TRANSFORMS[name].needs_value and not value):
        problems.append(FieldProblem(f"{where}.value", f"transform {name} needs the text to add as value, "
                                                       'such as {"name": "prefix", "value": "HR: "}'))
        return None, ""
    return str(name), value


def deletion_towards(spec: SyncSpec, target: SideName) -> str:
    """What happens to a ``target`` record whose partner was deleted: mirror, flag or ignore."""
    if spec.deletion in ("mirror", f"mirror_{other(target)}_to_{target}"):
        return "mirror"
    if spec.deletion.startswith("mirror"):
        return "flag"  # mirrored the other way only: a deletion this way is shown, not copied
    return spec.deletion


def deletion_choices(types: Mapping[SideName, RecordType], names: Mapping[SideName, str]) -> dict[str, str | None]:
    """Every deletion policy -> None when the two record types support it, else why not (for the UI)."""
    choices: dict[str, str | None] = {"ignore": None, "flag": None}
    for policy in ("mirror", "mirror_left_to_right", "mirror_right_to_left"):
        targets = [side for side in SIDES if policy == "mirror" or policy.endswith(f"_to_{side}")]
        blocked = [side for side in targets if types[side].delete is None]
        choices[policy] = None if not blocked else "; ".join(
            f"{names[side]} records cannot be deleted by a sync: "
            f"{types[side].delete_note or 'the record type has no delete'}" for side in blocked)
    return choices


def record_type_of(apps: Mapping[str, App], side: Side, name: str) -> RecordType:
    app = apps.get(side.app)
    if app is None:
        known = ", ".join(sorted(apps)) or "none installed"
        raise BadInput(f"unknown app {side.app!r}; known apps: {known}", f"{name}.app")
    try:
        return app.record_type(side.record_type)
    except BadInput as error:
        raise BadInput(error.problems[0].message, f"{name}.record_type") from None


def _transform_problems(rule: FieldRule, where: str, kinds: Mapping[SideName, bool]) -> list[FieldProblem]:
    """A transformed field syncs both ways only when the way back is declared."""
    problems: list[FieldProblem] = []
    if rule.transform and (rule.to_right is not None or rule.to_left is not None):
        problems.append(FieldProblem(f"{where}.transform", "give either a transform or templates (to_right, "
                                                           "to_left), not both"))
    if rule.transform and any(kinds.values()):
        problems.append(FieldProblem(f"{where}.transform", "list parts (tags, groups) take left_prefix and "
                                                           "right_prefix instead of a transform"))
    if rule.direction == "both" and (rule.to_right is None) != (rule.to_left is None):
        given, missing = ("to_right", "to_left") if rule.to_right is not None else ("to_left", "to_right")
        back = "right_to_left" if missing == "to_right" else "left_to_right"
        problems.append(FieldProblem(
            f"{where}.{missing}",
            f"field {rule.left!r} <-> {rule.right!r} syncs both ways but only {given} is given: a template has no "
            f"way back on its own, so a change on the other side would be copied raw (what the template added "
            f"included). Give {missing} as the inverse template, or use a transform that has one (lowercase, "
            f"uppercase, prefix, suffix), or make the direction {back}",
        ))
    return problems


def check_spec(spec: SyncSpec, apps: Mapping[str, App]) -> tuple[RecordType, RecordType]:
    """The two record types, after checking every field rule against them."""
    types = {"left": record_type_of(apps, spec.left, "left"), "right": record_type_of(apps, spec.right, "right")}
    problems: list[FieldProblem] = []
    seen: dict[str, set[str]] = {"left": set(), "right": set()}
    for index, rule in enumerate(spec.fields):
        where = f"fields.{index}"
        kinds = {}
        for side in SIDES:
            key = getattr(rule, side)
            record_type = types[side]
            f = record_type.field_named(key)
            if f is None:
                problems.append(FieldProblem(f"{where}.{side}", f"{side} record type has no field {key!r}; use one "
                                                                f"of: {', '.join(record_type.keys)}"))
                continue
            if key in seen[side] and rule.direction != "none":
                problems.append(FieldProblem(f"{where}.{side}", f"field {key!r} is mapped twice; map it once"))
            seen[side].add(key)
            kinds[side] = record_type.is_list_part(key)
            if rule.flows(side) and key in record_type.create_only:
                problems.append(FieldProblem(
                    f"{where}.direction",
                    f"{side} field {key!r} can be set when a record is created but never changed by the vendor's "
                    f"API; make the direction {'right_to_left' if side == 'right' else 'left_to_right'} or none",
                ))
        if len(kinds) == 2 and kinds["left"] != kinds["right"]:
            problems.append(FieldProblem(where, "a list part (tags, groups) maps only to another list part"))
        for template_key in ("to_right", "to_left"):
            template = getattr(rule, template_key)
            if template is None:
                continue
            try:
                compile_template(template)
            except (PathSyntaxError, ValueError) as error:
                problems.append(FieldProblem(f"{where}.{template_key}", f"is not a valid template ({error}); "
                                                                        "use tokens such as {{left.first_name}}"))
        problems.extend(_transform_problems(rule, where, kinds))
    names: dict[SideName, str] = {side: spec.side(side).record_type for side in SIDES}
    sides: dict[SideName, RecordType] = {"left": types["left"], "right": types["right"]}
    why_not = deletion_choices(sides, names).get(spec.deletion)
    if why_not:
        usable = [p for p, reason in deletion_choices(sides, names).items() if reason is None]
        problems.append(FieldProblem("deletion", f"{spec.deletion} is not possible here: {why_not}; use one of: "
                                                 f"{', '.join(usable)}"))
    if problems:
        raise BadInput(problems)
    return types["left"], types["right"]
