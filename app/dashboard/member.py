"""A member's home: what a member comes for, on a phone, in large type — this
quarter's points and place in the branch, the branch's latest ranking put up for all
to see, and their own requests that are not finished — or, while their account is not
linked to the roster, whom to ask.

The figures come from the points services (the branch ranking), never a second count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from app.core import clock
from app.core.identity import Identity
from app.i18n import N_, _
from app.people.account_links import admins_to_ask
from app.people.models import Person
from app.points.periods import quarter_of
from app.points.service import OwnStanding, PointsService
from app.service_requests.models import RequestStatus, ServiceRequest
from app.service_requests.queries import rows_query
from app.state import AppServices

REQUEST_LIMIT = 10

# A request's status as the person it is for would say it. With the name of who has
# it where there is one: "已安排王师傅办理" tells a member more than "已分派".
STATUS_WORDS: dict[str, str] = {
    RequestStatus.NEW: N_("Received; someone is being found to take care of it"),
    RequestStatus.RESOLVED: N_("Done. Please confirm whether it is fixed"),
    RequestStatus.REOPENED: N_("Being taken care of again"),
}
STATUS_WORDS_WITH_NAME: dict[str, str] = {
    RequestStatus.ASSIGNED: N_("%(name)s will take care of it"),
    RequestStatus.IN_PROGRESS: N_("%(name)s is taking care of it"),
    RequestStatus.REOPENED: N_("%(name)s is taking care of it again"),
}
BEING_HANDLED = N_("Being taken care of")


@dataclass(frozen=True)
class OwnRequest:
    id: UUID
    category: str
    description: str
    status: str
    assignee: str | None
    created_at: datetime

    @property
    def status_words(self) -> str:
        """Translated when read, so read it while rendering."""
        if self.assignee and self.status in STATUS_WORDS_WITH_NAME:
            return _(STATUS_WORDS_WITH_NAME[self.status], name=self.assignee)
        return _(STATUS_WORDS.get(self.status, BEING_HANDLED))

    @property
    def waits_for_member(self) -> bool:
        return self.status == RequestStatus.RESOLVED


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


async def member_home(services: AppServices, identity: Identity) -> MemberHome:
    standing = await PointsService(services).own_standing(identity, quarter_of(clock.today()))
    if standing is None:
        async with services.db.session() as session:
            return MemberHome(None, admins=await admins_to_ask(session, identity.user_id))
    return MemberHome(standing, await own_requests(services, identity))


async def own_requests(services: AppServices, identity: Identity) -> list[OwnRequest]:
    """The requests logged for the member themself and not yet confirmed, newest first
    (not those of people they may see as a group's leader)."""
    query = (
        rows_query(
            Person.user_id == identity.user_id,
            ServiceRequest.status != RequestStatus.CONFIRMED,
        )
        .order_by(ServiceRequest.created_at.desc())
        .limit(REQUEST_LIMIT)
    )
    async with services.db.session() as session:
        rows = await session.execute(query)
        return [
            OwnRequest(r.id, category, r.description, r.status, assignee, r.created_at)
            for r, _person, _phone, category, assignee in rows
        ]
