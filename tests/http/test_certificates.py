"""Certificate pages through the app: a member's own record and certificate (the PDF
read back), the admin's view, issuing and revoking for anyone, refusals with their
zh-CN messages and nothing written, and the public check — valid, revoked, corrected,
unknown, malformed, and its rate limit."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from app.volunteering.certificates import codes
from app.volunteering.certificates.checks import LOOKUPS_PER_WINDOW
from app.volunteering.certificates.routes import long_day
from app.volunteering.models import Certificate, Participation
from tests.certificates import add_activity, add_team
from tests.clock import set_clock
from tests.factories import PointsRoster, World, make_points_roster
from tests.http import isolation_certificates
from tests.http.conftest import Browser, shown

TODAY = clock.today()
START = TODAY - timedelta(days=40)
CODE = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """TODAY is read once, at import: a suite still running past midnight China time
    (16:00 UTC) would otherwise issue and revoke on the next day."""
    set_clock(monkeypatch, TODAY)


@pytest.fixture
async def roster(services: AppServices, world: World) -> PointsRoster:
    points = await make_points_roster(services, world.a)
    team = await add_team(services, world.a, "幸福社区志愿服务队")
    await add_activity(services, world.a, team, START + timedelta(days=2),
                       {points.member_a: "3.5", points.member_b: "2"})  # fmt: skip
    await add_activity(services, world.a, team, START + timedelta(days=9),
                       {points.member_a: "2"}, description="为独居老人打扫卫生")  # fmt: skip
    return points


async def certificates(services: AppServices, world: World) -> list[Certificate]:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            found = await session.scalars(select(Certificate).order_by(Certificate.issued_at))
            return list(found)


async def issue_mine(browser: Browser) -> str:
    """Issue one's own certificate for the default period; its grouped code."""
    await browser.get("/volunteering/mine")
    issued = await browser.post("/volunteering/mine/certificates",
                                {"period_start": str(START), "period_end": str(TODAY)})  # fmt: skip
    assert issued.status_code == 303, issued.text[:800]
    page = await browser.get("/volunteering/mine")
    found = CODE.search(page.text)
    assert found, page.text
    return found.group(0)


async def test_a_member_sees_their_hours_and_downloads_their_certificate(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    page = await browser.get("/volunteering/mine")
    assert page.status_code == 200
    assert "5.5" in page.text and "为独居老人打扫卫生" in page.text
    assert shown("No certificate has been issued yet.") in page.text
    code = await issue_mine(browser)
    [issued] = await certificates(services, world)
    assert issued.person_id == roster.member_a and issued.hours == Decimal("5.5")
    assert codes.grouped(issued.code) == code
    page = await browser.get("/volunteering/mine")
    link = re.search(r'href="(/volunteering/certificates/[0-9a-f-]+/pdf)"', page.text)
    assert link is not None
    pdf = await browser.get(link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "no-store" in pdf.headers["cache-control"]
    text = "".join(
        "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "党员甲" in text and "5.5" in text and code in text
    assert f"/verify/{issued.code}" in text  # the check's address, printed beside the QR


async def test_bad_periods_are_sent_back_in_chinese_with_nothing_written(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    await browser.get("/volunteering/mine")
    for form, message in (
        ({"period_start": str(TODAY), "period_end": str(START)},
         "The end of the period cannot be before its start."),
        ({"period_start": str(START), "period_end": str(TODAY + timedelta(days=3))},
         "The period cannot end after today."),
        ({"period_start": str(START - timedelta(days=90)), "period_end": str(START)},
         "There are no volunteer hours in this period. Please choose another period."),
        ({"period_start": "昨天", "period_end": str(TODAY)},
         "Please give the date as year-month-day, for example 2026-05-01."),
    ):  # fmt: skip
        sent = await browser.post("/volunteering/mine/certificates", form)
        assert sent.status_code == 422, form
        assert shown(message) in sent.text
    assert await certificates(services, world) == []


async def test_the_admin_issues_and_revokes_from_the_persons_page(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    person = await browser.get(f"/people/{roster.member_b}")
    assert f'href="/volunteering/people/{roster.member_b}"' in person.text
    page = await browser.get(f"/volunteering/people/{roster.member_b}")
    assert page.status_code == 200 and "党员乙" in page.text
    issued = await browser.post(f"/volunteering/people/{roster.member_b}/certificates",
                                {"period_start": str(START), "period_end": str(TODAY)})  # fmt: skip
    assert issued.status_code == 303
    [certificate] = await certificates(services, world)
    assert (
        certificate.hours == 2
        and certificate.issued_by_name == world.a.users[Role.TENANT_ADMIN].name
    )
    revoke = f"/volunteering/certificates/{certificate.id}/revoke"
    await browser.get(f"/volunteering/people/{roster.member_b}")
    empty = await browser.post(revoke, {"reason": " "})
    assert empty.status_code == 303
    page = await browser.get(f"/volunteering/people/{roster.member_b}")
    assert shown("Please say why the certificate is revoked.") in page.text
    [certificate] = await certificates(services, world)
    assert certificate.revoked_at is None
    assert (await browser.post(revoke, {"reason": "时段开错"})).status_code == 303
    again = await browser.post(revoke, {"reason": "再来一次"})
    assert again.status_code == 303
    page = await browser.get(f"/volunteering/people/{roster.member_b}")
    assert shown("This certificate was already revoked.") in page.text
    assert shown("Revoked") in page.text and "/pdf" not in page.text
    [certificate] = await certificates(services, world)
    assert certificate.revoked_reason == "时段开错"


async def test_only_the_admin_opens_anyones_record(
    browser: Browser, world: World, roster: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    assert (await browser.get(f"/volunteering/people/{roster.member_a}")).status_code == 403
    person = await browser.get(f"/people/{roster.member_a}")
    assert "/volunteering/people/" not in person.text
    mine = await browser.get("/volunteering/mine")  # the secretary is 甲一号, with no hours
    assert shown("No volunteer service has been recorded yet.") in mine.text


async def test_an_account_without_a_person_is_told_so(browser: Browser, world: World) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get("/volunteering/mine")
    assert page.status_code == 403  # told why, and not in the menu
    told = shown(
        "Your account is not linked to a person of the roster, so there is no volunteer"
        " record to show. Please ask the district office to link it."
    )
    assert told in page.text


async def test_the_public_check_shows_four_facts_and_the_state(
    browser: Browser, other_browser: Browser, world: World, roster: PointsRoster,
    services: AppServices,
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.MEMBER])
    code = await issue_mine(browser)
    plain = code.replace("-", "")
    check = await other_browser.get(f"/verify/{plain}")  # anyone, not logged in
    assert check.status_code == 200
    assert shown("This certificate is genuine.") in check.text
    for fact in ("党*甲", "5.5", world.a.name, long_day(START), long_day(TODAY), code):
        assert fact in check.text, fact
    for secret in ("党员甲", "幸福社区志愿服务队", "为独居老人打扫卫生", "site-nav"):
        assert secret not in check.text, secret
    typed = await other_browser.get(f"/verify?code={code.lower()}")  # the form, as typed
    assert typed.status_code == 303 and typed.headers["location"] == f"/verify/{plain}"

    with tenant_scope(world.a.tenant_id):  # an activity corrected after issue
        async with services.db.unit() as session:
            await session.execute(
                update(Participation)
                .where(Participation.person_id == roster.member_a, Participation.hours == 2)
                .values(hours=Decimal(1))
            )
    corrected = await other_browser.get(f"/verify/{plain}")
    now = shown(
        "The hours have been corrected since this certificate was issued: the record now"
        " shows %(hours)s hours for this period.",
        hours="4.5",
    )
    assert now in corrected.text

    await browser.post("/logout")
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    [certificate] = await certificates(services, world)
    await browser.get(f"/volunteering/people/{roster.member_a}")
    revoke = f"/volunteering/certificates/{certificate.id}/revoke"
    assert (await browser.post(revoke, {"reason": "时长更正"})).status_code == 303
    revoked = await other_browser.get(f"/verify/{plain}")
    assert shown("This certificate was revoked on %(date)s. It is no longer valid.",
                 date=long_day(TODAY)) in revoked.text  # fmt: skip
    assert "时长更正" not in revoked.text


async def test_unknown_and_malformed_codes_reveal_nothing(browser: Browser) -> None:
    unknown = await browser.get(f"/verify/{codes.new_code()}")
    assert unknown.status_code == 404
    assert shown("No certificate with this number was found.") in unknown.text
    for bad in ("ABC", "ABCD-EFGH-JKM0", "%00", "x" * 300):
        malformed = await browser.get(f"/verify/{bad}")
        assert malformed.status_code in (404, 422), bad
        if malformed.status_code == 422:
            assert shown("A verification number has 12 letters and digits, like "
                         "ABCD-EFGH-JKMN; it has no 0, 1, O, I or L. Please check it."
                         ) in malformed.text  # fmt: skip
    form = await browser.get("/verify?code=O0O0")
    assert form.status_code == 422


async def test_the_public_check_is_rate_limited_per_address(browser: Browser) -> None:
    for _ in range(LOOKUPS_PER_WINDOW):
        assert (await browser.get(f"/verify/{codes.new_code()}")).status_code == 404
    limited = await browser.get(f"/verify/{codes.new_code()}")
    assert limited.status_code == 429
    assert shown("Too many checks from this network. Please try again in %(minutes)s minutes.",
                 minutes=10) in limited.text  # fmt: skip
    assert (await browser.get("/verify")).status_code == 200  # the empty form is not a lookup


async def test_nothing_is_counted_for_another_districts_forged_person(
    browser: Browser, world: World, roster: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.b.users[Role.TENANT_ADMIN])
    await browser.get("/volunteering/mine")
    sent = await browser.post(f"/volunteering/people/{roster.member_a}/certificates",
                              {"period_start": str(START), "period_end": str(TODAY)})  # fmt: skip
    assert sent.status_code == 404
    assert await certificates(services, world) == []
    with tenant_scope(world.b.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Certificate)) == 0


async def test_another_districts_check_shows_only_the_four_facts(
    browser: Browser, world: World, services: AppServices
) -> None:
    """B's admin, logged in, holding A's code: the masked name, period, hours and issuer,
    nothing more of district A (no name, team, activity, reason, or A's menu)."""
    a = await isolation_certificates.objects_of_a(world, services)
    await browser.login(world.b.users[Role.TENANT_ADMIN])
    check = await browser.get(f"/verify/{a['code']}")
    assert check.status_code == 200
    assert "甲***者" in check.text and world.a.name in check.text
    for secret in ("甲区志愿者", "甲区宣讲队", "进社区宣讲", "幸福社区", a["certificate_id"]):
        assert secret not in check.text, secret
    assert (await browser.get("/volunteering/mine")).status_code == 403  # still B's session
