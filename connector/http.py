"""The kit's one HTTP seam: every outbound call goes through :func:`make_client`.

The client is a plain ``httpx.Client`` with three additions, layered so each sees what it needs::

    ConnectorClient.send      deadline check, then status -> ConnectorError (after auth and redirects)
      request hook            every request stays under the client's base URL (origin and path)
      httpx auth flow         e.g. refresh-on-401: sees the final response of each attempt
        event hooks           TraceRecorder (one exchange per request the auth flow sends)
          RetryingTransport   pacing (connector.pacing), then 429 / 5xx / transport errors, waiting
                              as the service asks
            inner transport   httpx.HTTPTransport, WSGITransport (sandboxes), MockTransport (tests)

Status errors are raised in ``send`` rather than in a response event hook, because httpx runs
response hooks inside the auth flow: a hook raising on 401 would stop a refresh-and-retry auth flow
from ever seeing the 401.

Tests swap the transport (``make_client(transport=httpx.WSGITransport(app=sandbox))``) and inject
``sleep`` so nothing really waits.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import json
import random
import ssl
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx

from connector import __version__
from connector.errors import (
    BadInput,
    ConnectorError,
    ExpiredAuth,
    RefreshAuth,
    ResponseError,
    ServerError,
    Throttled,
    TimeLimit,
    reaction_for_status,
)
from connector.outbound import is_under
from connector.pacing import SHARED_PACER, RatePacer

if TYPE_CHECKING:
    from connector.trace import TraceRecorder

USER_AGENT = f"connector-kit/{__version__}"

#: Methods a server must treat as idempotent (RFC 9110 9.2.2): safe to send again after a failure.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})

#: Shortest wait after a 429 that gives no Retry-After or reset time.
MIN_THROTTLE_DELAY = 1.0

#: Request extension keys the seam reads (``client.get(url, extensions={...})``).
ALLOW_STATUS = "allow_status"  # statuses the operation handles itself, e.g. (404,)
IDEMPOTENT = "idempotent"  # True/False overrides the method rule, e.g. for a POST the API dedupes
#: Response extension the retrying transport sets: how many tries the response took.
ATTEMPTS = "connector_attempts"

#: Transport failures where the request never left this machine: safe to retry for any method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Transport failures worth retrying for idempotent requests (the server may have acted on them).
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: The stream of a response whose body is read (see ``ConnectorClient.send``).
_SPENT = httpx.ByteStream(b"")


@dataclass(frozen=True)
class RetryPolicy:
    """How the seam retries one request before giving up and raising the mapped error.

    Attributes:
        max_attempts: total tries including the first; 1 disables retries.
        base_delay: first wait for 5xx and transport errors; doubles each retry (``base * 2**n``).
        max_delay: cap for any single wait, server-requested ones included.
        jitter: +- fraction applied to computed (not server-requested) waits, so clients that failed
            together do not retry together.
        retry_statuses: statuses worth another try. 429 is retried for every method; the others only
            for idempotent requests.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 60.0
    jitter: float = 0.1
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})


DEFAULT_RETRY = RetryPolicy()


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one loads the CA bundle (20-30 ms), too slow per call."""
    return httpx.create_ssl_context()


def _http_date(value: str | None) -> float | None:
    """An HTTP-date as epoch seconds, or None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.timestamp()


def _server_wait(response: httpx.Response, now: float | None) -> float | None:
    """The wait the service asked for, in seconds, or None when it said nothing usable."""
    headers = response.headers
    # The server's own clock when it sent one: a skewed local clock must not shorten the wait.
    # Some servers (and proxies) repeat Date; httpx joins repeats with ", " which no date parser reads.
    dates = headers.get_list("date")
    clock = _http_date(dates[0] if dates else None)
    if clock is None:
        clock = time.time() if now is None else now
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            when = _http_date(retry_after)
            if when is not None:
                return max(0.0, when - clock)
    reset = headers.get("x-rate-limit-reset")
    # Okta sends X-Rate-Limit-Reset on every response; it only explains a 429 (or an exhausted
    # window). A transient 500 should not wait for the rate-limit window to roll over.
    if reset and (response.status_code == 429 or headers.get("x-rate-limit-remaining") == "0"):
        try:
            return max(0.0, float(reset) - clock) + 1.0
        except ValueError:
            return None
    return None


def retry_delay(
    response: httpx.Response, attempt: int, policy: RetryPolicy, now: float | None = None
) -> float:
    """Seconds to wait before retrying ``response``'s request.

    Order: ``Retry-After`` (seconds or HTTP-date); else Okta's ``X-Rate-Limit-Reset`` (epoch seconds)
    measured against the response's ``Date`` (the server's clock) or the local clock, plus 1 s as
    okta-sdk-python does (only for a 429 or an exhausted window: Okta sends the header on every
    response); else exponential backoff ``base_delay * 2**attempt`` with jitter, at least 1 s for a 429.
    Never more than ``policy.max_delay``.

    Args:
        attempt: retries already made for this request (0 before the first retry).
        now: epoch seconds to use as the local clock (tests).
    """
    wait = _server_wait(response, now)
    if wait is None:
        wait = backoff_delay(attempt, policy)
        if response.status_code == 429:
            # A rate limit with no hint (HighLevel, Personio) lasts at least a second.
            wait = max(wait, MIN_THROTTLE_DELAY)
    return min(wait, policy.max_delay)


def backoff_delay(attempt: int, policy: RetryPolicy) -> float:
    """Exponential backoff with +- jitter, capped at ``policy.max_delay``."""
    wait = policy.base_delay * (2**attempt)
    if policy.jitter:
        wait *= 1.0 + random.uniform(-policy.jitter, policy.jitter)
    return max(0.0, min(float(wait), float(policy.max_delay)))


def is_idempotent(request: httpx.Request) -> bool:
    """Whether sending ``request`` twice has the same effect as once.

    A POST counts only with an ``Idempotency-Key`` header (the service dedupes on it) or an explicit
    ``extensions={"idempotent": True}``; a retried create must never create twice.
    """
    explicit = request.extensions.get(IDEMPOTENT)
    if explicit is not None:
        return bool(explicit)
    return request.method in IDEMPOTENT_METHODS or "idempotency-key" in request.headers


class RetryingTransport(httpx.BaseTransport):
    """Wraps a transport and retries what is safe to retry, waiting as the service asks.

    - 429 is retried for every method: the service did not process the request.
    - Other ``retry_statuses`` (5xx) and transport errors (timeouts, resets, protocol errors) are
      retried only for idempotent requests (see :func:`is_idempotent`). Connection failures, where
      nothing was sent, are retried for every method.
    - It never sleeps past ``deadline`` (a ``time.monotonic()`` value): it raises
      :class:`~connector.errors.Throttled` (for 429, with the delay) or
      :class:`~connector.errors.TimeLimit` instead, and it shortens each attempt's timeouts so a slow
      read cannot overrun the deadline either.

    When attempts run out, the last response is returned (the client maps it to an error) or the last
    transport error is raised.

    With a ``pacer``, every attempt first waits for the slot the pacer books (so the service's budget
    is not overflowed and 429s stay rare), and every response teaches the pacer the budget.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        deadline: float | None = None,
        pacer: RatePacer | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.sleep = sleep
        self.deadline = deadline
        self.pacer = pacer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Read a streaming body once so every attempt sends the same bytes.
        request.read()
        policy = self.policy
        attempt = 0
        while True:
            self._limit_timeouts(request)
            sent_at = self._pace(request)
            try:
                response = self.inner.handle_request(request)
            except _TRANSIENT as exc:
                retriable = isinstance(exc, _NOT_SENT) or is_idempotent(request)
                if not retriable or attempt + 1 >= policy.max_attempts:
                    raise
                delay = backoff_delay(attempt, policy)
                self._wait(delay, request, exc=exc)
                attempt += 1
                continue
            if self.pacer is not None:
                self.pacer.observe(request, response, sent_at)
            if response.status_code not in policy.retry_statuses or attempt + 1 >= policy.max_attempts:
                response.extensions = {**response.extensions, ATTEMPTS: attempt + 1}
                return response
            if response.status_code != 429 and not is_idempotent(request):
                response.extensions = {**response.extensions, ATTEMPTS: attempt + 1}
                return response
            delay = retry_delay(response, attempt, policy)
            self._discard(response)
            self._wait(delay, request, response=response)
            attempt += 1

    def close(self) -> None:
        self.inner.close()

    def _pace(self, request: httpx.Request) -> float:
        """Wait for the pacer's slot (never past the deadline); returns the pacer's clock at sending."""
        if self.pacer is None:
            return 0.0
        delay = self.pacer.reserve(request)
        if delay > 0:
            if self.deadline is not None and time.monotonic() + delay > self.deadline:
                raise Throttled(
                    f"{request.method} {request.url.path}: the service's rate limit leaves no request before "
                    f"this step's time limit (next one in {delay:.1f} s); retry after the delay",
                    delay=delay,
                )
            self.sleep(delay)
            self._limit_timeouts(request)
        return self.pacer.clock()

    def _limit_timeouts(self, request: httpx.Request) -> None:
        """Shorten this attempt's timeouts to the time left before the deadline."""
        if self.deadline is None:
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeLimit(
                f"{request.method} {request.url.path}: the time limit ran out before the request was "
                "sent; the step can be retried"
            )
        current = request.extensions.get("timeout") or {}
        request.extensions = {
            **request.extensions,
            "timeout": {
                key: left if current.get(key) is None else min(current[key], left)
                for key in ("connect", "read", "write", "pool")
            },
        }

    def _wait(
        self,
        delay: float,
        request: httpx.Request,
        *,
        response: httpx.Response | None = None,
        exc: Exception | None = None,
    ) -> None:
        if self.deadline is not None and time.monotonic() + delay > self.deadline:
            where = f"{request.method} {request.url.path}"
            if response is not None and response.status_code == 429:
                raise Throttled(
                    f"{where}: rate limited (429) and the service asks to wait {delay:.1f} s, longer than "
                    "the time left for this step; retry after the delay",
                    delay=delay,
                    response=response,
                )
            cause = f"HTTP {response.status_code}" if response is not None else type(exc).__name__
            raise TimeLimit(
                f"{where}: failed with {cause} and retrying after {delay:.1f} s would pass the step's "
                "time limit; the step can be retried"
            ) from exc
        self.sleep(delay)

    @staticmethod
    def _discard(response: httpx.Response) -> None:
        """Read and close a response we will retry, so its connection goes back to the pool."""
        try:
            response.read()
        except httpx.HTTPError:
            pass
        finally:
            response.close()


class _SetCookieJar(httpx.Cookies):
    """httpx's cookie jar, consulted only when an answer sets a cookie.

    httpx hands every response to :mod:`http.cookiejar`, which wraps it in urllib request and response
    adapters before finding no ``Set-Cookie``: about a tenth of the client's CPU on a long listing.
    Answers that set cookies are stored exactly as before.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class ConnectorClient(httpx.Client):
    """``httpx.Client`` that checks the step's deadline and turns error statuses into ConnectorErrors.

    Built by :func:`make_client`; operations just call ``ctx.http.get(...)``. Pass
    ``extensions={"allow_status": (404,)}`` to receive such a response instead of an error.
    """

    def __init__(
        self,
        *,
        retry: RetryPolicy | None,
        deadline: float | None,
        raise_errors: bool,
        recorder: TraceRecorder | None,
        **kwargs: Any,
    ) -> None:
        cookies = kwargs.pop("cookies", None)
        super().__init__(**kwargs)
        self.cookies = cookies  # into a _SetCookieJar (the property below)
        self.retry = retry
        self.deadline = deadline
        self.raise_errors = raise_errors
        self.recorder = recorder
        # First of the request hooks, which httpx runs for every request it sends (auth flows and
        # redirects included), so nothing leaves before the check.
        hooks = self.event_hooks
        hooks["request"] = [self._stay_under_base_url, *hooks["request"]]
        self.event_hooks = hooks

    def _stay_under_base_url(self, request: httpx.Request) -> None:
        """Refuse a request whose URL leaves the base URL's origin or path (an unescaped id, a foreign link).

        Paths are built with :func:`connector.paths.api_path`, so this never fires for the shipped apps;
        it is the second line for operations that glue paths by hand and for absolute URLs from answers.
        """
        if not self.base_url.host or is_under(request.url, self.base_url):
            return
        base = str(self.base_url).rstrip("/")
        raise BadInput(
            f"{request.method} {request.url} leaves the connection's base URL {base}; requests stay on "
            "the service they were made for (an id that holds '/' or '..' must go through "
            "connector.paths.api_path)",
            "url",
        )

    @property
    def cookies(self) -> httpx.Cookies:
        return self._response_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._response_cookies = _SetCookieJar(cookies)

    def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise TimeLimit(
                f"{request.method} {request.url.path}: the step's time limit ran out before this request; "
                "the step can be retried"
            )
        try:
            response = super().send(request, stream=stream, auth=auth, follow_redirects=follow_redirects)
        except httpx.RequestError as exc:
            error = error_from_transport(exc, request)
            if self.recorder is not None:
                self.recorder.record_error(request, error)
            if self.raise_errors:
                raise error from exc
            raise
        except ConnectorError as exc:
            if self.recorder is not None:
                self.recorder.record_error(request, exc)
            raise
        if self.raise_errors and response.status_code >= 400:
            allowed = response.request.extensions.get(ALLOW_STATUS, ())
            if response.status_code not in allowed:
                error = error_from_response(response, policy=self.retry or DEFAULT_RETRY)
                if isinstance(error, RefreshAuth) and not getattr(self.auth, "refreshable", False):
                    # An API token or key cannot be refreshed: a 401 means the user must reconnect.
                    expired = ExpiredAuth(f"{error.message} (this credential cannot be refreshed)")
                    expired.response = response  # type: ignore[attr-defined]
                    error = expired
                response.close()
                if self.recorder is not None:
                    self.recorder.record_error(response.request, error, response)
                raise error
        if not stream and response.is_closed:
            # httpx's response and its bound stream refer to each other, so a read response lives until
            # the cyclic collector runs; with 100-record pages that is megabytes per listing, growing with
            # the number of pages read between collections. The body is read, so the stream is done with.
            response.stream = _SPENT
        return response


def use_shared_pacer(pacer: RatePacer) -> None:
    """Make ``pacer`` the one every network client of this process paces with.

    A scaled worker installs a :class:`~connector.pacing.RedisPacer`, so all workers together keep each
    vendor budget instead of each spending all of it.
    """
    global SHARED_PACER
    SHARED_PACER = pacer


def make_client(
    base_url: str = "",
    *,
    auth: httpx.Auth | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 30.0,
    retry: RetryPolicy | None = DEFAULT_RETRY,
    headers: Mapping[str, str] | None = None,
    recorder: TraceRecorder | None = None,
    deadline: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    raise_errors: bool = True,
    pacer: RatePacer | Literal[False] | None = None,
) -> httpx.Client:
    """The one factory every outbound call uses.

    Args:
        base_url: prefix for relative URLs (an Okta org, the sandbox's ``http://okta.test``).
        auth: applies the credential; refresh-on-401 flows see each attempt's final response.
        transport: where requests go; default a pooled ``httpx.HTTPTransport``. Tests pass
            ``httpx.WSGITransport(app=sandbox)`` or ``httpx.MockTransport(handler)``.
        retry: retry policy; None sends each request once.
        recorder: records a redacted trace of every exchange.
        deadline: ``time.monotonic()`` value after which no request starts and no retry waits.
        sleep: how retries wait (tests inject a recorder of delays).
        raise_errors: map error statuses to ConnectorErrors (see :func:`raise_for_status`).
        pacer: spaces requests to the services' announced rate limits (:mod:`connector.pacing`). By
            default the process-wide pacer for real network transports (the default one, or one with
            ``real_network = True`` such as :class:`connector.outbound.GuardedTransport`) and none for
            another ``transport`` passed in (in-process sandboxes and mocks answer without a shared
            budget to protect);
            ``False`` turns pacing off.
    """
    inner = transport if transport is not None else httpx.HTTPTransport(verify=shared_ssl_context())
    if pacer is None:
        pacer = SHARED_PACER if transport is None or getattr(transport, "real_network", False) else False
    wrapped = RetryingTransport(
        inner, retry or RetryPolicy(max_attempts=1), sleep=sleep, deadline=deadline, pacer=pacer or None
    )
    merged_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    hooks = recorder.hooks() if recorder is not None else {}
    return ConnectorClient(
        retry=retry,
        deadline=deadline,
        raise_errors=raise_errors,
        recorder=recorder,
        base_url=base_url,
        auth=auth,
        transport=wrapped,
        timeout=timeout,
        headers=merged_headers,
        event_hooks=hooks,
    )


def raise_for_status(
    response: httpx.Response, allow: Collection[int] = (), *, policy: RetryPolicy = DEFAULT_RETRY
) -> None:
    """Raise the ConnectorError branch for an error status, unless it is in ``allow``.

    The branch comes from :data:`connector.errors.STATUS_REACTIONS`; the message from the vendor's
    error body (see :func:`error_from_response`).
    """
    if response.status_code < 400 or response.status_code in allow:
        return
    raise error_from_response(response, policy=policy)


def error_from_response(response: httpx.Response, *, policy: RetryPolicy = DEFAULT_RETRY) -> ConnectorError:
    """The ConnectorError for an error response, without raising it. The error keeps the response.

    Messages come from the vendor's error body:

    - Okta ``{errorCode, errorSummary, errorCauses[].errorSummary}`` ->
      ``E0000001: Api validation failed: login (login: An object with this field already exists ...)``
    - HighLevel ``{statusCode, message (str or list), error}`` ->
      ``422 Unprocessable Entity: email must be an email; phone must be valid``
    - Personio ``{success: false, error: {code, message}}`` and OAuth ``{error, error_description}``
    - anything else: the status line, the request and a short excerpt of the body.
    """
    cls = reaction_for_status(response.status_code) or ResponseError
    message = describe_error(response)
    if cls is Throttled:
        # The delay the platform waits before trying again: the service's own (Retry-After, the rate-limit
        # reset) even past the policy's cap, which only bounds how long one call sleeps in place.
        delay = _server_wait(response, None)
        if delay is None:
            retries = max(0, int(response.extensions.get(ATTEMPTS, 1)) - 1)
            delay = retry_delay(response, retries, policy)
        return Throttled(message, delay=delay, response=response)
    if issubclass(cls, ResponseError):
        return cls(message, response=response)
    error = cls(message)
    error.response = response  # type: ignore[attr-defined]
    return error


def error_from_transport(exc: httpx.RequestError, request: httpx.Request) -> ConnectorError:
    """Map a transport failure (after retries) to the branch that says what happens next."""
    where = f"{request.method} {request.url.scheme}://{request.url.netloc.decode()}{request.url.path}"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return TimeLimit(f"{where}: timed out ({type(exc).__name__}: {detail}); the step can be retried")
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError | httpx.ProxyError):
        return ServerError(
            f"{where}: could not reach the service ({type(exc).__name__}: {detail}); check the base URL "
            "or retry later"
        )
    return ResponseError(f"{where}: the request could not be sent ({type(exc).__name__}: {detail})")


def describe_error(response: httpx.Response) -> str:
    """A one-line, user-facing description of an error response built from its body."""
    with contextlib.suppress(httpx.HTTPError):
        response.read()
    body: Any = None
    try:
        if response.content:
            body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, httpx.ResponseNotRead):
        body = None
    status = f"{response.status_code} {response.reason_phrase}".strip()
    if isinstance(body, dict):
        described = _describe_json_error(body, status)
        if described:
            return described
    try:
        where = f" from {response.request.method} {response.request.url.path}"
    except RuntimeError:  # a Response built by hand has no request
        where = ""
    excerpt = _excerpt(response)
    return f"{status}{where}" + (f": {excerpt}" if excerpt else "")


def _describe_json_error(body: dict[str, Any], status: str) -> str | None:
    # Okta
    if body.get("errorCode") or body.get("errorSummary"):
        head = ": ".join(str(part) for part in (body.get("errorCode"), body.get("errorSummary")) if part)
        causes = [
            str(cause.get("errorSummary"))
            for cause in body.get("errorCauses") or []
            if isinstance(cause, dict) and cause.get("errorSummary")
        ]
        return f"{head} ({'; '.join(causes)})" if causes else head
    # HighLevel (NestJS style)
    if "message" in body and ("statusCode" in body or "error" in body or len(body) == 1):
        message = body["message"]
        text = "; ".join(str(m) for m in message) if isinstance(message, list) else str(message)
        label = body.get("error") if isinstance(body.get("error"), str) else None
        prefix = f"{body.get('statusCode', '')} {label}".strip() if label else status
        return f"{prefix}: {text}"
    error = body.get("error")
    # Personio
    if isinstance(error, dict) and error.get("message"):
        code = f" (code {error['code']})" if error.get("code") not in (None, "") else ""
        return f"{status}: {error['message']}{code}"
    # OAuth 2.0 token endpoint (RFC 6749 5.2)
    if isinstance(error, str):
        description = body.get("error_description")
        return f"{status}: {error}" + (f": {description}" if description else "")
    return None


def _excerpt(response: httpx.Response, limit: int = 200) -> str:
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError, LookupError):
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
