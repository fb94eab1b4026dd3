"""Checks that a webhook delivery really comes from HighLevel and is fresh.

HighLevel signs the exact body bytes with RSA-SHA256 (PKCS#1 v1.5) and sends the base64 signature in
``x-wh-signature``; receivers verify with HighLevel's public key and drop deliveries older than five
minutes, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_HEADER = "x-wh-signature"
#: Where the public key is published (HighLevel documents a fixed key; the sandbox serves its own here).
PUBLIC_KEY_PATH = "/.well-known/webhook-public-key.pem"
MAX_AGE_SECONDS = 300.0


def signature_is_valid(body: bytes, signature: str | None, public_key_pem: str | bytes | None) -> bool:
    """True when ``signature`` is HighLevel's RSA-SHA256 signature of ``body``; never raises."""
    if not signature or not public_key_pem:
        return False
    pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
    try:
        key = serialization.load_pem_public_key(pem)
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(raw, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def epoch_seconds(iso: str) -> float:
    """Seconds since the epoch for HighLevel's ISO 8601 times (``2026-01-05T09:30:00.000Z``)."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def is_fresh(body: bytes, now: float | None = None, max_age: float = MAX_AGE_SECONDS) -> bool:
    """Whether the payload's ``timestamp`` is within ``max_age`` seconds of now (either way)."""
    try:
        payload = json.loads(body)
        sent = epoch_seconds(str(payload["timestamp"]))
    except (ValueError, KeyError, TypeError):
        return False
    current = time.time() if now is None else now
    return abs(current - sent) <= max_age
