"""The must-visit rule form (its fields depend on the rule's kind) and the meeting day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.forms import FormReader
from app.core.query_params import query_flag
from app.grid.due import CALENDAR_TRIGGERS
from app.grid.grids.forms import short_name, whole_number
from app.grid.models import Trigger, VisitRule
from app.i18n import N_

MAX_RULE_NAME = 30
FLAGS = ("enabled", "party_only", "in_person")
DAYS_BEFORE = whole_number(
    0, 60, N_("Give the days before the holiday as a whole number from 0 to 60.")
)
DAYS_AFTER = whole_number(
    0, 60, N_("Give the days after the holiday as a whole number from 0 to 60.")
)
DUE_HOURS = whole_number(1, 720, N_("Give the deadline as a whole number of hours from 1 to 720."))
MEETING_DAY = whole_number(1, 28, N_("Give the meeting day as a day of the month from 1 to 28."))


def is_calendar(rule: VisitRule) -> bool:
    """Birthday, political birthday, wedding and holiday rules run by the calendar; the
    others by a noted concern or a meeting."""
    return rule.trigger in CALENDAR_TRIGGERS


def own_choice(rule: VisitRule) -> bool:
    """Whether the admin chooses "party members only" for this rule."""
    return is_calendar(rule) and rule.trigger != Trigger.POLITICAL_BIRTHDAY


@dataclass(frozen=True)
class RuleForm:
    """The rule's new values; a field its kind does not have stays None."""

    enabled: bool
    party_only: bool
    in_person: bool
    name: str
    days_before: int | None = None
    """Holidays: the window opens this many days before the day…"""
    days_after: int | None = None
    """…and closes this many days after it."""
    due_hours: int | None = None
    """Concerns: the visit is due this many hours after the concern was noted."""

    def values(self) -> dict[str, Any]:
        """The fields to set on the rule."""
        return {key: value for key, value in vars(self).items() if value is not None}


rule_name = short_name(
    MAX_RULE_NAME,
    N_("Please enter a name for the rule."),
    N_("A rule name can be at most 30 characters."),
)


def parse_rule_form(rule: VisitRule, data: Mapping[str, str]) -> RuleForm:
    """The new values of the fields this rule's kind has, or InvalidForm."""
    reader = FormReader(data)
    name = reader.field("name", rule_name)
    days: dict[str, int | None] = {}
    if rule.trigger == Trigger.HOLIDAY:
        days["days_before"] = reader.field("days_before", DAYS_BEFORE)
        days["days_after"] = reader.field("days_after", DAYS_AFTER)
    due_hours = None
    if not is_calendar(rule):
        due_hours = reader.field("due_hours", DUE_HOURS)
    reader.done()
    assert name  # done() saw it
    return RuleForm(
        enabled=query_flag(data, "enabled"),
        # A concern is visited whoever has it; a political birthday is a party member's.
        party_only=query_flag(data, "party_only") if own_choice(rule) else rule.party_only,
        in_person=query_flag(data, "in_person"), name=name, due_hours=due_hours, **days,
    )  # fmt: skip


def rule_form(rule: VisitRule) -> dict[str, str]:
    """The rule as its form shows it."""
    form = {"name": rule.name, "days_before": str(rule.days_before),
            "days_after": str(rule.days_after), "due_hours": str(rule.due_hours or "")}  # fmt: skip
    return form | {flag: "1" for flag in FLAGS if getattr(rule, flag)}


def parse_meeting_day(data: Mapping[str, str]) -> int:
    """The meeting day of each month (1–28, so that every month has it), or InvalidForm."""
    reader = FormReader(data)
    day = reader.field("meeting_day", MEETING_DAY)
    reader.done()
    assert day  # done() saw it
    return day
