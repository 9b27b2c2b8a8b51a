"""The points issue's "done when": the district admin changes a rule in a draft,
previews who would move, and activates it; a grid worker claims points for a member
on the phone — on a link that drops, and once more after an answer lost on its way
back, which saves the claim once; the branch secretary approves; the quarter's ranking
shows the change.
"""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from uuid import UUID

from playwright.async_api import Page, Route, expect
from sqlalchemy import func, select

from app.core import clock
from app.core.identity import Actor
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points import ledger
from app.points.models import Claim, RuleItem, Source
from app.state import AppServices
from e2e.conftest import NETWORK_DROPPED
from e2e.test_pages import log_in
from tests.factories import District, PointsRoster, World, make_points_roster


async def award(
    services: AppServices, district: District, person_id: UUID, code: str, times: int
) -> None:
    """Entries written as a secretary's award, before the browser session starts."""
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": person_id})
            item = await session.scalar(select(RuleItem).where(RuleItem.code == code))
            assert person is not None and item is not None
            for _ in range(times):
                entry = ledger.Entry(person, item, clock.today(), Decimal(1), Source.AWARD)
                await ledger.write(session, entry, Actor("user", "书记"))
            await session.commit()


async def ranking_names(page: Page) -> list[str]:
    return [n.strip() for n in await page.locator("table.ranking .ranking__name").all_inner_texts()]


async def claims(services: AppServices, district: District) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(Claim)) or 0


async def test_change_a_rule_claim_approve_and_see_the_ranking(
    new_context, shoot, console_errors, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    points: PointsRoster = await make_points_roster(services, world.a)
    await award(services, world.a, points.member_a, "XX-01", 3)  # 党员甲: 6
    await award(services, world.a, points.member_b, "FH-01", 1)  # 党员乙: 5
    branch = points.roster.branch_1

    # The admin makes 红色宣讲 (FH-01) worth 8 in a draft and sees 党员乙 move up.
    admin = await (await new_context()).new_page()
    await log_in(admin, world.a.users[Role.TENANT_ADMIN])
    await admin.goto("/points/rules")
    await shoot(admin, "points-1-rules")
    await admin.locator("form[action='/points/rules/draft'] button").click()
    await (
        admin.locator("tr", has_text="FH-01")
        .locator("a[href*='/points/rules/draft/items/']")
        .click()
    )
    await admin.locator("input[name='points']").fill("8")
    await admin.locator("form[action*='/points/rules/draft/items/'] button[type='submit']").click()
    await expect(admin.locator("tr", has_text="FH-01")).to_contain_text("8")
    await shoot(admin, "points-2-draft")
    await admin.goto("/points/rules/draft/preview")
    await expect(admin.locator("main")).to_contain_text("党员乙")
    await shoot(admin, "points-3-preview")
    await admin.goto("/points/rules/draft")
    await admin.locator("input[name='effective_from']").fill(clock.today().isoformat())
    await admin.locator("form[action='/points/rules/draft/activate'] button").click()
    await expect(admin).to_have_url(re.compile(r"/points/rules/?$"))

    # The grid worker, on the device of this run (a Pixel 7 in one of the two), claims.
    worker = await (await new_context()).new_page()
    await log_in(worker, world.a.users[Role.GRID_WORKER])
    await worker.goto("/points")
    await worker.locator("a[href='/points/claims/new']").first.click()
    await worker.locator("input[name='q']").fill("党员甲")
    await worker.locator("input[name='q']").press("Enter")
    await worker.get_by_role("link", name="党员甲").click()
    label = await worker.locator(
        "select[name='item_id'] option", has_text="红色宣讲"
    ).first.inner_text()
    assert "+8" in label, label  # the new version's item
    await worker.locator("select[name='item_id']").select_option(label=label)
    await worker.locator("textarea[name='evidence']").fill("到文化东路社区作红色宣讲")
    await shoot(worker, "points-4-claim")
    send = worker.locator("form[action='/points/claims'] button[type='submit']")
    notice = worker.get_by_text("网络没有响应")
    # The link drops: the worker is told, and what was typed stays.
    await worker.context.set_offline(True)
    console_errors.forgive(*NETWORK_DROPPED)
    await send.click()
    await expect(notice).to_be_visible()
    await expect(send).to_be_enabled()
    await expect(worker.locator("textarea[name='evidence']")).to_have_value(
        "到文化东路社区作红色宣讲"
    )
    await shoot(worker, "points-4b-claim-offline")
    await worker.context.set_offline(False)
    assert await claims(services, world.a) == 0
    # Back online, the tap reaches the server but its answer is lost on the way back.
    lost = asyncio.Event()

    async def answer_lost(route: Route) -> None:
        await route.fetch()  # the server saves the claim…
        await route.abort("connectionreset")  # …and the phone never hears back
        lost.set()

    await worker.route("**/points/claims", answer_lost)
    await send.click()
    await asyncio.wait_for(lost.wait(), timeout=10)
    await expect(send).to_be_enabled()
    assert await claims(services, world.a) == 1
    await worker.unroute("**/points/claims", answer_lost)
    # Tapping again saves nothing new: the worker is told it was sent.
    await send.click()
    await expect(worker.locator(".flash--success")).to_contain_text("已经提交过")
    await shoot(worker, "points-4c-claim-sent-once")
    assert await claims(services, world.a) == 1

    # The secretary approves; 党员甲 now leads the branch with 6 + 8.
    secretary = await (await new_context()).new_page()
    await log_in(secretary, world.a.users[Role.BRANCH_SECRETARY])
    await secretary.goto("/points/claims")
    await expect(secretary.locator("main")).to_contain_text("到文化东路社区作红色宣讲")
    await shoot(secretary, "points-5-approve")
    await secretary.locator("form[action$='/approve'] button").click()
    await expect(secretary.locator(".flash--success")).to_be_visible()
    await secretary.goto(f"/points/branches/{branch}")
    names = await ranking_names(secretary)
    assert names[:2] == ["党员甲", "党员乙"], names
    first = secretary.locator("table.ranking tbody tr").first
    await expect(first.locator(".ranking__score")).to_have_text("14")
    await shoot(secretary, "points-6-ranking")
