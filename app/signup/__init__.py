"""Signup of a district bureau, and its approval by the province or the platform
operator: a pending district with its first administrator, then a decision that
activates it (with its first point rules) or rejects it with a reason."""
