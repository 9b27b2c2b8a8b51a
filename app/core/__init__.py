"""The core every capability stands on, and which knows none of them: the clock,
errors, identity and data scope as plain data, forms, pagination, query strings.

Nothing here imports a capability (app.people, app.grid, …) or the web layer;
tests/unit/test_layers.py holds that.
"""
