"""The rule-set pages through the browser: versions, the draft editor, the what-if,
activation — and who may not use them.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests
share its helpers and fixtures.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from app.core import clock
from app.core.identity import Actor
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points import ledger
from app.points.models import RuleItem, Source
from app.points.rules.service import RuleSetService
from app.state import AppServices
from tests.factories import District, World, make_points_roster, unit_per_call
from tests.http.conftest import Browser, shown

ADMIN = Actor("user", "管理员")


async def rows(owner_db: Database, sql: str, **params: Any) -> list[Any]:
    async with owner_db.engine.connect() as conn:
        return list(await conn.execute(text(sql), params))


async def draft_items(owner_db: Database, district: District) -> dict[str, Any]:
    found = await rows(
        owner_db,
        "select i.* from point_items i join point_rule_sets s on s.id = i.rule_set_id"
        " where s.status = 'draft' and s.tenant_id = :t",
        t=district.tenant_id,
    )
    return {row.code: row for row in found}


async def draft_categories(owner_db: Database, district: District) -> dict[str, Any]:
    found = await rows(
        owner_db,
        "select c.* from point_categories c join point_rule_sets s on s.id = c.rule_set_id"
        " where s.status = 'draft' and s.tenant_id = :t",
        t=district.tenant_id,
    )
    return {row.name: row for row in found}


async def snapshot(owner_db: Database) -> list[Any]:
    """Everything a refused change must leave as it was."""
    return [
        await rows(owner_db, "select * from point_rule_sets order by id"),
        await rows(owner_db, "select * from point_categories order by id"),
        await rows(owner_db, "select * from point_items order by id"),
        await rows(owner_db, "select count(*) from audit_events"),
    ]


def item_data(category: UUID, **changes: Any) -> dict[str, Any]:
    return {
        "category_id": str(category),
        "code": "XX-09",
        "name": "读书分享",
        "points": "2",
        "unit": "event",
        "cap_quarter": "6",
        "cap_year": "",
        "awarders": ["secretary", "grid_worker"],
        **changes,
    }


async def start_draft(browser: Browser, district: District) -> None:
    await browser.login(district.users[Role.TENANT_ADMIN])
    await browser.get("/points/rules")
    response = await browser.post("/points/rules/draft")
    assert response.status_code == 303
    assert response.headers["location"] == "/points/rules/draft"


async def test_versions_page_and_a_draft_copied_from_the_rules_in_force(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/points/rules")
    assert page.status_code == 200
    assert "XX-01" in page.text and "参加支部集中学习" in page.text and "政治学习" in page.text
    assert shown("In force now") in page.text
    assert shown("Change the rules (start a draft)") in page.text
    await start_draft(browser, world.a)
    editor = await browser.get("/points/rules/draft")
    assert editor.status_code == 200
    assert "FM-03" in editor.text
    assert shown("No problems found: this draft can be previewed and activated.") in editor.text
    versions = await browser.get("/points/rules")
    assert shown("Continue the draft (version %(n)s)", n=2) in versions.text
    # Starting again leads to the same draft.
    assert (await browser.post("/points/rules/draft")).status_code == 303
    drafts = await rows(owner_db, "select id from point_rule_sets where status = 'draft'")
    assert len(drafts) == 1
    copied = await draft_items(owner_db, world.a)
    assert copied["FH-01"].points == Decimal(5) and len(copied) == 17
    # Every version is readable on its own.
    (active,) = await rows(
        owner_db, "select id from point_rule_sets where status = 'active' and tenant_id = :t",
        t=world.a.tenant_id,
    )  # fmt: skip
    version = await browser.get(f"/points/rules/{active.id}")
    assert version.status_code == 200 and "FH-01" in version.text


async def test_editing_the_draft(browser: Browser, world: World, owner_db: Database) -> None:
    await start_draft(browser, world.a)
    await browser.get("/points/rules/draft")
    assert (await browser.post(
        "/points/rules/draft/settings", {"base_score": "100", "objection_days": "10"}
    )).status_code == 303  # fmt: skip
    assert (await browser.post(
        "/points/rules/draft/categories", {"name": "学习强国"}
    )).status_code == 303  # fmt: skip
    category = (await draft_categories(owner_db, world.a))["学习强国"]
    assert (await browser.post(
        f"/points/rules/draft/categories/{category.id}", {"name": "线上学习"}
    )).status_code == 303  # fmt: skip
    form = await browser.get(f"/points/rules/draft/items/new?category_id={category.id}")
    assert form.status_code == 200
    created = await browser.post("/points/rules/draft/items", item_data(category.id))
    assert created.status_code == 303, created.text[:2000]
    item = (await draft_items(owner_db, world.a))["XX-09"]
    assert (item.points, item.cap_quarter, item.awarders) == (
        Decimal(2),
        Decimal(6),
        ["secretary", "grid_worker"],
    )
    edit = await browser.get(f"/points/rules/draft/items/{item.id}")
    assert edit.status_code == 200 and "读书分享" in edit.text
    assert (await browser.post(
        f"/points/rules/draft/items/{item.id}",
        item_data(category.id, points="-1.5", unit="occurrence", cap_quarter="",
                  evidence_required="1", awarders=["secretary"]),
    )).status_code == 303  # fmt: skip
    item = (await draft_items(owner_db, world.a))["XX-09"]
    assert (item.points, item.unit, item.cap_quarter, item.evidence_required, item.awarders) == (
        Decimal("-1.5"),
        "occurrence",
        None,
        True,
        ["secretary"],
    )
    page = await browser.get("/points/rules/draft")
    assert "-1.5" in page.text and "线上学习" in page.text
    assert (await browser.post(f"/points/rules/draft/items/{item.id}/delete")).status_code == 303
    assert "XX-09" not in await draft_items(owner_db, world.a)
    assert (await browser.post(
        f"/points/rules/draft/categories/{category.id}/delete"
    )).status_code == 303  # fmt: skip
    assert "线上学习" not in await draft_categories(owner_db, world.a)
    (draft,) = await rows(owner_db, "select * from point_rule_sets where status = 'draft'")
    assert (draft.base_score, draft.objection_days) == (Decimal(100), 10)
    changes = await rows(
        owner_db, "select count(*) from audit_events where action = 'points.draft_changed'"
    )
    assert changes[0][0] == 8
    # A category that still has items is not deleted.
    politics = (await draft_categories(owner_db, world.a))["政治学习"]
    refused = await browser.post(f"/points/rules/draft/categories/{politics.id}/delete")
    assert refused.status_code == 422
    assert shown(
        "The category %(name)s still has %(n)s items. Delete them or move them to another "
        "category first.", name="政治学习", n=3,
    ) in refused.text  # fmt: skip
    # Discarding the draft leaves the rules in force.
    assert (await browser.post("/points/rules/draft/discard")).status_code == 303
    assert await rows(owner_db, "select id from point_rule_sets where status = 'draft'") == []
    after = await browser.get("/points/rules/draft")
    assert after.status_code == 303 and after.headers["location"] == "/points/rules"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"points": "两分"}, "Please enter a number, such as 2 or 1.5."),
        ({"points": "0"}, "Points must not be 0 and lie between -999.9 and 999.9 "
                          "(a minus sign deducts)."),
        ({"points": "1.25"}, "Please use at most one decimal place."),
        ({"name": "  "}, "Please enter a name for it."),
        ({"code": "XX 01!"},
         "A code has at most 20 letters, digits and dashes (-), such as XX-01."),
        ({"unit": "minute"}, "Please choose how the item counts from the list."),
        ({"awarders": []}, "Please tick at least one who may award it."),
        ({"awarders": ["mayor"]}, "Please choose from the list."),
        ({"cap_year": "0"}, "A cap is a number above 0 and at most 9999.9, or left empty."),
        ({"category_id": "00000000-0000-0000-0000-000000000000"},
         "Please choose a category from the list."),
    ],
)  # fmt: skip
async def test_bad_item_fields_are_refused_and_change_nothing(
    browser: Browser, world: World, owner_db: Database, changes: dict[str, Any], message: str
) -> None:
    await start_draft(browser, world.a)
    politics = (await draft_categories(owner_db, world.a))["政治学习"]
    before = await snapshot(owner_db)
    response = await browser.post("/points/rules/draft/items", item_data(politics.id, **changes))
    assert response.status_code == 422
    assert shown(message) in response.text
    existing = (await draft_items(owner_db, world.a))["XX-01"]
    response = await browser.post(
        f"/points/rules/draft/items/{existing.id}", item_data(politics.id, **changes)
    )
    assert response.status_code == 422 and shown(message) in response.text
    assert await snapshot(owner_db) == before


async def test_bad_settings_and_category_names_are_refused(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await start_draft(browser, world.a)
    before = await snapshot(owner_db)
    for path, data, message in (
        ("/points/rules/draft/settings", {"base_score": "一百", "objection_days": "7"},
         "Please enter a number, such as 2 or 1.5."),
        ("/points/rules/draft/settings", {"base_score": "", "objection_days": "45"},
         "The objection period is a whole number of days, 1 to 30."),
        ("/points/rules/draft/categories", {"name": " "}, "Please enter a name for it."),
        ("/points/rules/draft/categories", {"name": "政治学习"},
         "The draft already has a category with this name."),
        ("/points/rules/draft/categories", {"name": "长" * 31},
         "A category name can be at most 30 characters."),
    ):  # fmt: skip
        response = await browser.post(path, data)
        assert response.status_code == 422, path
        assert shown(message) in response.text
    assert await snapshot(owner_db) == before


async def test_problems_are_listed_and_block_activation(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await start_draft(browser, world.a)
    politics = (await draft_categories(owner_db, world.a))["政治学习"]
    for data in (
        item_data(politics.id, code="XX-01"),  # a second XX-01
        item_data(politics.id, code="XX-12", points="5", cap_quarter="2"),
    ):
        assert (await browser.post("/points/rules/draft/items", data)).status_code == 303
    assert (await browser.post(
        "/points/rules/draft/categories", {"name": "空类别"}
    )).status_code == 303  # fmt: skip
    reasons = [
        shown("The code %(code)s is used by more than one item.", code="XX-01"),
        shown("Item %(code)s: the cap %(cap)s is below the %(points)s points of one event.",
              code="XX-12", cap="2", points="5"),
        shown("The category %(name)s has no items.", name="空类别"),
    ]  # fmt: skip
    editor = await browser.get("/points/rules/draft")
    for reason in reasons:
        assert reason in editor.text
    preview = await browser.get("/points/rules/draft/preview")
    assert preview.status_code == 200
    assert shown("The preview cannot be worked out while the draft has problems") in preview.text
    assert reasons[0] in preview.text
    before = await snapshot(owner_db)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    refused = await browser.post("/points/rules/draft/activate", {"effective_from": tomorrow})
    assert refused.status_code == 422
    assert shown("The draft cannot be activated until these problems are fixed.") in refused.text
    for reason in reasons:
        assert reason in refused.text
    assert await snapshot(owner_db) == before


async def test_activation_from_a_chosen_date(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await start_draft(browser, world.a)
    today = clock.today()
    before = await snapshot(owner_db)
    for day, message, args in (
        ((today - timedelta(days=1)).isoformat(),
         "The rules cannot start in the past. Choose today or a later day.", {}),
        ("明天", "Please choose the date the rules start, e.g. 2027-01-01.", {}),
    ):  # fmt: skip
        response = await browser.post("/points/rules/draft/activate", {"effective_from": day})
        assert response.status_code == 422 and shown(message, **args) in response.text
    assert await snapshot(owner_db) == before
    start = today + timedelta(days=5)
    done = await browser.post("/points/rules/draft/activate", {"effective_from": start.isoformat()})
    assert done.status_code == 303 and done.headers["location"] == "/points/rules"
    page = await browser.get("/points/rules")
    assert shown("Version %(version)s is activated. It is in force from %(date)s.",
                 version=2, date=start.isoformat()) in page.text  # fmt: skip
    assert shown("Starts later") in page.text and shown("In force now") in page.text
    (version,) = await rows(owner_db, "select * from point_rule_sets where version = 2 "
                            "and tenant_id = :t", t=world.a.tenant_id)  # fmt: skip
    assert (version.status, version.effective_from) == ("active", start)
    assert version.activated_by == world.a.users[Role.TENANT_ADMIN].id
    # A next draft must start after version 2.
    await browser.post("/points/rules/draft")
    await browser.get("/points/rules/draft")
    refused = await browser.post(
        "/points/rules/draft/activate", {"effective_from": start.isoformat()}
    )
    assert refused.status_code == 422
    assert shown("The newest version starts on %(date)s. Choose a later day.",
                 date=start.isoformat()) in refused.text  # fmt: skip


async def test_the_preview_shows_who_moves(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    district = world.a
    points = await make_points_roster(services, district)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            for person_id, code in ((points.member_a, "FH-01"), (points.member_b, "XX-01")):
                person = await session.get(Person, {"tenant_id": district.tenant_id,
                                                    "id": person_id})  # fmt: skip
                item = (await session.execute(
                    text("select i.id from point_items i join point_rule_sets s"
                         " on s.id = i.rule_set_id where s.status = 'active' and i.code = :c"),
                    {"c": code},
                )).scalar_one()  # fmt: skip
                rule = await session.get(RuleItem, {"tenant_id": district.tenant_id, "id": item})
                assert person and rule
                await ledger.write(
                    session,
                    ledger.Entry(person, rule, clock.today(), Decimal(1), Source.AWARD),
                    ADMIN,
                )
            await session.commit()
    await start_draft(browser, district)
    speech = (await draft_items(owner_db, district))["FH-01"]
    changed = await browser.post(
        f"/points/rules/draft/items/{speech.id}",
        item_data(speech.category_id, code="FH-01", name=speech.name, points="1",
                  cap_quarter="30"),
    )  # fmt: skip
    assert changed.status_code == 303
    preview = await browser.get("/points/rules/draft/preview")
    assert preview.status_code == 200
    text_ = preview.text
    assert "党员甲" in text_ and "党员乙" in text_ and "第一支部" in text_
    assert shown("Up the most") in text_ and shown("Down the most") in text_
    branch = await browser.get(
        f"/points/rules/draft/preview?branch={points.roster.branch_1}&quarter=2000Q9"
    )
    assert branch.status_code == 200 and "党员甲" in branch.text


@pytest.mark.parametrize("role", [Role.BRANCH_SECRETARY, Role.GRID_WORKER, Role.MEMBER])
async def test_other_roles_may_not_use_the_rule_pages(
    browser: Browser, world: World, services: AppServices, role: Role
) -> None:
    with tenant_scope(world.a.tenant_id):
        await unit_per_call(services.db, RuleSetService).start_draft(ADMIN)
    await browser.login(world.a.users[role])
    for path in ("/points/rules", "/points/rules/draft", "/points/rules/draft/preview"):
        assert (await browser.get(path)).status_code == 403, path
    for path in (
        "/points/rules/draft",
        "/points/rules/draft/categories",
        "/points/rules/draft/activate",
        "/points/rules/draft/discard",
    ):
        assert (await browser.post(path, {"name": "x"})).status_code == 403, path


async def test_items_outside_the_draft_are_not_found(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    for district in (world.a, world.b):
        with tenant_scope(district.tenant_id):
            await unit_per_call(services.db, RuleSetService).start_draft(ADMIN)
    other_item = (await draft_items(owner_db, world.b))["XX-01"]
    other_category = (await draft_categories(owner_db, world.b))["政治学习"]
    (active_item,) = await rows(
        owner_db,
        "select i.* from point_items i join point_rule_sets s on s.id = i.rule_set_id"
        " where s.status = 'active' and i.code = 'XX-01' and s.tenant_id = :t",
        t=world.a.tenant_id,
    )
    (other_set,) = await rows(
        owner_db, "select id from point_rule_sets where tenant_id = :t and status = 'active'",
        t=world.b.tenant_id,
    )  # fmt: skip
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/points/rules/draft")
    before = await snapshot(owner_db)
    for item in (other_item, active_item):
        assert (await browser.get(f"/points/rules/draft/items/{item.id}")).status_code == 404
        assert (await browser.post(
            f"/points/rules/draft/items/{item.id}", item_data(item.category_id)
        )).status_code == 404  # fmt: skip
        assert (
            await browser.post(f"/points/rules/draft/items/{item.id}/delete")
        ).status_code == 404
    for category_id in (other_category.id, active_item.category_id):
        assert (await browser.post(
            f"/points/rules/draft/categories/{category_id}", {"name": "改名"}
        )).status_code == 404  # fmt: skip
        assert (await browser.post(
            f"/points/rules/draft/categories/{category_id}/delete"
        )).status_code == 404  # fmt: skip
    assert (await browser.get(f"/points/rules/{other_set.id}")).status_code == 404
    assert await snapshot(owner_db) == before
