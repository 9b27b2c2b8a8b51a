"""One way to read a form, for the whole product.

A capability's `parse_x(data) -> XForm` reads the submitted strings field by field
with a `FormReader`, collecting every error, and returns a typed value or raises
`InvalidForm` naming each field that is wrong. The route sends the page back with
what was typed, a message above and each field's error beside it (422) — through
`app.web.responses.sent_back`, the one place a refusal becomes a message.

Rules the form alone cannot know (a name already taken, a person not in your grids)
are the services': they raise `Refused`, shown the same way above the form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from app.core.errors import Refused
from app.i18n import N_, _

T = TypeVar("T")

FormErrors = dict[str, str]
"""Field name → what is wrong with it (a msgid, or the message already in words)."""


class FieldError(ValueError):
    """One field's value is wrong: `message` is a gettext msgid with `args`."""

    def __init__(self, message: str, **args: object) -> None:
        super().__init__(message)
        self.message = message
        self.args_ = args

    def text(self) -> str:
        """The message for the field: the msgid alone (the template translates it),
        or, with arguments, already in the request's language."""
        return _(self.message, **self.args_) if self.args_ else self.message


class InvalidForm(Refused):
    """Fields in the wrong format: `errors` maps each field to its message."""

    def __init__(self, errors: FormErrors) -> None:
        super().__init__(N_("Please correct the marked fields."))
        self.errors = errors


class FormReader:
    """Reads a submitted form field by field, keeping every field's first error.

    reader = FormReader(data)
    name = reader.field("name", plain_text)
    day = reader.field("day", parse_day)
    reader.done()  # InvalidForm if any field was wrong
    return GridForm(name, day)
    """

    def __init__(self, data: Mapping[str, str]) -> None:
        self.data = data
        self.errors: FormErrors = {}

    def raw(self, name: str) -> str:
        return self.data.get(name, "")

    def field(self, name: str, rule: Callable[[str], T]) -> T | None:
        """`rule` applied to the field's string; None (and the error kept) if it refuses."""
        try:
            return rule(self.raw(name))
        except FieldError as exc:
            self.error(name, exc.text())
            return None

    def error(self, name: str, message: str, **args: object) -> None:
        """Mark a field wrong (the first message a field gets is the one shown)."""
        self.errors.setdefault(name, _(message, **args) if args else message)

    def done(self) -> None:
        if self.errors:
            raise InvalidForm(self.errors)
