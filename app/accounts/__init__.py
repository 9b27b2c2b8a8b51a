"""Accounts: who may log in and how. Logging in and one's own account (`login/`), a
district admin's accounts list (`users/`), invitations by one-time link
(`invitations/`), reset links and changing one's password (`passwords/`); below them
the account models, argon2 hashing, one-time link tokens and login throttling, which
the sub-packages share. `routes.py` gathers the sub-packages' routes.
"""
