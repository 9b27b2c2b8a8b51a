"""Political birthdays in a user's scope and the gifts delivered for them.

Who sees and who ticks: the people a user serves (app.grid.scope.served_by) — the admin
the district, a branch secretary their branch, a grid worker the people of their grids;
anyone else's member is "not found", as another district's would be. Living party
members with a day of joining have a political birthday, from the first anniversary on.

A year's record is opened by its first gift (one per member per year: the service
checks, the unique key holds it against two at once); each gift once (checked, and the
key (record, gift) again). Unticking deletes the gift, and the audit log keeps who
delivered it and who took it back. A parcel is for mobile members (流动党员): their
gifts go by post with a tracking number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from babel.dates import format_skeleton
from sqlalchemy import Date, Integer, and_, cast, extract, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.care.political_birthdays.calendar import (
    ADVANCE_DAYS,
    anniversary,
    anniversary_sql,
    party_years,
)
from app.care.political_birthdays.forms import PostForm, parse_post, parse_tick
from app.care.political_birthdays.models import (
    GIFT_LABELS,
    BirthdayGift,
    Gift,
    PoliticalBirthday,
    Way,
)
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.pagination import Page, paginate
from app.db.tenant import require_tenant
from app.grid.scope import served_by
from app.i18n import N_, _, current_locale
from app.people.models import OrgUnit, Person

PAGE_SIZE = 30
GIFTS = len(Gift)

NOT_A_MEMBER = N_("%(name)s has no day of joining the Party on the roster.")
PASSED_AWAY = N_("%(name)s has passed away.")
TOO_EARLY = N_("%(name)s's first political birthday is in %(year)s.")
TOO_OLD = N_("Gifts of %(year)s can no longer be recorded.")
NOT_YET = N_(
    "%(name)s's political birthday is on %(date)s; please record the gifts from a month before."
)
ALREADY_OPENED = N_("%(name)s's political birthday of %(year)s is already recorded.")
GIVEN_TWICE = N_("%(gift)s was already delivered to %(name)s (%(by)s, %(date)s).")
NOT_GIVEN = N_("%(gift)s has not been delivered yet, so there is nothing to take back.")
NOT_MOBILE = N_("%(name)s is not a mobile member: please deliver the gifts in person.")
POSTED_TWICE = N_("%(gift)s was already delivered; please untick what went in the parcel.")
UNIQUE_YEAR = "political_birthdays_one_a_year"


@dataclass(frozen=True)
class BirthdayRow:
    """A political birthday on the list: whose, when, how many years, gifts done."""

    person_id: UUID
    name: str
    branch: str | None
    mobile: bool
    day_known: bool
    on: date
    years: int
    done: int


@dataclass(frozen=True)
class YearFigures:
    """A year's completion in the user's scope: members with a political birthday that
    year, and how many have all five gifts, some, or none yet."""

    year: int
    members: int
    complete: int
    partly: int

    @property
    def none(self) -> int:
        return self.members - self.complete - self.partly


@dataclass(frozen=True)
class Sheet:
    """A member's political birthday of one year: the five gifts, done or not."""

    person: Person
    branch: str | None
    year: int
    on: date
    years: int
    birthday: PoliticalBirthday | None
    gifts: dict[Gift, BirthdayGift]

    @property
    def done(self) -> int:
        return len(self.gifts)


def gift_name(gift: Gift) -> str:
    """The gift in the request's language, for a message's argument."""
    return _(GIFT_LABELS[gift])


def short_day(day: date) -> str:
    """12月7日 (Dec 7): the project's style for a day on screen."""
    return format_skeleton("MMMd", day, locale=current_locale.get())


def month_name(day: date) -> str:
    """12月 (Dec): a month on screen."""
    return format_skeleton("MMM", day, locale=current_locale.get())


class PoliticalBirthdayService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _members(self, identity: Identity) -> list:  # type: ignore[type-arg]
        return [
            Person.party_member, Person.party_joined_on.is_not(None),
            Person.deceased_on.is_(None), served_by(identity.scope),
        ]  # fmt: skip

    async def upcoming(
        self, identity: Identity, start: date, end: date, number: int
    ) -> Page[BirthdayRow]:
        """The scope's political birthdays from `start` to `end`, by day, with how many
        gifts each year's record has."""
        on = anniversary_sql(start, end).label("on")
        year = cast(extract("year", on), Integer)
        done = (
            select(func.count())
            .select_from(BirthdayGift)
            .join(PoliticalBirthday, PoliticalBirthday.id == BirthdayGift.birthday_id)
            .where(PoliticalBirthday.person_id == Person.id, PoliticalBirthday.year == year)
            .scalar_subquery()
        )
        query = (
            select(Person.id, Person.name, OrgUnit.name, Person.mobile,
                   Person.party_joined_day_known, on,
                   year - cast(extract("year", Person.party_joined_on), Integer), done)
            .outerjoin(OrgUnit, and_(OrgUnit.tenant_id == Person.tenant_id,
                                     OrgUnit.id == Person.branch_id))
            .where(*self._members(identity), on.between(literal(start, Date), literal(end, Date)),
                   extract("year", Person.party_joined_on) < year)
            .order_by(on, Person.sort_key, Person.id)
        )  # fmt: skip
        page = await paginate(self.session, query, number, PAGE_SIZE)
        return Page([BirthdayRow(*row) for row in page.items], page.number, page.pages, page.total)

    async def figures(self, identity: Identity, year: int) -> YearFigures:
        gifts = (
            select(PoliticalBirthday.person_id, func.count().label("n"))
            .join(BirthdayGift, BirthdayGift.birthday_id == PoliticalBirthday.id)
            .where(PoliticalBirthday.year == year)
            .group_by(PoliticalBirthday.person_id)
            .subquery()
        )
        n = func.coalesce(gifts.c.n, 0)
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.count().filter(n >= GIFTS),
                    func.count().filter(and_(n > 0, n < GIFTS)),
                )
                .select_from(Person)
                .outerjoin(gifts, gifts.c.person_id == Person.id)
                .where(*self._members(identity), extract("year", Person.party_joined_on) < year)
            )
        ).one()
        return YearFigures(year, row[0], row[1], row[2])

    async def member(self, identity: Identity, person_id: UUID) -> Person:
        """A person this user serves, with a day of joining; anyone else is NotFound."""
        person = await self.session.scalar(
            select(Person).where(Person.id == person_id, served_by(identity.scope))
        )
        if person is None:
            raise NotFound()
        if not person.party_member or person.party_joined_on is None:
            raise Refused(NOT_A_MEMBER, name=person.name)
        return person

    async def sheet(self, identity: Identity, person_id: UUID, year: int) -> Sheet:
        person = await self.member(identity, person_id)
        assert person.party_joined_on is not None
        birthday = await self.session.scalar(
            select(PoliticalBirthday).where(
                PoliticalBirthday.person_id == person.id, PoliticalBirthday.year == year
            )
        )
        gifts: dict[Gift, BirthdayGift] = {}
        if birthday is not None:
            found = await self.session.scalars(
                select(BirthdayGift).where(BirthdayGift.birthday_id == birthday.id)
            )
            gifts = {Gift(g.gift): g for g in found}
        branch = None
        if person.branch_id is not None:
            branch = await self.session.scalar(
                select(OrgUnit.name).where(OrgUnit.id == person.branch_id)
            )
        joined = person.party_joined_on
        on = anniversary(year, joined, person.party_joined_day_known)
        return Sheet(person, branch, year, on, party_years(year, joined), birthday, gifts)

    def _check_year(self, person: Person, year: int) -> None:
        """The year's gifts may be recorded: living, past the first anniversary, this
        year or last, and not more than a month ahead of the day."""
        joined = person.party_joined_on
        assert joined is not None
        today = clock.today()
        if person.deceased_on is not None:
            raise Refused(PASSED_AWAY, name=person.name)
        if year <= joined.year:
            raise Refused(TOO_EARLY, name=person.name, year=joined.year + 1)
        if year < today.year - 1:
            raise Refused(TOO_OLD, year=year)
        day = anniversary(year, joined, person.party_joined_day_known)
        if day > today + timedelta(days=ADVANCE_DAYS):
            raise Refused(NOT_YET, name=person.name, date=short_day(day))

    async def open(self, identity: Identity, person: Person, year: int) -> PoliticalBirthday:
        """Open the year's record; a second one for the same year is refused."""
        self._check_year(person, year)
        joined = person.party_joined_on
        assert joined is not None
        on = anniversary(year, joined, person.party_joined_day_known)
        values = {
            "tenant_id": require_tenant(), "person_id": person.id, "year": year,
            "anniversary_on": on, "party_years": party_years(year, joined),
            "opened_by": identity.user_id, "opened_by_name": identity.name,
        }  # fmt: skip
        made = await self.session.scalar(
            insert(PoliticalBirthday)
            .values(**values)
            .on_conflict_do_nothing(constraint=UNIQUE_YEAR)
            .returning(PoliticalBirthday.id)
        )
        if made is None:
            raise Refused(ALREADY_OPENED, name=person.name, year=year)
        birthday = await self.session.get(
            PoliticalBirthday, {"tenant_id": require_tenant(), "id": made}
        )
        assert birthday is not None
        return birthday

    async def _record_of(self, identity: Identity, person: Person, year: int) -> PoliticalBirthday:
        self._check_year(person, year)
        found = await self.session.scalar(
            select(PoliticalBirthday).where(
                PoliticalBirthday.person_id == person.id, PoliticalBirthday.year == year
            )
        )
        if found is not None:
            return found
        try:
            return await self.open(identity, person, year)
        except Refused:  # opened by someone else this instant: theirs is the record
            found = await self.session.scalar(
                select(PoliticalBirthday).where(
                    PoliticalBirthday.person_id == person.id, PoliticalBirthday.year == year
                )
            )
            assert found is not None
            return found

    async def _given(self, birthday: PoliticalBirthday, gift: Gift) -> BirthdayGift | None:
        return await self.session.get(
            BirthdayGift, {"tenant_id": require_tenant(), "birthday_id": birthday.id, "gift": gift}
        )

    async def _insert(self, birthday: PoliticalBirthday, gift: Gift, values: dict) -> bool:  # type: ignore[type-arg]
        """Write the gift unless it is there already (two ticks at once: one wins)."""
        made = await self.session.scalar(
            insert(BirthdayGift)
            .values(tenant_id=require_tenant(), birthday_id=birthday.id, gift=gift, **values)
            .on_conflict_do_nothing()
            .returning(BirthdayGift.gift)
        )
        return made is not None

    async def tick(self, identity: Identity, person_id: UUID, data: Mapping[str, str]) -> Gift:
        """One gift delivered by hand today by this user; refused if already given."""
        person = await self.member(identity, person_id)
        form = parse_tick(data)
        birthday = await self._record_of(identity, person, form.year)
        given = await self._given(birthday, form.gift)
        if given is not None:
            raise Refused(GIVEN_TWICE, gift=gift_name(form.gift), name=person.name,
                          by=given.delivered_by_name,
                          date=short_day(given.delivered_on))  # fmt: skip
        today = clock.today()
        values = {"way": Way.HAND.value, "delivered_on": today, "delivered_by": identity.user_id,
                  "delivered_by_name": identity.name}  # fmt: skip
        if not await self._insert(birthday, form.gift, values):
            raise Refused(GIVEN_TWICE, gift=gift_name(form.gift), name=person.name,
                          by=identity.name, date=short_day(today))  # fmt: skip
        await record(
            self.session, identity.actor, "care.gift_delivered", subject_type="person",
            subject_id=person.id, subject_name=person.name,
            changes={"gift": form.gift.value, "year": str(form.year), "way": Way.HAND.value,
                     "delivered_on": today.isoformat()},
        )  # fmt: skip
        return form.gift

    async def untick(self, identity: Identity, person_id: UUID, data: Mapping[str, str]) -> Gift:
        """Take a tick back (a correction): the gift's row goes, the log keeps it."""
        person = await self.member(identity, person_id)
        form = parse_tick(data)
        birthday = await self.session.scalar(
            select(PoliticalBirthday).where(
                PoliticalBirthday.person_id == person.id, PoliticalBirthday.year == form.year
            )
        )
        given = await self._given(birthday, form.gift) if birthday is not None else None
        if given is None:
            raise Refused(NOT_GIVEN, gift=gift_name(form.gift))
        await self.session.delete(given)
        await self.session.flush()
        await record(
            self.session, identity.actor, "care.gift_unticked", subject_type="person",
            subject_id=person.id, subject_name=person.name,
            changes={"gift": form.gift.value, "year": str(form.year), "way": given.way,
                     "delivered_on": given.delivered_on.isoformat(),
                     "delivered_by_name": given.delivered_by_name,
                     "tracking_number": given.tracking_number},
        )  # fmt: skip
        return form.gift

    async def post(self, identity: Identity, person_id: UUID, data: Mapping[str, str]) -> PostForm:
        """The gifts a mobile member was sent in one parcel, with its tracking number."""
        person = await self.member(identity, person_id)
        form = parse_post(data)
        if not person.mobile:
            raise Refused(NOT_MOBILE, name=person.name)
        birthday = await self._record_of(identity, person, form.year)
        for gift in form.gifts:
            if await self._given(birthday, gift) is not None:
                raise Refused(POSTED_TWICE, gift=gift_name(gift))
        values = {"way": Way.POST.value, "delivered_on": form.posted_on,
                  "delivered_by": identity.user_id, "delivered_by_name": identity.name,
                  "tracking_number": form.tracking_number}  # fmt: skip
        for gift in form.gifts:
            if not await self._insert(birthday, gift, values):
                raise Refused(POSTED_TWICE, gift=gift_name(gift))
        await record(
            self.session, identity.actor, "care.gifts_posted", subject_type="person",
            subject_id=person.id, subject_name=person.name,
            changes={"gifts": [g.value for g in form.gifts], "year": str(form.year),
                     "posted_on": form.posted_on.isoformat(),
                     "tracking_number": form.tracking_number},
        )  # fmt: skip
        return form
