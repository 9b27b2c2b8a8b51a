"""An account and the roster person it is: a secretary sees their branch only through it.

The admin names 张建国 secretary of 第一支部 and invites 张建国 with the mobile number the
roster has for him: accepting links the account to him, so the secretary's first page
is the branch. Where the roster cannot tell who the account is, nothing is linked, the
admin's account page says a link is needed and offers the likely people, and the
secretary is told the step that is really missing — never offered 添加人员 they cannot
do.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import text

from app.core.roles import Role
from app.db import Database
from app.state import AppServices
from tests.factories import World, add_person, make_roster
from tests.http.conftest import Browser
from tests.http.test_invitations import invite

PHONE = "13953201234"
PASSWORD = {"password": "Zhang-2026x", "password_confirm": "Zhang-2026x"}


async def people_links(owner_db: Database, tenant_id: UUID) -> dict[str, UUID | None]:
    async with owner_db.engine.connect() as conn:
        rows = await conn.execute(
            text("select id, user_id from people where tenant_id = :t"), {"t": tenant_id}
        )
        return {str(row.id): row.user_id for row in rows}


async def user_id(owner_db: Database, phone: str, tenant_id: UUID) -> UUID:
    async with owner_db.engine.connect() as conn:
        return (
            await conn.execute(
                text("select id from users where phone = :p and tenant_id = :t"),
                {"p": phone, "t": tenant_id},
            )
        ).scalar_one()


async def test_an_invited_secretary_is_linked_to_their_roster_entry(
    browser: Browser,
    other_browser: Browser,
    world: World,
    services: AppServices,
    owner_db: Database,
) -> None:
    roster = await make_roster(services, world.a)
    zhang = await add_person(services, world.a, "张建国", roster.branch_1, phone=PHONE)
    # The same man's number in another district's roster: never linked from A.
    elsewhere = await add_person(services, world.b, "张建国", None, phone=PHONE)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/org/units/{roster.branch_1}")
    await browser.post(f"/org/units/{roster.branch_1}/leader", {"person_id": str(zhang)})

    await browser.get("/users/invite")
    made = await browser.post(
        "/users/invite", {"name": "张建国", "phone": PHONE, "role": Role.BRANCH_SECRETARY}
    )
    # The admin is told who the account will be.
    assert "接受邀请后，账号会关联到花名册中的张建国（第一支部" in made.text
    link = made.text.split('value="http://testserver.local', 1)[1].split('"', 1)[0]

    done = await other_browser.post(link, PASSWORD)
    assert done.status_code == 303
    account = await user_id(owner_db, PHONE, world.a.tenant_id)
    links = await people_links(owner_db, world.a.tenant_id)
    assert links[str(zhang)] == account
    assert [p for p, u in links.items() if u == account] == [str(zhang)]
    assert (await people_links(owner_db, world.b.tenant_id))[str(elsewhere)] is None
    async with owner_db.engine.connect() as conn:
        logged = (
            await conn.execute(
                text(
                    "select actor_name, changes->'account'->>1 from audit_events"
                    " where action = 'person.account_linked' and subject_id = :p"
                ),
                {"p": zhang},
            )
        ).all()
    assert logged == [("张建国", "张建国")]

    page = (await other_browser.get("/people")).text
    assert "甲一号" in page  # the branch's people
    assert "您还不是任何单位的负责人" not in page and "还没有关联" not in page
    assert 'href="/people/new"' in page  # a secretary adds people to the branch


async def test_an_account_the_roster_cannot_tell_is_left_to_the_admin(
    browser: Browser,
    other_browser: Browser,
    world: World,
    services: AppServices,
    owner_db: Database,
) -> None:
    """Two living people share the name and number (a father's phone kept for his son):
    the account is linked to neither. The secretary is told the real missing step, and
    the admin finds the link to make on the account's page."""
    roster = await make_roster(services, world.a)
    father = await add_person(services, world.a, "张建国", roster.branch_1, phone=PHONE)
    son = await add_person(services, world.a, "张建国", roster.branch_2, phone=PHONE)
    admin = world.a.users[Role.TENANT_ADMIN]
    await browser.login(admin)
    made_link = await browser.post(
        "/users/invite", {"name": "张建国", "phone": PHONE, "role": Role.BRANCH_SECRETARY}
    )
    assert "花名册中有 2 位张建国用这个手机号码" in made_link.text
    link = made_link.text.split('value="http://testserver.local', 1)[1].split('"', 1)[0]
    assert (await other_browser.post(link, PASSWORD)).status_code == 303
    account = await user_id(owner_db, PHONE, world.a.tenant_id)
    links = await people_links(owner_db, world.a.tenant_id)
    assert links[str(father)] is None and links[str(son)] is None

    people = (await other_browser.get("/people")).text
    assert "您的账号还没有关联到花名册中的本人" in people and admin.name in people
    assert "把您设为本支部书记" not in people
    assert 'href="/people/new"' not in people  # nobody they could add
    assert (await other_browser.get("/people/new")).headers.get("location") == "/people"

    # The admin's getting-started card, list and the account's page say a link is
    # needed, the page with the candidates.
    card = (await browser.get("/dashboard")).text
    step = card[card.index('data-step="invitations"') :].split("</li>", 1)[0]
    assert "有支部书记的账号还没有关联花名册中的本人" in step and 'href="/users"' in step
    users = (await browser.get("/users")).text
    row = users[users.index(f'href="/users/{account}"') :].split("</tr>", 1)[0]
    assert "未关联花名册" in row
    page = (await browser.get(f"/users/{account}")).text
    assert "还没有关联花名册中的人员" in page
    assert f'action="/people/{father}/account"' in page
    assert f'action="/people/{son}/account"' in page
    await browser.post(f"/people/{father}/account", {"user_id": str(account)})
    assert (await people_links(owner_db, world.a.tenant_id))[str(father)] == account
    page = (await browser.get(f"/users/{account}")).text
    assert "还没有关联花名册中的人员" not in page and f'href="/people/{father}"' in page

    # Linked, but not yet named secretary of anything: that is now the step to take.
    people = (await other_browser.get("/people")).text
    assert "您的账号还没有关联" not in people
    assert "在组织架构中把您设为本支部的书记" in people and admin.name in people
    assert 'href="/people/new"' not in people


async def test_acceptance_never_takes_someone_already_linked_or_deceased(
    browser: Browser,
    other_browser: Browser,
    world: World,
    services: AppServices,
    owner_db: Database,
) -> None:
    roster = await make_roster(services, world.a)
    member = world.a.users[Role.MEMBER]
    linked = await add_person(services, world.a, "李秀英", roster.branch_1, phone="13953201235")
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.post(f"/people/{linked}/account", {"user_id": str(member.id)})
    gone = await add_person(
        services, world.a, "王军", roster.branch_1, phone="13953201236",
        deceased_on=date(2025, 3, 1),
    )  # fmt: skip
    for name, phone in (("李秀英", "13953201235"), ("王军", "13953201236")):
        link = await invite(browser, name, phone, Role.MEMBER)
        await other_browser.post("/logout")
        assert (await other_browser.post(link, PASSWORD)).status_code == 303
    links = await people_links(owner_db, world.a.tenant_id)
    assert links[str(linked)] == member.id and links[str(gone)] is None
