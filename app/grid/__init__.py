"""Grid service (网格服务): grids and who works them, household assignment (定人包户),
the must-visit rules (四必访 / 五个必访) and the due items they write, visits with the
four knows (四个知道), concerns, coverage and the worker's calendar.

At the top, what every part stands on: the tables (models), who sees which people and
grids (scope), the calendar arithmetic of the rules (occasions), the due items they
write (due) and the nightly job that writes them (jobs) — also used by the capabilities
above (the roster writes items as people change). Each sub-package keeps its routes,
service, forms and templates side by side: visits (the worker's phone: due list,
visits, person card, concerns), grids, assignment, rules, coverage (with the
calendar). app.grid.routes gathers their routes.
"""
