"""What each role sees first after logging in: one board, read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.charts import Chart
from app.core.identity import Identity
from app.core.roles import Role
from app.dashboard.member import MemberHome, member_home
from app.dashboard.setup import SetupProgress, SetupService
from app.dashboard.work import Work, work, work_charts
from app.orglife.owed.service import BranchOwed, OwedService
from app.points.service import PointsService
from app.signup.service import TenancyService


@dataclass
class Dashboard:
    kind: str
    """Which board: "platform" (signups and districts), "district" (the administrator's
    first steps and the district's work), "branch" (a secretary's work), "member"
    (their points and requests) or "welcome"."""
    tenant_counts: dict[str, int] = field(default_factory=dict)
    recent_tenants: list[Any] = field(default_factory=list)
    work: Work | None = None
    """What waits: overdue must-visits, claims, requests (admins, secretaries)."""
    charts: list[Chart] = field(default_factory=list)
    """Visits per month, requests in time, points participation (admins, secretaries)."""
    setup: SetupProgress | None = None
    """The district's first steps (administrators)."""
    member: MemberHome | None = None
    """A member's own points, branch ranking and requests."""
    owed: list[BranchOwed] = field(default_factory=list)
    """The branches behind with their meetings this year (admins, secretaries)."""


def board_kind(identity: Identity) -> str:
    if identity.is_platform:
        return "platform"
    if Role.TENANT_ADMIN in identity.roles:
        return "district"
    if Role.BRANCH_SECRETARY in identity.roles:
        return "branch"
    if Role.MEMBER in identity.roles:
        return "member"
    return "welcome"


class DashboardService:
    """The board, from the services of the capabilities it shows, all on `session`."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        tenancy: TenancyService,
        points: PointsService,
        cache: Redis | None = None,
    ) -> None:
        self.session = session
        self.tenancy = tenancy
        self.points = points
        self.cache = cache
        """Where the charts' figures are kept a while (app.dashboard.work)."""

    async def board(self, identity: Identity) -> Dashboard:
        board = Dashboard(board_kind(identity))
        if board.kind == "platform":
            board.tenant_counts = await self.tenancy.status_counts(identity)
            board.recent_tenants = await self.tenancy.tenants_for(identity, limit=10)
        elif board.kind == "district":
            board.setup = await SetupService(self.session).progress(identity.user_id)
        if board.kind in ("district", "branch"):
            board.work = await work(self.session, identity)
            board.charts = await work_charts(self.session, identity, self.cache)
            board.owed = await OwedService(self.session).overdue_now(identity)
        if Role.MEMBER in identity.roles and board.kind in ("member", "branch"):
            board.member = await member_home(self.session, self.points, identity)
        return board
