"""The three-way merge of one linked pair: what to write on each side, and why.

Each side keeps its own base: the values it held when the pair was last in sync. Comparing a side
with its *own* base (not with the other side's value) makes the merge immune to vendor normalisation
(HighLevel lower-cases emails and tags) and recognises echoes: a value the sync wrote comes back equal
to the base it recorded, so nothing is written again.

Per plain field:

- changed on one side only -> it flows to the other side (if the field's direction allows);
- changed on both to different values -> a conflict: the side whose record changed later, by the
  vendors' modification times corrected for their clock offsets, wins; equal times go to the sync's
  ``tie_winner``; one-way fields always take the source's value;
- a pair linked for the first time has no base: differing values are a conflict decided the same way.

List parts merge as sets member by member: each side's additions and removals since its base are
applied to the other, so a tag added on one side and another removed on the other both survive.
Only members with the rule's prefix take part (``crm:sales`` on Okta <-> ``sales`` on Contacts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.records import RecordType, RecordUpdate
from connector.templates import MISSING, compile_template
from emulator.sync.spec import SIDES, FieldRule, SideName, SyncSpec, other
from emulator.sync.transforms import apply_transform

Reason = str  # changed | conflict won | conflict lost | echo ignored | created | linked | deleted


@dataclass(frozen=True)
class Change:
    """One audit-worthy decision about one field of one pair."""

    target: SideName
    field: str
    old: Any
    new: Any
    reason: Reason
    writes: bool = True

    @property
    def direction(self) -> str:
        return "left_to_right" if self.target == "right" else "right_to_left"


@dataclass
class MergePlan:
    """What a merge decided: updates per side and the changes they carry (one audit entry each)."""

    updates: dict[SideName, RecordUpdate] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def writes_to(self, side: SideName) -> bool:
        return bool(self.updates.get(side))


def normalise(value: Any, kind: str = "string") -> Any:
    """A value as compared: empty means None, emails ignore case, numbers compare as numbers."""
    if value is None or value is MISSING or value == "" or value == []:
        return None
    if kind == "email" and isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _kind(record_type: RecordType, key: str) -> str:
    f = record_type.field_named(key)
    return f.type if f is not None else "string"


def member_view(values: Any, prefix: str) -> dict[str, str]:
    """The members with ``prefix`` (any case), by their case-folded text without it -> the text itself."""
    found: dict[str, str] = {}
    for member in values or []:
        text = str(member)
        if text.lower().startswith(prefix.lower()):
            bare = text[len(prefix):].strip()
            if bare:
                found.setdefault(bare.casefold(), bare)
    return found


@dataclass(frozen=True)
class PairState:
    """One side of a pair at merge time."""

    values: Mapping[str, Any]
    base: Mapping[str, Any] | None
    #: Modification time on *our* clock (corrected for the vendor's offset).
    changed_at: float


def render_towards(rule: FieldRule, towards: SideName, left: Mapping[str, Any], right: Mapping[str, Any]) -> Any:
    template = rule.to_right if towards == "right" else rule.to_left
    source = left if towards == "right" else right
    if rule.transform:
        value = source.get(rule.left if towards == "right" else rule.right)
        return apply_transform(rule.transform, rule.transform_value, value, towards == "right")
    if template is None:
        return source.get(rule.left if towards == "right" else rule.right)
    rendered = compile_template(template)({"left": dict(left), "right": dict(right)})
    return None if rendered is MISSING else rendered


def _winner(spec: SyncSpec, states: Mapping[SideName, PairState]) -> SideName:
    left, right = states["left"].changed_at, states["right"].changed_at
    if abs(left - right) < 1e-6:
        return spec.tie_winner
    return "left" if left > right else "right"


def merge_pair(spec: SyncSpec, types: Mapping[SideName, RecordType], states: Mapping[SideName, PairState]) -> MergePlan:
    """Decide every write for one linked pair (pure: no I/O)."""
    plan = MergePlan()
    values: dict[SideName, dict[str, Any]] = {"left": {}, "right": {}}
    added: dict[SideName, dict[str, tuple[str, ...]]] = {"left": {}, "right": {}}
    removed: dict[SideName, dict[str, tuple[str, ...]]] = {"left": {}, "right": {}}
    first_link = states["left"].base is None or states["right"].base is None
    for rule in spec.fields:
        if rule.direction == "none":
            continue
        keys: dict[SideName, str] = {"left": rule.left, "right": rule.right}
        if types["left"].is_list_part(rule.left):
            _merge_sets(rule, keys, states, first_link, added, removed, plan)
            continue
        kinds = {side: _kind(types[side], keys[side]) for side in SIDES}
        current = {side: states[side].values.get(keys[side]) for side in SIDES}
        changed = {
            side: first_link or normalise(current[side], kinds[side])
            != normalise((states[side].base or {}).get(keys[side]), kinds[side])
            for side in SIDES
        }
        if not (changed["left"] or changed["right"]):
            continue
        sources = [side for side in SIDES if changed[side] and rule.flows(other(side))]
        if not sources:
            continue
        wanted = {side: render_towards(rule, side, states["left"].values, states["right"].values) for side in SIDES}
        if len(sources) == 2:
            if normalise(wanted["right"], kinds["right"]) == normalise(current["right"], kinds["right"]):
                continue  # both sides made the same change
            winner = _winner(spec, states)
            target = other(winner)
            reason = "conflict won"
            plan.conflicts.append(keys["left"])
            plan.changes.append(Change(winner, keys[winner], current[winner], current[target], "conflict lost",
                                       writes=False))
        else:
            target = other(sources[0])
            reason = "changed" if not first_link else "linked"
        new_value = wanted[target]
        if normalise(new_value, kinds[target]) == normalise(current[target], kinds[target]):
            continue
        values[target][keys[target]] = new_value
        plan.changes.append(Change(target, keys[target], current[target], new_value, reason))
    for side in SIDES:
        update = RecordUpdate(values[side], added[side], removed[side])
        if update:
            plan.updates[side] = update
    return plan


def _merge_sets(
    rule: FieldRule,
    keys: Mapping[SideName, str],
    states: Mapping[SideName, PairState],
    first_link: bool,
    added: dict[SideName, dict[str, tuple[str, ...]]],
    removed: dict[SideName, dict[str, tuple[str, ...]]],
    plan: MergePlan,
) -> None:
    prefixes = {"left": rule.left_prefix, "right": rule.right_prefix}
    now = {side: member_view(states[side].values.get(keys[side]), prefixes[side]) for side in SIDES}
    base = {
        side: member_view((states[side].base or {}).get(keys[side]), prefixes[side]) if not first_link else {}
        for side in SIDES
    }
    for target in SIDES:
        source = other(target)
        if not rule.flows(target):
            continue
        gained = {k: v for k, v in now[source].items() if k not in base[source]}
        lost = set(base[source]) - set(now[source]) if not first_link else set()
        to_add = [f"{prefixes[target]}{text}" for k, text in sorted(gained.items()) if k not in now[target]]
        to_remove = [f"{prefixes[target]}{now[target][k]}" for k in sorted(lost) if k in now[target]]
        if not to_add and not to_remove:
            continue
        added[target][keys[target]] = tuple(to_add)
        removed[target][keys[target]] = tuple(to_remove)
        old = sorted(now[target].values())
        new_keys = (set(now[target]) | {k for k in gained}) - lost
        merged = {**now[target], **gained}
        new = sorted(merged[k] for k in new_keys)
        plan.changes.append(Change(target, keys[target], old, new, "changed"))


def applied_base(
    state: PairState, update: RecordUpdate | None, stored: Mapping[str, Any] | None, list_keys: set[str],
) -> dict[str, Any]:
    """The base a side keeps after a merge.

    Fields the sync wrote take the value the vendor stored (its normalisation included); every other
    field keeps the value the merge saw, so a change someone made between our read and our write is
    still a change next cycle rather than silently taken as the base.
    """
    base = dict(state.values)
    if update is None or stored is None:
        return base
    for key in update.values:
        base[key] = stored.get(key)
    for key in list_keys:
        if key in update.added or key in update.removed:
            members = [m for m in base.get(key) or [] if m not in set(update.removed.get(key, ()))]
            members.extend(m for m in update.added.get(key, ()) if m not in members)
            base[key] = sorted(members)
    return base
