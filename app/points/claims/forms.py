"""The claim and award form, read into a typed value or refused field by field
(app.core.forms). What the form alone cannot judge — the member within reach, the
item claimable, its quantity for its unit, evidence where the item needs it — the
service does, with the ledger's checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from app.core.forms import FieldError, FormReader
from app.core.validators import multiline_text
from app.i18n import N_
from app.points.forms import chosen_id, event_day, required_id

MAX_EVIDENCE = 500


@dataclass(frozen=True)
class ClaimForm:
    person_id: UUID
    item_id: UUID
    occurred_on: date
    quantity: str
    """As typed: what it may be depends on the item's unit (ledger.read_quantity)."""
    evidence: str | None = None
    photo: bytes | None = None
    form_id: UUID | None = None
    """Made when the form was shown: the claim's (or the awarded entry's) id."""


def evidence_text(raw: str) -> str | None:
    evidence = multiline_text(raw)
    if len(evidence) > MAX_EVIDENCE:
        raise FieldError(N_("Please keep the evidence under %(n)s characters."), n=MAX_EVIDENCE)
    return evidence or None


def parse_claim(data: Mapping[str, str], photo: bytes | None = None) -> ClaimForm:
    """The claim (or award) form's fields and the uploaded photo, if any."""
    reader = FormReader(data)
    person_id = reader.field("person_id", required_id(N_("Please choose a member.")))
    item_id = reader.field("item_id", required_id(N_("Please choose an item.")))
    occurred_on = reader.field("occurred_on", event_day)
    evidence = reader.field("evidence", evidence_text)
    form_id = reader.field("form_id", chosen_id)
    reader.done()
    assert person_id is not None and item_id is not None and occurred_on is not None
    return ClaimForm(
        person_id, item_id, occurred_on, reader.raw("quantity"), evidence, photo, form_id
    )
