"""A year of grid service for a synthetic district (issue 5): grids of GRID_SIZE with
the district's grid-worker accounts, visits, concerns and the due items of the
must-visit rules, answered or missed as the app's own daily job and visit logging
would have left them (checked at small scale in tests/service/test_bench_grid.py).
The district's people come first (the roster benchmark's import), and its rules.

Over 400 lines (by a few): one generator, its steps in the order the year happened.

Over 400 lines: it mirrors every must-visit rule the app writes (birthdays, holidays,
concerns, political birthdays, weddings) so the bench's year matches the app's.
"""

from __future__ import annotations

import itertools
import math
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from app.core.clock import CHINA_TIME
from app.grid.due import HORIZON_DAYS, MISSED_AFTER_DAYS
from app.grid.models import SATISFIED_BY
from app.grid.occasions import CalendarRule, Occasion, calendar_occasions, concern_due_at

GRID_SIZE = 150  # people per grid worker (000: one worker for 116 cadres; DESIGN: 150)
VISITS = 160_000  # a year's visits in the large district, about four per person
CONCERNS = 6_000  # hospital stays, hardships, emotional trouble, disputes noted in a year
REASSIGNED = 0.0075  # the share of people moved to another grid once during the year
# The share of people a holiday's window found visited. Windows that overlap (中秋 and
# 国庆 in 2025) are one visit for both, at the larger share. The rest are missed and stay
# in the table unanswered, as the product keeps them.
HOLIDAY_VISITED = {
    "spring_festival": 0.45, "lantern": 0.1, "dragon_boat": 0.05, "mid_autumn": 0.4,
    "double_ninth": 0.2, "party_day": 0.15, "army_day": 0.05, "national_day": 0.25,
}  # fmt: skip
BIRTHDAY_VISITED = 0.75
CONCERN_KINDS = {"hospitalisation": 0.65, "hardship": 0.15, "emotional": 0.12, "dispute": 0.08}
CONCERN_VISITED = 0.85
CONCERN_NOTES = {
    "hospitalisation": ["心脏不适住院", "摔伤住院", "肺炎住院治疗", "术后住院观察"],
    "hardship": ["老伴生病，家中无人照料", "医药费负担重", "房屋漏水无力修缮"],
    "emotional": ["老伴去世后情绪低落", "独居，常感孤独"],
    "dispute": ["与邻居因漏水起纠纷", "与物业因收费有争议"],
}
KNOWS_TEXT = (
    ["在家", "在家休养", "住院治疗", "在子女家小住", "在老年公寓"],
    ["身体尚可，每天散步", "在家带孙子", "参加社区老年大学", "在家看书读报", "行动不便，居家休养"],
    ["无", "腿脚不便，上下楼困难", "老伴生病需要照顾", "看病报销手续不熟", "独居，子女不在身边"],
    ["无", "希望帮助代购药品", "希望协助办理医保报销", "希望安装扶手", "希望定期电话问候"],
)
VISIT_NOTES = ["身体状况良好", "精神很好，对组织关怀表示感谢", "血压偏高，提醒按时服药",
               "聊了家常，心情不错", "送去慰问品", "子女在身边，照顾周到"]  # fmt: skip
GRID_TABLES = ("service_request_events", "service_requests", "visit_due_items", "concerns",
               "visits", "visit_photos", "grid_assignments", "grid_workers", "grids")  # fmt: skip
VISIT_COLUMNS = ["tenant_id", "id", "person_id", "visited_on", "kind", "place", "notes",
                 "knows_where", "knows_doing", "knows_difficulties", "knows_help", "follow_up",
                 "grid_id", "visitor_id", "visitor_name", "logged_at"]  # fmt: skip
ITEM_COLUMNS = ["tenant_id", "id", "person_id", "rule_id", "occasion", "opens_on", "due_at",
                "concern_id", "visit_id", "resolved_at"]  # fmt: skip

PERSONAL = ("political_birthday", "wedding")
"""Calendar triggers of a person's own days besides the birthday (issue 15)."""


async def clear_grid(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    """Remove a district's grids, assignments, visits, concerns, due items and service
    requests (a benchmark's own data); its visit rules stay. TRUNCATE when no other
    district has any."""
    async with conn.transaction():
        others = " or ".join(f"exists (select from {t} where tenant_id <> $1)" for t in GRID_TABLES)
        if not await conn.fetchval(f"select {others}", tenant_id):
            await conn.execute(f"truncate {', '.join(GRID_TABLES)}")
            return
        for table in GRID_TABLES:
            await conn.execute(f"delete from {table} where tenant_id = $1", tenant_id)  # noqa: S608


@dataclass
class _Grid:
    id: uuid.UUID
    name: str
    workers: list[tuple[uuid.UUID, str]]


@dataclass
class _Visit:
    id: uuid.UUID
    day: date
    kind: str
    place: str
    logged_at: datetime


async def generate_grid(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    now: datetime,
    *,
    grid_size: int = GRID_SIZE,
    visits: int = VISITS,
    concerns: int = CONCERNS,
    days: int = 365,
    reassigned: float = REASSIGNED,
    seed: int = 2026,
) -> dict[str, float]:
    """A year of a district's grid service up to `now`, as the owner: every living
    person in a grid of `grid_size` (a few moved once, so history rows exist), each
    grid with a grid-worker account of the district, about `visits` visits over the
    `days` up to today, `concerns` concerns, and the due items the must-visit rules ask
    for — the district's visit rules must be there; its earlier grid data is cleared.

    Birthday and holiday items are those `due.refresh` writes when it runs on each of
    those days (windows meeting [first day − 1, today + HORIZON_DAYS], keys and times
    from the same rule engine); each is answered by the visit `due.resolve` would give
    it (the first of the wanted kind from the day the window opens to MISSED_AFTER_DAYS
    after the deadline, in person where the rule says so). A concern's item is deleted
    when the concern was closed before a visit answered it, as closing does. So running
    `due.refresh` for today afterwards writes and answers nothing more. Deterministic
    for a seed and a roster.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    today = now.astimezone(CHINA_TIME).date()
    first_day = today - timedelta(days=days - 1)
    await clear_grid(conn, tenant_id)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def at(day: date, earliest: datetime | None = None) -> datetime:
        """A time on `day` in working hours, never after now (nor before `earliest`)."""
        moment = datetime.combine(day, datetime.min.time(), CHINA_TIME) + timedelta(
            minutes=rng.randrange(8 * 60, 19 * 60)
        )
        if earliest is not None and moment <= earliest:
            moment = earliest + timedelta(minutes=rng.randrange(20, 240))
        return min(moment, now - timedelta(minutes=rng.randrange(1, 60)))

    rules = await conn.fetch(
        "select id, trigger, holiday, days_before, days_after, due_hours, party_only, in_person"
        " from visit_rules where tenant_id = $1 and enabled order by position",
        tenant_id,
    )
    if not rules:
        raise RuntimeError("the district has no visit rules: install the service preset first")
    calendar = [
        CalendarRule(id=r["id"], trigger=r["trigger"], holiday=r["holiday"],
                     days_before=r["days_before"], days_after=r["days_after"],
                     party_only=r["party_only"])
        for r in rules if r["trigger"] in ("birthday", "holiday", *PERSONAL)
    ]  # fmt: skip
    concern_rules = {r["trigger"]: r for r in rules if r["due_hours"] is not None}
    in_person = {r["id"]: r["in_person"] for r in rules}
    wanted_kind = {r["id"]: SATISFIED_BY[r["trigger"]].value for r in rules}
    people = await conn.fetch(
        "select id, birth_date, party_member, party_joined_on, party_joined_day_known,"
        " married_on from people where tenant_id = $1"
        " and deceased_on is null order by branch_id nulls last, sort_key, id",
        tenant_id,
    )
    workers = [
        (r["id"], r["name"])
        for r in await conn.fetch(
            "select u.id, u.name from users u join user_roles r on r.tenant_id = u.tenant_id"
            " and r.user_id = u.id and r.role = 'grid_worker' where u.tenant_id = $1"
            " order by u.phone, u.id",
            tenant_id,
        )
    ]
    if not workers or not people:
        raise RuntimeError("the district needs people and grid-worker accounts")
    admin = await conn.fetchval(
        "select u.id from users u join user_roles r on r.tenant_id = u.tenant_id"
        " and r.user_id = u.id and r.role = 'tenant_admin' where u.tenant_id = $1"
        " order by u.phone limit 1",
        tenant_id,
    )
    unit = await conn.fetchval(
        "select id from org_units where tenant_id = $1 and parent_id is null"
        " and retired_at is null order by created_at, id limit 1",
        tenant_id,
    )
    opened = datetime.combine(first_day, datetime.min.time(), CHINA_TIME)  # the year's start

    # Grids: one worker each while there are enough; extra workers join a grid as its
    # second worker, too few work several grids.
    count = math.ceil(len(people) / grid_size)
    grids = [_Grid(new_id(), f"第{n + 1:03d}网格", []) for n in range(count)]
    if len(workers) >= count:
        for n, worker in enumerate(workers):
            grids[n % count].workers.append(worker)
    else:
        for n, grid in enumerate(grids):
            grid.workers.append(workers[n % len(workers)])
    home = {p["id"]: grids[n // grid_size] for n, p in enumerate(people)}
    moved: dict[uuid.UUID, tuple[_Grid, datetime]] = {}
    assignments: list[tuple[Any, ...]] = []
    if count > 1:
        for person in rng.sample(people, round(len(people) * reassigned)):
            earlier = rng.choice([g for g in grids if g is not home[person["id"]]])
            day = first_day + timedelta(days=rng.randrange(30, max(31, days - 7)))
            moved[person["id"]] = (earlier, at(day))
    for person in people:
        grid, starts = home[person["id"]], opened
        if person["id"] in moved:
            earlier, starts = moved[person["id"]]
            assignments.append((tenant_id, new_id(), person["id"], earlier.id, opened, starts,
                                admin, admin))  # fmt: skip
        assignments.append((tenant_id, new_id(), person["id"], grid.id, starts, None, admin, None))

    def visitor(person_id: uuid.UUID, when: datetime) -> tuple[_Grid, tuple[uuid.UUID, str]]:
        grid = home[person_id]
        if person_id in moved and when < moved[person_id][1]:
            grid = moved[person_id][0]
        return grid, grid.workers[0]

    # Holiday occasions are the same for everyone; overlapping windows are one campaign.
    window = (first_day - timedelta(days=1), today + timedelta(days=HORIZON_DAYS))
    holidays = sorted(
        ((rule, occasion) for rule in calendar if rule.trigger == "holiday"
         for occasion in calendar_occasions(rule, born=None, party_member=True,
                                            start=window[0], end=window[1])),
        key=lambda pair: pair[1].opens_on,
    )  # fmt: skip
    campaigns: list[list[tuple[CalendarRule, Occasion]]] = []
    for pair in holidays:
        if campaigns and pair[1].opens_on <= max(o.last_day for _, o in campaigns[-1]):
            campaigns[-1].append(pair)
        else:
            campaigns.append([pair])
    birthday_rules = [rule for rule in calendar if rule.trigger == "birthday"]

    def pick_day(first: date, last: date) -> date:
        """A day of the window within the year (a window may open before it)."""
        first = max(first, first_day)
        return first + timedelta(days=rng.randrange((last - first).days + 1))

    def place_for(kind: str, phone_share: float) -> str:
        if kind == "hospital":
            return "hospital" if rng.random() < 0.9 else "home"
        return "phone" if rng.random() < phone_share else "home"

    # Per person: the items the rules ask for, and the visits made for them.
    planned: dict[uuid.UUID, list[_Visit]] = {p["id"]: [] for p in people}
    wanted: dict[uuid.UUID, list[tuple[uuid.UUID, str, date, datetime, uuid.UUID | None]]] = {}
    for person in people:
        person_id, party = person["id"], person["party_member"]
        items = wanted[person_id] = []
        # Political birthdays and golden/diamond weddings: written as the app writes
        # them; nobody in the bench visits for them (their visits are not simulated).
        for rule in (r for r in calendar if r.trigger in PERSONAL):
            for occasion in calendar_occasions(
                rule, born=person["birth_date"], party_member=party, start=window[0],
                end=window[1], joined=person["party_joined_on"],
                joined_day_known=person["party_joined_day_known"], married=person["married_on"],
            ):  # fmt: skip
                items.append((rule.id, occasion.key, occasion.opens_on, occasion.due_at, None))
        for rule in birthday_rules:
            for occasion in calendar_occasions(rule, born=person["birth_date"], party_member=party,
                                               start=window[0], end=window[1]):  # fmt: skip
                items.append((rule.id, occasion.key, occasion.opens_on, occasion.due_at, None))
                if occasion.opens_on > today or occasion.last_day < first_day:
                    continue
                last = min(occasion.last_day, today)
                share = ((last - occasion.opens_on).days + 1) / 7
                if rng.random() < BIRTHDAY_VISITED * share:
                    day = pick_day(occasion.opens_on, last)
                    if rng.random() < 0.08 and occasion.last_day + timedelta(days=10) <= today:
                        day = occasion.last_day + timedelta(days=rng.randint(1, 10))
                    planned[person_id].append(
                        _Visit(new_id(), day, "birthday", place_for("birthday", 0.2), at(day))
                    )
        for campaign in campaigns:
            applies = [(r, o) for r, o in campaign if party or not r.party_only]
            for rule, occasion in applies:
                items.append((rule.id, occasion.key, occasion.opens_on, occasion.due_at, None))
            if not applies:
                continue
            first = min(o.opens_on for _, o in applies)
            end = max(o.last_day for _, o in applies)
            if first > today or end < first_day:
                continue
            last = min(end, today)
            share = ((last - first).days + 1) / ((end - first).days + 1)
            visited = max(HOLIDAY_VISITED.get(r.holiday or "", 0.1) for r, _ in applies)
            if rng.random() < visited * share:
                day = pick_day(first, last)
                planned[person_id].append(
                    _Visit(new_id(), day, "holiday", place_for("holiday", 0.25), at(day))
                )

    # Concerns: noted over the year, most answered by a visit of their kind in time.
    concern_rows: list[tuple[Any, ...]] = []
    closed_on: dict[uuid.UUID, datetime] = {}
    kinds, weights = zip(*CONCERN_KINDS.items(), strict=True)
    start_at = datetime.combine(first_day, datetime.min.time(), CHINA_TIME)
    span = (now - start_at).total_seconds()
    for _ in range(concerns):
        kind = rng.choices(kinds, weights)[0]
        concern_rule = concern_rules.get(kind)
        person = rng.choice(people)
        person_id = person["id"]
        noted_at = start_at + timedelta(seconds=rng.randrange(int(span)))
        if noted_at.hour < 8 or noted_at.hour > 20:
            noted_at = noted_at.replace(hour=rng.randrange(8, 20))
        noted_at = min(noted_at, now - timedelta(minutes=5))
        grid, (worker_id, _) = visitor(person_id, noted_at)
        concern_id = new_id()
        noted_day = noted_at.astimezone(CHINA_TIME).date()
        hours = concern_rule["due_hours"] if concern_rule else 72
        if rng.random() < CONCERN_VISITED:
            delay = rng.randrange(0, max(1, hours // 24))
            if rng.random() < 0.1:
                delay += hours // 24 + rng.randint(1, 10)  # late
            day = noted_day + timedelta(days=delay)
            if day <= today:
                visit_kind = SATISFIED_BY[kind].value
                place = place_for(visit_kind, 0.3 if kind != "dispute" else 0.1)
                planned[person_id].append(
                    _Visit(new_id(), day, visit_kind, place, at(day, earliest=noted_at))
                )
        closed_at = closed_by = None
        settles = 0.6 if kind == "hardship" else 0.95
        if noted_at < now - timedelta(days=14) and rng.random() < settles:
            closed_at = min(noted_at + timedelta(days=rng.randint(3, 14), hours=2), now)
            closed_by = worker_id
            closed_on[concern_id] = closed_at
        note = rng.choice(CONCERN_NOTES[kind])
        concern_rows.append((tenant_id, concern_id, person_id, kind, note, noted_at, worker_id,
                             closed_at, closed_by))  # fmt: skip
        if concern_rule is not None:
            due_at = concern_due_at(noted_at, concern_rule["due_hours"])
            occasion_key = f"concern:{concern_id}"
            wanted[person_id].append(
                (concern_rule["id"], occasion_key, noted_day, due_at, concern_id)
            )

    # Routine visits fill the year up to `visits`, busier people visited more often.
    made = sum(len(v) for v in planned.values())
    activity = list(itertools.accumulate(rng.lognormvariate(0, 0.5) for _ in people))
    year_days = [first_day + timedelta(days=d) for d in range(days)]
    day_weights = list(itertools.accumulate(1.0 if d.weekday() < 5 else 0.3 for d in year_days))
    for person in rng.choices(people, cum_weights=activity, k=max(0, visits - made)):
        day = rng.choices(year_days, cum_weights=day_weights)[0]
        planned[person["id"]].append(_Visit(new_id(), day, "routine", place_for("routine", 0.45),
                                            at(day)))  # fmt: skip

    # What due.resolve gives each item: the first visit of the wanted kind from the
    # window's opening to MISSED_AFTER_DAYS after the deadline (before a concern closed).
    late = timedelta(days=MISSED_AFTER_DAYS)
    visit_rows, item_rows = [], []
    counts = {"resolved": 0, "open": 0, "closed_unanswered": 0}
    for person in people:
        person_id = person["id"]
        mine = sorted(planned[person_id], key=lambda v: (v.day, v.logged_at))
        for rule_id, key, opens_on, due_at, for_concern in wanted[person_id]:
            latest = due_at.astimezone(CHINA_TIME).date() + late
            closed = closed_on.get(for_concern) if for_concern else None
            answer = next(
                (v for v in mine if v.kind == wanted_kind[rule_id] and opens_on <= v.day <= latest
                 and not (in_person[rule_id] and v.place == "phone")
                 and (closed is None or v.logged_at <= closed)),
                None,
            )  # fmt: skip
            if answer is None and closed is not None:
                counts["closed_unanswered"] += 1  # closing deleted the item
                continue
            counts["resolved" if answer else "open"] += 1
            item_rows.append((tenant_id, new_id(), person_id, rule_id, key, opens_on, due_at,
                              for_concern, answer.id if answer else None,
                              answer.logged_at if answer else None))  # fmt: skip
        for v in mine:
            grid, (worker_id, worker_name) = visitor(person_id, v.logged_at)
            knows: tuple[str | None, ...] = (None,) * 4
            if rng.random() < (0.3 if v.place == "phone" else 0.6):
                knows = tuple(rng.choice(options) for options in KNOWS_TEXT)
            notes = rng.choice(VISIT_NOTES) if rng.random() < 0.6 else None
            visit_rows.append((tenant_id, v.id, person_id, v.day, v.kind, v.place, notes, *knows,
                               rng.random() < 0.04, grid.id, worker_id, worker_name,
                               v.logged_at))  # fmt: skip

    async with conn.transaction():
        await conn.copy_records_to_table(
            "grids", records=[(tenant_id, g.id, g.name, unit, opened) for g in grids],
            columns=["tenant_id", "id", "name", "unit_id", "created_at"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "grid_workers",
            records=[(tenant_id, g.id, w[0], opened) for g in grids for w in g.workers],
            columns=["tenant_id", "grid_id", "user_id", "since"],
        )
        await conn.copy_records_to_table(
            "grid_assignments", records=assignments,
            columns=["tenant_id", "id", "person_id", "grid_id", "starts_at", "ends_at",
                     "assigned_by", "ended_by"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "concerns", records=concern_rows,
            columns=["tenant_id", "id", "person_id", "kind", "note", "noted_at", "noted_by",
                     "closed_at", "closed_by"],
        )  # fmt: skip
        await conn.copy_records_to_table("visits", records=visit_rows, columns=VISIT_COLUMNS)
        await conn.copy_records_to_table("visit_due_items", records=item_rows, columns=ITEM_COLUMNS)
    for table in ("grids", "grid_workers", "grid_assignments", "concerns", "visits",
                  "visit_due_items", "visit_rules", "people"):  # fmt: skip
        await conn.execute(f"analyze {table}")
    kinds_made: dict[str, int] = {}
    for row in visit_rows:
        kinds_made[row[4]] = kinds_made.get(row[4], 0) + 1
    return {
        "grids": len(grids), "people": len(people), "moved": len(moved),
        "visits": len(visit_rows), "concerns": len(concern_rows), "items": len(item_rows),
        **counts, **{f"visits_{k}": n for k, n in sorted(kinds_made.items())},
        "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
