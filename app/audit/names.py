"""Names for the ids and codes that audit events keep, found in one query per kind.

Events keep ids (a point entry, a claim, the person a duplicate was confused with) and
item codes because names change; the log shows what they are called now — a person's
name, an item's name with its date — under the district's row-level security, so an
id of another district finds nothing and is simply not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.words import DETAILS, Detail, Names
from app.people.models import OrgUnit, Person
from app.points.models import Claim, Objection, PointEvent, RuleCategory, RuleItem, RuleSet
from app.points.numbers import points_text

SUBJECT_TABLES = {"person": "people", "org_unit": "units"}


def _ids(values: Iterable[Any]) -> set[UUID]:
    found = set()
    for value in values:
        try:
            found.add(UUID(str(value)))
        except ValueError:
            continue  # a name stored before ids were (or a code): shown as it is
    return found


def _values(value: Any) -> list[Any]:
    """The value, or both sides of a [before, after] pair."""
    return list(value) if isinstance(value, list) else [value]


def _wanted(events: Sequence[AuditEvent]) -> dict[str, set[Any]]:
    """Per kind of name, the ids (or codes) the events' shown details mention."""
    wanted: dict[str, set[Any]] = {
        "people": set(), "units": set(), "events": set(), "claims": set(),
        "objections": set(), "categories": set(), "items": set(),
    }  # fmt: skip
    for event in events:
        table = SUBJECT_TABLES.get(event.subject_type)
        if table and event.subject_name is None and event.subject_id is not None:
            wanted[table].add(event.subject_id)
        details: dict[str, Detail] = DETAILS.get(event.action, {})
        for key, value in (event.changes or {}).items():
            detail = details.get(key)
            if detail is None:
                continue
            kind = detail.lookup
            if kind == "items":
                wanted["items"].update(str(v) for v in _values(value) if v)
            elif kind == "filter":
                for query in _values(value):
                    wanted["units"].update(parse_qs(str(query or "")).get("unit", []))
            elif kind:
                wanted[kind].update(_values(value))
    return wanted


async def _pairs(session: AsyncSession, query: Select[UUID, str]) -> dict[str, str]:
    return {str(key): name for key, name in (await session.execute(query))}


async def find_names(session: AsyncSession, events: Sequence[AuditEvent]) -> Names:
    wanted = _wanted(events)
    names = Names()
    if ids := _ids(wanted["people"]):
        names.people = await _pairs(
            session, select(Person.id, Person.name).where(Person.id.in_(ids))
        )
    if ids := _ids(wanted["units"]):
        names.units = await _pairs(
            session, select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))
        )
    if ids := _ids(wanted["categories"]):
        names.categories = await _pairs(
            session, select(RuleCategory.id, RuleCategory.name).where(RuleCategory.id.in_(ids))
        )
    if ids := _ids(wanted["events"]):
        entries = await session.execute(
            select(PointEvent.id, RuleItem.name, PointEvent.occurred_on, PointEvent.points)
            .join(RuleItem, and_(RuleItem.tenant_id == PointEvent.tenant_id,
                                 RuleItem.id == PointEvent.rule_item_id))
            .where(PointEvent.id.in_(ids))
        )  # fmt: skip
        names.events = {
            str(i): f"{item}（{day.isoformat()}，{points_text(points, signed=True)}）"
            for i, item, day, points in entries
        }
    if ids := _ids(wanted["claims"]):
        claims = await session.execute(
            select(Claim.id, RuleItem.name, Claim.occurred_on)
            .join(RuleItem, and_(RuleItem.tenant_id == Claim.tenant_id,
                                 RuleItem.id == Claim.rule_item_id))
            .where(Claim.id.in_(ids))
        )  # fmt: skip
        names.claims = {str(i): f"{item}（{day.isoformat()}）" for i, item, day in claims}
    if ids := _ids(wanted["objections"]):
        objections = await session.execute(
            select(Objection.id, Objection.raised_by_name, Objection.reason).where(
                Objection.id.in_(ids)
            )
        )
        names.objections = {str(i): f"{who}：{reason}" for i, who, reason in objections}
    if wanted["items"]:
        items = await session.execute(
            select(RuleItem.code, RuleItem.name)
            .join(RuleSet, and_(RuleSet.tenant_id == RuleItem.tenant_id,
                                RuleSet.id == RuleItem.rule_set_id))
            .where(RuleItem.code.in_(wanted["items"]))
            .order_by(RuleSet.version)
        )  # fmt: skip
        names.items = {code: name for code, name in items}  # the newest version wins
    return names
