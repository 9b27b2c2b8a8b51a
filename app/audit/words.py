"""How a change's details read in the log (the actions' own labels are in service.py).

Over 400 lines: one table of every audited action's details, kept together so the
change log reads alike across capabilities (tests/http/test_audit_words.py walks it).

Services record plain values in `changes` — codes, ids, numbers as text, [before, after]
pairs — so the log keeps exactly what happened. This is the one place that turns them
into what a reader sees: each action lists the details it records, with a label and the
kind of value each is (a role, a date, points, a person's id …). An id is shown as the
name `names.py` found for it, or not at all; a detail an action does not list is not
shown, and `unlabelled()` lets a test find it. So no code, id or English key reaches the
district's log, a person's history or an account's page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from app.care.aid.models import REASON_LABELS
from app.care.political_birthdays.models import GIFT_LABELS, WAY_LABELS
from app.core.money import yuan_text
from app.core.roles import ROLE_LABELS
from app.i18n import N_, _
from app.notifications.kinds import CHANNEL_LABELS
from app.orglife.models import FREQUENCY_LABELS, PRESENCE_LABELS
from app.people.imports.headers import FIELD_LABELS
from app.people.models import CATEGORY_LABELS, GENDER_LABELS, UNIT_KIND_LABELS
from app.people.search import FLAG_LABELS
from app.points.feeds import FEED_LABELS
from app.points.models import (
    AWARDER_LABELS,
    CLAIM_STATUS_LABELS,
    OBJECTION_STATUS_LABELS,
    UNIT_LABELS,
)
from app.points.numbers import points_text
from app.points.periods import parse_half, parse_quarter
from app.regions import current_county
from app.reports.kinds import KIND_TITLES
from app.volunteering.models import LEVEL_LABELS, SPECIALTY_LABELS

# What a change is about when it has no name of its own (the roster as a whole …).
SUBJECT_LABELS = {
    "roster": N_("Roster"),
    "service_settings": N_("Visit settings"),
    "orglife_settings": N_("Organisational life settings"),
}

DRAFT_CHANGE_LABELS = {
    "draft_started": N_("Draft started"),
    "draft_discarded": N_("Draft discarded"),
    "settings_changed": N_("Base score or objection period changed"),
    "category_added": N_("Category added"),
    "category_renamed": N_("Category renamed"),
    "category_deleted": N_("Category deleted"),
    "item_added": N_("Item added"),
    "item_changed": N_("Item changed"),
    "item_deleted": N_("Item deleted"),
}


@dataclass
class Names:
    """Names for the ids and codes the shown events mention, found by `names.py`."""

    people: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)
    objections: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    """Rule item code → its name in the newest version that has it."""
    categories: dict[str, str] = field(default_factory=dict)


Shower = Callable[[Any, Names], str | None]


def _is_id(value: Any) -> bool:
    text = str(value)
    return len(text) == 36 and text.count("-") == 4


def _text(value: Any, names: Names) -> str | None:
    """Free text as it was typed (a name, a reason); never an id, whatever the key."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(t for v in value if (t := _text(v, names)))
    return None if _is_id(value) else str(value)


def _hidden(value: Any, names: Names) -> str | None:
    return None


def _labelled(labels: Mapping[Any, str]) -> Shower:
    def show(value: Any, names: Names) -> str | None:
        if isinstance(value, list):
            return "、".join(_(labels[v]) for v in value if v in labels) or None
        return _(labels[value]) if value in labels else None

    return show


def _looked_up(table: str) -> Shower:
    """An id shown as the name found for it; a name stored as such is shown as is."""

    def show(value: Any, names: Names) -> str | None:
        if value is None or value == "":
            return None
        found: dict[str, str] = getattr(names, table)
        return found.get(str(value)) if _is_id(value) else str(value)

    return show


def _item(value: Any, names: Names) -> str | None:
    return names.items.get(str(value), str(value)) if value else None


def _points(value: Any, names: Names) -> str | None:
    return None if value is None or value == "" else points_text(value)


def _signed_points(value: Any, names: Names) -> str | None:
    return None if value is None or value == "" else points_text(value, signed=True)


def _yuan(value: Any, names: Names) -> str | None:
    return None if value is None or value == "" else yuan_text(Decimal(str(value)))


def _count(value: Any, names: Names) -> str | None:
    return None if value is None or value == "" else str(value)


def _percent(value: Any, names: Names) -> str | None:
    return None if value is None or value == "" else f"{value}%"


def _period(value: Any, names: Names) -> str | None:
    found = parse_half(str(value)) or parse_quarter(str(value), None)  # type: ignore[arg-type]
    return found.label if found else None


def _version(value: Any, names: Names) -> str | None:
    return _("Version %(n)s", n=value) if value else None


def _region(value: Any, names: Names) -> str | None:
    return current_county(str(value)) or _text(value, names)


def _person_filter(value: Any, names: Names) -> str | None:
    """The roster list's filter as it was chosen: the unit, category, kind and search."""
    chosen = {key: values[0] for key, values in parse_qs(str(value or "")).items()}
    parts = [
        names.units.get(chosen.get("unit", ""), ""),
        _labelled(CATEGORY_LABELS)(chosen.get("category"), names) or "",
        _labelled(FLAG_LABELS)(chosen.get("flag", ""), names) or "",
        f"“{chosen['q']}”" if chosen.get("q") else "",
    ]
    return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class Detail:
    label: str
    """msgid of what the value is."""
    show: Shower = _text
    lookup: str | None = None
    """Which of `Names` its ids (or codes) are found in: names.py reads it."""


def named(label: str, table: str) -> Detail:
    """A detail whose value is the id of something in `table` (a Names field)."""
    return Detail(label, _looked_up(table), table)


HIDDEN = Detail("", _hidden)
NOTE = Detail(N_("Note"), _text)
REASON = Detail(N_("Reason"), _text)
POINTS = Detail(N_("Points"), _signed_points)
ITEM = Detail(N_("Item"), _item, "items")
DAY = Detail(N_("Date"), _text)
PERIOD = Detail(N_("Period"), _period)
ENTRIES = Detail(N_("People listed"), _count)
OBJECTION = named(N_("Objection"), "objections")
UNIT = named(N_("Unit"), "units")
PARENT = Detail(N_("Placed under"), _text)
CHANNEL = Detail(N_("Sent by"), _labelled(CHANNEL_LABELS))
VOLUNTEER_LEVEL = Detail(N_("Level"), _labelled(LEVEL_LABELS))
LINE_OF_SERVICE = Detail(N_("Line of service"), _labelled(SPECIALTY_LABELS))
GIFT = Detail(N_("Gift"), _labelled(GIFT_LABELS))
GIFT_YEAR = Detail(N_("Year"))
HOW_GIVEN = Detail(N_("How"), _labelled(WAY_LABELS))
TRACKING_NUMBER = Detail(N_("Tracking number"))
VOLUNTEER_ROLES = {"leader": N_("Team leader"), "member": N_("Team member")}

# A person's fields, as the roster form names them (ids of units shown as names).
PERSON_FIELDS: dict[str, Detail] = {
    key: Detail(label) for key, label in FIELD_LABELS.items() if key not in ("count", "filter")
} | {
    "category": Detail(FIELD_LABELS["category"], _labelled(CATEGORY_LABELS)),
    "gender": Detail(FIELD_LABELS["gender"], _labelled(GENDER_LABELS)),
    "branch_id": named(FIELD_LABELS["branch_id"], "units"),
    "group_id": named(FIELD_LABELS["group_id"], "units"),
    "different_from": named(N_("Not the same person as"), "people"),
    "birth_day_known": HIDDEN,
    "party_joined_day_known": HIDDEN,
}

# The fields of a rule item and of the draft's settings, as the rule editor names them.
RULE_FIELDS: dict[str, Detail] = {
    "change": Detail(N_("Change"), _labelled(DRAFT_CHANGE_LABELS)),
    "note": Detail(N_("About"), _text),
    "base_score": Detail(N_("Base score"), _points),
    "objection_days": Detail(N_("Objection period (days)"), _count),
    "name": Detail(N_("Title"), _text),
    "code": Detail(N_("Code"), _text),
    "category_id": named(N_("Point category"), "categories"),
    "points": Detail(N_("Points"), _signed_points),
    "unit": Detail(N_("How it counts"), _labelled(UNIT_LABELS)),
    "cap_quarter": Detail(N_("Cap a quarter"), _points),
    "cap_year": Detail(N_("Cap a year"), _points),
    "evidence_required": Detail(N_("Evidence required"), _text),
    "awarders": Detail(N_("Who may award"), _labelled(AWARDER_LABELS)),
    "feeds": Detail(N_("Scored automatically for"), _labelled(FEED_LABELS)),
}

GRID_FIELDS: dict[str, Detail] = {
    "name": Detail(N_("Title"), _text),
    "unit_id": UNIT,
    "month_target": Detail(N_("Monthly target"), _percent),
    "quarter_target": Detail(N_("Quarterly target"), _percent),
}

# Every action's details, in the order a reader wants them.
DETAILS: dict[str, dict[str, Detail]] = {
    "tenant.signed_up": {"region_code": Detail(N_("District"), _region), "slug": HIDDEN},
    "tenant.approved": {"status": HIDDEN, "note": NOTE},  # the action says the state
    "tenant.rejected": {"status": HIDDEN, "note": REASON},
    "account.invited": {"role": Detail(N_("Role"), _labelled(ROLE_LABELS))},
    "account.created": {"role": Detail(N_("Role"), _labelled(ROLE_LABELS))},
    "account.disabled": {"is_active": HIDDEN},
    "account.enabled": {"is_active": HIDDEN},
    "account.roles_changed": {"roles": Detail(N_("Roles"), _labelled(ROLE_LABELS))},
    "org.unit_created": {"kind": Detail(N_("Kind"), _labelled(UNIT_KIND_LABELS)),
                         "parent": PARENT, "import": Detail(N_("Imported from"))},
    "org.unit_renamed": {"name": Detail(N_("Title"))},
    "org.unit_moved": {"parent": PARENT},
    "org.unit_retired": {"retired": HIDDEN},
    "org.leader_set": {"leader": Detail(N_("Leader"))},
    "person.created": PERSON_FIELDS,
    "person.updated": PERSON_FIELDS,
    "person.account_linked": PERSON_FIELDS,
    "person.not_duplicate": PERSON_FIELDS,
    "people.exported": {"count": Detail(N_("People"), _count),
                        "filter": Detail(N_("Filter"), _person_filter, "filter")},
    "roster.rows_to_fix_downloaded": {"count": Detail(N_("Rows"), _count)},
    "roster.rows_to_fix_deleted": {"count": Detail(N_("Rows"), _count)},
    "roster.imported": {"created": Detail(N_("People added"), _count),
                        "updated": Detail(N_("People changed"), _count),
                        "units": Detail(N_("Units added"), _count)},
    "points.reversed": {"event": named(N_("Entry cancelled"), "events"),
                        "points": POINTS, "reason": REASON},
    "points.claim_decided": {"decision": Detail(N_("Decision"), _labelled(CLAIM_STATUS_LABELS)),
                             "claim": named(N_("Claim"), "claims"),
                             "item": ITEM, "reason": REASON},
    "points.awarded": {"item": ITEM, "points": POINTS, "occurred_on": DAY,
                       "objection": OBJECTION},
    "points.draft_changed": RULE_FIELDS,
    "points.rules_activated": {"effective_from": Detail(N_("Starts on")), "note": HIDDEN},
    "points.publication_opened": {"period": PERIOD, "entries": ENTRIES,
                                  "closes": Detail(N_("Objections until"))},
    "points.objection_answered": {
        "objection": OBJECTION,
        "decision": Detail(N_("Decision"), _labelled(OBJECTION_STATUS_LABELS)),
        "answer": Detail(N_("Answer")),
        "event": named(N_("Ledger correction"), "events"),
    },
    "points.published": {"period": PERIOD, "entries": ENTRIES,
                         "rule_version": Detail(N_("Rules version"), _version)},
    "points.ledger_exported": {"period": PERIOD, "rows": Detail(N_("Entries"), _count)},
    "report.downloaded": {"report": Detail(N_("Report"), _labelled(KIND_TITLES)),
                          "period": PERIOD, "year": Detail(N_("Year"))},
    "grid.created": GRID_FIELDS,
    "grid.changed": GRID_FIELDS,
    "grid.worker_added": {"worker": Detail(N_("Grid worker"))},
    "grid.worker_removed": {"worker": Detail(N_("Grid worker"))},
    "grid.people_assigned": {
        "assigned": Detail(N_("People assigned"), _count),
        "moved": Detail(N_("Moved from another grid"), _count),
        "already": Detail(N_("Already in this grid"), _count),
        "deceased_left_out": Detail(N_("Deceased, left out"), _count),
        "households": Detail(N_("Whole households")),
        "everyone_matching": Detail(N_("Everyone matching the filter")),
    },
    "grid.person_removed": {"name": Detail(N_("Person")), "person": HIDDEN},
    "visit_rule.changed": {
        "name": Detail(N_("Title")),
        "enabled": Detail(N_("In use")),
        "days_before": Detail(N_("Days before"), _count),
        "days_after": Detail(N_("Days after"), _count),
        "due_hours": Detail(N_("Hours to visit"), _count),
        "party_only": Detail(N_("Party members only")),
        "in_person": Detail(N_("In person")),
    },
    "service.meeting_day_changed": {"meeting_day": Detail(N_("Day of the month"), _count)},
    "meeting_kind.changed": {
        "name": Detail(N_("Title")),
        "frequency": Detail(N_("How often"), _labelled(FREQUENCY_LABELS)),
        "enabled": Detail(N_("In use")),
        "position": Detail(N_("Order"), _count),
    },
    "orglife.cadence_changed": {
        "thought_report_months": Detail(N_("Months between thought reports"), _count)
    },
    "notify.gateway_set": {"channel": CHANNEL},
    "notify.gateway_removed": {"channel": CHANNEL},
    "certificate.issued": {"period": Detail(N_("Period")), "hours": Detail(N_("Hours")),
                           "activities": Detail(N_("Activities"), _count)},
    "certificate.revoked": {"period": Detail(N_("Period")), "reason": REASON},
    "meeting.cancelled": {"starts_at": Detail(N_("Planned for"))},
    "meeting.attendance_corrected": {"name": Detail(N_("Member")),
                                     "presence": Detail(N_("Attendance"),
                                                        _labelled(PRESENCE_LABELS)),
                                     "reason": REASON},
    "volunteer.team_created": {"level": VOLUNTEER_LEVEL, "specialty": LINE_OF_SERVICE},
    "volunteer.team_changed": {"name": Detail(N_("Team name")), "specialty": LINE_OF_SERVICE},
    "volunteer.team_retired": {"level": VOLUNTEER_LEVEL},
    "volunteer.member_added": {"name": Detail(N_("Person")),
                               "role": Detail(N_("Role"), _labelled(VOLUNTEER_ROLES)),
                               "joined_on": DAY},
    "volunteer.member_left": {"name": Detail(N_("Person"))},
    "volunteer.activity_recorded": {"held_on": DAY, "place": Detail(N_("Place of the activity")),
                                    "participants": Detail(N_("Participants"), _count),
                                    "hours": Detail(N_("Hours"))},
    "volunteer.hours_corrected": {"changed": Detail(N_("Hours changed")),
                                  "added": Detail(N_("Added")),
                                  "removed": Detail(N_("Taken out"))},
    "volunteer.activity_cancelled": {"reason": REASON,
                                     "removed": Detail(N_("Hours no longer counted"))},
    "care.gift_delivered": {"gift": GIFT, "year": GIFT_YEAR, "way": HOW_GIVEN,
                            "delivered_on": DAY},
    "care.gifts_posted": {"gifts": GIFT, "year": GIFT_YEAR, "posted_on": DAY,
                          "tracking_number": TRACKING_NUMBER},
    "care.gift_unticked": {"gift": GIFT, "year": GIFT_YEAR, "way": HOW_GIVEN,
                           "delivered_on": DAY,
                           "delivered_by_name": Detail(N_("Had been delivered by")),
                           "tracking_number": TRACKING_NUMBER},
    "aid.applied": {"reason_kind": Detail(N_("Reason"), _labelled(REASON_LABELS)),
                    "amount_asked": Detail(N_("Amount asked"), _yuan),
                    "files": Detail(N_("Evidence files"), _count)},
    "aid.approved": {"approved_amount": Detail(N_("Amount approved"), _yuan), "reason": REASON},
    "aid.refused": {"reason": REASON},
    "aid.paid": {"amount": Detail(N_("Amount paid"), _yuan), "paid_on": DAY},
    "aid.income_recorded": {"amount": Detail(N_("Amount"), _yuan), "received_on": DAY,
                            "source": Detail(N_("Where it came from"))},
    "after_care.recorded": {"deceased_on": Detail(N_("Date of death")),
                            "cause": Detail(N_("Cause")),
                            "concerns_closed": Detail(N_("Concerns closed"), _count),
                            "account_disabled": Detail(N_("Login closed"))},
    "after_care.help_added": {"given_on": DAY, "what": Detail(N_("What was given or done")),
                              "given_by": Detail(N_("Who gave it")),
                              "money": Detail(N_("Money in yuan"))},
    "after_care.undone": {"deceased_on": Detail(N_("Date of death")), "reason": REASON},
}  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One detail as shown: a change from `before` to `after`, or just a value (after)."""

    label: str
    before: str | None
    after: str | None
    changed: bool


def describe(action: str, changes: dict[str, Any], names: Names) -> list[Line]:
    """The event's details in words, in the action's order; nothing unlabelled."""
    lines = []
    for key, detail in DETAILS.get(action, {}).items():
        if key not in changes or detail.show is _hidden:
            continue
        value = changes[key]
        if isinstance(value, list) and len(value) == 2:  # [before, after]
            before, after = (detail.show(v, names) for v in value)
            if before:
                lines.append(Line(_(detail.label), before, after, True))
            elif after:  # set for the first time: a value, not a change
                lines.append(Line(_(detail.label), None, after, False))
        elif (shown := detail.show(value, names)) is not None and shown != "":
            lines.append(Line(_(detail.label), None, shown, False))
    return lines


def unlabelled(action: str, changes: dict[str, Any]) -> list[str]:
    """Keys of `changes` this module has no words for (a test keeps this empty)."""
    known = DETAILS.get(action, {})
    return sorted(key for key in changes if key not in known)
