"""Rule sets: the draft copied from the rules in force, its edits, the checks that
block activation, activation dates, and the what-if beside the rules in force."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.identity import Actor
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points import ledger
from app.points.models import RuleItem, RuleSet, Source
from app.points.periods import quarter_of
from app.points.rules.activation import ActivationService, NotActivatable
from app.points.rules.pages import VersionState
from app.points.rules.service import RuleSetService
from app.points.rules.versions import in_force, spec_of
from app.state import AppServices
from tests.factories import District, PointsRoster, World, make_points_roster, unit_per_call

ADMIN = Actor("user", "管理员")

ITEM = {
    "code": "XX-09",
    "name": "新的学习项目",
    "points": "3",
    "unit": "event",
    "cap_quarter": "9",
    "cap_year": "",
}
AWARDERS = ["secretary"]


@pytest.fixture
def district(world: World) -> District:
    return world.a


@pytest.fixture
def rules(services: AppServices) -> RuleSetService:
    return unit_per_call(services.db, RuleSetService)


@pytest.fixture
def activation(services: AppServices) -> ActivationService:
    return unit_per_call(services.db, lambda session: ActivationService(session, services.db))


async def draft_item(services: AppServices, district: District, code: str) -> RuleItem:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            draft = (await session.scalars(select(RuleSet).where(RuleSet.status == "draft"))).one()
            return (
                await session.scalars(
                    select(RuleItem).where(RuleItem.rule_set_id == draft.id, RuleItem.code == code)
                )
            ).one()


async def item_form(rules: RuleSetService, **changes: str) -> dict[str, str]:
    draft = await rules.draft_rules()
    return {**ITEM, "category_id": str(draft.categories[0].id), **changes}


async def audit_actions(owner_db: Database, district: District) -> list[str]:
    async with owner_db.engine.connect() as conn:
        rows = await conn.execute(
            select(AuditEvent.action).where(AuditEvent.tenant_id == district.tenant_id)
        )
        return list(rows.scalars())


async def test_a_draft_copies_the_rules_in_force(
    services: AppServices, district: District, rules: RuleSetService, owner_db: Database
) -> None:
    with tenant_scope(district.tenant_id):
        draft_id = await rules.start_draft(ADMIN)
        assert await rules.start_draft(ADMIN) == draft_id  # one draft at a time
        async with services.db.session() as session:
            active = await in_force(session)
            draft = await session.get(RuleSet, {"tenant_id": district.tenant_id, "id": draft_id})
            assert active and draft
            assert (draft.version, draft.status) == (2, "draft")
            assert await spec_of(session, draft) == await spec_of(session, active)
        page = await rules.versions()
    assert [(row.rule_set.version, row.state) for row in page.versions] == [
        (1, VersionState.IN_FORCE)
    ]
    assert page.draft and page.draft.id == draft_id
    assert page.in_force and page.in_force.categories[0].name == "政治学习"
    assert "points.draft_changed" in await audit_actions(owner_db, district)


async def test_each_edit_changes_only_the_draft(
    services: AppServices, district: District, rules: RuleSetService, owner_db: Database
) -> None:
    with tenant_scope(district.tenant_id):
        await rules.start_draft(ADMIN)
        await rules.update_settings("100", "10", ADMIN)
        category_id = await rules.add_category("学习强国", ADMIN)
        await rules.rename_category(category_id, " 学习  强国 ", ADMIN)
        form = await item_form(rules, category_id=str(category_id))
        await rules.add_item(form, AWARDERS, ADMIN)
        added = await draft_item(services, district, "XX-09")
        await rules.update_item(
            added.id, {**form, "points": "4.5", "code": "xx-10"}, ["secretary", "automatic"], ADMIN
        )
        old = await draft_item(services, district, "FM-03")
        await rules.delete_item(old.id, ADMIN)
        draft = await rules.draft_rules()
        async with services.db.session() as session:
            active_spec = await spec_of(session, await in_force(session))  # type: ignore[arg-type]
    assert (draft.rule_set.base_score, draft.rule_set.objection_days) == (Decimal(100), 10)
    category = draft.category(category_id)
    assert category and category.name == "学习 强国"
    (item,) = category.items
    assert (item.code, item.points, item.awarders) == (
        "XX-10",
        Decimal("4.5"),
        ("secretary", "automatic"),
    )
    assert "FM-03" not in {i.code for c in draft.categories for i in c.items}
    # The rules in force are untouched.
    assert active_spec.base_score is None
    assert "FM-03" in {i.code for c in active_spec.categories for i in c.items}
    actions = await audit_actions(owner_db, district)
    assert actions.count("points.draft_changed") == 7


async def test_bad_fields_are_refused_and_write_nothing(
    services: AppServices, district: District, rules: RuleSetService, owner_db: Database
) -> None:
    with tenant_scope(district.tenant_id):
        await rules.start_draft(ADMIN)
        before = await rules.draft_rules()
        form = await item_form(rules)
        cases = {
            "points": {"points": "两分"},
            "code": {"code": "XX 01!"},
            "name": {"name": "  "},
            "unit": {"unit": "minute"},
            "cap_quarter": {"cap_quarter": "-3"},
            "category_id": {"category_id": "not-a-category"},
        }
        for field, change in cases.items():
            with pytest.raises(InvalidForm) as refused:
                await rules.add_item({**form, **change}, AWARDERS, ADMIN)
            assert field in refused.value.errors
        with pytest.raises(InvalidForm) as refused:
            await rules.add_item({**form, "points": "0"}, [], ADMIN)
        assert {"points", "awarders"} <= set(refused.value.errors)
        with pytest.raises(InvalidForm):
            await rules.add_item(form, ["mayor"], ADMIN)
        with pytest.raises(InvalidForm):
            await rules.update_settings("abc", "45", ADMIN)
        with pytest.raises(InvalidForm):
            await rules.add_category("", ADMIN)
        with pytest.raises(Refused):  # the draft already has a category of this name
            await rules.add_category("政治学习", ADMIN)
        after = await rules.draft_rules()
    assert after.categories == before.categories
    assert after.rule_set.base_score == before.rule_set.base_score
    assert (await audit_actions(owner_db, district)).count("points.draft_changed") == 1


async def test_each_problem_blocks_activation_with_its_reason(
    services: AppServices, district: District, rules: RuleSetService, activation: ActivationService
) -> None:
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    with tenant_scope(district.tenant_id):
        await rules.start_draft(ADMIN)
        form = await item_form(rules)
        # Two items with one code (allowed in a draft, listed, and blocking).
        await rules.add_item({**form, "code": "XX-01"}, AWARDERS, ADMIN)
        # A cap below one event's points.
        await rules.add_item({**form, "code": "XX-11", "points": "5", "cap_quarter": "2"},
                             AWARDERS, ADMIN)  # fmt: skip
        # An empty category.
        await rules.add_category("空类别", ADMIN)
        page = await rules.draft_page()
        assert page
        messages = {p.message for p in page.problems}
        assert messages == {
            "The code %(code)s is used by more than one item.",
            "Item %(code)s: the cap %(cap)s is below the %(points)s points of one event.",
            "The category %(name)s has no items.",
        }
        with pytest.raises(NotActivatable) as refused:
            await activation.activate(tomorrow, ADMIN)
        assert {p.message for p in refused.value.problems} == messages
        preview = await activation.preview(quarter_of(clock.today()).key)
        assert preview.what_if is None and preview.problems
        async with services.db.session() as session:
            assert (await in_force(session, clock.today() + timedelta(days=2))).version == 1  # type: ignore[union-attr]


async def test_activation_dates_and_the_version_in_force(
    services: AppServices,
    district: District,
    rules: RuleSetService,
    activation: ActivationService,
    owner_db: Database,
) -> None:
    today = clock.today()
    start = today + timedelta(days=10)
    with tenant_scope(district.tenant_id):
        await rules.start_draft(ADMIN)
        with pytest.raises(Refused, match="past"):
            await activation.activate((today - timedelta(days=1)).isoformat(), ADMIN)
        with pytest.raises(Refused, match="date the rules start"):
            await activation.activate("2027-13-45", ADMIN)
        version = await activation.activate(start.isoformat(), ADMIN)
        assert (version.version, version.effective_from) == (2, start)
        async with services.db.session() as session:
            assert (await in_force(session, start - timedelta(days=1))).version == 1  # type: ignore[union-attr]
            assert (await in_force(session, start)).version == 2  # type: ignore[union-attr]
            # The activated rules are frozen.
            with pytest.raises(DBAPIError):
                await session.execute(
                    text("update point_items set points = 99 where rule_set_id = :id"),
                    {"id": version.id},
                )
        page = await rules.versions()
        assert [(r.rule_set.version, r.state) for r in page.versions] == [
            (2, VersionState.SCHEDULED),
            (1, VersionState.IN_FORCE),
        ]
        # The next draft copies version 2 and must start after it.
        await rules.start_draft(ADMIN)
        with pytest.raises(Refused, match="newest version starts"):
            await activation.activate(start.isoformat(), ADMIN)
        assert (
            await activation.activate((start + timedelta(days=1)).isoformat(), ADMIN)
        ).version == 3
    assert "points.rules_activated" in await audit_actions(owner_db, district)


async def test_two_admins_activating_at_once_make_one_version(
    services: AppServices, district: District, rules: RuleSetService, activation: ActivationService
) -> None:
    day = (clock.today() + timedelta(days=3)).isoformat()
    with tenant_scope(district.tenant_id):
        await rules.start_draft(ADMIN)
        results = await asyncio.gather(
            activation.activate(day, ADMIN), activation.activate(day, ADMIN), return_exceptions=True
        )
        assert sum(isinstance(r, RuleSet) for r in results) == 1
        assert sum(isinstance(r, Refused) for r in results) == 1
        page = await rules.versions()
    assert [r.rule_set.version for r in page.versions] == [2, 1]


async def test_items_of_an_active_version_or_another_district_are_not_found(
    services: AppServices, world: World, rules: RuleSetService
) -> None:
    with tenant_scope(world.b.tenant_id):
        await rules.start_draft(ADMIN)
        other = await draft_item(services, world.b, "XX-01")
    with tenant_scope(world.a.tenant_id):
        await rules.start_draft(ADMIN)
        async with services.db.session() as session:
            active = await in_force(session)
            active_item = (
                await session.scalars(
                    select(RuleItem).where(
                        RuleItem.rule_set_id == active.id,  # type: ignore[union-attr]
                        RuleItem.code == "XX-01",
                    )
                )
            ).one()
        for item_id in (other.id, active_item.id):
            with pytest.raises(NotFound):
                await rules.item(item_id)
            with pytest.raises(NotFound):
                await rules.delete_item(item_id, ADMIN)
            with pytest.raises(NotFound):
                await rules.update_item(item_id, ITEM, AWARDERS, ADMIN)
        with pytest.raises(NotFound):
            await rules.delete_category(active_item.category_id, ADMIN)


async def write(services: AppServices, district: District, person_id: UUID, code: str) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": person_id})
            rule = await session.scalar(
                select(RuleItem)
                .join(RuleSet, RuleSet.id == RuleItem.rule_set_id)
                .where(RuleItem.code == code, RuleSet.status == "active")
            )
            assert person and rule
            await ledger.write(
                session,
                ledger.Entry(person, rule, clock.today(), Decimal(1), Source.AWARD),
                ADMIN,
            )
            await session.commit()


async def test_the_preview_shows_who_moves(
    services: AppServices, district: District, rules: RuleSetService, activation: ActivationService
) -> None:
    points: PointsRoster = await make_points_roster(services, district)
    await write(services, district, points.member_a, "FH-01")  # 5 points
    await write(services, district, points.member_b, "XX-01")  # 2 points
    with tenant_scope(district.tenant_id):
        await rules.start_draft(ADMIN)
        speech = await draft_item(services, district, "FH-01")
        form = {**item_form_of(speech), "points": "1"}
        await rules.update_item(speech.id, form, list(speech.awarders), ADMIN)
        preview = await activation.preview(quarter_of(clock.today()).key)
    assert preview.what_if and preview.what_if.moved == 2
    (branch,) = preview.branches
    assert [(m.name, m.rank_now, m.rank_draft) for m in branch.up] == [("党员乙", 2, 1)]
    assert [(m.name, m.score_now, m.score_draft) for m in branch.down] == [
        ("党员甲", Decimal(5), Decimal(1))
    ]
    assert [d.move.name for d in preview.biggest_up] == ["党员乙"]


def item_form_of(item: RuleItem) -> dict[str, str]:
    return {
        "category_id": str(item.category_id),
        "code": item.code,
        "name": item.name,
        "points": str(item.points),
        "unit": item.unit,
        "cap_quarter": str(item.cap_quarter or ""),
        "cap_year": str(item.cap_year or ""),
        "evidence_required": "1" if item.evidence_required else "",
    }
