"""Contacts (HighLevel) actions (creates, updates, deletes): one module per action,
assembled in connector/apps/contacts/app.py."""
