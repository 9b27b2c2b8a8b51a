"""The district's must-visit rules (四必访 / 五个必访) and its meeting day (见面日), as
the district admin tunes them after the preset.

A rule keeps its trigger (and holiday); the admin may rename it, switch it on or off,
widen or narrow a holiday's window, change a concern's deadline, and say whether it
is for party members only or needs a visit in person. The due items of a changed rule
are written again in the same transaction (app.grid.due.rule_changed), so the due
list never shows a window the rule no longer has.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound
from app.core.forms import FieldError, FormErrors, InvalidForm
from app.core.identity import Identity
from app.core.roles import Role
from app.core.validators import plain_text
from app.grid.due import rule_changed
from app.grid.grids import whole_number
from app.grid.models import CONCERN_LABELS, ServiceSettings, Trigger, VisitRule
from app.grid.occasions import HOLIDAYS
from app.i18n import N_
from app.state import AppServices
from tenants.context import require_tenant

MAX_RULE_NAME = 30
DEFAULT_MEETING_DAY = 10

TRIGGER_LABELS = {
    Trigger.BIRTHDAY: N_("Birthday"),
    Trigger.HOLIDAY: N_("Holiday"),
    **CONCERN_LABELS,
}

FLAGS = ("enabled", "party_only", "in_person")


def is_calendar(rule: VisitRule) -> bool:
    """Birthday and holiday rules run by the calendar; the others by a noted concern."""
    return rule.trigger in (Trigger.BIRTHDAY, Trigger.HOLIDAY)


def holiday_label(rule: VisitRule) -> str | None:
    return HOLIDAYS[rule.holiday].label if rule.holiday in HOLIDAYS else None


def rule_form(rule: VisitRule) -> dict[str, str]:
    """The rule as its form shows it."""
    form = {"name": rule.name, "days_before": str(rule.days_before),
            "days_after": str(rule.days_after), "due_hours": str(rule.due_hours or "")}  # fmt: skip
    return form | {flag: "1" for flag in FLAGS if getattr(rule, flag)}


def read_rule_form(rule: VisitRule, data: dict[str, str]) -> dict[str, Any]:
    """The new values of the fields this rule's kind has, or InvalidForm."""
    errors: FormErrors = {}
    values: dict[str, Any] = {flag: data.get(flag) in ("1", "on") for flag in FLAGS}
    try:
        values["name"] = plain_text(data.get("name", ""))
    except FieldError as exc:
        errors["name"] = exc.message
    else:
        if not values["name"]:
            errors["name"] = N_("Please enter a name for the rule.")
        elif len(values["name"]) > MAX_RULE_NAME:
            errors["name"] = N_("A rule name can be at most 30 characters.")
    if rule.trigger == Trigger.HOLIDAY:
        for key, message in (
            ("days_before", N_("Give the days before the holiday as a whole number from 0 to 60.")),
            ("days_after", N_("Give the days after the holiday as a whole number from 0 to 60.")),
        ):
            number = whole_number(data.get(key, ""), 0, 60)
            if number is None:
                errors[key] = message
            values[key] = number
    if not is_calendar(rule):
        values["due_hours"] = whole_number(data.get("due_hours", ""), 1, 720)
        if values["due_hours"] is None:
            errors["due_hours"] = N_("Give the deadline as a whole number of hours from 1 to 720.")
        values["party_only"] = rule.party_only  # a concern is visited whoever has it
    if errors:
        raise InvalidForm(errors)
    return values


def read_meeting_day(raw: str) -> int:
    day = whole_number(raw, 1, 28)
    if day is None:
        raise InvalidForm(
            {"meeting_day": N_("Give the meeting day as a day of the month from 1 to 28.")}
        )
    return day


class VisitRuleService:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db

    async def rules(self) -> list[VisitRule]:
        async with self.db.session() as session:
            return list(
                await session.scalars(
                    select(VisitRule).order_by(VisitRule.position, VisitRule.name)
                )
            )

    async def rule(self, rule_id: UUID) -> VisitRule:
        async with self.db.session() as session:
            rule = await session.get(VisitRule, {"tenant_id": require_tenant(), "id": rule_id})
        if rule is None:
            raise NotFound()
        return rule

    async def meeting_day(self) -> int:
        async with self.db.session() as session:
            return await session.scalar(select(ServiceSettings.meeting_day)) or DEFAULT_MEETING_DAY

    async def update_rule(
        self, identity: Identity, rule_id: UUID, data: dict[str, str]
    ) -> VisitRule:
        """Save the rule and write its due items again; the form's fields are read
        only once the rule is known to be this district's (NotFound first)."""
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        async with self.db.session() as session:
            rule = await session.scalar(
                select(VisitRule).where(VisitRule.id == rule_id).with_for_update()
            )
            if rule is None:
                raise NotFound()
            values = read_rule_form(rule, data)
            changes = {
                key: [getattr(rule, key), value]
                for key, value in values.items()
                if getattr(rule, key) != value
            }
            if not changes:
                return rule
            for key, value in values.items():
                setattr(rule, key, value)
            await session.flush()
            await rule_changed(session, rule.id, clock.today())
            await record(
                session, identity.actor, "visit_rule.changed", subject_type="visit_rule",
                subject_id=rule.id, subject_name=rule.name, changes=changes,
            )  # fmt: skip
            await session.commit()
            return rule

    async def set_meeting_day(self, identity: Identity, raw: str) -> int:
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        day = read_meeting_day(raw)
        async with self.db.session() as session:
            before = await session.scalar(select(ServiceSettings.meeting_day).with_for_update())
            if before == day:
                return day
            await session.execute(
                insert(ServiceSettings)
                .values(tenant_id=require_tenant(), meeting_day=day, updated_at=clock.now())
                .on_conflict_do_update(
                    index_elements=["tenant_id"],
                    set_={"meeting_day": day, "updated_at": clock.now()},
                )
            )
            await record(
                session, identity.actor, "service.meeting_day_changed",
                subject_type="service_settings", changes={"meeting_day": [before, day]},
            )  # fmt: skip
            await session.commit()
            return day
