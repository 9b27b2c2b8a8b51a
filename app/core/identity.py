"""Who is asking, as plain data: built once per request (app.web.identity loads it)
and handed to the services, which never look it up again.

It carries what the data scope needs — the units the account's person leads and the
grids it works — so `identity.scope` is a computation, not a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from uuid import UUID

from app.core.roles import Role
from app.core.scope import Scope


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user, platform staff, a signup applicant, or the system."""

    kind: str
    name: str
    id: UUID | None = None


SYSTEM = Actor("system", "系统")
UNREAD_SHOWN = 99
"""The header's count stops here ("99+"): counting further costs a page more."""


@dataclass(frozen=True)
class Identity:
    """The logged-in account: who, in which district, with which roles, leading which
    units and working which grids."""

    user_id: UUID
    name: str
    roles: frozenset[str]
    tenant_id: UUID | None = None
    tenant_name: str | None = None
    province_code: str | None = None
    person_id: UUID | None = None
    """The roster person linked to this account, if any."""
    led_units: frozenset[UUID] = frozenset()
    """Live org units whose leader is this account's person."""
    grids: frozenset[UUID] = frozenset()
    """Live grids this account works as a grid worker."""
    unread: int = 0
    """Unread notices in the inbox, counted up to UNREAD_SHOWN + 1 (the header shows
    "99+" beyond): read with the identity, in the same statement."""
    led_teams: frozenset[UUID] = frozenset()
    """Live volunteer teams whose leader (still in it) is this account's person: they
    record the activities of these teams and their sub-teams."""
    session_id: str = field(default="", repr=False)

    @property
    def is_platform(self) -> bool:
        return self.tenant_id is None

    def has_any(self, roles: frozenset[str] | set[str]) -> bool:
        return bool(self.roles & roles)

    @property
    def leads_volunteers(self) -> bool:
        """The district admin, or a volunteer team's leader: those who run volunteering
        (the volunteering menu shows to them only)."""
        return Role.TENANT_ADMIN in self.roles or bool(self.led_teams)

    @property
    def actor(self) -> Actor:
        return Actor("platform" if self.is_platform else "user", self.name, self.user_id)

    @cached_property
    def scope(self) -> Scope:
        """Whose people this account may see (app.core.scope)."""
        if Role.TENANT_ADMIN in self.roles:
            return Scope.EVERYONE
        return Scope(units=self.led_units, grids=self.grids)
