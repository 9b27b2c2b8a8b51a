"""Volunteer service certificates: issuing with the figures kept, the refusals that write
nothing, revoking once, the public check (masked name, revoked, corrected, unknown)
and the PDF with its verification code and QR code."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import segno
from pypdf import PdfReader
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from app.volunteering.certificates import codes, document
from app.volunteering.certificates.checks import masked, verify
from app.volunteering.certificates.forms import Period, parse_period
from app.volunteering.certificates.service import CertificateService
from app.volunteering.models import Certificate, Participation
from tests.certificates import add_activity, add_team, issue
from tests.clock import set_clock
from tests.factories import PointsRoster, World, identity_of, make_points_roster

TODAY = clock.today()
START = TODAY - timedelta(days=60)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """TODAY is read once, at import: a suite still running past midnight China time
    (16:00 UTC) would otherwise issue and revoke on the next day."""
    set_clock(monkeypatch, TODAY)


@pytest.fixture
async def roster(services: AppServices, world: World) -> PointsRoster:
    points = await make_points_roster(services, world.a)
    team = await add_team(services, world.a)
    await add_activity(services, world.a, team, START + timedelta(days=1),
                       {points.member_a: "2.5", points.member_b: "3"})  # fmt: skip
    await add_activity(services, world.a, team, START + timedelta(days=20),
                       {points.member_a: "4"}, description="慰问老党员")  # fmt: skip
    return points


async def count(services: AppServices, tenant, model) -> int:  # type: ignore[no-untyped-def]
    with tenant_scope(tenant):
        async with services.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_volunteer_is_issued_a_certificate_of_their_own_hours(
    services: AppServices, world: World, roster: PointsRoster
) -> None:
    member = await identity_of(services, world.a.tenant_id, world.a.users[Role.MEMBER].id)
    issued = await issue(services, member, roster.member_a, START, TODAY)
    assert (issued.hours, issued.activities) == (Decimal("6.5"), 2)
    assert codes.normal(issued.code) == issued.code
    assert codes.grouped(issued.code).count("-") == 2
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            event = await session.scalar(
                select(AuditEvent).where(AuditEvent.action == "certificate.issued")
            )
    assert event is not None and event.subject_id == roster.member_a
    assert event.changes["hours"] == "6.5"


async def test_bad_periods_and_other_people_are_refused_with_nothing_written(
    services: AppServices, world: World, roster: PointsRoster
) -> None:
    member = await identity_of(services, world.a.tenant_id, world.a.users[Role.MEMBER].id)
    admin_b = await identity_of(services, world.b.tenant_id, world.b.users[Role.TENANT_ADMIN].id)
    with pytest.raises(Refused) as refused:
        parse_period({"period_start": str(TODAY), "period_end": str(START)})
    assert "period_end" in refused.value.errors
    with pytest.raises(Refused) as refused:
        parse_period({"period_start": str(START), "period_end": str(TODAY + timedelta(days=1))})
    assert "period_end" in refused.value.errors
    with pytest.raises(Refused) as refused:
        parse_period({"period_start": "2026-13-01", "period_end": ""})
    assert set(refused.value.errors) == {"period_start", "period_end"}
    with pytest.raises(Refused, match="no volunteer hours"):  # a period with nothing in it
        await issue(services, member, roster.member_a, START - timedelta(days=30), START)
    with pytest.raises(Refused, match="after today"):  # the service holds it too
        await issue(services, member, roster.member_a, START, TODAY + timedelta(days=1))
    with pytest.raises(NotFound):  # a member asking for someone else
        await issue(services, member, roster.member_b, START, TODAY)
    with pytest.raises(NotFound):  # another district's admin with a forged id
        await issue(services, admin_b, roster.member_a, START, TODAY)
    assert await count(services, world.a.tenant_id, Certificate) == 0
    assert await count(services, world.b.tenant_id, Certificate) == 0


async def test_revoking_twice_is_refused_and_the_check_shows_it(
    services: AppServices, world: World, roster: PointsRoster
) -> None:
    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    member = await identity_of(services, world.a.tenant_id, world.a.users[Role.MEMBER].id)
    issued = await issue(services, admin, roster.member_b, START, TODAY)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            with pytest.raises(NotFound):  # only the admin revokes
                await CertificateService(session).revoke(member, issued.id, "错")
            await CertificateService(session).revoke(admin, issued.id, "开错了时段")
        async with services.db.unit() as session:
            with pytest.raises(Refused, match="already revoked"):
                await CertificateService(session).revoke(admin, issued.id, "再次")
        async with services.db.session() as session:
            row = await session.scalar(select(Certificate).where(Certificate.id == issued.id))
            assert row is not None and row.revoked_reason == "开错了时段"
            actions = (await session.scalars(select(AuditEvent.action))).all()
    assert actions.count("certificate.revoked") == 1
    async with services.db.session() as session:  # the public check: no tenant of its own
        found = await verify(session, issued.code)
    assert found is not None and found.revoked_on == TODAY
    assert found.masked_name == "党*乙" and found.hours == Decimal(3)
    assert found.district == world.a.name


async def test_the_check_shows_corrected_hours_and_nothing_for_an_unknown_code(
    services: AppServices, world: World, roster: PointsRoster
) -> None:
    member = await identity_of(services, world.a.tenant_id, world.a.users[Role.MEMBER].id)
    issued = await issue(services, member, roster.member_a, START, TODAY)
    async with services.db.session() as session:
        found = await verify(session, issued.code)
        assert found is not None and found.hours_now is None and found.revoked_on is None
        assert found.period_start == START and found.issued_on == TODAY
        assert await verify(session, codes.new_code()) is None
    with tenant_scope(world.a.tenant_id):  # a leader corrects an activity's hours
        async with services.db.unit() as session:
            await session.execute(
                update(Participation)
                .where(Participation.person_id == roster.member_a, Participation.hours == 4)
                .values(hours=Decimal("1.5"))
            )
    async with services.db.session() as session:
        found = await verify(session, issued.code)
    assert found is not None and found.hours == Decimal("6.5")
    assert found.hours_now == Decimal("4.0")


def test_names_are_masked_and_codes_read_as_typed() -> None:
    assert [masked(n) for n in ("张建国", "李明", "欧阳小明", "王")] == [
        "张*国", "李*", "欧**明", "王",
    ]  # fmt: skip
    code = codes.new_code()
    assert codes.normal(codes.grouped(code).lower()) == code
    assert codes.normal(" ".join(codes.grouped(code))) == code
    assert codes.normal("ABCD-EFGH-JKM0") is None  # 0 is not in the alphabet
    assert codes.normal("ABCD") is None
    assert codes.normal("ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ") == "ABCDEFGHJKMN"  # full-width


async def test_the_pdf_names_the_volunteer_hours_and_code_with_a_qr_of_the_check(
    services: AppServices, world: World, roster: PointsRoster
) -> None:
    member = await identity_of(services, world.a.tenant_id, world.a.users[Role.MEMBER].id)
    issued = await issue(services, member, roster.member_a, START, TODAY)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            paper = await CertificateService(session).document(member, issued.id)
    url = document.check_url("https://redstar.example.cn/", issued.code)
    assert url == f"https://redstar.example.cn/verify/{issued.code}"
    html = document.render_html(paper, url)
    # The QR code drawn is the one segno makes of the check's address, and nothing else.
    assert document.qr_data_uri(url) in html
    assert segno.make(url, error="m").designator == document.qr_code(url).designator
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(document.write_pdf(html))).pages
    )
    squeezed = "".join(text.split())
    for wanted in ("志愿服务记录证明", "党员甲", "6.5", codes.grouped(issued.code), world.a.name,
                   "慰问老党员", "红星宣讲队"):  # fmt: skip
        assert wanted in squeezed, wanted
    assert document.filename(paper).endswith(f"党员甲-{issued.code}.pdf")


async def test_a_revoked_or_corrected_certificate_no_longer_prints(
    services: AppServices, world: World, roster: PointsRoster
) -> None:
    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    issued = await issue(services, admin, roster.member_a, START, TODAY)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await CertificateService(session).revoke(admin, issued.id, "重开")
        async with services.db.session() as session:
            with pytest.raises(Refused, match="cannot be printed"):
                await CertificateService(session).document(admin, issued.id)
            listed = await CertificateService(session).certificates(roster.member_a)
    assert [row.current for row in listed] == [False]


def test_period_form_starts_with_this_year() -> None:
    assert document.hours_text(Decimal("2.0")) == "2"
    assert document.hours_text(Decimal("2.5")) == "2.5"
    form = parse_period({"period_start": f"{TODAY.year}-01-01", "period_end": str(TODAY)})
    assert form == Period(date(TODAY.year, 1, 1), TODAY)
