"""`make run`'s demo data: districts, accounts and a roster, through the product's flows."""

from __future__ import annotations

from sqlalchemy import text

from app.db import Database
from app.demo.seed import seed_demo
from app.state import AppServices


async def test_the_demo_seeds_once_with_a_roster_imported_by_the_two_step_import(
    services: AppServices, owner_db: Database
) -> None:
    assert await seed_demo(services, owner_db) is True
    assert await seed_demo(services, owner_db) is False
    async with owner_db.engine.connect() as conn:
        per_district = dict(
            (await conn.execute(text("select tenant_id, count(*) from people group by 1"))).all()
        )
        imported = (await conn.execute(text("select status, summary from roster_imports"))).all()
        linked = (
            await conn.execute(text("select count(*) from people where user_id is not null"))
        ).scalar()
        zhang = (
            await conn.execute(text("select count(*) from people where name = '张建国'"))
        ).scalar()
    assert sorted(per_district.values()) == [36, 36]
    assert [status for status, _ in imported] == ["committed", "committed"]
    assert all(summary["error"] == 1 for _, summary in imported)  # the demo's bad row
    assert linked == 4 and zhang == 2
    async with owner_db.engine.connect() as conn:
        events = dict(
            (
                await conn.execute(text("select tenant_id, count(*) from point_events group by 1"))
            ).all()
        )
        versions = (await conn.execute(text("select preset from point_rule_sets"))).scalars()
        pending = (
            await conn.execute(text("select count(*) from point_claims where status = 'pending'"))
        ).scalar()
    assert len(events) == 2 and min(events.values()) > 100  # a year of entries each
    assert sorted(versions) == ["qingdao-six-categories", "yanzhou-base-score"]
    assert pending == 2
    async with owner_db.engine.connect() as conn:
        grids = (await conn.execute(text("select count(*) from grids"))).scalar()
        unassigned = (
            await conn.execute(
                text(
                    "select count(*) from people p where not exists (select 1 from "
                    "grid_assignments a where a.person_id = p.id and a.ends_at is null)"
                )
            )
        ).scalar()
        open_items = (
            await conn.execute(text("select count(*) from visit_due_items where visit_id is null"))
        ).scalar()
    assert grids == 4 and unassigned == 8  # two grids and four unassigned people each
    assert open_items and open_items >= 4  # two concerns per district at least
    async with owner_db.engine.connect() as conn:
        held = (
            await conn.execute(text("select count(*) from meetings where status = 'held'"))
        ).scalar()
        scored = (
            await conn.execute(
                text("select count(*) from meeting_attendance where event_id is not null")
            )
        ).scalar()
    assert held and held >= 6  # three held meetings of each district's first branches
    assert scored and scored > 10  # attendance scored through the automatic source
    async with owner_db.engine.connect() as conn:
        reports = dict(
            (
                await conn.execute(
                    text("select tenant_id, count(*) from thought_reports group by 1")
                )
            ).all()
        )
        mobile = (await conn.execute(text("select count(*) from people where mobile"))).scalar()
        scored = (
            await conn.execute(
                text("select count(*) from point_events where source_ref like 'thought_report:%'")
            )
        ).scalar()
    assert sorted(reports.values()) == [4, 4] and mobile == 8
    assert scored  # the demo's rules score thought reports (within their quarter's cap)
    async with owner_db.engine.connect() as conn:
        teams = dict(
            (
                await conn.execute(text("select level, count(*) from volunteer_teams group by 1"))
            ).all()
        )
        activities = (
            await conn.execute(text("select count(*) from volunteer_activities"))
        ).scalar()
        scored = (
            await conn.execute(
                text("select count(*) from volunteer_hours where event_id is not null")
            )
        ).scalar()
    assert teams == {"station": 2, "substation": 4, "team": 10}  # per district: 1, 2, 5
    assert activities == 72 and scored
