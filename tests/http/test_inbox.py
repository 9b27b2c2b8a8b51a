"""The inbox and the header's count, for district accounts and platform staff: newest
first, unread said in words, opening a notice marks it read and goes where it points,
mark all read, the htmx count — and nobody opens or marks another account's notices."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

from sqlalchemy import func, insert, select

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.notifications.models import Notification
from app.state import AppServices
from tests.factories import World
from tests.http.conftest import Browser, shown
from tests.notice_factories import add_notice

BADGE = re.compile(r'class="badge inbox-link__count">([^<]+)<')
HTMX = {"HX-Request": "true"}


def badge(page: str) -> str | None:
    """The header's count as shown ("3", "99+"), or None when there is no badge."""
    found = BADGE.search(page)
    return found.group(1) if found else None


async def unread_in_db(services: AppServices, world: World, role: Role) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(
                    Notification.recipient_id == world.a.users[role].id,
                    Notification.read_at.is_(None),
                )
            ) or 0  # fmt: skip


async def test_a_grid_worker_reads_the_inbox_newest_first_with_unread_in_words(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    worker = a.users[Role.GRID_WORKER].id
    await add_notice(services, a.tenant_id, worker, "上周的走访已记下", read=True,
                     age=timedelta(days=3))  # fmt: skip
    await add_notice(services, a.tenant_id, worker, "今天有3户要走访", link="/grid",
                     age=timedelta(hours=2))  # fmt: skip
    await add_notice(services, a.tenant_id, worker, "诉求已超时", link="/requests")
    await add_notice(services, a.tenant_id, a.users[Role.MEMBER].id, "别人的通知")
    await browser.login(a.users[Role.GRID_WORKER])

    page = (await browser.get("/grid")).text
    assert badge(page) == "2" and 'href="/inbox"' in page  # on every page
    inbox = await browser.get("/inbox")
    assert inbox.status_code == 200
    text = inbox.text
    assert text.index("诉求已超时") < text.index("今天有3户要走访") < text.index("上周的走访已记下")
    assert text.count(f'inbox-item__state">{shown("Unread")}<') == 2  # in words
    assert "别人的通知" not in text
    unread = (await browser.get("/inbox?show=unread")).text
    assert "诉求已超时" in unread and "上周的走访已记下" not in unread


async def test_opening_a_notice_marks_it_read_and_goes_to_its_page(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    worker = a.users[Role.GRID_WORKER].id
    linked = await add_notice(services, a.tenant_id, worker, "今天有3户要走访", link="/grid")
    bare = await add_notice(services, a.tenant_id, worker, "系统维护通知")
    sneaky = await add_notice(services, a.tenant_id, worker, "外链", link="//evil.example/x")
    await browser.login(a.users[Role.GRID_WORKER])
    assert badge((await browser.get("/inbox")).text) == "3"

    opened = await browser.get(f"/inbox/{linked}")
    assert opened.status_code == 303 and opened.headers["location"] == "/grid"
    assert badge((await browser.get("/grid")).text) == "2"
    again = await browser.get(f"/inbox/{linked}")  # already read: still goes there
    assert again.status_code == 303 and again.headers["location"] == "/grid"
    for notice in (bare, sneaky):  # no link, or one off the site: back to the inbox
        opened = await browser.get(f"/inbox/{notice}")
        assert opened.status_code == 303 and opened.headers["location"] == "/inbox"
    assert await unread_in_db(services, world, Role.GRID_WORKER) == 0
    assert badge((await browser.get("/inbox")).text) is None


async def test_another_accounts_notice_is_404_and_stays_unread(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    theirs = await add_notice(services, a.tenant_id, a.users[Role.MEMBER].id, "党员的通知")
    await browser.login(a.users[Role.GRID_WORKER])
    assert (await browser.get(f"/inbox/{theirs}")).status_code == 404
    assert (await browser.get("/inbox/not-an-id")).status_code == 404
    assert await unread_in_db(services, world, Role.MEMBER) == 1


async def test_mark_all_read_marks_only_ones_own(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    for n in range(3):
        await add_notice(services, a.tenant_id, a.users[Role.GRID_WORKER].id, f"通知{n}")
    await add_notice(services, a.tenant_id, a.users[Role.MEMBER].id, "党员的通知")
    await browser.login(a.users[Role.GRID_WORKER])
    page = (await browser.get("/inbox")).text
    assert shown("Mark all as read") in page
    done = await browser.post("/inbox/read-all")
    assert done.status_code == 303 and done.headers["location"] == "/inbox"
    assert await unread_in_db(services, world, Role.GRID_WORKER) == 0
    assert await unread_in_db(services, world, Role.MEMBER) == 1
    page = (await browser.get("/inbox")).text
    assert badge(page) is None and shown("Mark all as read") not in page
    assert shown("No unread notices.") in (await browser.get("/inbox?show=unread")).text


async def test_the_inbox_pages_with_the_one_pager(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    for n in range(25):
        await add_notice(services, a.tenant_id, a.users[Role.MEMBER].id, f"第{n:02d}条",
                         age=timedelta(minutes=n))  # fmt: skip
    await browser.login(a.users[Role.MEMBER])
    first = (await browser.get("/inbox")).text
    assert "第00条" in first and "第19条" in first and "第20条" not in first
    assert 'href="/inbox?page=2"' in first
    second = (await browser.get("/inbox?page=2")).text
    assert "第20条" in second and "第24条" in second and "第00条" not in second
    unread = (await browser.get("/inbox?show=unread&page=2")).text
    assert "第24条" in unread and 'href="/inbox?show=unread&amp;page=1"' in unread
    assert (await browser.get("/inbox?page=x&show=%00")).status_code == 200


async def test_the_count_is_an_htmx_fragment_capped_at_99(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    member = a.users[Role.MEMBER].id
    await browser.login(a.users[Role.MEMBER])
    empty = await browser.get("/inbox/count", headers=HTMX)
    assert empty.status_code == 200 and badge(empty.text) is None
    assert "<header" not in empty.text and 'hx-trigger="every 60s' in empty.text
    for n in range(3):
        await add_notice(services, a.tenant_id, member, f"通知{n}")
    assert badge((await browser.get("/inbox/count", headers=HTMX)).text) == "3"
    plain = await browser.get("/inbox/count")  # a browser opening the address
    assert plain.status_code == 303 and plain.headers["location"] == "/inbox"

    with tenant_scope(a.tenant_id):
        async with services.db.unit() as session:
            rows = [
                {"tenant_id": a.tenant_id, "recipient_id": member, "kind": "digest",
                 "dedupe_key": f"many:{n}", "title": "多", "body": "多"}
                for n in range(150)
            ]  # fmt: skip
            await session.execute(insert(Notification), [r | {"id": uuid4()} for r in rows])
    assert badge((await browser.get("/inbox/count", headers=HTMX)).text) == "99+"
    assert badge((await browser.get("/dashboard")).text) == "99+"


async def test_platform_staff_have_their_own_inbox(
    browser: Browser, services: AppServices, world: World
) -> None:
    notice = await add_notice(services, None, world.operator.id, "有新的区局注册待审批",
                              link="/approvals")  # fmt: skip
    await add_notice(services, None, world.viewer_37.id, "省级查看的通知")
    await add_notice(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id, "区局的")
    await browser.login(world.operator)
    page = (await browser.get("/inbox")).text
    assert "有新的区局注册待审批" in page and badge(page) == "1"
    assert "省级查看的通知" not in page and "区局的" not in page
    opened = await browser.get(f"/inbox/{notice}")
    assert opened.status_code == 303 and opened.headers["location"] == "/approvals"
    assert badge((await browser.get("/approvals")).text) is None


async def test_district_staff_cannot_open_the_platforms_notices(
    browser: Browser, services: AppServices, world: World
) -> None:
    notice = await add_notice(services, None, world.operator.id, "平台的通知")
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    assert (await browser.get(f"/inbox/{notice}")).status_code == 404
    assert "平台的通知" not in (await browser.get("/inbox")).text


async def test_the_inbox_asks_for_a_login_and_an_ended_session_stops_polling(
    browser: Browser,
) -> None:
    for path in ("/inbox", "/inbox/settings"):
        response = await browser.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    polled = await browser.get("/inbox/count", headers=HTMX)
    assert polled.status_code == 286 and polled.text == ""  # htmx stops asking


async def test_polling_the_count_does_not_keep_a_session_alive(
    browser: Browser, services: AppServices, world: World
) -> None:
    """A tab left open on a shared PC asks every minute; the session still ends after
    its idle time, counted from the person's last request."""
    await browser.login(world.a.users[Role.MEMBER])
    session = browser.client.cookies["redstar_session"]
    key = f"session:{session}"
    await services.redis.expire(key, 100)
    polled = await browser.get("/inbox/count", headers=HTMX)
    assert polled.status_code == 200 and "redstar_session" not in polled.headers.get(
        "set-cookie", ""
    )
    assert 0 < await services.redis.ttl(key) <= 100
    await browser.get("/inbox")
    assert await services.redis.ttl(key) > 100
