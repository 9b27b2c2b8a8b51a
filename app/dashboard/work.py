"""The work on the homes of the district admin and the branch secretaries: what waits
(must-visits overdue, claims to decide, requests overdue or due soon — each a link to
the list of them) and three charts (visits per month by kind, requests resolved in
time per month, points participation per branch), all within the account's scope:
the admin's district, a secretary's branch.

A hot page. The counts are read afresh every time: one statement of two scalar
subqueries, and the request counts the due list already runs. The charts' figures
are one aggregate statement each, but over a year of visits and a quarter's points
(hundreds of milliseconds in a district of 40,000, bench/home.py): they are kept in
Valkey for CHARTS_SECONDS per district, scope and day, and read afresh when Valkey
cannot answer.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.charts import Chart
from app.core.identity import Identity
from app.grid.coverage.charts import VisitMonths, visits_by_month
from app.grid.visits.due_list import overdue_count
from app.points.claims.lists import waiting_count
from app.points.participation import BranchParticipation, Participation, participation
from app.points.periods import quarter, quarter_of
from app.service_requests.compliance.charts import by_month_chart
from app.service_requests.compliance.service import MonthCompliance, compliance_by_month
from app.service_requests.requests.views import RequestCounts, RequestViews

CHARTS_SECONDS = 600
"""How long a home's chart figures are kept: a visit logged now shows in the chart
within ten minutes; what waits (the counts) shows at once."""


@dataclass(frozen=True)
class Work:
    overdue_visits: int
    """Must-visits past their deadline in the grids this account sees."""
    claims_waiting: int | None
    """Claims waiting for this account's decision (None: it decides none)."""
    requests: RequestCounts


async def work(session: AsyncSession, identity: Identity) -> Work:
    now = clock.now()
    overdue = overdue_count(identity.scope, now).scalar_subquery()
    claims = waiting_count(identity)
    if claims is None:
        (visits,) = (await session.execute(select(overdue))).one()
        waiting = None
    else:
        visits, waiting = (await session.execute(select(overdue, claims.scalar_subquery()))).one()
    requests = await RequestViews(session).dashboard_counts(identity)
    return Work(overdue_visits=visits, claims_waiting=waiting, requests=requests)


@dataclass(frozen=True)
class Figures:
    """What the home's charts are drawn from (kept as JSON, in no language)."""

    visits: VisitMonths
    sla: list[MonthCompliance]
    points: Participation

    def charts(self) -> list[Chart]:
        return [self.visits.chart(), by_month_chart(self.sla), self.points.chart()]

    def dumps(self) -> str:
        return json.dumps({
            "visits": {"months": [m.isoformat() for m in self.visits.months],
                       "counts": self.visits.counts},
            "sla": [[m.month.isoformat(), m.count, m.within, m.late] for m in self.sla],
            "points": {"quarter": [self.points.period.year, self.points.period.index],
                       "branches": [[str(b.branch_id), b.name, b.members, b.took_part]
                                    for b in self.points.branches]},
        })  # fmt: skip

    @classmethod
    def loads(cls, text: str | bytes) -> Figures:
        data: dict[str, Any] = json.loads(text)
        visits, points = data["visits"], data["points"]
        return cls(
            VisitMonths([date.fromisoformat(m) for m in visits["months"]], visits["counts"]),
            [MonthCompliance(date.fromisoformat(m), *rest) for m, *rest in data["sla"]],
            Participation(
                quarter(*points["quarter"]),
                [BranchParticipation(UUID(b), name, members, took_part)
                 for b, name, members, took_part in points["branches"]],
            ),
        )  # fmt: skip


async def figures(session: AsyncSession, identity: Identity) -> Figures:
    """The charts' figures, read from the database."""
    today = clock.today()
    return Figures(
        await visits_by_month(session, identity.scope, today),
        await compliance_by_month(session, identity),
        await participation(session, identity.scope, quarter_of(today)),
    )


def cache_key(identity: Identity, today: date) -> str:
    """Per district and day: the whole district's for everyone who sees all of it,
    else the account's own (the requests it sees include those assigned to it), with
    its scope, so a secretary given another branch sees that branch's figures at once."""
    if identity.scope.everyone:
        return f"home-charts:{identity.tenant_id}:{today.isoformat()}:all"
    scope = identity.scope
    parts = [
        str(identity.user_id),
        *sorted(map(str, scope.units)),
        "|",
        *sorted(map(str, scope.grids)),
    ]
    who = hashlib.sha256(",".join(parts).encode()).hexdigest()[:24]
    return f"home-charts:{identity.tenant_id}:{today.isoformat()}:{who}"


async def work_charts(
    session: AsyncSession, identity: Identity, cache: Redis | None = None
) -> list[Chart]:
    """Visits per month by kind, the share of requests resolved in time per month, and
    this quarter's points participation per branch — from Valkey when kept there."""
    if cache is None:
        return (await figures(session, identity)).charts()
    key = cache_key(identity, clock.today())
    try:
        kept = await cache.get(key)
    except RedisError:
        kept = None
    if kept is not None:
        return Figures.loads(kept).charts()
    found = await figures(session, identity)
    with suppress(RedisError):  # the page is whole without the cache
        await cache.set(key, found.dumps(), ex=CHARTS_SECONDS)
    return found.charts()
