"""An account's notice settings: which kinds of notice it can receive (from its roles),
the outside channels it chose for each, its quiet hours and email address.

The inbox gets every notice whatever is chosen here; these choices only add channels.
A channel the district has no gateway for (or email, when the site has no mail
server) cannot be ticked, and saving leaves what was chosen for it untouched, so the
kind's choice comes back as it was once the gateway is set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.core.roles import PLATFORM_ROLES, TENANT_ROLES, Role
from app.notifications.kinds import Channel, Kind
from app.notifications.models import ChannelEndpoint, NoticePreference
from app.notifications.outbox import chosen_channels
from app.notifications.preferences.forms import PreferenceForm
from app.settings import NotifySettings

DEFAULT_QUIET = (time(22), time(7))
ESCALATION_HOLDERS = frozenset({Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER})

AUDIENCE: dict[Kind, frozenset[str]] = {
    Kind.DIGEST: frozenset({Role.GRID_WORKER}),
    Kind.SLA_BREACH: ESCALATION_HOLDERS,
    Kind.REQUEST_REOPENED: ESCALATION_HOLDERS,
    Kind.CLAIM_DECIDED: frozenset(TENANT_ROLES),
    Kind.OBJECTION_ANSWERED: frozenset(TENANT_ROLES),
    Kind.PUBLICATION: frozenset(TENANT_ROLES),
    Kind.SIGNUP: PLATFORM_ROLES,
    Kind.ROSTER_IMPORT: frozenset({Role.TENANT_ADMIN}),
    Kind.REPORT_READY: frozenset({Role.TENANT_ADMIN, Role.BRANCH_SECRETARY}),
    Kind.WEEKLY_SUMMARY: frozenset({Role.TENANT_ADMIN}),
    # Told to whoever leads the person's branch or group, else the admins: like an
    # escalation level, anyone whose person leads a unit.
    Kind.VISIT_FOLLOW_UP: ESCALATION_HOLDERS,
    Kind.MEETING_PLANNED: frozenset(TENANT_ROLES),  # any account may be a branch's member
}
"""Who can be sent each kind (issue 13, "What sends what"), so the settings page shows
a person only the kinds that can reach them. Anyone may claim points or be a branch
member, whatever else they do; an account whose person leads a unit holds an
escalation level whatever its roles."""


def kinds_for(identity: Identity) -> list[Kind]:
    """The kinds of notice this account can receive, in the order of `Kind`."""
    return [
        kind
        for kind in Kind
        if identity.has_any(AUDIENCE[kind])
        or (identity.led_units and AUDIENCE[kind] == ESCALATION_HOLDERS)
    ]


@dataclass(frozen=True)
class Settings:
    kinds: list[Kind]
    chosen: dict[Kind, frozenset[Channel]]
    offered: list[Channel]
    """The channels that can be ticked, in the page's order."""
    missing: list[Channel]
    """Channels shown as not available here (no gateway, or no mail server)."""
    quiet_start: time
    quiet_end: time
    email: str


class PreferenceService:
    def __init__(self, session: AsyncSession, settings: NotifySettings) -> None:
        self.session = session
        self.settings = settings

    async def current(self, identity: Identity) -> Settings:
        """The account's choices as the page shows them (defaults where none)."""
        choice = await self._choice(identity)
        offered, missing = await self._channels()
        kinds = kinds_for(identity)
        start, end = (choice.quiet_start, choice.quiet_end) if choice else DEFAULT_QUIET
        return Settings(
            kinds=kinds,
            chosen={kind: chosen_channels(choice, kind) for kind in kinds},
            offered=offered,
            missing=missing,
            quiet_start=start,
            quiet_end=end,
            email=(choice.email or "") if choice else "",
        )

    async def save(self, identity: Identity, form: PreferenceForm) -> None:
        """Store the choices of the kinds shown; a channel that could not be ticked
        keeps what it was, and kinds not shown keep theirs."""
        choice = await self._choice(identity)
        offered, _missing = await self._channels()
        channels = dict(choice.channels) if choice else {}
        for kind, ticked in form.channels.items():
            kept = chosen_channels(choice, kind) - set(offered)
            channels[str(kind)] = sorted(str(channel) for channel in ticked | kept)
        email = form.email if form.email is not None else (choice.email if choice else None)
        values = {
            "tenant_id": identity.tenant_id,
            "email": email or None,
            "quiet_start": form.quiet_start,
            "quiet_end": form.quiet_end,
            "channels": channels,
            "updated_at": clock.now(),
        }
        await self.session.execute(
            insert(NoticePreference)
            .values(account_id=identity.user_id, **values)
            .on_conflict_do_update(index_elements=[NoticePreference.account_id], set_=values)
        )

    async def _choice(self, identity: Identity) -> NoticePreference | None:
        return await self.session.scalar(
            select(NoticePreference).where(NoticePreference.account_id == identity.user_id)
        )

    async def _channels(self) -> tuple[list[Channel], list[Channel]]:
        """(offered, missing): SMS and WeChat where the district (or the platform, for
        its own accounts) has a gateway; email where the site has a mail server."""
        gateways = set(await self.session.scalars(select(ChannelEndpoint.channel)))
        available = {
            Channel.SMS: Channel.SMS in gateways,
            Channel.WECHAT: Channel.WECHAT in gateways,
            Channel.EMAIL: bool(self.settings.smtp_host),
        }
        return (
            [channel for channel, there in available.items() if there],
            [channel for channel, there in available.items() if not there],
        )
