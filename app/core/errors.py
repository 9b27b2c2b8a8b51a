"""Errors the services raise; the web layer maps them to responses (app/web/errors.py)."""

from __future__ import annotations

from app.i18n import _


class NotFound(LookupError):
    """No such object for this tenant or this viewer. Shown as 404, never as 403, so a
    district cannot learn that another district's object exists."""


class Refused(Exception):
    """The rules say no (a unit with people cannot be retired, …). `message` is a
    gettext msgid with `args`, shown to the user beside what they tried."""

    def __init__(self, message: str, **args: object) -> None:
        super().__init__(message)
        self.message = message
        self.args_ = args
        self.errors: dict[str, str] = {}
        """Field → message, for a refusal that names fields (app.core.forms.InvalidForm)."""

    def text(self) -> str:
        """The message in the request's language."""
        return _(self.message, **self.args_)
