"""Okta triggers (poll and hook variants), assembled in connector/apps/okta/app.py."""
