"""Makers for the political-birthday tests: make_points_roster's district with party
members whose political birthdays fall this week, a mobile member's next week, and one
of 第二支部 in a grid nobody of the test accounts works.

The grid worker works 第一网格 (make_points_roster's) and 关怀网格 (王建国 and 赵志刚);
孙立 is in 另一网格, so the grid worker and 第一支部's secretary both get "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.care.political_birthdays.service import PoliticalBirthdayService
from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.state import AppServices
from tests.factories import District, PointsRoster, add_grid, add_person, make_points_roster


def joined(year: int, days_from_today: int) -> date:
    """A day of joining in `year` whose anniversary is `days_from_today` away (never on
    a 29 February, so the tests hold in any year)."""
    day = clock.today() + timedelta(days=days_from_today)
    return date(year, day.month, min(day.day, 28))


@dataclass(frozen=True)
class GiftsRoster:
    points: PointsRoster
    wang: UUID
    """王建国 of 第一支部, joined in 1975: his political birthday is today (or close)."""
    zhao: UUID
    """赵志刚, a mobile member of 第一支部, joined in 1990: his is in five days."""
    sun: UUID
    """孙立 of 第二支部 in 另一网格: nobody of the test accounts but the admin serves him."""


async def make_gifts_roster(services: AppServices, district: District) -> GiftsRoster:
    points = await make_points_roster(services, district)
    branch_1, branch_2 = points.roster.branch_1, points.roster.branch_2
    party = {"party_member": True}
    wang = await add_person(services, district, "王建国", branch_1,
                            party_joined_on=joined(1975, 0), **party)  # fmt: skip
    zhao = await add_person(services, district, "赵志刚", branch_1, mobile=True,
                            party_joined_on=joined(1990, 5), **party)  # fmt: skip
    sun = await add_person(services, district, "孙立", branch_2,
                           party_joined_on=joined(1985, 1), **party)  # fmt: skip
    worker = district.users[Role.GRID_WORKER].id
    await add_grid(services, district, "关怀网格", people=[wang, zhao], workers=[worker])
    await add_grid(services, district, "另一网格", people=[sun])
    return GiftsRoster(points, wang, zhao, sun)


async def every_gift_change(session: AsyncSession, admin: Identity, person: UUID) -> None:
    """Each audited change of political birthdays once (for the change log's walk): a
    gift delivered and taken back, and a parcel posted (the person must be mobile)."""
    birthdays = PoliticalBirthdayService(session)
    year = str(clock.today().year)
    await birthdays.tick(admin, person, {"year": year, "gift": "message"})
    await birthdays.untick(admin, person, {"year": year, "gift": "message"})
    parcel = {"year": year, "gift_card": "1", "gift_book": "1",
              "tracking_number": "9812 3456 7890 1", "posted_on": str(clock.today())}  # fmt: skip
    await birthdays.post(admin, person, parcel)
