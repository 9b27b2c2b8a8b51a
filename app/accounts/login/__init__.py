"""Logging in (with throttling, and a choice of district for a phone number that has
accounts in several), logging out, and one's own account page."""
