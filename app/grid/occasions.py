"""The must-visit rule engine: which visits a rule asks for, and when.

Pure functions of a rule, a person's facts and a date range, so the calendar arithmetic
is tested without a database. Lunar festivals come from lunar-python (6tail's
calendar, which carries the leap months); there is no hand-made table of dates here.

- A birthday asks for a visit within the week, Monday to Sunday, that holds it.
  Someone born on 29 February is visited for the 28th in common years.
- A political birthday (政治生日, the anniversary of joining the Party) is a party
  member's, in the week that holds it, like a birthday. When only the month of joining
  is known, the week is the month's first one that starts in it (from its first
  Monday): the visit then falls in the month they joined, early, never in the month
  before.
- A wedding anniversary asks for a visit only at the golden (50th) and diamond (60th),
  in the week that holds it; 29 February again falls on the 28th in common years.
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
from app.i18n import N_, _


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


def political_birthday_in(year: int, joined: date, day_known: bool = True) -> date | None:
    """The day of the political birthday in `year` (None before the first anniversary).
    Without a known day: the month's first Monday (see the module's docstring)."""
    if year <= joined.year:
        return None
    if not day_known:
        first = date(year, joined.month, 1)
        return first + timedelta(days=-first.weekday() % 7)
    return birthday_in(year, joined)


WEDDING_ANNIVERSARIES = {50: N_("Golden wedding"), 60: N_("Diamond wedding")}
"""The anniversaries the district visits for: 金婚 and 钻石婚."""
ROUND_BIRTHDAYS = (70, 80, 90, 100)
"""整寿: the birthdays marked on the due list, the calendar and the party list."""


def wedding_anniversary_in(year: int, married: date) -> date | None:
    """The day of a golden or diamond anniversary in `year`, if `year` has one."""
    if year - married.year not in WEDDING_ANNIVERSARIES:
        return None
    return birthday_in(year, married)


PERSON_TRIGGERS = ("birthday", "political_birthday", "wedding")
"""Calendar triggers whose day is the person's own (the others: the same for everyone)."""


def person_day(
    trigger: str,
    year: int,
    born: date | None,
    joined: date | None,
    joined_day_known: bool,
    married: date | None,
) -> date | None:
    """The day in `year` a person's own occasion falls on, if it has one that year."""
    if trigger == "birthday" and born is not None:
        return birthday_in(year, born)
    if trigger == "political_birthday" and joined is not None:
        return political_birthday_in(year, joined, joined_day_known)
    if trigger == "wedding" and married is not None:
        return wedding_anniversary_in(year, married)
    return None


def occasion_year(key: str) -> int | None:
    """The year of a person's occasion from its key ("political_birthday:2026")."""
    trigger, _sep, year = key.partition(":")
    return int(year) if trigger in PERSON_TRIGGERS and year.isdigit() else None


def round_birthday(key: str, born: date | None) -> int | None:
    """The age a birthday occasion marks when it is a round one (整寿), else None."""
    year = occasion_year(key)
    if not key.startswith("birthday:") or year is None or born is None:
        return None
    age = year - born.year
    return age if age in ROUND_BIRTHDAYS else None


def occasion_words(
    key: str, born: date | None, joined: date | None, married: date | None
) -> str | None:
    """What a person's occasion is, in words for the due list, after the rule's name:
    "80 岁整寿", "入党 50 周年", "金婚". None for other items (their rule's name says it)."""
    year = occasion_year(key)
    trigger = key.partition(":")[0]
    if year is None:
        return None
    if trigger == "birthday" and born is not None:
        if round_birthday(key, born):
            return _("%(age)d, a round birthday", age=year - born.year)
        return _("Turns %(age)d", age=year - born.year)
    if trigger == "political_birthday" and joined is not None:
        return _("%(years)s years in the Party", years=year - joined.year)
    if trigger == "wedding" and married is not None:
        label = WEDDING_ANNIVERSARIES.get(year - married.year)
        return _(label) if label else None
    return None


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
    joined: date | None = None,
    joined_day_known: bool = True,
    married: date | None = None,
) -> list[Occasion]:
    """The rule's occasions for one person whose window meets [start, end]."""
    if (rule.party_only or rule.trigger == "political_birthday") and not party_member:
        return []
    found = []
    for year in range(start.year - 1, end.year + 2):
        if rule.trigger in PERSON_TRIGGERS:
            day = person_day(rule.trigger, year, born, joined, joined_day_known, married)
            if day is None:
                continue
            opens = first_monday(day)
            occasion = Occasion(rule.id, f"{rule.trigger}:{year}", opens, opens + timedelta(days=6))
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
