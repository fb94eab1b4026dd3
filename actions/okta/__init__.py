"""Okta actions (creates, updates, deletes): one module per action,
assembled in connector/apps/okta/app.py."""
