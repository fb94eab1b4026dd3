"""A Bearer ``httpx.Auth`` that refreshes its access token before expiry and once more on a 401.

Rules it keeps, because a connection must keep working for months without surprises:

* **Before expiry.** A token that expires within ``leeway`` seconds is refreshed before it is sent.
* **Once on a 401.** A 401 (that is not a missing scope) refreshes once and retries the request once.
* **One refresh per connection.** Every auth built for the same ``connection_id`` in this process shares
  one :class:`SharedTokens` (tokens + lock). The first caller refreshes; the others wait on the lock and
  then use the new token instead of refreshing again.
* **One refresh across processes.** With :func:`use_refresh_lock` (a scaled deployment installs
  :func:`redis_refresh_lock`), the refresh itself also holds a lock every process shares; whoever gets
  it second first reads the saved tokens and adopts the refresh the first one saved.
* **Saved before used.** Providers rotate refresh tokens: the old one dies on use. The new pair goes to
  ``token_saver`` (one store transaction) before the new access token is sent anywhere, so a crash never
  leaves the store holding a dead refresh token while the live one existed only in memory.
* **Refused means reconnect.** When the provider refuses the refresh token, the connection is marked
  expired (``on_expired``), every waiting caller gets :class:`~connector.errors.ExpiredAuth`, and no
  further refresh is attempted.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import httpx

from auth.redaction import register_secret
from connector.errors import ConnectorError, ExpiredAuth, RefreshAuth

DEFAULT_LEEWAY = 60.0

Refresher = Callable[[str], Mapping[str, Any]]
TokenSaver = Callable[[dict[str, Any]], None]
TokenLoader = Callable[[], Mapping[str, Any]]
ExpiredCallback = Callable[[str], None]
ScopeCheck = Callable[[httpx.Response], ConnectorError | None]


@dataclass(frozen=True)
class TokenSet:
    """An access token, the refresh token that renews it, and when the access token dies."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> TokenSet:
        expires = fields.get("expires_at")
        return cls(
            access_token=str(fields.get("access_token") or ""),
            refresh_token=fields.get("refresh_token") or None,
            expires_at=float(expires) if expires not in (None, "") else None,
        )

    def expiring(self, leeway: float, now: float) -> bool:
        if not self.access_token:
            return True
        return self.expires_at is not None and self.expires_at - leeway <= now

    def as_fields(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_at": self.expires_at}

    def __repr__(self) -> str:  # never show tokens
        return f"TokenSet(expires_at={self.expires_at!r})"


class SharedTokens:
    """The live tokens of one connection and the lock that lets exactly one caller refresh them."""

    def __init__(self, tokens: TokenSet) -> None:
        self.lock = threading.Lock()
        self.tokens = tokens
        #: Why the refresh token was refused; set once, then every caller gets ExpiredAuth.
        self.dead_reason: str | None = None
        #: How many refresh requests were sent (tests and diagnostics).
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"SharedTokens(expires_at={self.tokens.expires_at!r}, dead={self.dead_reason is not None})"


#: ``connection id -> context manager`` held around a refresh by every process (None: this process only).
RefreshLock = Callable[[str], contextlib.AbstractContextManager[object]]
_refresh_lock: RefreshLock | None = None


def use_refresh_lock(lock: RefreshLock | None) -> None:
    """Serialise refreshes of one connection across processes with ``lock`` (None: within this process)."""
    global _refresh_lock
    _refresh_lock = lock


def redis_refresh_lock(url: str, prefix: str = "connector:refresh", timeout: float = 60.0) -> RefreshLock:
    """A refresh lock in Redis: one process at a time refreshes a connection, on any machine.

    The lock expires after ``timeout`` seconds, so a process that dies holding it blocks the others
    only that long.
    """
    import redis

    client = redis.Redis.from_url(url)

    @contextlib.contextmanager
    def hold(connection_id: str) -> Iterator[object]:
        lock = client.lock(f"{prefix}:{connection_id}", timeout=timeout, blocking_timeout=timeout)
        if not lock.acquire():
            raise RefreshAuth(
                f"another process has been refreshing connection {connection_id} for {timeout:.0f} s; try again"
            )
        try:
            yield lock
        finally:
            with contextlib.suppress(redis.exceptions.LockError):
                lock.release()

    return hold


_registry_lock = threading.Lock()
_registry: dict[str, SharedTokens] = {}


def shared_tokens(connection_id: str | None, tokens: TokenSet) -> SharedTokens:
    """The process-wide token state of ``connection_id`` (a private one when there is no id).

    ``tokens`` wins over what is cached when it is a different grant (a reconnect) or lives longer.
    """
    if not connection_id:
        return SharedTokens(tokens)
    with _registry_lock:
        shared = _registry.get(connection_id)
        if shared is None:
            shared = _registry[connection_id] = SharedTokens(tokens)
            return shared
    with shared.lock:
        current = shared.tokens
        if tokens.refresh_token != current.refresh_token and (
            shared.dead_reason is not None or (tokens.expires_at or 0) >= (current.expires_at or 0)
        ):
            shared.tokens = tokens
            shared.dead_reason = None
    return shared


def forget_connection(connection_id: str) -> None:
    """Drop the cached tokens of a deleted connection."""
    with _registry_lock:
        _registry.pop(connection_id, None)


class RefreshingBearerAuth(httpx.Auth):
    """Bearer auth with proactive refresh, one retry on 401 and one refresh per connection.

    Args:
        tokens: the tokens saved with the connection.
        refresh: sends the refresh request; returns the token response; raises ExpiredAuth when the
            provider refuses the refresh token.
        connection_id: shares token state (and the refresh lock) with every auth of this connection.
        token_saver: persists ``{access_token, refresh_token, expires_at}``; called before the new
            access token is used.
        token_loader: reads the connection's saved fields, to pick up a refresh another process made.
        on_expired: records that the connection needs the user to reconnect.
        scope_error: turns a response into an error when it says a scope is missing (no refresh then).
        headers: extra headers for every request (e.g. an API version).
    """

    #: A 401 can be fixed by getting a new token, so the seam reports RefreshAuth, not ExpiredAuth.
    refreshable = True

    requires_response_body = True

    def __init__(
        self,
        tokens: TokenSet,
        refresh: Refresher,
        *,
        connection_id: str | None = None,
        token_saver: TokenSaver | None = None,
        token_loader: TokenLoader | None = None,
        on_expired: ExpiredCallback | None = None,
        scope_error: ScopeCheck | None = None,
        headers: Mapping[str, str] | None = None,
        leeway: float = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.shared = shared_tokens(connection_id, tokens)
        self.connection_id = connection_id
        self._refresh = refresh
        self._token_saver = token_saver
        self._token_loader = token_loader
        self._on_expired = on_expired
        self._scope_error = scope_error
        self._headers = dict(headers or {})
        self.leeway = leeway
        self.clock = clock
        register_secret(tokens.access_token, tokens.refresh_token)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.shared!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        used = self.valid_access_token()
        self._apply(request, used)
        response = yield request
        if self._scope_error is not None:
            problem = self._scope_error(response)
            if problem is not None:
                raise problem
        if response.status_code != 401:
            return
        fresh = self.token_after_rejection(used)
        self._apply(request, fresh)
        response = yield request
        if self._scope_error is not None:
            problem = self._scope_error(response)
            if problem is not None:
                raise problem

    # -- token management ---------------------------------------------------------------------------
    def valid_access_token(self) -> str:
        """An access token that will not expire within the leeway, refreshing first if needed."""
        shared = self.shared
        if shared.dead_reason is not None:
            raise self._expired(shared.dead_reason)
        if not shared.tokens.expiring(self.leeway, self.clock()):
            return shared.tokens.access_token
        with shared.lock:
            if not shared.tokens.expiring(self.leeway, self.clock()):
                return shared.tokens.access_token  # another caller refreshed while we waited
            with self._across_processes():
                return self._refresh_locked(rejected=None)

    def token_after_rejection(self, rejected: str) -> str:
        """A new access token after the service refused ``rejected`` (at most one refresh for all)."""
        shared = self.shared
        with shared.lock:
            current = shared.tokens
            if current.access_token != rejected and not current.expiring(self.leeway, self.clock()):
                return current.access_token
            with self._across_processes():
                return self._refresh_locked(rejected=rejected)

    def _across_processes(self) -> contextlib.AbstractContextManager[object]:
        """The lock every process holds while refreshing this connection (nothing when not configured)."""
        if _refresh_lock is None or not self.connection_id:
            return contextlib.nullcontext()
        return _refresh_lock(self.connection_id)

    def _refresh_locked(self, rejected: str | None) -> str:
        shared = self.shared
        if shared.dead_reason is not None:
            raise self._expired(shared.dead_reason)
        current = shared.tokens
        adopted = self._adopt_saved(current, rejected)
        if adopted is not None:
            return adopted
        if not current.refresh_token:
            self._die("the access token expired and there is no refresh token")
        try:
            shared.refreshes += 1
            answer = dict(self._refresh(str(current.refresh_token)))
        except ExpiredAuth as exc:
            self._die(exc.message)
        expires_in = answer.get("expires_in")
        new = TokenSet(
            access_token=str(answer["access_token"]),
            # a provider that does not rotate keeps the old refresh token valid
            refresh_token=answer.get("refresh_token") or current.refresh_token,
            expires_at=float(answer["expires_at"]) if answer.get("expires_at")
            else (self.clock() + float(expires_in) if expires_in else None),
        )
        register_secret(new.access_token, new.refresh_token)
        if self._token_saver is not None:
            self._token_saver(new.as_fields())  # saved before the new access token is used anywhere
        shared.tokens = new
        return new.access_token

    def _adopt_saved(self, current: TokenSet, rejected: str | None) -> str | None:
        """Use tokens another process saved since we loaded ours, instead of spending our refresh token."""
        if self._token_loader is None:
            return None
        try:
            saved = TokenSet.from_fields(self._token_loader())
        except Exception:
            return None
        if (
            saved.refresh_token
            and saved.refresh_token != current.refresh_token
            and saved.access_token not in (current.access_token, rejected)
            and not saved.expiring(self.leeway, self.clock())
        ):
            self.shared.tokens = saved
            return saved.access_token
        if saved.refresh_token and saved.refresh_token != current.refresh_token:
            self.shared.tokens = replace(current, refresh_token=saved.refresh_token)
        return None

    def _die(self, reason: str) -> NoReturn:
        self.shared.dead_reason = reason
        if self._on_expired is not None:
            self._on_expired(reason)
        raise self._expired(reason)

    @staticmethod
    def _expired(reason: str) -> ExpiredAuth:
        return ExpiredAuth(f"this connection needs to be reconnected: {reason}")

    def _apply(self, request: httpx.Request, token: str) -> None:
        for name, value in self._headers.items():
            request.headers.setdefault(name, value)  # a request that names its own (an API version) keeps it
        request.headers["Authorization"] = f"Bearer {token}"
