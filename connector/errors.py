"""Errors named for what the runtime does next.

Every failure an operation can raise is a :class:`ConnectorError`. The branch says how the platform
reacts, so callers never inspect messages or status codes::

    ConnectorError
    ├── ConnectorBug         the connector's own code is wrong: blame the connector, not the service;
    │   │                    never retried (fix the code, then replay)
    │   ├── DefinitionError  a connector definition breaks a rule
    │   ├── ResultError      the operation returned something a platform would reject
    │   └── CodeCrashed      the operation's code raised an unexpected exception (a KeyError in perform)
    ├── BadInput             input fails its schema; no HTTP call was made (fix the field)
    ├── Halted               stop this run quietly (nothing to do, filtered out)
    ├── Throttled            retry after ``delay`` seconds (429, Retry-After, X-Rate-Limit-Reset)
    ├── RefreshAuth          refresh the credential once, then retry
    ├── ExpiredAuth          the credential cannot be refreshed: pause and ask the user to reconnect
    ├── TimeLimit            the operation ran past its time limit (retriable)
    └── ResponseError        any other error response; keeps the response; the step fails, can be replayed
        └── ServerError      5xx: retriable

:data:`STATUS_REACTIONS` is the single table that maps HTTP statuses to these branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


class ConnectorError(Exception):
    """Root of every error the kit raises on purpose."""

    #: Whether the runtime may run the same step again later without changing anything.
    retriable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        #: The redacted HTTP exchange up to the failure, when the runtime recorded one.
        self.trace: list[dict[str, Any]] = []

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe description for CLIs, run history and API answers."""
        return {"type": type(self).__name__, "message": self.message, "retriable": self.retriable}


class ConnectorBug(ConnectorError):
    """The connector's code is at fault, not the service it talks to.

    The runtime names the app and the operation once it knows them (:meth:`locate`), so every surface
    (CLI, run history, API answers) says whose bug it is and where to look.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.app = ""
        self.operation = ""

    def locate(self, app: str, operation: str, qualified_key: str = "") -> None:
        """Say which app and operation the bug is in; the first location found is kept."""
        if self.app:
            return
        self.app, self.operation = app, operation
        detail = self.message
        for prefix in (f"{app}.{qualified_key}", f"{app}.{operation}", qualified_key):
            if prefix and detail.startswith(prefix):
                detail = detail[len(prefix):].lstrip(":. ").lstrip()
                break
        self.message = (
            f"{app}.{operation} has a bug in its connector code (the service is not at fault; fix the "
            f"connector): {detail}"
        )

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update({"blame": "connector", "app": self.app, "operation": self.operation})
        return data


class DefinitionError(ConnectorBug):
    """A connector definition breaks a rule; the author must fix the code."""


class CodeCrashed(ConnectorBug):
    """The operation's own code raised an exception the kit did not expect (its cause is chained)."""


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: where it is, the value, and what is wrong with it."""

    field: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class BadInput(ConnectorError):
    """Input does not satisfy its schema. Raised before any HTTP call."""

    def __init__(self, problems: list[FieldProblem] | str, field: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [FieldProblem(field or "input", problems)]
        self.problems = problems
        self.field = problems[0].field if problems else field
        super().__init__("; ".join(str(p) for p in problems) or "invalid input")

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [{"field": p.field, "message": p.message} for p in self.problems]
        return data


class Halted(ConnectorError):
    """Stop the run quietly: not a failure, nothing more to do."""


class ResultError(ConnectorBug):
    """The operation returned a result that breaks the platform's rules (no id, not a list, ...)."""


class Throttled(ConnectorError):
    """The service asked us to slow down; retry after ``delay`` seconds."""

    retriable = True

    def __init__(self, message: str, delay: float, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.delay = delay
        self.response = response

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["delay"] = self.delay
        return data


class RefreshAuth(ConnectorError):
    """The access credential was refused but can be refreshed; refresh once, then retry."""

    retriable = True


class ExpiredAuth(ConnectorError):
    """The credential is dead (revoked, refresh refused); the user must reconnect."""


class TimeLimit(ConnectorError):
    """The operation ran longer than its limit."""

    retriable = True


class ResponseError(ConnectorError):
    """The service answered with an error the runtime cannot fix by itself."""

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code if response is not None else None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["status_code"] = self.status_code
        return data


class ServerError(ResponseError):
    """5xx from the service: worth retrying later."""

    retriable = True


#: How the runtime reacts to each HTTP status. Statuses not listed map by class (4xx, 5xx).
STATUS_REACTIONS: dict[int, type[ConnectorError]] = {
    400: ResponseError,
    401: RefreshAuth,
    403: ResponseError,
    404: ResponseError,
    408: ServerError,
    409: ResponseError,
    410: Halted,
    422: ResponseError,
    429: Throttled,
    500: ServerError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
}


class DatabaseUnreadable(RuntimeError):
    """A database file is damaged or is not a database at all: the command cannot start on it.

    Not a :class:`ConnectorError`: no operation failed, the process's own store did. Command lines
    report it as one line naming the file and what to do.
    """


def reaction_for_status(status: int) -> type[ConnectorError] | None:
    """The error class for an HTTP status, or None when the status is a success."""
    if status < 400:
        return None
    if status in STATUS_REACTIONS:
        return STATUS_REACTIONS[status]
    return ServerError if status >= 500 else ResponseError
