"""Two-way sync: keep one app's records equal to another app's, field by field, with an audit log.

``spec`` says what a sync is (two sides, a field map with directions, rules for new and deleted
records) and checks it against the record types; ``clock`` measures each vendor's clock offset from
its ``Date`` header; ``merge`` decides, for one pair of records, what to write where and why; ``store``
keeps syncs, links, write-ahead intents, cursors and the audit log; ``engine`` runs a cycle.
"""
