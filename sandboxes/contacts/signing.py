"""Webhook signatures: RSA-SHA256 (PKCS#1 v1.5) over the exact body bytes, base64 in ``x-wh-signature``.

HighLevel signs every webhook with its private key and publishes the public half in its webhook
authentication guide; receivers verify with that published key. The sandbox cannot sign with
HighLevel's key, so it signs with a fixed key pair of its own: the private key is
``webhook_signing_key.pem`` in this package (test infrastructure, public on purpose), and its public
half ships in the kit beside HighLevel's as :data:`connector.apps.contacts.webhook_signature.SANDBOX_PUBLIC_KEY_PEM`.
A connection to the real service trusts only HighLevel's key (see the deviations list).
"""

from __future__ import annotations

import base64
import binascii
import functools
from importlib import resources

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_HEADER = "x-wh-signature"


@functools.cache
def _sandbox_key() -> rsa.RSAPrivateKey:
    pem = resources.files("sandboxes.contacts").joinpath("webhook_signing_key.pem").read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


class WebhookSigner:
    """Signs deliveries with the sandbox's fixed key."""

    def __init__(self) -> None:
        self._private_key = _sandbox_key()
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
