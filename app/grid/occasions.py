"""The must-visit rule engine: which visits a rule asks for, and when.

Pure functions of a rule, a person's facts and a date range, so the calendar arithmetic
is tested without a database. Lunar festivals come from lunar-python (6tail's
calendar, which carries the leap months); there is no hand-made table of dates here.

- A birthday asks for a visit within the week, Monday to Sunday, that holds it.
  Someone born on 29 February is visited for the 28th in common years.
- A holiday asks for a visit from `days_before` the day to `days_after` it.
- A concern (in hospital, hardship, dispute, emotional trouble) asks for a visit
  within `due_hours` of being noted.

An occasion is due by the end of its last day, China time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from uuid import UUID

from lunar_python import Lunar

from app.core.clock import CHINA_TIME
from app.i18n import N_


@dataclass(frozen=True)
class Holiday:
    lunar: bool
    month: int
    day: int
    label: str


HOLIDAYS: dict[str, Holiday] = {
    "spring_festival": Holiday(True, 1, 1, N_("Spring Festival")),
    "lantern": Holiday(True, 1, 15, N_("Lantern Festival")),
    "dragon_boat": Holiday(True, 5, 5, N_("Dragon Boat Festival")),
    "mid_autumn": Holiday(True, 8, 15, N_("Mid-Autumn Festival")),
    "double_ninth": Holiday(True, 9, 9, N_("Double Ninth Festival (elders' day)")),
    "party_day": Holiday(False, 7, 1, N_("Party founding day (1 July)")),
    "army_day": Holiday(False, 8, 1, N_("Army Day (1 August)")),
    "national_day": Holiday(False, 10, 1, N_("National Day")),
}
"""Every lunar festival here lies in lunar months 1–9, so the festival of lunar year Y
always falls in Gregorian year Y; the holiday's day is never in a leap month."""


@cache
def holiday_on(code: str, year: int) -> date:
    """The day of the holiday in Gregorian `year`. Kept once computed: the lunar
    conversion is pure arithmetic on the lunisolar tables, and the due list and calendar
    ask it for every rule, year and person they read."""
    holiday = HOLIDAYS[code]
    if not holiday.lunar:
        return date(year, holiday.month, holiday.day)
    # A positive month is the ordinary month, never the leap month of the same number.
    solar = Lunar.fromYmd(year, holiday.month, holiday.day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def birthday_in(year: int, born: date) -> date:
    if born.month == 2 and born.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return born.replace(year=year)


@dataclass(frozen=True)
class CalendarRule:
    """The parts of a visit rule the calendar needs (see app.grid.models.VisitRule)."""

    id: UUID
    trigger: str
    holiday: str | None = None
    days_before: int = 0
    days_after: int = 0
    party_only: bool = False


@dataclass(frozen=True)
class Occasion:
    rule_id: UUID
    key: str
    """Stable per person and rule: "birthday:2026", "mid_autumn:2026", "concern:<id>"."""
    opens_on: date
    last_day: date

    @property
    def due_at(self) -> datetime:
        """The end of the last day, China time: overdue from that moment."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), CHINA_TIME)


def first_monday(day: date) -> date:
    """The Monday of the week that holds `day` (weeks run Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), CHINA_TIME)


def calendar_occasions(
    rule: CalendarRule,
    *,
    born: date | None,
    party_member: bool,
    start: date,
    end: date,
) -> list[Occasion]:
    """The rule's occasions for one person whose window meets [start, end]."""
    if rule.party_only and not party_member:
        return []
    found = []
    for year in range(start.year - 1, end.year + 2):
        if rule.trigger == "birthday":
            if born is None:
                return []
            day = birthday_in(year, born)
            opens = first_monday(day)
            occasion = Occasion(rule.id, f"birthday:{year}", opens, opens + timedelta(days=6))
        elif rule.trigger == "holiday" and rule.holiday:
            day = holiday_on(rule.holiday, year)
            occasion = Occasion(
                rule.id,
                f"{rule.holiday}:{year}",
                day - timedelta(days=rule.days_before),
                day + timedelta(days=rule.days_after),
            )
        else:
            return []
        if occasion.opens_on <= end and occasion.last_day >= start:
            found.append(occasion)
    return found


def holiday_windows(rule: CalendarRule, start: date, end: date) -> list[Occasion]:
    """A holiday rule's occasions meeting [start, end]: the same for everyone."""
    return calendar_occasions(rule, born=None, party_member=True, start=start, end=end)


def concern_due_at(noted_at: datetime, due_hours: int) -> datetime:
    return noted_at + timedelta(hours=due_hours)


def meeting_days(meeting_day: int, start: date, end: date) -> list[date]:
    """见面日: the `meeting_day` of every month between start and end."""
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        day = date(year, month, meeting_day)
        if start <= day <= end:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days
