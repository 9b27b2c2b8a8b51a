"""The notification issue's "done when" end to end, with nothing written behind the
app's back but the due items: a grid worker on a Pixel 7 (and the desktop run as well)
asks for the morning digest by email too, the 07:30 job runs, the live worker writes
the digest and mails it — the inbox shows it with the unread count in the header, and
the local SMTP server has the email."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from playwright.async_api import expect
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.jobs import send_morning_digests
from app.grid.models import VisitDueItem, VisitRule
from app.grid.occasions import end_of_day
from app.state import AppServices
from e2e.test_pages import log_in
from tests.factories import World, make_points_roster
from tests.receivers import SmtpInbox

MAILBOX = "wangxiaohong@example.cn"


async def due_items(services: AppServices, world: World, overdue: Any, today: Any) -> None:
    """One must-visit a day overdue and one whose last day is today."""
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            rule = await session.scalar(select(VisitRule).where(VisitRule.enabled).limit(1))
            assert rule is not None
            for person, due_at, key in (
                (overdue, clock.now() - timedelta(days=1), "e2e:overdue"),
                (today, end_of_day(clock.today()), "e2e:today"),
            ):
                session.add(
                    VisitDueItem(
                        tenant_id=world.a.tenant_id,
                        person_id=person,
                        rule_id=rule.id,
                        occasion=key,
                        opens_on=clock.today() - timedelta(days=3),
                        due_at=due_at,
                    )
                )


async def test_the_morning_digest_reaches_the_inbox_and_the_mailbox(
    new_context,
    shoot,
    world: World,
    services: AppServices,
    mail: SmtpInbox,
    live_server: str,
) -> None:  # type: ignore[no-untyped-def]
    points = await make_points_roster(services, world.a)
    await due_items(services, world, points.member_a, points.member_b)
    page = await (await new_context()).new_page()
    await log_in(page, world.a.users[Role.GRID_WORKER])
    await expect(page.locator("#unread .inbox-link__count")).to_have_count(0)

    # The worker asks for the morning list by email as well.
    await page.goto("/inbox/settings")
    digest = page.locator("fieldset", has=page.get_by_text("每天早上的待走访提醒"))
    await digest.get_by_label("电子邮件").check()
    await page.get_by_label("我的邮箱").fill(MAILBOX)
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator(".flash--success")).to_contain_text("通知设置已保存")

    # 07:30: the cron job queues the district's batches; the live worker writes them.
    mails_before = len(mail.messages)
    await send_morning_digests({"services": services, "redis": services.redis})
    await page.goto("/grid")
    count = page.locator("#unread .inbox-link__count")
    for _ in range(60):
        if await count.count():
            break
        await asyncio.sleep(0.5)
        await page.reload()
    await expect(count).to_have_text("1")
    await shoot(page, "digest-0-count-in-the-header")

    await page.locator("#unread").get_by_role("link").click()
    item = page.locator(".inbox-item", has_text="逾期")
    await expect(item).to_contain_text("未读")
    await expect(item).to_contain_text("今天到期 1 人")
    await shoot(page, "digest-1-in-the-inbox")
    await item.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(r"/grid$"))
    await expect(page.locator("#unread .inbox-link__count")).to_have_count(0)

    # And the email arrived at the local SMTP server, with the link to the due list.
    for _ in range(60):
        if len(mail.messages) > mails_before:
            break
        await asyncio.sleep(0.5)
    mine = [m for m in mail.messages[mails_before:] if m["To"] == MAILBOX]
    assert len(mine) == 1, [m["To"] for m in mail.messages]
    text = mine[0].get_payload(decode=True).decode()
    assert "逾期 1 人" in text and f"{live_server}/grid" in text
