"""Demo data for the care calendar: wedding days for some of the demo roster (two of
them golden or diamond in the coming weeks) and joining days of party members whose
political birthdays fall in the coming weeks, so the calendar, the due list and the
birthday party list show real-looking occasions on the first day of `make run`.
Written as an admin's corrections would be, then their due items (app.grid.due)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from app.core import clock
from app.grid.due import people_changed
from app.grid.occasions import birthday_in
from app.people.models import Person
from app.state import AppServices

WEDDINGS = ((4, 50), (18, 60), (40, 50))
"""Days from today and the anniversary: golden or diamond weddings in the coming weeks."""
JOININGS = ((2, 50), (9, 60), (16, 40), (25, 55))
"""Days from today and the years in the Party of the coming political birthdays."""
PLAIN_WEDDINGS = 6
"""Marriages with no round anniversary soon, so the wedding day is not always golden."""


async def has_care_calendar(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return (
            await session.scalar(select(Person.id).where(Person.married_on.is_not(None)).limit(1))
            is not None
        )


def years_before(day: date, years: int) -> date:
    return birthday_in(day.year - years, day)


async def seed_demo_care_calendar(services: AppServices) -> None:
    """Run inside the district's tenant scope, after the roster and the grid."""
    today = clock.today()
    async with services.db.unit() as session:
        living = list(
            await session.execute(
                select(Person.id, Person.birth_date, Person.party_member)
                .where(Person.deceased_on.is_(None), Person.birth_date.is_not(None),
                       Person.birth_date < date(today.year - 80, 1, 1))
                .order_by(Person.sort_key)
            )
        )  # fmt: skip
        members = [row for row in living if row.party_member]
        others = [row for row in living if row not in members[: len(JOININGS)]]
        changed = []
        for (days, years), row in zip(JOININGS, members, strict=False):
            joined = years_before(today + timedelta(days=days), years)
            await session.execute(
                update(Person).where(Person.id == row.id)
                .values(party_joined_on=joined, party_joined_day_known=True)
            )  # fmt: skip
            changed.append(row.id)
        for n, row in enumerate(others[: len(WEDDINGS) + PLAIN_WEDDINGS]):
            if n < len(WEDDINGS):
                days, years = WEDDINGS[n]
                married = years_before(today + timedelta(days=days), years)
            else:
                married = years_before(row.birth_date, -(25 + n))  # at 25 and more
            await session.execute(
                update(Person).where(Person.id == row.id).values(married_on=married)
            )
            changed.append(row.id)
        await people_changed(session, changed)
