"""The SLA clock in plain words for the pages: "当天22点前", "7天内", "已超时3小时5分钟".

Translated when called, so call these while rendering (the request's locale is set)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta

from app.core.words import within_hours
from app.i18n import _
from app.service_requests.sla import Reading, SlaRule, split


def clock_time(moment: time) -> str:
    """A time of day as people say it: 22点, 21点30分."""
    if moment.minute == 0:
        return _("%(hour)s:00", hour=moment.hour)
    return _("%(hour)s:%(minute)s", hour=moment.hour, minute=f"{moment.minute:02d}")


def sla_words(category: SlaRule) -> str:
    """The category's SLA: "当天22点前", "7天内" or "36小时内"."""
    if category.same_day_by is not None:
        return _("Same day by %(time)s", time=clock_time(category.same_day_by))
    return within_hours(category.sla_hours or 0)


def duration(delta: timedelta) -> str:
    """A length of time, to the minute: "2天3小时", "3小时5分钟", "40分钟"."""
    days, hours, minutes = split(delta)
    if days:
        return _("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return _("%(minutes)s min", minutes=minutes)


def clock_words(reading: Reading) -> str:
    """How the request stands against its due time."""
    if reading.stopped:
        if reading.overdue:
            return _("Resolved %(time)s late", time=duration(reading.left))
        return _("Resolved in time")
    if reading.overdue:
        return _("Overdue by %(time)s", time=duration(reading.left))
    return _("%(time)s left", time=duration(reading.left))


def level_label(level: int, names: Mapping[int, str]) -> str:
    """An escalation level as every page names it: "第2级：分中心（服务站）", the name
    the district gave it in the settings (the number alone if it has none)."""
    name = names.get(level)
    if name:
        return _("Level %(level)s: %(name)s", level=level, name=name)
    return _("Level %(level)s", level=level)
