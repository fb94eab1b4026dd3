"""Authlib, imported in one place and only when OAuth or private-key JWT code actually runs.

Importing authlib costs every command about 60 ms and installs an "always" warnings filter for its
deprecation notices, so API-key and token-auth connections (``connector validate``, most polls) must
never load it. Modules that need it call :func:`authlib_parts` inside the function that uses it.
"""

from __future__ import annotations

import functools
import warnings
from types import SimpleNamespace


@functools.cache
def authlib_parts() -> SimpleNamespace:
    """The authlib pieces the kit uses: the httpx OAuth client, its error, JWKs, private-key JWT, PKCE.

    Authlib 1.x points to joserfc and httpx2 as successors and says so with deprecation warnings on
    import; the APIs used here are stable throughout 1.x, so those warnings are silenced here only.
    """
    with warnings.catch_warnings():
        import authlib.deprecate  # noqa: F401  (installs an "always" filter that the next line overrides)

        warnings.simplefilter("ignore", DeprecationWarning)
        import authlib.integrations.httpx_client as httpx_client
        import authlib.jose as jose
        import authlib.oauth2.rfc7523 as rfc7523
        import authlib.oauth2.rfc7636 as rfc7636
    return SimpleNamespace(
        OAuth2Client=httpx_client.OAuth2Client,
        OAuthError=httpx_client.OAuthError,
        JsonWebKey=jose.JsonWebKey,
        PrivateKeyJWT=rfc7523.PrivateKeyJWT,
        create_s256_code_challenge=rfc7636.create_s256_code_challenge,
    )
