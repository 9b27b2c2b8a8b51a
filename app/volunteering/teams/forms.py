"""The team form (level, parent, name, specialty) and the member form (who, as what,
since when), read field by field (app.core.forms)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar
from uuid import UUID

from app.core.forms import FieldError, FormReader
from app.core.validators import past_or_today, plain_text
from app.i18n import N_
from app.volunteering.models import PARENT_LEVEL, Level, MemberRole, Specialty, Target, Team

MAX_NAME = 60
MAX_SPECIALTY_NAME = 20
FIELDS = ("level", "parent_id", "name", "specialty", "specialty_name")


@dataclass(frozen=True)
class TeamForm:
    level: Level
    parent_id: UUID | None
    name: str
    specialty: Specialty | None
    """A specialist team's line; stations and sub-stations have none."""
    specialty_name: str | None
    """The team's own words for its line when it is OTHER."""


@dataclass(frozen=True)
class MemberForm:
    person_id: UUID
    role: MemberRole
    joined_on: date


E = TypeVar("E", Level, Specialty, MemberRole, Target)


def choice_of(choices: type[E], message: str) -> Callable[[str], E]:
    def rule(raw: str) -> E:
        try:
            return choices(raw.strip())
        except ValueError:
            raise FieldError(message) from None

    return rule


def optional_id(raw: str) -> UUID | None:
    if not raw.strip():
        return None
    try:
        return UUID(raw.strip())
    except ValueError:
        raise FieldError(N_("Please choose from the list.")) from None


def required_id(message: str) -> Callable[[str], UUID]:
    def rule(raw: str) -> UUID:
        try:
            return UUID(raw.strip())
        except ValueError:
            raise FieldError(message) from None

    return rule


def team_name(raw: str) -> str:
    name = plain_text(raw)
    if not name:
        raise FieldError(N_("Please enter the team's name."))
    if len(name) > MAX_NAME:
        raise FieldError(N_("A team name can be at most %(n)s characters."), n=MAX_NAME)
    return name


def parse_team_form(data: Mapping[str, str]) -> TeamForm:
    """The team form's fields, or InvalidForm naming each wrong one. A station has no
    parent and no specialty; a specialist team has both."""
    reader = FormReader(data)
    level = reader.field("level", choice_of(Level, N_("Please choose the level.")))
    parent_id = reader.field("parent_id", optional_id)
    name = reader.field("name", team_name)
    specialty: Specialty | None = None
    specialty_name = None
    if level == Level.TEAM:
        specialty = reader.field(
            "specialty", choice_of(Specialty, N_("Please choose the team's line of service."))
        )
        if specialty == Specialty.OTHER:
            specialty_name = plain_text(reader.raw("specialty_name"))[:MAX_SPECIALTY_NAME]
            if not specialty_name:
                reader.error("specialty_name", N_("Please say what the team does."))
    if level is not None and PARENT_LEVEL[level] is not None and parent_id is None:
        reader.error("parent_id", N_("Please choose the team it belongs to."))
    reader.done()
    assert level is not None and name is not None  # done() saw them
    return TeamForm(level, parent_id if level != Level.STATION else None, name, specialty,
                    specialty_name)  # fmt: skip


def parse_member_form(data: Mapping[str, str]) -> MemberForm:
    reader = FormReader(data)
    person_id = reader.field("person_id", required_id(N_("Please choose a person from the list.")))
    role = reader.field("role", choice_of(MemberRole, N_("Please choose leader or member.")))
    joined_on = reader.field("joined_on", past_or_today)
    reader.done()
    assert person_id and role and joined_on
    return MemberForm(person_id, role, joined_on)


def team_form(team: Team) -> dict[str, str]:
    """The team as its form shows it."""
    return {key: str(getattr(team, key) or "") for key in FIELDS}
