"""Points (积分管理): the ledger of each party member's points, and what reads it.

This package holds what every part of points shares — the tables (models), the ledger
and its checks (ledger), how caps count (tally), quarters and half-years (periods),
rankings in SQL (standings), how a number of points is written (numbers) — and the
pages that read the ledger: the district's branches, a branch's ranking, a member's
points and the branch ledger (service, routes, export). The three ways the ledger is
defined, fed and made public are sub-packages: `rules/` (versions and the draft
editor), `claims/` (claims and awards) and `publications/` (公示 of a half-year's
ranking). `routes.ROUTES` lists every points page.
"""
