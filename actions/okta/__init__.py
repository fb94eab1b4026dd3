"""Okta actions and searches: one module per operation, assembled in connector/apps/okta.py."""
