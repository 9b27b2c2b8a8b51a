"""The publication forms — putting a half-year up, an objection, an answer — read into
typed values or refused field by field (app.core.forms). Whether the branch is one's
own, the name on the ranking, the entry the member's, the day within the half-year:
those the services judge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from app.core.forms import FormReader
from app.i18n import N_
from app.points.forms import chosen_id, event_day, one_of, required_id, sentence
from app.points.models import ObjectionStatus

MAX_REASON = 500
MAX_ANSWER = 500


@dataclass(frozen=True)
class OpeningForm:
    branch_id: UUID | None
    half: str
    """The half-year's key (2026H1), judged against those one may put up."""


@dataclass(frozen=True)
class ObjectionForm:
    person_id: UUID | None
    reason: str
    form_id: UUID | None = None
    """Made when the form was shown: the objection's id (app/db/form_ids.py)."""


@dataclass(frozen=True)
class AnswerForm:
    decision: str
    """upheld or rejected (ObjectionStatus)."""
    answer: str
    correction: str = ""
    """'reverse' an event or 'award' an item, when upheld."""
    event_id: UUID | None = None
    item_id: UUID | None = None
    occurred_on: date | None = None
    quantity: str = ""
    """As typed: what it may be depends on the item's unit (ledger.read_quantity)."""


def parse_opening(data: Mapping[str, str]) -> OpeningForm:
    reader = FormReader(data)
    branch_id = reader.field("branch_id", chosen_id)
    reader.done()
    return OpeningForm(branch_id, reader.raw("half"))


def parse_objection(data: Mapping[str, str]) -> ObjectionForm:
    reader = FormReader(data)
    person_id = reader.field("person_id", chosen_id)
    reason = reader.field(
        "reason", sentence(N_("Please write what you think is wrong."), MAX_REASON)
    )
    form_id = reader.field("form_id", chosen_id)
    reader.done()
    assert reason is not None
    return ObjectionForm(person_id, reason, form_id)


def parse_answer(data: Mapping[str, str]) -> AnswerForm:
    """The decision and the answer; when upheld, the correction and what it needs."""
    reader = FormReader(data)
    decision = reader.field("decision", one_of(
        (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED),
        N_("Please choose whether the objection is upheld or rejected."),
    ))  # fmt: skip
    answer = reader.field("answer", sentence(N_("Please write your answer to the member."),
                                             MAX_ANSWER))  # fmt: skip
    correction, event_id, item_id, occurred_on = "", None, None, None
    if decision == ObjectionStatus.UPHELD:
        correction = reader.field("correction", one_of(
            ("reverse", "award"),
            N_("An upheld objection needs a correction: cancel an entry or award an item."),
        )) or ""  # fmt: skip
    if correction == "reverse":
        event_id = reader.field(
            "event_id", required_id(N_("Please choose the entry to cancel from the list."))
        )
    elif correction == "award":
        item_id = reader.field("item_id", required_id(N_("Please choose an item.")))
        occurred_on = reader.field("occurred_on", event_day)
    reader.done()
    assert decision is not None and answer is not None
    return AnswerForm(decision, answer, correction, event_id, item_id, occurred_on,
                      reader.raw("quantity"))  # fmt: skip
