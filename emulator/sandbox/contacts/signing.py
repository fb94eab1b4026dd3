"""Webhook signatures: RSA-SHA256 (PKCS#1 v1.5) over the exact body bytes, base64 in ``x-wh-signature``.

HighLevel signs every webhook with its own private key and publishes the public key; receivers verify
with that key. The sandbox makes a fresh 2048-bit key once per process (nothing secret is checked in,
and test suites that build many sandboxes do not pay for a key each), and publishes the public half at
``GET /.well-known/webhook-public-key.pem``.
"""

from __future__ import annotations

import base64
import binascii
import functools

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_HEADER = "x-wh-signature"


@functools.cache
def _process_key(key_size: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


class WebhookSigner:
    """Holds the sandbox's signing key for its lifetime."""

    def __init__(self, key_size: int = 2048) -> None:
        self._private_key = _process_key(key_size)
        self.public_key_pem: bytes = self._private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, body: bytes) -> str:
        """Base64 signature of ``body`` exactly as it goes on the wire."""
        signature = self._private_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


def verify_webhook_signature(body: bytes, signature: str, public_key_pem: bytes) -> bool:
    """True when ``signature`` (the ``x-wh-signature`` header) matches ``body`` under the public key.

    Receivers must pass the raw body bytes: re-serialised JSON will not match. A malformed signature or
    key counts as a mismatch rather than an exception, so a receiver can simply reject the delivery.
    """
    try:
        key = serialization.load_pem_public_key(public_key_pem)
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, TypeError, binascii.Error):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(raw, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
