"""Personio actions (creates, updates, deletes): one module per action,
assembled in connector/apps/personio/app.py."""
