"""Every page, as each role, on a desktop and a phone: readable for people over 75.

Checks what the product promises about its pages — body text of at least 18px on
phones, no sideways scrolling, tap targets of at least 44px (radio buttons and check
boxes are tapped through their labels, which are) — and saves a screenshot of each
page for a person to look at.

Over 400 lines: the tour (every GET page, checked against the routes) and the
arrangements that give each page something to show stay together, so a new page is
added — and its data made — in one place.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from playwright.async_api import Page
from sqlalchemy import select

from app.care.political_birthdays.models import PoliticalBirthday
from app.care.surveys.models import Survey
from app.core.identity import SYSTEM, Actor
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db.tenant import tenant_scope
from app.demo.care_calendar import seed_demo_care_calendar
from app.demo.care_gifts import seed_demo_care_gifts
from app.demo.care_surveys import seed_demo_care_surveys
from app.demo.grid import seed_demo_grid
from app.demo.orglife import seed_demo_orglife
from app.demo.points import seed_demo_points
from app.demo.thought_reports import seed_demo_thought_reports
from app.demo.volunteering import seed_demo_volunteering
from app.orglife.models import Meeting
from app.people.imports.service import RUNNING, ImportService
from app.people.models import ImportStatus, Person
from app.people.org.service import OrgService
from app.people.roster.forms import parse_person
from app.people.roster.service import PeopleService
from app.points.models import PointEvent
from app.points.periods import quarter_of
from app.state import AppServices
from app.volunteering.models import Activity, Team
from tests import rosters
from tests.factories import (
    PASSWORD,
    Account,
    District,
    World,
    add_unit,
    identity_of,
    make_roster,
)

# Who sees which pages; every page of the foundation and roster issues appears at least
# once. {placeholders} are ids from the `ids` fixture below.
TOUR_SHOTS = os.environ.get("TOUR_SHOTS") == "1"
"""Screenshot every toured page (`TOUR_SHOTS=1 make test`): a full-page picture of each
of about a hundred pages on two devices is most of the tour's time, and only a person
looking at them needs them; the flows' own screenshots are always taken."""

TOUR: list[tuple[str, list[str]]] = [
    ("anonymous", ["/", "/login", "/signup", "/signup/submitted", "/no-such-page"]),
    ("anonymous", ["/verify", "/verify/{code}"]),
    (Role.OPERATOR, ["/dashboard", "/approvals"]),
    (Role.PROVINCIAL_VIEWER, ["/dashboard", "/approvals"]),
    (Role.TENANT_ADMIN, [
        "/dashboard", "/users", "/users/invite", "/audit", "/users/{member}",
        "/org", "/org/units/{unit}", "/people", "/people/new", "/people/{person}",
        "/people/{person}/edit", "/people/duplicates", "/people/imports",
        "/people/imports/{import}", "/people/imports/{import}?show=all",
        "/people/imports/{committed}",
    ]),
    (Role.TENANT_ADMIN, [
        "/points", "/points/branches/{unit}", "/points/ledger/{unit}", "/points/people/{scored}",
        "/points/claims", "/points/claims/award?person={scored}",
        "/points/rules", "/points/rules/{version}", "/points/rules/draft",
        "/points/rules/draft/items/{draft_item}", "/points/rules/draft/items/new",
        "/points/rules/draft/preview", "/points/publications", "/points/publications/{publication}",
        "/points/publications/{publication}/objections/{objection}/answer",
    ]),
    (Role.BRANCH_SECRETARY, [
        "/people", "/people/{person}", "/points", "/points/claims", "/points/branches/{branch2}",
        "/points/people/{person}",
    ]),
    (Role.GRID_WORKER, [  # not linked to a person
        "/dashboard", "/my-branch", "/points", "/points/claims/new?q=欧阳",
        "/points/claims/new?person={scored}", "/points/claims",
    ]),
    (Role.GRID_WORKER, [
        "/grid", "/grid/visits/new", "/grid/visits/new?q=a",
        "/grid/visits/new?person={grid_person}", "/grid/people/{grid_person}",
        "/grid/visits/{visit}", "/grid/calendar", "/grid/coverage", "/grid/grids",
        "/grid/grids/{grid}", "/requests", "/requests/new?person={grid_person}",
        "/requests/{request}",
    ]),
    (Role.TENANT_ADMIN, [
        "/grid", "/grid?grid={grid}", "/grid/grids", "/grid/grids/new", "/grid/grids/{grid}",
        "/grid/grids/{grid}/edit", "/grid/assign", "/grid/assign?unassigned=1",
        "/grid/unassigned", "/grid/rules", "/grid/rules/{visit_rule}", "/grid/coverage",
        "/grid/coverage/{grid}", "/grid/calendar?grid={grid}", "/requests", "/requests/sla",
        "/requests/settings", "/requests/settings/categories/{request_category}",
        "/requests/{request}",
    ]),
    (Role.BRANCH_SECRETARY, ["/grid", "/grid/coverage", "/requests", "/reports"]),
    (Role.TENANT_ADMIN, ["/reports", "/reports/{report}", "/reports/settings"]),
    (Role.MEMBER, [
        "/dashboard", "/users", "/account/password", "/my-branch", "/points",
        "/points/people/{twin}", "/points/publications", "/points/publications/{publication}",
        "/requests", "/account", "/volunteering/mine",
    ]),
    (Role.TENANT_ADMIN, ["/volunteering/mine", "/volunteering/people/{twin}"]),
    (Role.GRID_WORKER, ["/inbox", "/inbox?show=unread", "/inbox/settings"]),
    (Role.TENANT_ADMIN, [
        "/inbox", "/inbox/settings", "/notifications/channels", "/notifications/failed",
    ]),
    (Role.OPERATOR, ["/inbox", "/inbox/settings", "/notifications/channels"]),
    (Role.TENANT_ADMIN, [
        "/orglife/meetings", "/orglife/meetings?tab=past", "/orglife/meetings/new",
        "/orglife/meetings/{meeting}", "/orglife/meetings/{meeting}/record",
        "/orglife/meetings/{meeting}/attendance", "/orglife/meetings/{planned_meeting}/edit",
        "/orglife/kinds", "/orglife/owed", "/orglife/calendar", "/orglife/thought-reports",
        "/orglife/thought-reports?all=1", "/orglife/thought-reports/{mobile}",
    ]),
    (Role.BRANCH_SECRETARY, ["/orglife/calendar", "/orglife/thought-reports?all=1"]),
    (Role.BRANCH_SECRETARY, [  # leads 医疗服务队
        "/volunteering", "/volunteering/activities/new?team={vol_team}",
        "/volunteering/activities/{vol_activity}", "/volunteering/teams/{vol_team}",
        "/volunteering/totals",
    ]),
    (Role.TENANT_ADMIN, [
        "/volunteering", "/volunteering/activities/new", "/volunteering/teams/new",
        "/volunteering/teams/{vol_team}/edit",
    ]),
    (Role.MEMBER, ["/volunteering"]),
    (Role.TENANT_ADMIN, [
        "/care/surveys", "/care/surveys/new", "/care/surveys/{closed_survey}",
        "/care/surveys/{open_survey}", "/care/surveys/{open_survey}/poster",
    ]),
    (Role.BRANCH_SECRETARY, ["/care/surveys", "/care/surveys/{open_survey}"]),
    (Role.MEMBER, ["/care/my-surveys", "/care/my-surveys/{open_survey}"]),
    (Role.GRID_WORKER, [
        "/care/political-birthdays", "/care/political-birthdays/{pb_member}",
    ]),
    (Role.TENANT_ADMIN, [
        "/care/political-birthdays", "/care/political-birthdays?month=2026-07",
        "/care/political-birthdays/{pb_mobile}",
    ]),
    (Role.BRANCH_SECRETARY, ["/care/political-birthdays"]),
    (Role.TENANT_ADMIN, [
        "/care/condolence", "/care/aid", "/care/aid/new", "/care/aid/new?person={aid_person}",
        "/care/aid/{aid_waiting}", "/care/aid/{aid_approved}", "/care/aid/fund",
    ]),
    (Role.BRANCH_SECRETARY, ["/care/condolence", "/care/aid", "/care/aid/new?q=a"]),
    (Role.TENANT_ADMIN, [
        "/care/after-care", "/care/after-care/new", "/care/after-care/new?q=ouyang",
        "/care/after-care/new?person={person}", "/care/after-care/{after_care}",
        "/care/cards", "/care/cards/{grid_person}?size=wallet",
    ]),
    (Role.BRANCH_SECRETARY, ["/care/after-care", "/care/cards", "/care/my-card"]),
    (Role.GRID_WORKER, ["/care/cards", "/care/cards/{grid_person}"]),
    (Role.MEMBER, ["/care/my-card"]),
    (Role.BRANCH_SECRETARY, ["/care", "/care/birthday-parties"]),
    (Role.TENANT_ADMIN, ["/care", "/care?branch={unit}", "/care/birthday-parties"]),
    (Role.GRID_WORKER, ["/care"]),
]  # fmt: skip

NOT_TOURED = {
    "/healthz": "a probe", "/readyz": "a probe", "/favicon.ico": "an icon",
    "/assets/{name:str}": "bundles", "/static/{file_path:path}": "files",
    "/invite/{token:str}": "e2e/test_signup_flow.py", "/reset/{token:str}": "e2e/test_shell.py",
    "/points/claims/photos/{photo_id:uuid}": "an image",
    "/grid/visits/photos/{visit_photo_id:uuid}": "an image",
    "/volunteering/activities/photos/{volunteer_photo_id:uuid}": "an image",
    "/orglife/meetings/photos/{meeting_file_id:uuid}": "an image",
    "/inbox/count": "the header's count for htmx (a browser is sent to /inbox)",
    "/inbox/{notification_id:uuid}": "a redirect: e2e/test_inbox_flow.py",
}  # fmt: skip
"""GET routes that are not pages to look at, or are looked at in their own flow."""


def page_routes() -> list[str]:
    """Every page the app serves: its GET routes, less downloads and NOT_TOURED."""
    from tests.http.test_isolation import _enumeration_app

    return sorted(
        route.path
        for route in _enumeration_app().routes
        if "GET" in getattr(route, "route_handler_map", {})
        and not route.route_handler_map["GET"][0].opt.get("download")  # type: ignore[attr-defined]
        and route.path not in NOT_TOURED
    )


def _shape(path: str) -> str:
    """A path with each {parameter} (and the query) left out: /people/{person}/edit
    and /people/{person_id:uuid}/edit are both /people/*/edit."""
    return re.sub(r"\{[^}]*\}", "*", path.split("?")[0])


def test_the_tour_opens_every_page() -> None:
    """The tour is checked against the app's routes: a new page must be added to it
    (with the role that uses it) or the suite fails."""
    toured = {_shape(path) for _role, paths in TOUR for path in paths}
    assert [path for path in page_routes() if _shape(path) not in toured] == []


MEASURE = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  // A phone widens its layout viewport to fit content that overflows, so innerWidth
  // alone would hide the overflow: compare with the screen as well.
  const shown = Math.min(window.innerWidth, screen.width);
  const wide = document.scrollingElement.scrollWidth > shown + 1;
  const targets = 'main a, main button, main input, main select, header button, nav a';
  const small = [...document.querySelectorAll(targets)]
    .filter(el => el.offsetParent !== null && !['hidden', 'radio', 'checkbox'].includes(el.type))
    .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 44);
  return {body, wide, small};
}"""


def account_for(role: str, world: World) -> Account | None:
    if role == "anonymous":
        return None
    return {Role.OPERATOR: world.operator, Role.PROVINCIAL_VIEWER: world.viewer_37}.get(
        role,
        world.a.users.get(role),  # type: ignore[arg-type]
    )


async def log_in(page: Page, account: Account) -> None:
    await page.goto("/login")
    await page.get_by_label("手机号码").fill(account.phone)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(lambda url: "/login" not in url)  # a grid worker lands on /grid


async def open_from_menu(page: Page, label: str) -> None:
    """Click a place in the main menu; on a phone the menu's last places are under 更多."""
    menu = page.get_by_role("navigation", name="主菜单")
    link = menu.locator("a:visible", has_text=label)
    if not await link.count():
        await menu.get_by_text("更多").click()
    await link.first.click()


@pytest.fixture
async def ids(world: World, services: AppServices, live_server: str) -> dict[str, UUID]:
    """District A's roster, enough to fill every roster page: a tree three levels deep,
    a committed import, one checked and waiting (new rows, updates and problems), a
    person with every fact filled in and a change, a possible duplicate; the branch
    secretary leads 第二支部, where that person is, and the member is the duplicate."""
    district = world.a
    roster = await make_roster(services, district)
    east = await add_unit(services, district, "subcenter", "东片军休服务分中心", roster.center)
    third = await add_unit(services, district, "branch", "第三支部（离休干部党支部）", east)
    await add_unit(services, district, "group", "第三支部第二党小组", third)
    admin = district.users[Role.TENANT_ADMIN]
    actor = Actor("user", admin.name, admin.id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            people, org = PeopleService(session, services.cipher), OrgService(session)
            await people.link_account(
                EVERYONE, roster.person_2, district.users[Role.BRANCH_SECRETARY].id, SYSTEM
            )
            await org.set_leader(roster.branch_2, roster.person_2, SYSTEM)
            await org.set_leader(roster.branch_1, roster.person_1, SYSTEM)
            person = await people.create(EVERYONE, full_person(roster.branch_2), actor)
            await people.update(
                EVERYONE, person, full_person(roster.branch_2, phone="13905310099"), actor
            )
            # Scored, not exempt: the member's home then shows a place in the ranking.
            twin = full_person(roster.branch_2, infirm="") | {"id_number": None, "phone": None}
            twin_id = await people.create(EVERYONE, twin, actor)  # same name and birth date
            await people.link_account(EVERYONE, twin_id, district.users[Role.MEMBER].id, SYSTEM)
    committed = await run_import(
        services, district, actor, rosters.roster_csv(), "老名单.csv", commit=True
    )
    waiting = await run_import(
        services, district, actor, rosters.messy_roster_xlsx(), "花名册.xlsx"
    )
    with tenant_scope(district.tenant_id):
        await seed_demo_grid(services, district.tenant_id)  # the worker claims for their grid
        await seed_demo_points(services, district.tenant_id)
        await seed_demo_orglife(services, district.tenant_id)
        await seed_demo_thought_reports(services)
        await seed_demo_volunteering(services, district.tenant_id)
        await seed_demo_care_calendar(services)
        await seed_demo_care_gifts(services)
        await seed_demo_care_surveys(services, district.tenant_id)
        async with services.db.session() as session:
            scored = await session.scalar(
                select(PointEvent.person_id).order_by(PointEvent.recorded_at).limit(1)
            )
            meeting = await session.scalar(select(Meeting.id).where(Meeting.status == "held"))
            planned = await session.scalar(select(Meeting.id).where(Meeting.status == "planned"))
            mobile = await session.scalar(select(Person.id).where(Person.mobile).limit(1))
            # The demo's political birthdays: the worker's members, and a mobile member's.
            birthdays = Person.id.in_(select(PoliticalBirthday.person_id))
            pb_member = await session.scalar(select(Person.id).where(birthdays, ~Person.mobile))
            pb_mobile = await session.scalar(select(Person.id).where(birthdays, Person.mobile))

            vol_team = await session.scalar(select(Team.id).where(Team.name == "医疗服务队"))
            vol_activity = await session.scalar(
                select(Activity.id).where(Activity.team_id == vol_team).limit(1)
            )
            open_survey = await session.scalar(select(Survey.id).where(Survey.status == "open"))
            closed_survey = await session.scalar(select(Survey.id).where(Survey.status == "closed"))
    points = await points_pages(services, district, roster.branch_2, twin_id)
    grid = await grid_pages(services, district, twin_id)
    after_care = await after_care_case(services, district, roster.branch_2)
    await inbox_pages(services, world)
    from e2e.test_care_aid import care_aid_pages  # here: that module imports this one
    from e2e.test_certificates import certificate_pages  # here: that module imports this one

    return {
        **await certificate_pages(services, district, twin_id),
        **await care_aid_pages(services, district),
        **points,
        **grid,
        "report": await made_report(services, district),
        "member": district.users[Role.MEMBER].id, "unit": roster.branch_1, "person": person,
        "committed": committed, "import": waiting, "branch2": roster.branch_2, "twin": twin_id,
        "scored": scored, "meeting": meeting, "planned_meeting": planned, "mobile": mobile,
        "vol_team": vol_team, "vol_activity": vol_activity,
        "open_survey": open_survey, "closed_survey": closed_survey,
        "pb_member": pb_member, "pb_mobile": pb_mobile, "after_care": after_care,
    }  # fmt: skip


async def after_care_case(services: AppServices, district: District, branch: UUID) -> UUID:
    """A member of 第二支部 who died last week, with the help given to the family."""
    from datetime import timedelta
    from decimal import Decimal

    from tests.care_after import give_help, record_death
    from tests.factories import add_person

    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    person = await add_person(services, district, "周德明", branch, birth_date=date(1931, 8, 1))
    died = date.today() - timedelta(days=6)
    case = await record_death(services, admin, person, died, "心力衰竭")
    await give_help(services, admin, case, died + timedelta(days=1), "协助家属办理丧事")
    await give_help(services, admin, case, died + timedelta(days=2), "慰问金", Decimal("1300"))
    return case


async def made_report(services: AppServices, district: District) -> UUID:
    """The district's quarterly points report as .xlsx, made by the live server's worker."""
    from app.reports.kinds import KINDS
    from app.reports.models import Report, ReportStatus
    from app.reports.requests.forms import ReportForm
    from app.reports.requests.service import ReportService

    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    form = ReportForm(KINDS["points_district"], "xlsx", period=quarter_of(date.today()))
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            report_id = await ReportService(session, services.redis, services.cipher).request(
                admin, form
            )
        deadline = time.monotonic() + 60
        while True:
            async with services.db.session() as session:
                report = await session.get(
                    Report, {"tenant_id": district.tenant_id, "id": report_id}
                )
            assert report and time.monotonic() < deadline, "the worker did not make the report"
            if report.status == ReportStatus.DONE:
                return report_id
            await asyncio.sleep(0.3)


async def grid_pages(services: AppServices, district: District, member: UUID) -> dict[str, UUID]:
    """The demo grid (seeded above), one of its people with visits, a rule, a water
    request logged by the grid worker, and one the admin logged for the member."""
    from app.grid.models import Grid, GridAssignment, Visit, VisitRule
    from app.service_requests.models import RequestCategory
    from app.service_requests.requests.forms import RequestForm
    from app.service_requests.requests.service import RequestService

    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            grid = await session.scalar(select(Grid.id).where(Grid.name == "第一网格"))
            visit = await session.scalar(select(Visit).where(Visit.grid_id == grid).limit(1))
            rule = await session.scalar(select(VisitRule.id).where(VisitRule.code == "birthday"))
            water = await session.scalar(
                select(RequestCategory.id).where(RequestCategory.code == "water")
            )
            person = await session.scalar(
                select(GridAssignment.person_id).where(GridAssignment.grid_id == grid).limit(1)
            )
        assert grid and visit and rule and water and person
        worker = await identity_of(
            services, district.tenant_id, district.users[Role.GRID_WORKER].id
        )
        admin = await identity_of(
            services, district.tenant_id, district.users[Role.TENANT_ADMIN].id
        )
        async with services.db.unit() as session:
            request = await RequestService(session).log(
                worker, RequestForm(visit.person_id, water, "卫生间水龙头关不紧，一直滴水")
            )
            await RequestService(session).log(
                admin, RequestForm(member, water, "厨房水管接头漏水，地上总是湿的")
            )
    return {
        "grid": grid, "grid_person": visit.person_id, "visit": visit.id, "visit_rule": rule,
        "request_category": water, "request": request.id,
    }  # fmt: skip


async def points_pages(
    services: AppServices, district: District, branch: UUID, member_person: UUID
) -> dict[str, UUID]:
    """A draft of the rules and 第二支部's half-year ranking with the member's objection."""
    from app.points.models import RuleItem, RuleSet, RuleSetStatus
    from app.points.periods import half_of
    from app.points.publications.objections import ObjectionService
    from app.points.publications.service import PublicationService
    from app.points.rules.service import RuleSetService

    admin = district.users[Role.TENANT_ADMIN]
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            draft = await RuleSetService(session).start_draft(Actor("user", admin.name, admin.id))
        async with services.db.session() as session:
            active = await session.scalar(
                select(RuleSet.id).where(RuleSet.status == RuleSetStatus.ACTIVE)
            )
            item = await session.scalar(
                select(RuleItem.id).where(RuleItem.rule_set_id == draft).limit(1)
            )
        # As a request loads them: the secretary's led branch is in the identity.
        secretary = await identity_of(
            services, district.tenant_id, district.users[Role.BRANCH_SECRETARY].id
        )
        last_half = half_of(date.today()).previous().key  # put up once it has ended
        async with services.db.unit() as session:
            published = await PublicationService(session).open(secretary, branch, last_half)
        member = await identity_of(services, district.tenant_id, district.users[Role.MEMBER].id)
        async with services.db.unit() as session:
            objection = await ObjectionService(session).object(
                member, published.id, member_person, "五月五日的集中学习没有记上"
            )
    assert active and item
    return {
        "draft_item": item, "version": active, "publication": published.id,
        "objection": objection.id,
    }  # fmt: skip


async def inbox_pages(services: AppServices, world: World) -> None:
    """Notices read and unread for the grid worker, the admin and the operator, a
    delivery to the admin that failed for good, and the district's WeChat gateway."""
    from datetime import timedelta

    from app.notifications.kinds import Channel, Kind
    from tests.notice_factories import add_failed_delivery, add_gateway, add_notice

    district = world.a
    worker = district.users[Role.GRID_WORKER].id
    admin = district.users[Role.TENANT_ADMIN].id
    await add_notice(services, district.tenant_id, worker, "今天有3户到期要走访，1户已逾期",
                     link="/grid", body="逾期1户，今天到期3户。请查看待走访名单。")  # fmt: skip
    await add_notice(services, district.tenant_id, worker, "诉求“卫生间水龙头关不紧”已超时",
                     kind=Kind.SLA_BREACH, link="/requests", age=timedelta(hours=5),
                     body="已超过办理时限，请尽快处理。")  # fmt: skip
    await add_notice(services, district.tenant_id, worker, "您的积分申报已通过", read=True,
                     kind=Kind.CLAIM_DECIDED, link="/points/claims", age=timedelta(days=2),
                     body="“参加集中学习”加3分。")  # fmt: skip
    weekly = await add_notice(services, district.tenant_id, admin, "本周工作小结",
                              kind=Kind.WEEKLY_SUMMARY, link="/dashboard",
                              body="走访126次，逾期4户；诉求9件，按时办结8件。")  # fmt: skip
    await add_failed_delivery(services, district.tenant_id, weekly, channel=Channel.WECHAT,
                              error="网关无法连接：ConnectTimeout")  # fmt: skip
    await add_notice(services, None, world.operator.id, "有1个区局注册待审批", kind=Kind.SIGNUP,
                     link="/approvals", body="山东省济南市历城区退役军人事务局")  # fmt: skip
    await add_gateway(services, district, Channel.WECHAT)


ADDRESS = "济南市历下区文化东路街道山大路南口军休所家属院3号楼2单元501室"  # long: it must wrap


def full_person(branch: UUID, **changes: str) -> dict[str, Any]:
    """Every field of the person form filled in, as an administrator would."""
    born = date(1938, 2, 14)
    form = {
        "name": "欧阳秀兰", "category": "military_retiree", "gender": "female",
        "birth_date": "1938年2月14日", "id_number": rosters.id_number("370102", born, 24),
        "phone": "139 0531 0088", "address": ADDRESS, "branch_id": str(branch),
        "party_member": "1", "party_joined_on": "1956.7", "mobile": "1", "infirm": "1",
        "family_contact_name": "欧阳明（女儿）", "family_contact_phone": "13905310001",
        "health_notes": "高血压、糖尿病，按时服药；行动需要轮椅。\n每月第一周社区医生上门。",
        "notes": "学习资料送学上门。",
    } | changes  # fmt: skip
    return parse_person(form, with_id_number=True).columns()


async def run_import(
    services: AppServices,
    district: District,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    commit: bool = False,
) -> UUID:
    """Upload a roster and wait for the live server's worker to check it; with `commit`,
    its good rows are committed too (by the worker as well: a job run twice at once is
    not something the app has to survive), leaving its rows to fix."""
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            service = ImportService(session, services.cipher, services.redis)
            import_id = await service.upload(filename, data, "", actor)
            found = await settled(service, import_id)
            assert found.status == ImportStatus.CHECKED, (found.status, found.error)
            if commit:
                await service.commit(import_id, "good", None, actor)
                assert (await settled(service, import_id)).status == ImportStatus.COMMITTED
    return import_id


async def settled(service: ImportService, import_id: UUID) -> Any:
    deadline = time.monotonic() + 30
    while (found := await service.get(import_id)).status in RUNNING:
        assert time.monotonic() < deadline, f"import {import_id} stuck in {found.status}"
        await asyncio.sleep(0.2)
    return found


async def test_every_page_is_readable(
    new_context, shoot, device: dict[str, Any], world: World, ids: dict[str, UUID]
) -> None:  # type: ignore[no-untyped-def]
    problems = []
    for role, paths in TOUR:
        context = await new_context()
        page = await context.new_page()
        account = account_for(role, world)
        if account:
            await log_in(page, account)
        for template in paths:
            path = template.format(**ids)
            await page.goto(path)
            found = await page.evaluate(MEASURE)
            where = f"{role} {path}"
            if device["name"] == "pixel7" and found["body"] < 18:
                problems.append(f"{where}: body text {found['body']}px")
            if found["wide"]:
                problems.append(f"{where}: scrolls sideways")
            problems.extend(f"{where}: small target {h:.0f}px {html}" for html, h in found["small"])
            if TOUR_SHOTS:  # pictures for people to look at; the checks above run always
                name = re.sub(r"[{}]", "", template.strip("/")).replace("/", "-") or "home"
                name = re.sub(r"\?(q|person)=.*", r"-\1", name.replace("?show=", "-"))
                await shoot(page, f"page-{role}-{name}")
        await context.close()  # some fifty roles: open pages would pile up in Chromium
    assert not problems, "\n".join(problems)
