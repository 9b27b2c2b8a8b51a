"""Hardship aid's forms: an application, a decision, a payment, an income entry; and
the evidence files, checked by their first bytes like a meeting's attachments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePath
from uuid import UUID

from app.care.aid.models import ReasonKind
from app.core import clock
from app.core.errors import Refused
from app.core.forms import FieldError, FormReader
from app.core.money import yuan
from app.core.validators import multiline_text, past_or_today, plain_text
from app.i18n import N_

MAX_DESCRIPTION = 500
"""Like a service request's description: enough to say what happened; the rest is evidence."""
MAX_REASON = 500
MAX_SOURCE = 100
MAX_EVIDENCE = 10 * 1024 * 1024
MAX_FILES = 10
UPLOAD_LIMIT = 60 * 1024 * 1024
"""The application's body limit: a few files, so too much gets the page's message."""

EVIDENCE_TYPES = (
    ("application/pdf", b"%PDF-", ".pdf"),
    ("image/jpeg", b"\xff\xd8\xff", ".jpg"),
    ("image/png", b"\x89PNG\r\n\x1a\n", ".png"),
)
"""What evidence may be — a PDF or a photo — told by the first bytes, never the name."""


@dataclass(frozen=True)
class ApplicationForm:
    person_id: UUID
    reason_kind: ReasonKind
    description: str
    amount_asked: Decimal


@dataclass(frozen=True)
class Decision:
    approve: bool
    reason: str
    approved_amount: Decimal | None = None


@dataclass(frozen=True)
class PaymentForm:
    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class IncomeForm:
    received_on: date
    amount: Decimal
    source: str


def _text(limit: int, empty: str) -> Callable[[str], str]:
    def rule(raw: str) -> str:
        text = multiline_text(raw)
        if not text:
            raise FieldError(empty)
        if len(text) > limit:
            raise FieldError(N_("Please keep this under %(n)s characters."), n=limit)
        return text

    return rule


def _person(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise FieldError(N_("Please choose the person the aid is for.")) from None


def _reason_kind(raw: str) -> ReasonKind:
    if raw not in set(ReasonKind):
        raise FieldError(N_("Please choose the reason for the aid."))
    return ReasonKind(raw)


def parse_application(data: Mapping[str, str]) -> ApplicationForm:
    reader = FormReader(data)
    person_id = reader.field("person_id", _person)
    kind = reader.field("reason_kind", _reason_kind)
    description = reader.field(
        "description", _text(MAX_DESCRIPTION, N_("Please describe the difficulty."))
    )
    amount = reader.field("amount_asked", yuan)
    reader.done()
    assert person_id and kind and description and amount  # done() saw them all
    return ApplicationForm(person_id, kind, description, amount)


def parse_decision(data: Mapping[str, str], approve: bool) -> Decision:
    reader = FormReader(data)
    reason = reader.field(
        "reason", _text(MAX_REASON, N_("Please give the reason for the decision."))
    )
    amount = reader.field("approved_amount", yuan) if approve else None
    reader.done()
    assert reason
    return Decision(approve, reason, amount)


def parse_payment(data: Mapping[str, str]) -> PaymentForm:
    reader = FormReader(data)
    paid_on = reader.field("paid_on", past_or_today)
    amount = reader.field("amount", yuan)
    reader.done()
    assert paid_on and amount
    return PaymentForm(paid_on, amount)


def _source(raw: str) -> str:
    text = plain_text(raw)
    if not text:
        raise FieldError(N_("Please say where the money came from."))
    if len(text) > MAX_SOURCE:
        raise FieldError(N_("Please keep this under %(n)s characters."), n=MAX_SOURCE)
    return text


INCOME_DAYS_BACK = 366
"""Income is recorded as it comes in: a day more than a year back is a slip of the pen."""


def _received_on(raw: str) -> date:
    day = past_or_today(raw)
    if day < clock.today() - timedelta(days=INCOME_DAYS_BACK):
        raise FieldError(N_("Income cannot be dated more than a year back."))
    return day


def parse_income(data: Mapping[str, str]) -> IncomeForm:
    reader = FormReader(data)
    received_on = reader.field("received_on", _received_on)
    amount = reader.field("amount", yuan)
    source = reader.field("source", _source)
    reader.done()
    assert received_on and amount and source
    return IncomeForm(received_on, amount, source)


def checked_evidence(files: list[tuple[str, bytes]]) -> list[tuple[str, str, bytes]]:
    """Each file as (name, media type, bytes); Refused, naming the file, for the first
    that is too large or neither a PDF nor a JPEG or PNG picture."""
    files = [(name, content) for name, content in files if content]
    if len(files) > MAX_FILES:
        raise Refused(N_("Please send at most %(n)s files at a time."), n=MAX_FILES)
    found = []
    for filename, content in files:
        name = PurePath(filename.replace("\\", "/")).name[-100:] or "file"
        if len(content) > MAX_EVIDENCE:
            raise Refused(
                N_("“%(name)s” is larger than 10 MB. Please send a smaller file."), name=name
            )
        kind = next((k for k in EVIDENCE_TYPES if content.startswith(k[1])), None)
        if kind is None:
            raise Refused(
                N_("“%(name)s” is not a photo or a PDF. Please send a JPEG or PNG photo or a PDF."),
                name=name,
            )
        found.append((name, kind[0], content))
    return found
