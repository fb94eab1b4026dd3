"""An insertion-ordered collection with an id -> position index, so a page after a cursor costs O(page).

Deleted items leave a tombstone so positions (and therefore cursors held by clients) stay valid; the list
is compacted when tombstones outnumber live items, keeping memory bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class CursorList(Generic[T]):
    """Items keyed by id, in insertion order, readable from any id onward."""

    def __init__(self) -> None:
        self._items: list[T | None] = []
        self._ids: list[str | None] = []
        self._position: dict[str, int] = {}
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self.get(item_id) is not None

    def get(self, item_id: str) -> T | None:
        """The live item with ``item_id``, or None."""
        position = self._position.get(item_id)
        return None if position is None else self._items[position]

    def add(self, item_id: str, item: T) -> None:
        """Append an item at the end (ids are unique)."""
        self._position[item_id] = len(self._items)
        self._items.append(item)
        self._ids.append(item_id)
        self._live += 1

    def remove(self, item_id: str) -> T | None:
        """Remove an item; its position stays as a tombstone so cursors pointing at it still work."""
        position = self._position.get(item_id)
        if position is None or self._items[position] is None:
            return None
        item = self._items[position]
        self._items[position] = None
        self._live -= 1
        if len(self._items) > 1024 and self._live * 2 < len(self._items):
            self._compact()
        return item

    def start_after(self, item_id: str | None) -> int | None:
        """The position following ``item_id`` (0 for None); None if the cursor is unknown."""
        if item_id is None:
            return 0
        position = self._position.get(item_id)
        return None if position is None else position + 1

    def page(
        self, start: int, limit: int, keep: Callable[[T], bool] | None = None
    ) -> tuple[list[T], str | None]:
        """Up to ``limit`` live items from ``start`` that ``keep`` accepts, and the next cursor.

        The cursor is the id of the last item returned when more items may follow, else None. The scan
        looks one item ahead so the last page does not end with a dangling ``next`` link.
        """
        found: list[T] = []
        items = self._items
        index = start
        end = len(items)
        while index < end:
            item = items[index]
            index += 1
            if item is None or (keep is not None and not keep(item)):
                continue
            if len(found) == limit:
                return found, self._ids[self._position_of_last(found, index)]
            found.append(item)
        return found, None

    def page_of(self, item_ids: Iterable[str], start: int, limit: int) -> tuple[list[T], str | None]:
        """:meth:`page` over only the items with these ids, found by id instead of by a scan (same answer)."""
        positions = sorted({
            position for item_id in item_ids
            if (position := self._position.get(item_id)) is not None and position >= start
            and self._items[position] is not None
        })
        found = [item for item in (self._items[p] for p in positions[:limit]) if item is not None]
        return found, (self._ids[positions[limit - 1]] if len(positions) > limit else None)

    def _position_of_last(self, found: list[T], scanned_to: int) -> int:
        # The item that overflowed the page sits at scanned_to - 1; the last returned item precedes it.
        index = scanned_to - 2
        last = found[-1]
        while self._items[index] is not last:
            index -= 1
        return index

    def __iter__(self) -> Iterator[T]:
        return (item for item in self._items if item is not None)

    def _compact(self) -> None:
        pairs = [(i, x) for i, x in zip(self._ids, self._items, strict=True) if x is not None]
        self._ids = [i for i, _ in pairs]
        self._items = [x for _, x in pairs]
        self._position = {item_id: n for n, item_id in enumerate(self._ids) if item_id is not None}
