"""The floor of GET /grid: the grid worker's due list as a hand-written page.

It reads the request's session that the app's middleware opened (its one transaction
has the tenant set and the identity loaded), runs ONE statement that returns the
list's lines — each person's own items, and a holiday's items as one line with its
count — and renders the same template with the same context, so it answers with the
same HTML as GET /grid for the same worker (checked byte for byte by bench.grid in every
run, and in tests/service/test_bench_grid.py). What GET /grid spends beyond it is the
cost of the product's code, not of the work the page has to do.

It serves a worker with one grid and no led units (the bench's workers): no grid
picker, no `?grid=` or `?holiday=`. It shows no service-request line: the bench
district has no requests, which the byte-for-byte check confirms each run.

Mounted by the bench on the real app (`with_floor(create_app())`), never in app/.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Litestar, Request, get
from litestar.response import Template
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.grid.due import HORIZON_DAYS, MISSED_AFTER_DAYS
from app.web.guards import allow, may_open
from app.web.responses import render
from bench.grid_data import freeze_clock

FLOOR_PATH = "/grid/floor"
"""Under /grid, so that both menus mark the same place as for GET /grid."""

# The open items of enabled rules of the people now in the grids $1, opening within the
# horizon ($2), not yet missed ($3): own items one by one, a holiday's (same rule and
# deadline) as one line — the first of its people in the list's order — with a count.
LINES = """
with due as (
    select r.id as rule_id, p.id as person_id, p.name, p.phone, p.address,
           r.name as rule_name, r.trigger, d.opens_on, d.due_at, g.name as grid_name, p.sort_key,
           d.occasion, p.birth_date, p.party_joined_on, p.married_on
      from grid_assignments a
      join grids g on g.tenant_id = a.tenant_id and g.id = a.grid_id
      join people p on p.tenant_id = a.tenant_id and p.id = a.person_id
                   and p.deceased_on is null
      join visit_due_items d on d.tenant_id = a.tenant_id and d.person_id = a.person_id
                            and d.visit_id is null and d.opens_on <= $2 and d.due_at > $3
      join visit_rules r on r.tenant_id = d.tenant_id and r.id = d.rule_id and r.enabled
     where a.grid_id = any($1::uuid[]) and a.ends_at is null
)
select * from (
    select *, null::bigint as people from due where trigger <> 'holiday'
    union all
    (select distinct on (rule_id, due_at) *, count(*) over (partition by rule_id, due_at)
       from due where trigger = 'holiday'
      order by rule_id, due_at, sort_key)
) lines
order by due_at, sort_key"""


@get(FLOOR_PATH, opt=allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER))
async def due_floor(request: Request[Any, Any, Any]) -> Template:
    identity: Identity = request.scope["user"]
    session: AsyncSession = request.scope["state"]["db_session"]
    grids = sorted(identity.scope.grids)
    if len(grids) != 1 or identity.scope.units:
        raise RuntimeError("the floor serves a grid worker with one grid and no led units")
    now = clock.now()
    today = now.astimezone(clock.CHINA_TIME).date()
    connection = await session.connection()
    horizon, missed = today + timedelta(days=HORIZON_DAYS), now - timedelta(days=MISSED_AFTER_DAYS)
    lines = (await connection.exec_driver_sql(LINES, (grids, horizon, missed))).all()
    return render(request, "grid/due.html", due_context(request, identity, grids, lines, now))


def due_context(
    request: Request[Any, Any, Any],
    identity: Identity,
    grids: list[UUID],
    lines: Sequence[Row[Any]],
    now: datetime,
) -> dict[str, Any]:
    """What GET /grid hands its template for a worker with one grid (app/grid/routes.py,
    `due_list`), built from the floor's lines. The floor's one coupling to the grid
    page's code: re-check it when that code moves."""
    from app.grid.visits.due_list import SECTIONS, DueList, DueRow, HolidayGroup, section

    today = now.date()
    rows: dict[str, list[DueRow]] = {key: [] for key in SECTIONS}
    groups: dict[str, list[HolidayGroup]] = {key: [] for key in SECTIONS}
    for line in lines:
        row = DueRow(
            *tuple(line)[:10], occasion=line.occasion, born=line.birth_date,
            joined=line.party_joined_on, married=line.married_on,
        )  # fmt: skip
        place = section(row, now, today)
        if line.people is None:
            rows[place].append(row)
        else:
            groups[place].append(HolidayGroup(row.rule_id, row.rule_name, line.people, row))
    due = DueList(
        grids=[], chosen=grids, overdue=rows["overdue"], this_week=rows["this_week"],
        later=rows["later"], not_open=rows["not_open"], holidays_overdue=groups["overdue"],
        holidays_this_week=groups["this_week"], holidays_later=groups["later"],
        holidays_not_open=groups["not_open"],
    )  # fmt: skip
    return {
        "due": due, "request_counts": {"open": 0, "overdue": 0, "waiting": 0}, "grid": None,
        "may_add_grid": may_open(request, "/grid/grids/new"),
        "works_grids": Role.GRID_WORKER in identity.roles,
    }  # fmt: skip


def with_floor(app: Litestar) -> Litestar:
    app.register(due_floor)
    return app


def bench_app() -> Litestar:
    """uvicorn's factory in each worker process: the app with the floor, on the bench day."""
    from app.main import create_app

    freeze_clock()
    return with_floor(create_app())
