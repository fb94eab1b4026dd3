"""Okta searches: one module per search, assembled in connector/apps/okta/app.py."""
