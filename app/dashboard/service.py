"""What each role sees first after logging in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.accounts.users.service import AccountService
from app.core.identity import Identity
from app.core.roles import Role
from app.dashboard.member import MemberHome, member_home
from app.dashboard.setup import SetupProgress, SetupService
from app.service_requests.views import RequestViews
from app.signup.service import TenancyService
from app.state import AppServices


@dataclass
class Dashboard:
    role_counts: dict[str, int] = field(default_factory=dict)
    pending_invitations: int = 0
    tenant_counts: dict[str, int] = field(default_factory=dict)
    recent_tenants: list[Any] = field(default_factory=list)
    request_counts: Any = None
    """Service requests open, overdue and waiting for this user (admins, secretaries)."""
    setup: SetupProgress | None = None
    """The district's first steps (administrators)."""
    member: MemberHome | None = None
    """A member's own points, branch ranking and requests."""


async def build_dashboard(services: AppServices, identity: Identity) -> Dashboard:
    board = Dashboard()
    if identity.is_platform:
        async with services.db.unit() as session:
            tenancy = TenancyService(session, services.redis, services.settings.auth)
            board.tenant_counts = await tenancy.status_counts(identity)
            board.recent_tenants = await tenancy.tenants_for(identity, limit=10)
    elif Role.TENANT_ADMIN in identity.roles:
        async with services.db.unit() as session:
            accounts = AccountService(session)
            board.role_counts, board.pending_invitations = await accounts.account_summary()
        board.setup = await SetupService(services).progress(identity.user_id)
    if Role.MEMBER in identity.roles:
        board.member = await member_home(services, identity)
    if identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY}:
        board.request_counts = await RequestViews(services).dashboard_counts(identity)
    return board
