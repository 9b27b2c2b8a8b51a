"""A district admin's accounts: who can log in with which roles, disabling and
enabling, and one account's page with what has been done to it."""
