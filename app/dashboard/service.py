"""What each role sees first after logging in: one board, read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.users.service import AccountService
from app.core.identity import Identity
from app.core.roles import Role
from app.dashboard.member import MemberHome, member_home
from app.dashboard.setup import SetupProgress, SetupService
from app.i18n import N_
from app.points.service import PointsService
from app.service_requests.requests.views import RequestCounts, RequestViews
from app.signup.service import TenancyService

ACCOUNT_TILES = (
    (Role.TENANT_ADMIN, N_("Administrators")),
    (Role.BRANCH_SECRETARY, N_("Branch secretaries")),
    (Role.GRID_WORKER, N_("Grid workers")),
    (Role.MEMBER, N_("Members with accounts")),
)
"""The district administrator's tiles of active accounts, per role."""


@dataclass
class Dashboard:
    kind: str
    """Which board: "platform" (signups and districts), "district" (the administrator's
    accounts and first steps), "member" (their points and requests) or "welcome"."""
    account_tiles: list[tuple[int, str]] = field(default_factory=list)
    """Active accounts per role, with the tile's label (a msgid)."""
    pending_invitations: int = 0
    tenant_counts: dict[str, int] = field(default_factory=dict)
    recent_tenants: list[Any] = field(default_factory=list)
    request_counts: RequestCounts | None = None
    """Service requests open, overdue and waiting for this user (admins, secretaries)."""
    setup: SetupProgress | None = None
    """The district's first steps (administrators)."""
    member: MemberHome | None = None
    """A member's own points, branch ranking and requests."""


def board_kind(identity: Identity) -> str:
    if identity.is_platform:
        return "platform"
    if Role.TENANT_ADMIN in identity.roles:
        return "district"
    if Role.MEMBER in identity.roles:
        return "member"
    return "welcome"


class DashboardService:
    """The board, from the services of the capabilities it shows, all on `session`."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        accounts: AccountService,
        tenancy: TenancyService,
        points: PointsService,
    ) -> None:
        self.session = session
        self.accounts = accounts
        self.tenancy = tenancy
        self.points = points

    async def board(self, identity: Identity) -> Dashboard:
        board = Dashboard(board_kind(identity))
        if board.kind == "platform":
            board.tenant_counts = await self.tenancy.status_counts(identity)
            board.recent_tenants = await self.tenancy.tenants_for(identity, limit=10)
        elif board.kind == "district":
            per_role, board.pending_invitations = await self.accounts.account_summary()
            board.account_tiles = [(per_role.get(role, 0), label) for role, label in ACCOUNT_TILES]
            board.setup = await SetupService(self.session).progress(identity.user_id)
        elif board.kind == "member":
            board.member = await member_home(self.session, self.points, identity)
        if identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY}:
            board.request_counts = await RequestViews(self.session).dashboard_counts(identity)
        return board
