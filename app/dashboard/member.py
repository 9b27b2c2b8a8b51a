"""A member's home: what a member comes for, on a phone, in large type — this
quarter's points and place in the branch, the branch's latest ranking put up for all
to see, and their own requests that are not finished — or, while their account is not
linked to the roster, whom to ask.

The figures come from the points services (the branch ranking), never a second count;
the requests from the request views, worded as the member would say them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.people.account_links import admins_to_ask
from app.points.periods import quarter_of
from app.points.service import OwnStanding, PointsService
from app.service_requests.requests.views import OwnRequest, RequestViews


@dataclass
class MemberHome:
    standing: OwnStanding | None
    """None while the account is linked to no person."""
    requests: list[OwnRequest] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    """Whom to ask to link the account (only when it is not linked)."""

    @property
    def objections_open(self) -> bool:
        """Whether the branch's latest ranking still takes objections today."""
        found = self.standing.publication if self.standing else None
        return bool(
            found and found.is_open and clock.today() <= found.publication.objections_close_on
        )


async def member_home(
    session: AsyncSession, points: PointsService, identity: Identity
) -> MemberHome:
    """The member's home, read in `session` (the request's transaction) as `points` is."""
    standing = await points.own_standing(identity, quarter_of(clock.today()))
    if standing is None:
        return MemberHome(None, admins=await admins_to_ask(session, identity.user_id))
    return MemberHome(standing, await RequestViews(session).own_unfinished(identity))
