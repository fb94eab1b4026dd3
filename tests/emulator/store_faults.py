"""Make chosen SQL statements fail the way a full disk or a broken database does, on any engine.

The fault is raised by the database driver's own ``OperationalError`` from SQLAlchemy's
``before_cursor_execute`` event, so the store sees exactly what it would see from SQLite or
PostgreSQL when a write does not go through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

StatementMatcher = Callable[[str, Any], bool]


class StoreFaults:
    """Statements matching a rule fail until the rule is cleared (or has failed ``times`` times)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rules: list[list[Any]] = []
        self.failed = 0
        sa.event.listen(engine, "before_cursor_execute", self._before)

    def fail(self, matches: StatementMatcher, times: int = 1_000_000) -> None:
        self.rules.append([matches, times])

    def clear(self) -> None:
        self.rules.clear()

    def remove(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        for rule in self.rules:
            matches, left = rule
            if left > 0 and matches(statement, parameters):
                rule[1] -= 1
                self.failed += 1
                raise self.engine.dialect.loaded_dbapi.OperationalError("database or disk is full")


def writing(table: str, containing: str | None = None) -> StatementMatcher:
    """Matches INSERTs and UPDATEs of ``table`` (whose parameters contain ``containing``, if given)."""

    def matches(statement: str, parameters: Any) -> bool:
        head = statement.lstrip().upper()
        if not (head.startswith(f"INSERT INTO {table.upper()}") or head.startswith(f"UPDATE {table.upper()}")):
            return False
        return containing is None or containing in repr(parameters)

    return matches
