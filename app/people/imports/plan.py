"""The dry run's second half: what each parsed row becomes in this district.

Over 400 lines: the per-row checks against the roster (matches, suspects, the wedding
day against the birth day on file) read one district snapshot built here.

`parse_roster` (app.people.imports.drafts) knows the file; this module knows the roster:
which rows update a person already there (same ID number and name — so importing
the same file twice changes nothing), which are new, which clash with someone
(an ID number that belongs to another name), which look like someone already
listed or on another line (same name, birth dates that agree as far as both are
known: flagged, never merged), and which branches and groups do not exist yet
(proposed, created on commit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.i18n import N_
from app.people.crypto import IdCipher
from app.people.imports.cells import WEDDING_BEFORE_16, PartialDate, married_too_young
from app.people.imports.drafts import CATEGORY_MISSING, DraftRow, ParsedRoster, PersonDraft
from app.people.imports.problems import KeptRow, pack_row
from app.people.models import OrgUnit, Person, UnitKind
from app.people.pinyin import unit_sort_key

# Person columns an import may set, and the draft field each comes from.
PLAIN_FIELDS = (
    "name",
    "gender",
    "category",
    "party_member",
    "phone",
    "address",
    "mobile",
    "infirm",
    "family_contact_name",
    "family_contact_phone",
    "health_notes",
    "notes",
)
DATE_FIELDS = {"birth_date": "birth_day_known", "party_joined_on": "party_joined_day_known"}


@dataclass
class Roster:
    """What the district already holds, loaded once per dry run."""

    people: dict[UUID, dict[str, Any]]
    by_index: dict[bytes, UUID]
    born: dict[tuple[str, int, int], list[tuple[UUID, int | None]]]
    """(name, birth year, month) → each such person and their day of birth, if known."""
    by_name: dict[str, list[UUID]]
    branches: dict[str, list[UUID]]
    groups: dict[tuple[UUID, str], UUID]

    @classmethod
    async def load(cls, session: AsyncSession) -> Roster:
        columns = [
            getattr(Person, name)
            for name in (
                "id",
                "name",
                "id_number_index",
                "birth_date",
                "birth_day_known",
                "gender",
                "category",
                "party_member",
                "party_joined_on",
                "party_joined_day_known",
                "phone",
                "address",
                "branch_id",
                "group_id",
                "mobile",
                "infirm",
                "deceased_on",
                "married_on",
                "family_contact_name",
                "family_contact_phone",
                "health_notes",
                "notes",
            )
        ]
        people: dict[UUID, dict[str, Any]] = {}
        by_index: dict[bytes, UUID] = {}
        born: dict[tuple[str, int, int], list[tuple[UUID, int | None]]] = defaultdict(list)
        by_name: dict[str, list[UUID]] = defaultdict(list)
        for row in await session.execute(select(*columns)):
            values = row._asdict()
            people[values["id"]] = values
            if values["id_number_index"] is not None:
                by_index[values["id_number_index"]] = values["id"]
            if (day := values["birth_date"]) is not None:
                known = day.day if values["birth_day_known"] else None
                born[(values["name"], day.year, day.month)].append((values["id"], known))
            by_name[values["name"]].append(values["id"])
        branches: dict[str, list[UUID]] = defaultdict(list)
        groups: dict[tuple[UUID, str], UUID] = {}
        units = await session.execute(
            select(OrgUnit.id, OrgUnit.kind, OrgUnit.name, OrgUnit.parent_id).where(
                OrgUnit.retired_at.is_(None)
            )
        )
        for unit_id, kind, name, parent_id in units:
            if kind == UnitKind.BRANCH:
                branches[name].append(unit_id)
            elif kind == UnitKind.GROUP and parent_id:
                groups[(parent_id, name)] = unit_id
        return cls(people, by_index, dict(born), dict(by_name), dict(branches), groups)

    def twins(self, name: str, birth: PartialDate) -> list[UUID]:
        """People of this name born on this date, known to the same precision."""
        found = self.born.get((name, birth.year, birth.month), [])
        return [person for person, day in found if day == birth.day]

    def look_alikes(self, name: str, birth: PartialDate) -> list[UUID]:
        """People of this name whose birth date agrees as far as both are known: 1949.10
        and 1949-10-20 agree, 1949-10-20 and 1949-10-21 do not."""
        found = self.born.get((name, birth.year, birth.month), [])
        return [person for person, day in found if agree(day, birth.day)]


def agree(day: int | None, other: int | None) -> bool:
    """Two days of the same month agree unless both are known and differ."""
    return day is None or other is None or day == other


@dataclass
class PlannedRow:
    line: int
    outcome: str
    """new, update (changes someone), same (nothing to change) or error."""
    name: str | None
    data: dict[str, Any]
    person_id: UUID | None = None
    id_number_enc: bytes | None = None
    id_number_index: bytes | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    """Contact values left out; the row is imported without them (drafts.WARNING_FIELDS)."""
    suspects: list[dict[str, Any]] = field(default_factory=list)
    infirm_sign: str | None = None
    """The health note's sign that proposes the infirm flag (drafts.PersonDraft)."""
    cells_enc: bytes | None = None
    """A row with problems or warnings: its cells as the file had them, encrypted
    (app.people.imports.problems), to download and fix after the commit."""


@dataclass
class Plan:
    rows: list[PlannedRow]
    new_branches: list[str]
    new_groups: list[list[str]]
    """[branch name, group name] pairs."""

    def summary(self, parsed: ParsedRoster) -> dict[str, Any]:
        counts = {"new": 0, "update": 0, "same": 0, "error": 0}
        for row in self.rows:
            counts[row.outcome] += 1
        return {
            "rows": len(self.rows),
            **counts,
            "warnings": sum(1 for row in self.rows if row.warnings and row.outcome != "error"),
            "suspects": sum(1 for row in self.rows if row.suspects),
            "infirm_proposed": sum(1 for row in self.rows if row.infirm_sign),
            "category_missing": sum(
                1
                for row in self.rows
                if any(p["message"] == CATEGORY_MISSING for p in row.problems)
            ),
            "new_branches": self.new_branches,
            "new_groups": self.new_groups,
            "columns": parsed.columns,
            "unknown_columns": parsed.unknown_columns,
            "duplicate_columns": parsed.duplicate_columns,
            "skipped_blank": parsed.skipped_blank,
            "footer_line": parsed.footer_line,
        }


def plan_rows(parsed: ParsedRoster, roster: Roster, cipher: IdCipher, tenant_id: UUID) -> Plan:
    """Decide every row's outcome. Pure apart from the cipher: safe to run in a thread."""
    present = set(parsed.columns)
    new_branches: dict[str, None] = {}
    new_groups: dict[tuple[str, str], None] = {}
    in_file: dict[tuple[str, int, int], list[tuple[int, int | None]]] = defaultdict(list)
    planned: list[PlannedRow] = []
    for row in parsed.rows:
        item = _plan_row(row, present, roster, cipher, tenant_id)
        if item.problems or item.warnings:
            kept = KeptRow(row.cells, item.problems, item.warnings)
            item.cells_enc = pack_row(cipher, tenant_id, kept)
        planned.append(item)
        if item.outcome == "error":
            continue
        branch = item.data.get("branch")
        if branch and branch not in roster.branches:
            new_branches[branch] = None
        group = item.data.get("group")
        if branch and group and item.data.get("group_id") is None:
            new_groups[(branch, group)] = None
        draft = row.draft
        if draft is not None and (born := draft.birth_date) is not None:
            in_file[(draft.name, born.year, born.month)].append((row.line, born.day))
    # Look-alikes inside the file itself: same name, birth dates that agree.
    by_line = {item.line: item for item in planned}
    for lines in in_file.values():
        for line, day in lines:
            by_line[line].suspects.extend(
                {"line": other} for other, other_day in lines
                if other != line and agree(day, other_day)
            )  # fmt: skip
    # Listed as the tree lists units (第一、第二…第十), not in the file's order.
    groups = sorted(new_groups, key=lambda pair: (unit_sort_key(pair[0]), unit_sort_key(pair[1])))
    return Plan(planned, sorted(new_branches, key=unit_sort_key), [list(pair) for pair in groups])


def _plan_row(
    row: DraftRow, present: set[str], roster: Roster, cipher: IdCipher, tenant_id: UUID
) -> PlannedRow:
    draft = row.draft
    problems, warnings = (
        [
            {"field": p.field, "column": p.column, "message": p.message, "args": p.args}
            for p in found
        ]
        for found in (row.problems, row.warnings)
    )
    if draft is None:
        return PlannedRow(row.line, "error", None, {}, problems=problems, warnings=warnings)
    data = draft_values(draft, present)
    item = PlannedRow(row.line, "new", draft.name, data, problems=problems, warnings=warnings)
    if draft.id_number:
        item.id_number_index = cipher.blind_index(tenant_id, draft.id_number)
        item.id_number_enc = cipher.encrypt(tenant_id, draft.id_number)
        data["id_tail"] = draft.id_number[-4:]
        holder = roster.by_index.get(item.id_number_index)
        if holder is not None:
            holder_name = roster.people[holder]["name"]
            if holder_name != draft.name:
                item.problems.append(
                    {
                        "field": "id_number",
                        "column": "",
                        "message": N_("This ID number already belongs to %(name)s in the roster."),
                        "args": {"name": holder_name},
                    }
                )
            else:
                item.person_id = holder
    _resolve_units(item, roster)
    birth = draft.birth_date
    if item.person_id is None and item.id_number_index is None:
        item.person_id = _same_person_without_id(draft.name, birth, data, roster)
    if birth is not None:
        for twin in roster.look_alikes(draft.name, birth):
            if twin != item.person_id:
                item.suspects.append({"person_id": str(twin), "name": draft.name})
    if item.person_id is not None:
        _check_against_current(item, roster.people[item.person_id])
    if item.problems:
        item.outcome = "error"
        return item
    if item.person_id is not None:
        changed = changed_fields(roster.people[item.person_id], data)
        data["changed"] = changed
        item.outcome = "update" if changed else "same"
    if draft.infirm_sign and not (item.person_id and roster.people[item.person_id]["infirm"]):
        item.infirm_sign = draft.infirm_sign  # proposed: the admin confirms it
    return item


def _same_person_without_id(
    name: str, birth: PartialDate | None, data: dict[str, Any], roster: Roster
) -> UUID | None:
    """A row without an ID number is the person of the same name and birth date (known
    to the same precision) — or, without a birth date, of the same name in the same
    branch — when exactly one such person exists; importing such a file again then
    updates, not duplicates. A date known to another precision is only a look-alike."""
    if birth is not None:
        found = roster.twins(name, birth)
    else:
        branch_id = data.get("branch_id")
        found = [
            person_id
            for person_id in roster.by_name.get(name, [])
            if branch_id and str(roster.people[person_id]["branch_id"]) == branch_id
        ]
    return found[0] if len(found) == 1 else None


def _day(value: date | str) -> date:  # on file, or in a row's values (ISO)
    return value if isinstance(value, date) else date.fromisoformat(value)


def _check_against_current(item: PlannedRow, current: dict[str, Any]) -> None:
    """What an update may not do to the person on file: leave them in a party group
    of their old branch, or make a member with a joining date a non-member."""
    data = item.data
    for key, known in DATE_FIELDS.items():
        # 1949.10 in the file, 1949-10-20 on file: the file is vaguer, not different.
        vaguer = key in data and not data[known] and current[known] and current[key]
        if vaguer and current[key].isoformat()[:7] == data[key][:7]:
            del data[key], data[known]
    moved = data.get("branch") and data.get("branch_id") != str(current["branch_id"])
    if moved and not data.get("group") and current["group_id"] is not None:
        data["group_id"] = None  # the old branch's group does not come along
    born = data.get("birth_date") or current["birth_date"]
    married = data.get("married_on") or current["married_on"]
    if born and married and married_too_young(_day(married), _day(born)):
        item.problems.append({
            "field": "married_on", "column": "", "message": WEDDING_BEFORE_16, "args": {},
        })  # fmt: skip
    said_no = data.get("party_member") is False and "party_joined_on" not in data
    if said_no and current["party_joined_on"] is not None:
        item.problems.append({
            "field": "party_member", "column": "",
            "message": N_("The roster has a joining date for this person; the row says 否."),
            "args": {},
        })  # fmt: skip


def draft_values(draft: PersonDraft, present: set[str]) -> dict[str, Any]:
    """The values a row sets: blank cells leave what is there, and a column the file
    does not have (流动党员, say) does not reset the flag."""
    values: dict[str, Any] = {}
    for name in PLAIN_FIELDS:
        value = getattr(draft, name)
        if isinstance(value, bool) and name in ("mobile", "infirm") and name not in present:
            continue
        if value is not None:
            values[name] = value
    for name, known in DATE_FIELDS.items():
        partial: PartialDate | None = getattr(draft, name)
        if partial is not None:
            values[name] = partial.first_day.isoformat()
            values[known] = partial.day is not None
    for name in ("deceased_on", "married_on"):
        day: PartialDate | None = getattr(draft, name)
        if day is not None:
            values[name] = day.first_day.isoformat()
    if draft.branch:
        values["branch"] = draft.branch
    if draft.group:
        values["group"] = draft.group
    return values


def _resolve_units(item: PlannedRow, roster: Roster) -> None:
    branch = item.data.get("branch")
    group = item.data.get("group")
    if group and not branch:
        item.problems.append(
            {
                "field": "group",
                "column": "",
                "message": N_("A party group needs its branch in the same row."),
                "args": {},
            }
        )
        return
    if not branch:
        return
    found = roster.branches.get(branch, [])
    if len(found) > 1:
        item.problems.append(
            {
                "field": "branch",
                "column": "",
                "message": N_(
                    "Several branches are called %(name)s; rename one in the organisation first."
                ),
                "args": {"name": branch},
            }
        )
        return
    if found:
        item.data["branch_id"] = str(found[0])
        if group and (group_id := roster.groups.get((found[0], group))):
            item.data["group_id"] = str(group_id)


def changed_fields(current: dict[str, Any], data: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in data.items():
        if key in ("branch", "group", "id_tail"):
            continue
        if key in ("branch_id", "group_id"):
            if (str(current[key]) if current.get(key) else None) != value:
                changed.append(key)
            continue
        before = current.get(key)
        if isinstance(before, date):
            before = before.isoformat()
        if before != value:
            changed.append(key)
    if data.get("branch") and "branch_id" not in data:
        changed.append("branch_id")  # moves to a branch the commit creates
    if data.get("group") and "group_id" not in data:
        changed.append("group_id")
    return changed
