"""Contacts (HighLevel) triggers: one module per trigger, each with a poll and an instant (webhook) variant."""
