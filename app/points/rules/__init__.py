"""Point rules (积分细则): rule sets as plain data and their checks (spec), which
version is in force on a day (versions), and the district admin's editor — the
versions, the one draft and its edits (service), its what-if and activation
(activation), with their forms, routes and templates."""
