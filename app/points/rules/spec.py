"""A rule set as plain data, and the checks it must pass before it may be activated.

The same checks run on every shipped preset (app.presets, in the unit tests) and on a
draft when the admin activates it, so a scheme that cannot be scored never reaches the
ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from app.i18n import N_
from app.points.feeds import Feed
from app.points.models import Awarder, Unit
from app.points.numbers import points_text

MAX_POINTS = Decimal("999.9")
MAX_CAP = Decimal("9999.9")
MAX_BASE = Decimal("999.9")
MAX_CATEGORIES = 12
MAX_ITEMS = 200


@dataclass(frozen=True)
class ItemSpec:
    code: str
    name: str
    points: Decimal
    unit: str = Unit.EVENT
    cap_quarter: Decimal | None = None
    cap_year: Decimal | None = None
    evidence_required: bool = False
    awarders: tuple[str, ...] = (Awarder.SECRETARY, Awarder.GRID_WORKER)
    feeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategorySpec:
    name: str
    items: tuple[ItemSpec, ...] = ()


@dataclass(frozen=True)
class RuleSetSpec:
    categories: tuple[CategorySpec, ...]
    base_score: Decimal | None = None
    objection_days: int = 7


@dataclass(frozen=True)
class Problem:
    """Why a rule set cannot be activated; `message` is a msgid with `args`."""

    message: str
    args: Mapping[str, object] = field(default_factory=dict)


def problems(spec: RuleSetSpec) -> list[Problem]:
    """Every reason the rule set cannot be scored, in the order an admin reads it."""
    found: list[Problem] = []
    if not spec.categories:
        found.append(Problem(N_("The rule set has no categories.")))
    if len(spec.categories) > MAX_CATEGORIES:
        found.append(Problem(N_("A rule set has at most %(n)s categories."), {"n": MAX_CATEGORIES}))
    if spec.base_score is not None and not (0 <= spec.base_score <= MAX_BASE):
        found.append(Problem(N_("The base score must be between 0 and %(n)s."), {"n": MAX_BASE}))
    if not 1 <= spec.objection_days <= 30:
        found.append(Problem(N_("The objection period must be between 1 and 30 days.")))
    names: set[str] = set()
    codes: set[str] = set()
    fed: dict[str, str] = {}
    total = 0
    for category in spec.categories:
        if category.name in names:
            found.append(Problem(N_("Two categories are both called %(name)s."),
                                 {"name": category.name}))  # fmt: skip
        names.add(category.name)
        if not category.items:
            found.append(Problem(N_("The category %(name)s has no items."),
                                 {"name": category.name}))  # fmt: skip
        for item in category.items:
            total += 1
            if item.code in codes:
                found.append(Problem(N_("The code %(code)s is used by more than one item."),
                                     {"code": item.code}))  # fmt: skip
            codes.add(item.code)
            found.extend(item_problems(item))
            for feed in item.feeds:
                if feed in fed:
                    found.append(Problem(
                        N_("Items %(first)s and %(code)s are scored by the same automatic "
                           "source; a source scores one item."),
                        {"first": fed[feed], "code": item.code},
                    ))  # fmt: skip
                fed.setdefault(feed, item.code)
    if total > MAX_ITEMS:
        found.append(Problem(N_("A rule set has at most %(n)s items."), {"n": MAX_ITEMS}))
    return found


def item_problems(item: ItemSpec) -> list[Problem]:
    found: list[Problem] = []
    code = {"code": item.code}
    if item.points == 0 or abs(item.points) > MAX_POINTS:
        found.append(Problem(N_("Item %(code)s: points must be non-zero and at most %(n)s."),
                             {**code, "n": MAX_POINTS}))  # fmt: skip
    if item.unit not in set(Unit):
        found.append(Problem(N_("Item %(code)s: unknown unit."), code))
    if not item.awarders or not set(item.awarders) <= set(Awarder):
        found.append(Problem(N_("Item %(code)s: choose who may award it."), code))
    if not set(item.feeds) <= set(Feed):
        found.append(Problem(N_("Item %(code)s: unknown automatic source."), code))
    if item.feeds and Awarder.AUTOMATIC not in item.awarders:
        found.append(Problem(
            N_("Item %(code)s: an item scored by an automatic source needs Automatic "
               "ticked under who may award it."), code,
        ))  # fmt: skip
    one = abs(item.points)
    for cap in (item.cap_quarter, item.cap_year):
        if cap is not None and cap < one:
            found.append(Problem(
                N_("Item %(code)s: the cap %(cap)s is below the %(points)s points of one event."),
                {**code, "cap": points_text(cap), "points": points_text(one)},
            ))  # fmt: skip
        elif cap is not None and cap > MAX_CAP:
            found.append(Problem(N_("Item %(code)s: a cap is at most %(n)s."),
                                 {**code, "n": MAX_CAP}))  # fmt: skip
    if (
        item.cap_quarter is not None
        and item.cap_year is not None
        and item.cap_year < item.cap_quarter
    ):
        found.append(Problem(N_("Item %(code)s: the year's cap is below the quarter's."), code))
    return found


# --- presets ------------------------------------------------------------------------


class RuleSetSpecError(ValueError):
    pass


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RuleSetSpecError(f"{where}: a number is expected")
    try:
        return Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation as exc:
        raise RuleSetSpecError(f"{where}: {value!r} is not a number") from exc


def spec_from_mapping(data: Mapping[str, Any]) -> RuleSetSpec:
    """A rule set from a preset's `[rules]` table; raises on any shape error."""
    categories: list[CategorySpec] = []
    for c, raw in enumerate(data.get("categories", [])):
        items: list[ItemSpec] = []
        for i, rawitem in enumerate(raw.get("items", [])):
            where = f"categories[{c}].items[{i}]"
            unknown = set(rawitem) - set(ItemSpec.__dataclass_fields__)
            if unknown:
                raise RuleSetSpecError(f"{where}: unknown keys {sorted(unknown)}")
            try:
                items.append(ItemSpec(
                    code=str(rawitem["code"]), name=str(rawitem["name"]),
                    points=_decimal(rawitem["points"], where),
                    unit=str(rawitem.get("unit", Unit.EVENT)),
                    cap_quarter=_optional(rawitem.get("cap_quarter"), where),
                    cap_year=_optional(rawitem.get("cap_year"), where),
                    evidence_required=bool(rawitem.get("evidence_required", False)),
                    awarders=tuple(rawitem.get("awarders", ItemSpec.awarders)),
                    feeds=tuple(rawitem.get("feeds", ())),
                ))  # fmt: skip
            except KeyError as exc:
                raise RuleSetSpecError(f"{where}: missing {exc}") from exc
        categories.append(CategorySpec(name=str(raw["name"]), items=tuple(items)))
    return RuleSetSpec(
        categories=tuple(categories),
        base_score=_optional(data.get("base_score"), "base_score"),
        objection_days=int(data.get("objection_days", 7)),
    )


def _optional(value: Any, where: str) -> Decimal | None:
    return None if value is None else _decimal(value, where)


def describe(found: Iterable[Problem]) -> list[str]:
    """Problems in English, for preset load errors (never shown to a district)."""
    return [p.message % dict(p.args) for p in found]
