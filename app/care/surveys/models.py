"""Surveys, their questions, who took part and what was answered — the last two with
nothing in common but the survey (app/care/README.md, "The anonymous survey")."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Date, DateTime, ForeignKeyConstraint, SmallInteger, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class Status(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.DRAFT: N_("Draft"),
    Status.OPEN: N_("Open for answers"),
    Status.CLOSED: N_("Closed"),
}


class QuestionKind(enum.StrEnum):
    CHOICE = "choice"
    RATING = "rating"
    TEXT = "text"


KIND_LABELS = {
    QuestionKind.CHOICE: N_("Choose one"),
    QuestionKind.RATING: N_("Rating 1 to 5"),
    QuestionKind.TEXT: N_("Own words"),
}

RATING_LABELS = {
    5: N_("Very satisfied"),
    4: N_("Satisfied"),
    3: N_("So-so"),
    2: N_("Dissatisfied"),
    1: N_("Very dissatisfied"),
}
"""The five marks of a rating question, best first as the form shows them."""


class Survey(TenantMixin, Base):
    __tablename__ = "surveys"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "unit_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(["tenant_id", "created_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    title: Mapped[str] = mapped_column(Text)
    intro: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[UUID | None] = mapped_column()
    """Whose members may answer: this unit's subtree; None is the whole district."""
    status: Mapped[str] = mapped_column(String(8), default=Status.DRAFT)
    created_by: Mapped[UUID] = mapped_column()
    created_by_name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)


class Question(TenantMixin, Base):
    __tablename__ = "survey_questions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "survey_id"], ["surveys.tenant_id", "surveys.id"]),
    )

    survey_id: Mapped[UUID] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)


class Participant(TenantMixin, Base):
    """That a person has answered a survey — and nothing about when or what."""

    __tablename__ = "survey_participants"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "survey_id"], ["surveys.tenant_id", "surveys.id"]),
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
    )

    survey_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)


class Answer(TenantMixin, Base):
    """One member's answers to one survey, under a random id — and nothing about who
    or when. `answers` maps a question's position ("1" …) to an option's index, a
    mark of 1–5 or the words written."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "survey_id"], ["surveys.tenant_id", "surveys.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    survey_id: Mapped[UUID] = mapped_column()
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
