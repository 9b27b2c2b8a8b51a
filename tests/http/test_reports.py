"""Reports through the browser: asking, following the progress bar, downloading, who
may see what, and every bad request refused with a message and nothing written. The
files are read back and their figures checked against the database."""

from __future__ import annotations

import io
from datetime import timedelta
from uuid import UUID

import pytest
from arq.connections import ArqRedis
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select, text, update

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.periods import quarter_of
from app.reports import running
from app.reports.models import Report, ReportStatus
from app.reports.requests import service as report_service
from app.reports.requests.forms import CHOOSE_BRANCH, CHOOSE_FORMAT, CHOOSE_KIND, CHOOSE_QUARTER
from app.reports.requests.service import BEFORE_RULES, EXPIRED, FUTURE_QUARTER, NOT_YOURS
from app.reports.settings.forms import KEEP_DAYS
from app.state import AppServices
from tests.factories import PointsRoster, World, make_points_roster, make_roster, make_world
from tests.http.conftest import Browser, shown
from tests.http.test_points import claim_form, item_id
from tests.reports import build_now, report_file, report_form, report_id_of

XLSX_ROWS = CalamineWorkbook.from_filelike


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World, browser: Browser) -> PointsRoster:
    """The points roster with a quarter's entries: 党员甲 +2 +5, 党员乙 +2, 党员丁 +5;
    老党员丙 is exempt. Awarded by the admin, who stays logged in."""
    points = await make_points_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    study = await item_id(services, world.a, "XX-01")  # +2
    talk = await item_id(services, world.a, "FH-01")  # +5
    awards = ((points.member_a, study), (points.member_a, talk), (points.member_b, study),
              (points.member_d, talk))  # fmt: skip
    for person, item in awards:
        assert (await browser.post("/points/claims/award", claim_form(person, item))).is_redirect
    return points


async def quarter_sums(services: AppServices, world: World) -> dict[str, float]:
    """Each member's points this quarter, summed from the ledger itself (no caps are hit)."""
    period = quarter_of(clock.today())
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            rows = await session.execute(
                text(
                    "select p.name, sum(e.points) from point_events e"
                    " join people p on p.tenant_id = e.tenant_id and p.id = e.person_id"
                    " where e.occurred_on between :first and :last group by p.name"
                ),
                {"first": period.start, "last": period.end},
            )
            return {name: float(total) for name, total in rows}


async def reports_written(services: AppServices, world: World) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(Report)) or 0


async def test_the_admin_asks_follows_and_downloads_the_districts_points_report(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    page = await browser.get("/reports")
    assert page.status_code == 200
    assert shown("Quarterly points report of the district") in page.text
    asked = await browser.post("/reports", report_form("points_district", format="xlsx"))
    report_id = report_id_of(asked)
    waiting = await browser.get(f"/reports/{report_id}")
    assert (
        'hx-trigger="every 2s"' in waiting.text and f'href="/reports/{report_id}"' in waiting.text
    )
    fragment = await browser.get(
        f"/reports/{report_id}", headers={"HX-Request": "true", "HX-Target": "progress"}
    )
    assert "<html" not in fragment.text  # only the block that replaces itself
    assert 'id="progress"' in fragment.text and "every 2s" in fragment.text
    assert await build_now(services, world.a.tenant_id, report_id) == ReportStatus.DONE
    done = await browser.get(
        f"/reports/{report_id}", headers={"HX-Request": "true", "HX-Target": "progress"}
    )
    assert "every 2s" not in done.text  # the bar stops asking
    assert f'href="/reports/{report_id}/file"' in done.text
    download = await browser.get(f"/reports/{report_id}/file")
    assert download.status_code == 200
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    book = XLSX_ROWS(io.BytesIO(download.content))
    assert book.sheet_names == ["汇总", "第一支部", "第二支部"]
    summary = {row[0]: row for row in book.get_sheet_by_name("汇总").to_python() if row[0]}
    # 第一支部: 党员甲 and 党员乙 ranked, both with points; 老党员丙 exempt, apart.
    assert summary["第一支部"][1:4] == [2, 2, 100]
    assert summary["第一支部"][-1] == 1
    assert summary["第二支部"][1:3] == [1, 1]
    sums = await quarter_sums(services, world)
    branch_1 = book.get_sheet_by_name("第一支部").to_python()
    ranked = {row[1]: row[-1] for row in branch_1 if isinstance(row[0], float)}
    assert ranked == {"党员甲": sums["党员甲"], "党员乙": sums["党员乙"]}
    assert summary["第一支部"][4] == (sums["党员甲"] + sums["党员乙"]) / 2  # the average
    exempt_at = next(i for i, row in enumerate(branch_1) if row[0] == "年迈体弱党员（不参加排名）")
    assert branch_1[exempt_at + 1][1] == "老党员丙" and "老党员丙" not in ranked
    total = next(row for row in book.get_sheet_by_name("汇总").to_python() if row[0] == "合计")
    assert total[1] == 3


async def test_the_branch_points_report_and_ledger_as_pdf(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    branch = points.roster.branch_1
    sums = await quarter_sums(services, world)
    form = report_form("points_branch", branch=branch, format="pdf")
    pdf = await report_file(browser, services, world.a.tenant_id, form)
    assert pdf.headers["content-type"] == "application/pdf"
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "第一支部 党员积分季度报表" in words
    member_a = next(line for line in words.splitlines() if "党员甲" in line)
    assert member_a.startswith("1 党员甲") and member_a.endswith(f" {sums['党员甲']:g}")
    assert "年迈体弱党员（不参加排名）" in words and "老党员丙" in words
    ledger = await report_file(browser, services, world.a.tenant_id,
                               report_form("ledger", branch=branch, format="pdf"))  # fmt: skip
    text_ = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ledger.content)).pages)
    assert f"合计 {sums['党员甲'] + sums['党员乙']:g}" in text_.replace("\n", " ")


def bad_requests(points: PointsRoster, other: UUID) -> list[tuple[dict[str, str], str, dict]]:
    today = clock.today()
    future = quarter_of(today.replace(year=today.year + 1))
    branch = points.roster.branch_1
    return [
        ({"kind": "no_such_report"}, CHOOSE_KIND, {}),
        (report_form("points_branch", branch=branch, period=future.key), FUTURE_QUARTER,
         {"period": future.label}),
        (report_form("points_branch", branch=branch, period=f"{today.year - 2}Q4"), BEFORE_RULES,
         {"day": f"{today.year - 1}-01-01"}),
        (report_form("ledger", branch=branch, period="2026Q9"), CHOOSE_QUARTER, {}),
        (report_form("ledger", branch=other), CHOOSE_BRANCH, {}),
        (report_form("ledger", branch=points.roster.group_1), CHOOSE_BRANCH, {}),
        (report_form("ledger", period="", **{"branch_id": "第一支部"}), CHOOSE_BRANCH, {}),
        (report_form("ledger", branch=branch, format="docx"), CHOOSE_FORMAT, {}),
    ]  # fmt: skip


async def test_bad_requests_are_refused_and_write_nothing(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    other = (await make_roster(services, world.b)).branch_1  # another district's branch
    for form, message, args in bad_requests(points, other):
        response = await browser.post("/reports", form)
        assert response.status_code == 422, (form, response.status_code)
        assert shown(message, **args) in response.text, (form, message)
    assert await reports_written(services, world) == 0


async def test_a_secretary_asks_only_for_the_branch(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/reports")
    assert shown("Quarterly points report of a branch") in page.text
    assert shown("Quarterly points report of the district") not in page.text
    assert "第二支部" not in page.text  # only the branch the secretary leads is offered
    for form in (report_form("points_district"),
                 report_form("ledger", branch=points.roster.branch_2)):  # fmt: skip
        refused = await browser.post("/reports", form)
        assert refused.status_code == 422
    assert await reports_written(services, world) == 0
    mine = await report_file(browser, services, world.a.tenant_id,
                             report_form("ledger", branch=points.roster.branch_1))  # fmt: skip
    assert mine.status_code == 200


async def test_only_the_asker_and_the_admin_open_a_report(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    admins = report_id_of(await browser.post("/reports", report_form("points_district")))
    await build_now(services, world.a.tenant_id, admins)
    await other_browser.login(world.a.users[Role.BRANCH_SECRETARY])
    for path in (f"/reports/{admins}", f"/reports/{admins}/file"):
        refused = await other_browser.get(path)
        assert refused.status_code == 303, path
        followed = await other_browser.get(refused.headers["location"])
        assert shown(NOT_YOURS) in followed.text
    secretarys = report_id_of(await other_browser.post(
        "/reports", report_form("ledger", branch=points.roster.branch_1)))  # fmt: skip
    await build_now(services, world.a.tenant_id, secretarys)
    assert (await browser.get(f"/reports/{secretarys}/file")).status_code == 200
    listed = (await other_browser.get("/reports")).text
    assert f"/reports/{secretarys}" in listed and f"/reports/{admins}" not in listed


async def test_an_expired_report_is_not_downloaded_and_can_be_made_again(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    report_id = report_id_of(await browser.post("/reports", report_form("points_district")))
    await build_now(services, world.a.tenant_id, report_id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await session.execute(
                update(Report).values(
                    expires_at=clock.now(), finished_at=clock.now() - timedelta(days=7)
                )
            )
    refused = await browser.get(f"/reports/{report_id}/file")
    assert refused.status_code == 303
    assert shown(EXPIRED, days=7) in (await browser.get(refused.headers["location"])).text
    page = await browser.get(f"/reports/{report_id}")
    assert shown("This report was deleted after its keeping time.") in page.text
    assert (await browser.post(f"/reports/{report_id}/retry")).status_code == 303
    assert await build_now(services, world.a.tenant_id, report_id) == ReportStatus.DONE
    assert (await browser.get(f"/reports/{report_id}/file")).status_code == 200


async def test_a_failure_is_shown_in_chinese_and_can_be_retried(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    report_id = report_id_of(await browser.post("/reports", report_form("points_district")))
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await session.execute(
                update(Report).values(status=ReportStatus.FAILED, error=running.NOT_MADE)
            )
    page = await browser.get(f"/reports/{report_id}")
    assert shown(running.NOT_MADE) in page.text and shown("Try again") in page.text
    assert (await browser.post(f"/reports/{report_id}/retry")).status_code == 303
    again = await browser.post(f"/reports/{report_id}/retry")  # only a failed one
    assert again.status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            found = await session.scalar(select(Report))
    assert found and (found.status, found.attempt, found.error) == ("queued", 2, None)


async def test_with_valkey_away_the_report_waits_and_nothing_alarms(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    away = ArqRedis.from_url("redis://127.0.0.1:1", socket_connect_timeout=0.5)

    async def enqueue_nowhere(redis: ArqRedis, *args: object) -> bool:
        return await running.enqueue(away, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(report_service, "enqueue", enqueue_nowhere)
    asked = await browser.post("/reports", report_form("points_district"))
    page = await browser.get(asked.headers["location"])
    assert page.status_code == 200
    assert shown("Waiting in line… this page updates by itself.") in page.text
    assert await reports_written(services, world) == 1


async def test_the_admin_sets_how_long_files_are_kept(
    browser: Browser, services: AppServices, world: World
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    for bad in ("0", "91", "七", ""):
        refused = await browser.post("/reports/settings", {"keep_days": bad})
        assert refused.status_code == 422
        assert shown(KEEP_DAYS, low=1, high=90) in refused.text
    assert (await browser.post("/reports/settings", {"keep_days": "14"})).status_code == 303
    assert 'value="14"' in (await browser.get("/reports/settings")).text
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    assert (await browser.get("/reports/settings")).status_code == 403


async def test_the_roster_button_asks_for_the_filtered_roster(
    browser: Browser, services: AppServices, world: World
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get(f"/people?unit={roster.branch_1}")
    assert 'name="kind" value="roster"' in page.text
    assert f'name="unit" value="{roster.branch_1}"' in page.text
    asked = await browser.post("/reports", {"kind": "roster", "unit": str(roster.branch_1)})
    report_id = report_id_of(asked)
    page = await browser.get(f"/reports/{report_id}")
    assert "第一支部" in page.text and shown("Roster") in page.text


async def test_asking_twice_opens_the_same_report_and_five_may_wait(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    form = report_form("points_district", format="xlsx")
    first = report_id_of(await browser.post("/reports", form))
    assert report_id_of(await browser.post("/reports", form)) == first  # a second tap
    year = clock.today().year
    others = [(f"{year}Q4", "pdf"), (f"{year}Q3", "xlsx"), (f"{year}Q3", "pdf"),
              (f"{year}Q2", "xlsx")]  # fmt: skip
    if quarter_of(clock.today()).key != f"{year}Q4":
        others = [(f"{year - 1}Q{n}", f) for n in (4, 3) for f in ("xlsx", "pdf")]
    for period, fmt in others:
        asked = report_form("points_district", period=period, format=fmt)
        report_id_of(await browser.post("/reports", asked))
    refused = await browser.post("/reports", report_form("points_district", period=f"{year - 1}Q1"))
    assert refused.status_code == 422
    assert shown(report_service.TOO_MANY, count=5) in refused.text
    assert await reports_written(services, world) == 5
