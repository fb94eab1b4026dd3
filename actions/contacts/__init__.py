"""Contacts (HighLevel) actions and searches: one module per operation, assembled in connector/apps/contacts.py."""
