"""Key pairs for apps whose connections sign their own token requests (``private_key_jwt`` clients).

An app declares this by a ``private_key`` field in its :class:`~connector.definitions.AuthSpec`
(:data:`connector.definitions.KEY_PAIR_FIELD`); ``connector keys keypair APP`` then generates the pair,
keeps the private key in an owner-only file, and prints the public JWK to register with the vendor.
"""

from __future__ import annotations

from typing import Any

from auth.authlib_parts import authlib_parts


def generate_keypair() -> tuple[str, dict[str, Any]]:
    """A new RSA-2048 key pair: (private key PEM, public JWK with ``kid``) to register with the app."""
    key = authlib_parts().JsonWebKey.generate_key("RSA", 2048, is_private=True)
    private_pem = key.as_pem(is_private=True).decode()
    public = key.as_dict(is_private=False)
    public.setdefault("kid", key.thumbprint())
    public.update({"use": "sig", "alg": "RS256"})
    return private_pem, public
