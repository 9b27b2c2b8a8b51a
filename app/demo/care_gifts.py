"""Demo political birthdays (政治生日): five party members of the grid worker's grids
have theirs from last week to three weeks on (their day of joining moved to fall there,
the year kept), with the gifts half done — all five for one, three for another, one
for a third, none yet for the rest — and a mobile member's parcel posted with a
tracking number. Ticked through the service, so the change log has them too."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from app.care.political_birthdays.calendar import anniversary
from app.care.political_birthdays.models import PoliticalBirthday
from app.care.political_birthdays.service import PoliticalBirthdayService
from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import require_tenant
from app.demo.roster import _user_with
from app.grid.models import GridAssignment, GridWorker
from app.people.models import Person
from app.state import AppServices

DAYS_FROM_TODAY = (-6, -2, 0, 4, 12)
"""Where the members' political birthdays fall; the mobile member's is three days ago."""
GIFTS_DONE = (("card", "badge", "book", "plate", "message"), ("card", "badge", "message"),
              ("message",), (), (), ())  # fmt: skip


async def has_care_gifts(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(PoliticalBirthday.id).limit(1)) is not None


def _joined_for(joined: date, days: int) -> date:
    """The day of joining moved (year kept) so its anniversary is `days` from today."""
    day = clock.today() + timedelta(days=days)
    return date(joined.year, day.month, min(day.day, 28))


async def seed_demo_care_gifts(services: AppServices) -> None:
    """Run inside the district's tenant scope, after the grid and thought reports."""
    today = clock.today()
    async with services.db.unit() as session:
        worker = (await session.execute(_user_with(Role.GRID_WORKER))).one()
        grids = select(GridWorker.grid_id).where(GridWorker.user_id == worker.id)
        served = select(GridAssignment.person_id).where(
            GridAssignment.grid_id.in_(grids), GridAssignment.ends_at.is_(None)
        )
        living = (Person.party_member, Person.party_joined_on < date(today.year - 1, 1, 1),
                  Person.deceased_on.is_(None))  # fmt: skip
        people = list(await session.scalars(
            select(Person).where(*living, Person.id.in_(served), ~Person.mobile)
            .order_by(Person.sort_key).limit(len(DAYS_FROM_TODAY))
        ))  # fmt: skip
        mobile = await session.scalar(select(Person).where(*living, Person.mobile).limit(1))
        chosen = [*people, *([mobile] if mobile is not None else [])]
        for person, days in zip(chosen, (*DAYS_FROM_TODAY, -3), strict=False):
            assert person.party_joined_on is not None
            moved = _joined_for(person.party_joined_on, days)
            await session.execute(
                update(Person).where(Person.id == person.id).values(party_joined_on=moved)
            )
            person.party_joined_on = moved
    # The worker's name on the ticks; the admin's reach, so the demo needs no scope.
    worker_identity = Identity(
        worker.id, worker.name, frozenset({Role.TENANT_ADMIN}), tenant_id=require_tenant()
    )
    async with services.db.unit() as session:
        birthdays = PoliticalBirthdayService(session)
        for person, gifts in zip(people, GIFTS_DONE, strict=False):
            assert person.party_joined_on is not None
            year = str(anniversary(today.year, person.party_joined_on).year)
            for gift in gifts:
                await birthdays.tick(worker_identity, person.id, {"year": year, "gift": gift})
        if mobile is not None:
            parcel = {"year": str(today.year), "gift_card": "1", "gift_badge": "1",
                      "gift_book": "1", "tracking_number": "SF1402366857921",
                      "posted_on": str(today - timedelta(days=5))}  # fmt: skip
            await birthdays.post(worker_identity, mobile.id, parcel)
