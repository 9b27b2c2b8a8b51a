"""Forgotten and changed passwords: an admin's one-time reset link, and changing
one's own. Either ends the account's other sessions (the password version rises)."""
