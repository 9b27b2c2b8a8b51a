"""The annual work summary (年度工作总结) built from a small district whose year is
known: the PDF's sentences carry the database's figures, its charts are drawn, its
request figures are those of /requests/sla, another district's records stay out, and
a year with nothing in it still makes a sensible document."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.clock import CHINA_TIME
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.models import Visit, VisitDueItem, VisitRule
from app.people.models import Person
from app.points import ledger
from app.points.models import (
    Objection,
    ObjectionStatus,
    Publication,
    PublicationStatus,
    RuleItem,
    Source,
)
from app.points.rules.versions import in_force
from app.points.standings import rankings
from app.reports.building import Built
from app.reports.summary import build_annual_summary
from app.reports.summary.figures import histogram
from app.reports.summary.queries import point_figures, request_figures, whole_year
from app.service_requests.compliance.service import compliance
from app.service_requests.models import RequestCategory, RequestEvent, ServiceRequest
from app.state import AppServices
from tests.factories import District, PointsRoster, add_person, identity_of, make_points_roster
from tests.factories import make_world as make_districts

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA_TIME)


@pytest.fixture
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(clock, "today", lambda: NOW.date())


@pytest.fixture
async def districts(
    services: AppServices, owner_db: Database, _clock: None
) -> tuple[District, District]:
    """Two districts whose rules are in force from 1 January 2025."""
    world = await make_districts(services, owner_db)
    return world.a, world.b


class Progress:
    def __init__(self) -> None:
        self.seen: list[int] = []

    async def __call__(self, percent: int) -> None:
        self.seen.append(percent)


async def build(services: AppServices, district: District, year: int) -> tuple[Built, Progress]:
    progress = Progress()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            built = await build_annual_summary(session, {"year": year}, progress)
    return built, progress


def pdf_text(built: Built) -> tuple[PdfReader, str]:
    """The PDF and its words with the spaces and line breaks taken out (pypdf breaks
    Chinese lines where the page does)."""
    reader = PdfReader(io.BytesIO(built.content))
    words = "".join(page.extract_text() or "" for page in reader.pages)
    return reader, re.sub(r"\s+", "", words)


# --- a district's year --------------------------------------------------------------------


def visit(district: District, person: UUID, day: date, kind: str, place: str = "home") -> Visit:
    worker = district.users[Role.GRID_WORKER]
    return Visit(
        tenant_id=district.tenant_id, person_id=person, visited_on=day, kind=kind, place=place,
        visitor_id=worker.id, visitor_name=worker.name,
    )  # fmt: skip


def visits_of(district: District, points: PointsRoster) -> list[Visit]:
    r, y = points.roster, 2026
    this_year = [
        (points.member_a, date(y, 3, 2), "hospital", "hospital"),
        (points.member_a, date(y, 3, 9), "hospital", "hospital"),
        (points.member_b, date(y, 6, 1), "hospital", "hospital"),
        (r.person_1, date(y, 4, 8), "birthday", "home"),
        (points.member_d, date(y, 8, 15), "birthday", "home"),
        (r.person_1, date(y, 2, 10), "holiday", "home"),
        (r.person_2, date(y, 2, 11), "holiday", "home"),
        (points.member_a, date(y, 2, 12), "holiday", "home"),
        (points.exempt, date(y, 2, 13), "holiday", "home"),
        (points.member_b, date(y, 10, 20), "routine", "phone"),
    ]
    last_year = [(r.person_1, date(2025, m, 5), "holiday", "home") for m in (1, 2, 9, 10, 10)]
    last_year += [(points.member_a, date(2025, 5, 5), "hospital", "hospital")] * 2
    last_year += [(r.person_2, date(2025, 7, 7), "birthday", "home")]
    earlier = [(r.person_1, date(2024, 2, 1), "holiday", "home")] * 3
    return [visit(district, *row) for row in this_year + last_year + earlier]


def request(
    district: District,
    person: UUID,
    category: UUID,
    logged: datetime,
    *,
    hours: int = 24,
    resolved_after: float | None = None,
    status: str = "confirmed",
    satisfaction: int | None = None,
) -> ServiceRequest:
    resolved = logged + timedelta(hours=resolved_after) if resolved_after is not None else None
    return ServiceRequest(
        tenant_id=district.tenant_id, person_id=person, category_id=category,
        description="漏水", status=status, created_at=logged,
        created_by=district.users[Role.GRID_WORKER].id, due_at=logged + timedelta(hours=hours),
        resolved_at=resolved, satisfaction=satisfaction,
        confirmed_at=resolved + timedelta(hours=1) if status == "confirmed" and resolved else None,
    )  # fmt: skip


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHINA_TIME)


async def add_requests(session: AsyncSession, district: District, person: UUID) -> None:
    water, light = list(
        await session.scalars(
            select(RequestCategory.id).order_by(RequestCategory.position).limit(2)
        )
    )
    late_once = request(district, person, light, at(8, 1), resolved_after=3, satisfaction=3)
    session.add_all(
        [
            request(district, person, water, at(3, 1), resolved_after=2, satisfaction=5),
            request(district, person, water, at(5, 1), resolved_after=30, status="resolved"),
            request(district, person, water, at(11, 19, 12), hours=20, status="assigned"),
            request(district, person, water, at(11, 20, 9), status="new"),
            request(district, person, light, at(7, 1), resolved_after=1, satisfaction=4),
            late_once,
            request(district, person, water, at(6, 1, year=2025), resolved_after=1),
            request(district, person, light, at(6, 2, year=2025), resolved_after=1),
        ]
    )
    await session.flush()
    # Late in its first round, then reopened and resolved in time: still late.
    session.add(
        RequestEvent(
            tenant_id=district.tenant_id, request_id=late_once.id, at=at(8, 3), kind="late"
        )
    )


async def award(session: AsyncSession, district: District, person: UUID, code: str, day: date,
                quantity: int = 1) -> None:  # fmt: skip
    member = await session.get(Person, {"tenant_id": district.tenant_id, "id": person})
    version = await in_force(session, day)
    assert member is not None and version is not None
    item = (
        await session.scalars(
            select(RuleItem).where(RuleItem.code == code, RuleItem.rule_set_id == version.id)
        )
    ).one()
    entry = ledger.Entry(member, item, day, Decimal(quantity), Source.AWARD)
    secretary = district.users[Role.BRANCH_SECRETARY]
    from app.core.identity import Actor

    await ledger.write(session, entry, Actor(secretary.id, secretary.name))


async def add_publications(session: AsyncSession, district: District, points: PointsRoster) -> None:
    version = await in_force(session, date(2026, 6, 30))
    assert version is not None
    admin = district.users[Role.TENANT_ADMIN]

    def publication(branch: UUID, half: int, status: str) -> Publication:
        start = date(2026, 1 if half == 1 else 7, 1)
        end = date(2026, 6, 30) if half == 1 else date(2026, 12, 31)
        return Publication(
            tenant_id=district.tenant_id, branch_id=branch, period_start=start, period_end=end,
            rule_set_id=version.id, status=status, objections_close_on=end + timedelta(days=7),
            opened_by=admin.id, opened_by_name=admin.name,
            published_at=at(7, 10) if status == PublicationStatus.PUBLISHED else None,
        )  # fmt: skip

    first = publication(points.roster.branch_1, 1, PublicationStatus.PUBLISHED)
    session.add_all(
        [
            first,
            publication(points.roster.branch_2, 1, PublicationStatus.PUBLISHED),
            publication(points.roster.branch_1, 2, PublicationStatus.OBJECTION),
        ]
    )
    await session.flush()
    session.add(
        Objection(
            tenant_id=district.tenant_id, publication_id=first.id, person_id=points.member_b,
            raised_by=admin.id, raised_by_name=admin.name, reason="漏记一次学习",
            status=ObjectionStatus.UPHELD, answer="已补记", answered_by=admin.id,
            answered_by_name=admin.name, answered_at=at(7, 5),
        )
    )  # fmt: skip


async def due_items(session: AsyncSession, district: District, points: PointsRoster) -> None:
    """Two birthday visits the rules asked for in 2026: one made, one missed."""
    rule = await session.scalar(select(VisitRule.id).where(VisitRule.trigger == "birthday"))
    made = await session.scalar(
        select(Visit.id).where(Visit.kind == "birthday", Visit.person_id == points.member_d)
    )
    for person, answered in ((points.member_d, made), (points.member_b, None)):
        session.add(
            VisitDueItem(
                tenant_id=district.tenant_id, person_id=person, rule_id=rule,
                occasion="birthday:2026", opens_on=date(2026, 8, 10),
                due_at=at(8, 20), visit_id=answered, resolved_at=answered and at(8, 15),
            )
        )  # fmt: skip


@pytest.fixture
async def year_2026(
    services: AppServices, districts: tuple[District, District]
) -> tuple[District, PointsRoster]:
    a, b = districts
    points = await make_points_roster(services, a)
    await add_person(services, a, "未走访的老同志")
    other = await make_points_roster(services, b)
    with tenant_scope(a.tenant_id):
        async with services.db.unit() as session:
            session.add_all(visits_of(a, points))
            await session.flush()
            await due_items(session, a, points)
            await add_requests(session, a, points.roster.person_1)
            for day in (date(2026, 3, 3), date(2026, 3, 10), date(2026, 4, 7)):
                await award(session, a, points.member_a, "XX-01", day)
            await award(session, a, points.member_a, "ZY-01", date(2026, 5, 5), quantity=2)
            await award(session, a, points.member_b, "ZZ-01", date(2026, 9, 1))
            await award(session, a, points.member_a, "XX-01", date(2025, 4, 1))
            await add_publications(session, a, points)
    with tenant_scope(b.tenant_id):
        async with services.db.unit() as session:
            session.add_all(visits_of(b, other))
    return a, points


# --- the summary ---------------------------------------------------------------------------


async def test_the_summary_states_the_years_figures_and_draws_them(
    services: AppServices, year_2026: tuple[District, PointsRoster]
) -> None:
    district, _points = year_2026
    built, progress = await build(services, district, 2026)

    assert built.media_type == "application/pdf"
    assert built.filename == f"2026年度工作总结-{district.name}.pdf"
    assert progress.seen == sorted(progress.seen) and progress.seen[-1] == 100
    reader, words = pdf_text(built)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            in_2026 = Visit.visited_on.between(date(2026, 1, 1), date(2026, 12, 31))
            visits = await session.scalar(select(func.count()).where(in_2026))
            hospital = await session.scalar(
                select(func.count()).where(in_2026, Visit.kind == "hospital")
            )
    assert (visits, hospital) == (10, 3)  # district B's visits are not district A's
    assert f"{district.name}" in words and "2026年度工作总结" in words
    assert f"全年走访慰问{visits}人次，较上年增长25%。" in words
    assert "覆盖6人，占在册人员7人的86%" in words
    assert f"看望住院老同志{hospital}人次（2人）" in words
    assert "上门祝寿2人次" in words
    assert "入户走访6人次，到医院看望3人次，电话问候1人次" in words
    assert "必访事项2项，已走访1项（50%）" in words
    assert "全年受理诉求6件，较上年增长200%；已办结4件，仍在办理2件。" in words
    assert "按时办结2件，超时3件，按时办结率40%。" in words
    assert "评价3件，其中满意（4分及以上）2件，满意率67%，平均4.0分（满分5分）" in words
    assert "参加积分管理的党员3人（另有1人因年迈体弱未参加积分管理）" in words
    assert "有积分记录的2人，参与率67%" in words and "上年参与率33%" in words
    assert "全年公示积分排名3次，已公布2次" in words and "收到异议1件，核实后更正1件" in words
    assert_charts_drawn(reader, words)


def assert_charts_drawn(reader: PdfReader, words: str) -> None:
    """Each figure is a vector drawing beside its caption: WeasyPrint draws an SVG's
    parts on the page as paths and form XObjects (`Do`), which the pages of text and
    tables alone never call; its labels stay text."""
    captions = []
    for page in reader.pages:
        found = re.findall(r"图\d", re.sub(r"\s+", "", page.extract_text() or ""))
        drawn = len(re.findall(rb"/x\d+ Do", page.get_contents().get_data()))
        assert (drawn >= 10) if found else (drawn == 0), (found, drawn)
        captions += found
    assert captions == ["图1", "图2", "图3", "图4"]
    assert "住院探望" in words and "上年同月合计" in words  # the legend of figure 1
    assert "件，按时率" in words  # a bar's label in figure 3


async def test_the_figures_are_those_of_the_sla_and_ranking_pages(
    services: AppServices, year_2026: tuple[District, PointsRoster]
) -> None:
    """The summary's tally of requests is /requests/sla's for the year, category by
    category; its scores are the standings' of the year's four quarters."""
    district, _points = year_2026
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            page = await compliance(session, admin, "year")
            summary = await request_figures(session, 2026)
            scored = await point_figures(session, 2026)
            ranked = await rankings(session, whole_year(2026))
    assert [vars(c.tally) for c in summary.categories] == [vars(t) for t in page.categories]
    assert vars(summary.total.tally) | {"label": ""} == vars(page.total) | {"label": ""}
    standings = [s for ranking in ranked.values() for s in ranking.ranked]
    assert sorted(scored.scores) == sorted(s.score for s in standings)
    assert scored.active == sum(1 for s in standings if s.categories)
    assert scored.exempt == sum(len(ranking.exempt) for ranking in ranked.values())


async def test_an_empty_year_says_so(
    services: AppServices, districts: tuple[District, District]
) -> None:
    district, _other = districts
    built, progress = await build(services, district, 2024)
    _reader, words = pdf_text(built)
    assert progress.seen[-1] == 100
    assert "本年度暂无走访记录" in words
    assert "本年度暂无诉求记录" in words
    assert "本年度未开展党员积分管理" in words
    assert "本年度暂无积分公示" in words
    assert "图1" not in words


async def test_a_year_under_way_with_rules_but_no_records(
    services: AppServices, districts: tuple[District, District]
) -> None:
    district, _other = districts
    await make_points_roster(services, district)
    built, _progress = await build(services, district, 2026)
    _reader, words = pdf_text(built)
    assert "本年度暂无走访记录" in words and "本年度暂无积分记录" in words
    assert "本年度尚未结束" in words


def test_scores_fall_into_round_ranges() -> None:
    """Ranges of a round width — the smallest of 1, 2, 5, 10 … giving at most 15 —
    from the lowest score's range to the highest's, empty ones kept."""
    scores = [Decimal(v) for v in ("-4", "0", "3", "9.5", "10", "67")]
    bins = histogram(scores)
    assert [(b.low, b.high) for b in bins] == [
        (Decimal(n), Decimal(n + 5)) for n in range(-5, 70, 5)
    ]
    assert [b.members for b in bins] == [1, 2, 1, 1] + [0] * 10 + [1]
    assert [b.members for b in histogram([Decimal(n) for n in range(0, 160)])] == [20] * 8
    assert histogram([]) == []
