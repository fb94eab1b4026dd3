"""Contacts searches: one module per search, assembled in connector/apps/contacts/app.py."""
