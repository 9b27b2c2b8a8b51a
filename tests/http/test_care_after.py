"""After-care and care cards through the app: bad input sent back in Chinese with
nothing written, a case from the form to the year's list, the admin's undo, the
condolence visit after the death, the cards and their PDFs (a branch's as a report the
worker builds), and a member's own card."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import unquote
from uuid import UUID

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.care.after_care.models import AfterCareCase, AfterCareHelp
from app.care.cards.service import NOBODY_TO_PRINT
from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.reports.models import Report
from app.reports.requests.forms import CHOOSE_KIND
from app.state import AppServices
from tests.factories import PointsRoster, World, add_person, add_unit, make_points_roster
from tests.http.conftest import Browser, shown
from tests.reports import build_now, report_id_of


@pytest.fixture
async def roster(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def counts(services: AppServices, world: World) -> tuple[int, int]:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            cases = await session.scalar(select(func.count()).select_from(AfterCareCase))
            helps = await session.scalar(select(func.count()).select_from(AfterCareHelp))
    return cases or 0, helps or 0


async def deceased_on(services: AppServices, world: World, person: UUID):  # type: ignore[no-untyped-def]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(Person.deceased_on).where(Person.id == person))


async def test_bad_deaths_and_help_are_sent_back_in_chinese_with_nothing_written(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    from datetime import date

    born = await add_person(services, world.a, "老周", roster.roster.branch_1,
                            birth_date=date(1935, 5, 1))  # fmt: skip
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/care/after-care/new?person={born}")
    today = clock.today()
    for form, message in (
        ({"deceased_on": str(today + timedelta(days=1))},
         "The date of death cannot be in the future."),
        ({"deceased_on": "1935-04-30"}, "The date of death is before the date of birth."),
        ({"deceased_on": "去年"},
         "Please give the date as year-month-day, for example 2026-05-01."),
        ({"deceased_on": ""}, "Please give the date."),
    ):  # fmt: skip
        sent = await browser.post("/care/after-care", {"person_id": str(born), **form})
        assert sent.status_code == 422, (form, sent.text[:500])
        assert shown(message) in sent.text and "老周" in sent.text
    assert await counts(services, world) == (0, 0)
    assert await deceased_on(services, world, born) is None
    recorded = await browser.post("/care/after-care",
                                  {"person_id": str(born), "deceased_on": str(today)})  # fmt: skip
    assert recorded.status_code == 303
    case_page = recorded.headers["location"]
    await browser.get(case_page)
    for form, message in (
        ({"what": "", "given_by": "区局"}, "Please say what was given."),
        ({"what": "慰问金", "given_by": "区局", "money": "一千"},
         "Please enter the amount in digits, for example 500 or 1300.50."),
        ({"what": "慰问金", "given_by": "区局", "money": "1e3"},
         "Please enter the amount in digits, for example 500 or 1300.50."),
        ({"what": "慰问金", "given_by": "区局", "money": "-5"}, "An amount cannot be negative."),
        ({"what": "慰问金", "given_by": "区局", "money": "1000000"},
         "The amount must be under 1,000,000 yuan."),
        ({"given_on": str(today - timedelta(days=31)), "what": "慰问金", "given_by": "区局"},
         "This day is long before the death. Please check the date."),
        ({"what": "慰问金", "given_by": "", "money": "500"}, "Please say who gave it."),
    ):  # fmt: skip
        sent = await browser.post(f"{case_page}/help", {"given_on": str(today), **form})
        assert sent.status_code == 422, form
        assert shown(message) in sent.text
    assert await counts(services, world) == (1, 0)


async def test_a_secretary_records_a_death_and_the_help_and_the_admin_undoes_it(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    today = clock.today()
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    found = await browser.get("/care/after-care/new?q=党员乙")
    assert f"/care/after-care/new?person={roster.member_b}" in found.text
    assert "党员丁" not in (await browser.get("/care/after-care/new?q=党员")).text  # 第二支部
    await browser.get(f"/care/after-care/new?person={roster.member_b}")
    recorded = await browser.post("/care/after-care", {"person_id": str(roster.member_b),
                                  "deceased_on": str(today), "cause": "肺炎"})  # fmt: skip
    assert recorded.status_code == 303
    case_page = recorded.headers["location"]
    page = await browser.get(case_page)
    assert "肺炎" in page.text and "/undo" not in page.text  # the undo is the admin's
    added = await browser.post(f"{case_page}/help", {"given_on": str(today), "what": "慰问金",
                               "given_by": "区局", "money": "1,300"})  # fmt: skip
    assert added.status_code == 303
    listed = await browser.get("/care/after-care")
    assert "党员乙" in listed.text and "1,300.00 元" in listed.text
    assert await deceased_on(services, world, roster.member_b) == today

    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get(case_page)
    assert f"{case_page}/undo" in page.text
    empty = await browser.post(f"{case_page}/undo", {"reason": " "})
    assert empty.status_code == 303 and await deceased_on(services, world, roster.member_b)
    undone = await browser.post(f"{case_page}/undo", {"reason": "登记错了人"})
    assert undone.status_code == 303 and undone.headers["location"] == f"/people/{roster.member_b}"
    assert await deceased_on(services, world, roster.member_b) is None
    assert "党员乙" not in (await browser.get("/care/after-care")).text
    assert "登记错了人" in (await browser.get(case_page)).text


async def test_the_worker_logs_the_condolence_visit_after_the_death(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    from tests.care_after import record_death
    from tests.factories import identity_of

    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    await record_death(services, admin, roster.member_b, clock.today() - timedelta(days=2))
    await browser.login(world.a.users[Role.GRID_WORKER])
    form = await browser.get(f"/grid/visits/new?person={roster.member_b}")
    assert 'value="condolence" checked' in form.text
    sent = await browser.post("/grid/visits", {
        "person_id": str(roster.member_b), "kind": "condolence", "place": "home",
        "visited_on": str(clock.today()), "notes": "看望家属"})  # fmt: skip
    assert sent.status_code == 303, sent.text[:600]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    listed = await browser.get("/care/after-care")
    assert "党员乙" in listed.text and world.a.users[Role.GRID_WORKER].name in listed.text


async def test_cards_print_one_by_one_or_a_branch_at_once(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    """One card is a download; the branch is a report: ask → the worker builds → file."""
    worker = world.a.users[Role.GRID_WORKER]
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/care/cards?size=wallet")
    assert page.status_code == 200 and "党员甲" in page.text and "党员丁" not in page.text
    ask = f"/care/cards/branches/{roster.roster.branch_1}/report"
    assert f'action="{ask}"' in page.text and 'name="size" value="wallet"' in page.text
    card = await browser.get(f"/care/cards/{roster.member_a}")
    assert worker.name in card.text and f'href="tel:{worker.phone}"' in card.text
    assert 'href="tel:13700001111"' in card.text  # the secretary
    pdf = await browser.get(f"/care/cards/{roster.member_a}/pdf?size=a6")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
    report_id = report_id_of(await browser.post(ask, {"size": "wallet"}))
    assert report_id_of(await browser.post(ask, {"size": "wallet"})) == report_id  # 2nd tap
    waiting = await browser.get(f"/reports/{report_id}")
    assert shown("Care cards (a whole branch)") in waiting.text and "第一支部" in waiting.text
    assert 'href="/care/cards"' in waiting.text and "<progress" in waiting.text
    assert await build_now(services, world.a.tenant_id, report_id) == "done"
    whole = await browser.get(f"/reports/{report_id}/file")
    assert "亲情服务卡-第一支部-钱包卡.pdf" in unquote(whole.headers["content-disposition"])
    reader = PdfReader(io.BytesIO(whole.content))
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert len(reader.pages) == 1 and "党员甲" in text and "党员乙" in text
    assert (await browser.get(f"/care/cards/{roster.member_d}")).status_code == 404
    assert await audited(services, world, "report.downloaded") == 1


async def test_a_grid_worker_prints_the_branch_of_their_grid_and_follows_the_report(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    asked = await browser.post(f"/care/cards/branches/{roster.roster.branch_2}/report", {})
    report_id = report_id_of(asked)
    await build_now(services, world.a.tenant_id, report_id)
    done = await browser.get(f"/reports/{report_id}")
    assert done.status_code == 200 and f"/reports/{report_id}/file" in done.text
    assert 'href="/reports"' not in done.text  # the list is the leaders'; back to the cards
    whole = await browser.get(f"/reports/{report_id}/file")
    assert "亲情服务卡-第二支部-A6.pdf" in unquote(whole.headers["content-disposition"])
    assert len(PdfReader(io.BytesIO(whole.content)).pages) == 2  # 党员丁, 甲二号
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    theirs = report_id_of(
        await browser.post(f"/care/cards/branches/{roster.roster.branch_1}/report", {})
    )
    await browser.login(world.a.users[Role.GRID_WORKER])
    refused = await browser.get(f"/reports/{theirs}")  # another's: home, not the leaders' list
    assert refused.status_code == 303 and refused.headers["location"] == "/dashboard"
    assert (await browser.get(f"/reports/{theirs}/file")).headers["location"] == "/dashboard"


async def test_a_branch_with_nobody_to_print_is_refused_in_words_and_nothing_is_written(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    empty = await add_unit(services, world.a, "branch", "第九支部", roster.roster.center)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    for branch in (roster.roster.branch_2, empty):  # not theirs; nobody in it
        refused = await browser.post(f"/care/cards/branches/{branch}/report", {"size": "a6"})
        assert refused.status_code == 303
        assert refused.headers["location"] == f"/care/cards?branch={branch}&size=a6"
        followed = await browser.get(refused.headers["location"])
        assert shown(NOBODY_TO_PRINT) in followed.text
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    refused = await browser.post(f"/care/cards/branches/{empty}/report", {"size": "a6"})
    assert shown(NOBODY_TO_PRINT) in (await browser.get(refused.headers["location"])).text
    sneaked = await browser.post("/reports", {"kind": "care_cards", "format": "pdf"})
    assert sneaked.status_code == 422 and shown(CHOOSE_KIND) in sneaked.text
    assert await reports_written(services, world) == 0


async def reports_written(services: AppServices, world: World) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(Report)) or 0


async def audited(services: AppServices, world: World, action: str) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            found = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            return await session.scalar(found) or 0


async def test_a_member_sees_their_own_card_and_no_one_elses(
    browser: Browser, world: World, roster: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    own = await browser.get("/care/my-card")
    worker = world.a.users[Role.GRID_WORKER]
    assert own.status_code == 200 and "党员甲" in own.text
    assert f'href="tel:{worker.phone}"' in own.text and "data:image/svg+xml" in own.text
    assert (await browser.get(f"/care/cards/{roster.member_b}")).status_code == 403
