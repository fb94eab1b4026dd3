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

SIGNATURE_HEADER = "x-wh-signature"
MAX_AGE_SECONDS = 300.0

#: HighLevel's published webhook key (its webhook authentication guide, docs/oauth/WebhookAuthentication.md
#: in GoHighLevel/highlevel-api-docs). HighLevel announces rotations by email; update this key then.
HIGHLEVEL_PUBLIC_KEY_PEM = b"""\
-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----
"""

#: The Contacts sandbox's fixed signing key (its private half is in the sandbox package). Trusted only
#: by connections to a base URL other than HighLevel's, so it can never vouch for a production delivery.
SANDBOX_PUBLIC_KEY_PEM = b"""\
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Y598dHt9TGFqJqTVA6X
olofvVWR7NVyPAd88YOZ2x5OMR9SQ3dPlHmofKillOAbv6WNp7/NYRH5jVglliTm
jSTZPmPh5cW5MTHNKhtF3WFJIIWnzgc9NIFT0QMlxdE0xXPhYWlWfoCBOFzzokPw
76RPQOHczgeISITZ3G9kDD1AOEaYCAfxbZyeO4G3NY20m+FTw5yLl5ny798EH8dC
1VWYrEnoWvO9e5tYeSygS1od+O+KizAOaJc7ZmyoFhqiF2oEW1WKfLEyXkq1Eqbo
kUpiYqXoRx3BhLBA3tJkY7gPl5XbowTRKua7v3RqVreC8adQKmzH1aIF0xgamwy7
+wIDAQAB
-----END PUBLIC KEY-----
"""


def signature_is_valid(body: bytes, signature: str | None, public_key_pem: str | bytes | None) -> bool:
    """True when ``signature`` is HighLevel's RSA-SHA256 signature of ``body``; never raises."""
    # Imported on first use: loading the app (``connector validate``, ``--help``) needs none of it.
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

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
