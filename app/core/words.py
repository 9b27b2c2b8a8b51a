"""Amounts said the way people say them, for any capability's pages.

Translated when called, so call these while rendering (the request's locale is set)."""

from __future__ import annotations

from app.i18n import ngettext


def within_hours(hours: int) -> str:
    """A time limit given in hours, as people say it: whole days as days ("7天内", not
    "168小时内"), the rest as hours ("36小时内"). The one formatter of such limits: the
    request categories' and the must-visit rules' (a hardship visit within 168 hours)."""
    days, rest = divmod(hours, 24)
    if days and not rest:
        return ngettext("Within %(num)s day", "Within %(num)s days", days)
    return ngettext("Within %(num)s hour", "Within %(num)s hours", hours)
