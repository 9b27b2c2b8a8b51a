"""Automatic sources (自动计分): what a rule item may be fed by.

A rule item names the feeds that score it (`RuleItem.feeds`), so the mapping from a
meeting kind or volunteer hours to points is part of the versioned rule set: a new
version can score 党课 differently from a given day on, and what was scored before keeps
the item it was scored by. A feed is scored by at most one item of a rule set.

The vocabulary is fixed here, below the capabilities that feed it (organisational life,
volunteering): the meeting kinds a district tunes keep these codes.
"""

from __future__ import annotations

import enum

from app.i18n import N_


class MeetingKindCode(enum.StrEnum):
    """三会一课, 主题党日, 组织生活会 and 集中学习: the kinds a branch holds."""

    BRANCH_ASSEMBLY = "branch_assembly"  # 支部党员大会
    COMMITTEE = "committee"  # 支部委员会
    GROUP = "group"  # 党小组会
    LECTURE = "lecture"  # 党课
    THEME_DAY = "theme_day"  # 主题党日
    LIFE_MEETING = "life_meeting"  # 组织生活会
    STUDY = "study"  # 集中学习


class Feed(enum.StrEnum):
    BRANCH_ASSEMBLY = "meeting.branch_assembly"
    COMMITTEE = "meeting.committee"
    GROUP = "meeting.group"
    LECTURE = "meeting.lecture"
    THEME_DAY = "meeting.theme_day"
    LIFE_MEETING = "meeting.life_meeting"
    STUDY = "meeting.study"
    ABSENCE = "meeting.absence"
    """Absent without leave (无故缺席): a deduction, never for the exempt."""
    VOLUNTEER_HOURS = "volunteer.hours"
    THOUGHT_REPORT = "thought_report"


def attended(kind: str) -> Feed:
    """The feed that scores attending a meeting of `kind` (present, online, or studied at
    home)."""
    return Feed(f"meeting.{MeetingKindCode(kind)}")


FEED_LABELS = {
    Feed.BRANCH_ASSEMBLY: N_("Attending a branch general meeting"),
    Feed.COMMITTEE: N_("Attending a branch committee meeting"),
    Feed.GROUP: N_("Attending a party group meeting"),
    Feed.LECTURE: N_("Attending a party lecture"),
    Feed.THEME_DAY: N_("Attending a themed party day"),
    Feed.LIFE_MEETING: N_("Attending the organisational life meeting"),
    Feed.STUDY: N_("Attending a group study"),
    Feed.ABSENCE: N_("Absent from a meeting without leave"),
    Feed.VOLUNTEER_HOURS: N_("Volunteer hours"),
    Feed.THOUGHT_REPORT: N_("Thought report of a mobile member"),
}
