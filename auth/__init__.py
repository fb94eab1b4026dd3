"""Auth handlers per app (``auth.okta``, ``auth.contacts``), the OAuth flow and the encrypted store."""
