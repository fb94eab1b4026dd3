"""Keep secrets out of every log line, Authlib's and httpx's DEBUG output included.

Two layers, because a ``logging.Filter`` on a logger only sees records logged to that very logger:

* a log-record factory that redacts each record as it is made, so every logger and every handler
  (pytest's ``caplog`` too) receives only redacted text;
* :class:`RedactingFilter` on the root logger and on ``authlib``, ``httpx`` and ``httpcore``, which
  catches records built by other means (``logging.makeLogRecord``, records from other factories).

What is masked: ``Bearer``/``SSWS``/``Basic`` credentials, secret-named fields in JSON, form bodies and
query strings (``access_token``, ``refresh_token``, ``client_secret``, ``client_assertion``,
``code_verifier``, ``api_key``, ...), PEM private keys, and every literal registered with
:func:`register_secret` or returned by a ``secrets_provider``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from auth.secrets import mask
from connector.definitions import WIRE_SECRET_FIELD_NAMES

REDACTED = "[redacted]"
WATCHED_LOGGERS = ("authlib", "httpx", "httpcore")
#: Each secret field name as it is spelled in snake_case bodies and in camelCase ones (``apiKey``).
SECRET_FIELD_NAMES = frozenset(
    spelling
    for name in WIRE_SECRET_FIELD_NAMES
    for spelling in (name, re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name))
)
_NAMES = "|".join(re.escape(n) for n in sorted(SECRET_FIELD_NAMES, key=len, reverse=True))
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S), REDACTED),
    (re.compile(r"\b(Bearer|SSWS|Basic)(\s*)[A-Za-z0-9._~+/=\-]{6,}", re.I), rf"\1\2{REDACTED}"),
    # JSON / Python reprs: "access_token": "abc"  or  'access_token': 'abc'
    (re.compile(rf"""(["'](?:{_NAMES})["']\s*:\s*)(["'])(?:(?!\2).)+\2"""), rf"\1\2{REDACTED}\2"),
    # forms and query strings: access_token=abc&...
    (re.compile(rf"(\b(?:{_NAMES})=)[^&\s'\"]+"), rf"\1{REDACTED}"),
)

_lock = threading.Lock()
_literals: set[str] = set()
_providers: list[Callable[[], Iterable[str]]] = []
_installed = False


def register_secret(*values: str | None) -> None:
    """Mask these exact values wherever they appear in a log record (short values are ignored)."""
    with _lock:
        _literals.update(v for v in values if isinstance(v, str) and len(v) >= 6)


def redact(text: str) -> str:
    """``text`` with every known secret and secret-looking credential replaced."""
    if not text:
        return text
    with _lock:
        literals = set(_literals)
        providers = list(_providers)
    for provider in providers:
        try:
            literals.update(v for v in provider() if isinstance(v, str) and len(v) >= 6)
        except Exception:  # a broken provider must not break logging
            continue
    for literal in sorted(literals, key=len, reverse=True):
        if literal in text:
            text = text.replace(literal, mask(literal) if len(literal) >= 24 else REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Replace the record's message, exception text and stack text with redacted versions, in place."""
    if getattr(record, "_connector_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep what logging would show, redacted
        message = f"{record.msg!r} % {record.args!r}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._connector_redacted = True
    return record


class RedactingFilter(logging.Filter):
    """A logging filter that redacts records instead of dropping them."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_redaction(secrets_provider: Callable[[], Iterable[str]] | None = None) -> None:
    """Redact secrets in every log record from now on. Safe to call more than once.

    Args:
        secrets_provider: called for each record; returns literal secrets to mask (e.g. the store's
            decrypted values). Providers accumulate across calls.
    """
    global _installed
    with _lock:
        if secrets_provider is not None and secrets_provider not in _providers:
            _providers.append(secrets_provider)
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(redacting_factory)
    for name in ("", *WATCHED_LOGGERS):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
