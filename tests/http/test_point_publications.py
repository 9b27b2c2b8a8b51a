"""Publication (公示) over HTTP: opening, objections, answers, publishing, the frozen page
— and every refusal, which writes nothing.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests share
its helpers and fixtures, and each part reads on its own.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points import ledger
from app.points.models import (
    Objection,
    PointEvent,
    Publication,
    PublicationEntry,
    RuleItem,
    Source,
)
from app.points.periods import Period, half_of
from app.points.rules.versions import in_force
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    make_points_roster,
    make_world,
    unit_per_call,
)
from tests.http.conftest import Browser, shown

PUBLICATIONS = "/points/publications"


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def award(
    services: AppServices, district: District, person_id: UUID, code: str, day: date
) -> PointEvent:
    account = district.users[Role.BRANCH_SECRETARY]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": person_id})
            item = await item_on(session, code, day)
            assert person is not None
            event = await ledger.write(
                session,
                ledger.Entry(person, item, day, Decimal(1), Source.AWARD),
                Identity(account.id, account.name, frozenset({account.role})).actor,
            )
            await session.commit()
            return event


async def item_on(session: Any, code: str, day: date) -> RuleItem:
    version = await in_force(session, day)
    assert version is not None
    return (
        await session.scalars(
            select(RuleItem).where(RuleItem.code == code, RuleItem.rule_set_id == version.id)
        )
    ).one()


async def item_id(services: AppServices, district: District, code: str) -> str:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return str((await item_on(session, code, clock.today())).id)


async def count(services: AppServices, district: District, model: Any) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


async def state(services: AppServices, district: District) -> list[Any]:
    """Everything a refusal must leave alone: publications, entries, objections, events."""
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found: list[Any] = []
            for model in (Publication, PublicationEntry, Objection, PointEvent):
                rows = (await session.scalars(select(model))).all()
                columns = [{k: v for k, v in vars(r).items() if k[0] != "_"} for r in rows]
                found.append(sorted(repr(c) for c in columns))
            return found


async def one(services: AppServices, district: District, model: Any) -> Any:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return (await session.scalars(select(model))).one()


def last_half() -> Period:
    """The last half-year that has ended: the one a ranking is put up for."""
    return half_of(clock.today()).previous()


def in_last_half() -> date:
    return last_half().end


async def open_half(browser: Browser, branch: UUID, half: str | None = None) -> Any:
    return await browser.post(
        f"{PUBLICATIONS}/", {"branch_id": str(branch), "half": half or last_half().key}
    )


async def opened(
    services: AppServices, world: World, points: PointsRoster, browser: Browser,
    branch: UUID | None = None,
) -> UUID:  # fmt: skip
    """A publication of the last half-year, opened by the district admin in `browser`."""
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await open_half(browser, branch or points.roster.branch_1)
    assert response.status_code == 303, response.text[:800]
    return UUID(response.headers["location"].rsplit("/", 1)[-1])


def after_window(monkeypatch: pytest.MonkeyPatch, publication: Publication) -> None:
    monkeypatch.setattr(
        "app.core.clock.today", lambda: publication.objections_close_on + timedelta(1)
    )


def ranking_part(html: str) -> str:
    """The ranking and exempt sections of the page (flash messages aside)."""
    start = html.index('class="table ranking')
    return html[start : html.index("</ul>", start)]


async def test_open_object_answer_publish_and_the_page_stays(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    today, day = clock.today(), in_last_half()
    await award(services, world.a, points.member_a, "FH-01", day)  # 5
    await award(services, world.a, points.member_b, "XX-01", day)  # 2
    half = last_half()

    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    listing = await browser.get(PUBLICATIONS)
    assert listing.status_code == 200
    assert "第一支部" in listing.text and "第二支部" not in listing.text  # only their branch
    assert half.label in listing.text and half.previous().label in listing.text
    response = await open_half(browser, points.roster.branch_1)
    assert response.status_code == 303, response.text[:800]
    publication = await one(services, world.a, Publication)
    assert publication.status == "objection"
    assert publication.objections_close_on == today + timedelta(days=7)
    listing = await browser.get(PUBLICATIONS)
    assert shown("Objections until %(date)s", date=publication.objections_close_on) in listing.text

    # The member sees the ranking, their own row marked, the exempt apart.
    await other_browser.login(world.a.users[Role.MEMBER])
    assert "第一支部" in (await other_browser.get(PUBLICATIONS)).text
    page = await other_browser.get(f"{PUBLICATIONS}/{publication.id}")
    assert page.status_code == 200
    assert shown("Rules version %(version)s", version=1) in page.text
    assert page.text.index("党员甲") < page.text.index("党员乙")
    mine = page.text.index('class="is-me"')
    assert page.text.index("党员甲", mine) < page.text.index(shown("This is you"), mine)
    exempt = page.text.index(shown("Exempt from points (old or frail)"))
    assert "老党员丙" in page.text[exempt:] and "老党员丙" not in page.text[:exempt]

    # Two objections: one upheld with an award, one rejected with its reason.
    for person, reason in ((points.member_b, "党员乙六月参加了集中学习，漏记了"),
                           (points.member_a, "我的宣讲分数不对")):  # fmt: skip
        sent = await other_browser.post(
            f"{PUBLICATIONS}/{publication.id}/objections",
            {"person_id": str(person), "reason": reason},
        )
        assert sent.status_code == 303, sent.text[:800]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            about = {o.person_id: o for o in (await session.scalars(select(Objection))).all()}
    upheld, rejected = about[points.member_b], about[points.member_a]

    page = await browser.get(f"{PUBLICATIONS}/{publication.id}")
    assert "党员乙六月参加了集中学习，漏记了" in page.text
    form = await browser.get(f"{PUBLICATIONS}/{publication.id}/objections/{upheld.id}/answer")
    assert form.status_code == 200 and "党员乙六月参加了集中学习，漏记了" in form.text
    answered = await browser.post(
        f"{PUBLICATIONS}/{publication.id}/objections/{upheld.id}/answer",
        {"decision": "upheld", "answer": "已核实，补记", "correction": "award",
         "item_id": await item_id(services, world.a, "XX-01"),
         "occurred_on": day.isoformat(), "quantity": "1"},
    )  # fmt: skip
    assert answered.status_code == 303, answered.text[:800]
    answered = await browser.post(
        f"{PUBLICATIONS}/{publication.id}/objections/{rejected.id}/answer",
        {"decision": "rejected", "answer": "宣讲记录无误，按细则计5分"},
    )
    assert answered.status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            stored = await session.get(Objection, {"tenant_id": world.a.tenant_id, "id": upheld.id})
            assert stored is not None and stored.status == "upheld" and stored.event_id
            correction = await session.get(
                PointEvent, {"tenant_id": world.a.tenant_id, "id": stored.event_id}
            )
    assert correction is not None and correction.person_id == points.member_b
    assert correction.source == "award" and correction.points == 2
    seen = await other_browser.get(f"{PUBLICATIONS}/{publication.id}")
    assert "宣讲记录无误，按细则计5分" in seen.text and shown("Rejected") in seen.text

    # Not while members may still object.
    before = await state(services, world.a)
    early = await browser.post(f"{PUBLICATIONS}/{publication.id}/publish")
    assert early.status_code == 422
    assert (
        shown(
            "Members may object until %(date)s; the ranking can be published after that.",
            date=publication.objections_close_on.isoformat(),
        )
        in early.text
    )
    assert await state(services, world.a) == before

    after_window(monkeypatch, publication)
    published = await browser.post(f"{PUBLICATIONS}/{publication.id}/publish")
    assert published.status_code == 303, published.text[:800]
    publication = await one(services, world.a, Publication)
    assert publication.status == "published" and publication.published_at is not None
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            scores = dict(
                (await session.execute(
                    select(PublicationEntry.person_name, PublicationEntry.score))).all()
            )  # fmt: skip
    assert scores["党员乙"] == Decimal(4)  # the upheld correction counts
    final = await other_browser.get(f"{PUBLICATIONS}/{publication.id}")
    published_on = publication.published_at.astimezone(clock.CHINA_TIME).date()
    assert shown("Published on %(date)s.", date=published_on) in final.text

    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            actions = (await session.scalars(select(AuditEvent.action))).all()
    assert actions.count("points.publication_opened") == 1
    assert actions.count("points.objection_answered") == 2
    assert actions.count("points.published") == 1

    # The published half-year takes no more entries, and the page stays as it was.
    monkeypatch.undo()
    with pytest.raises(Refused, match="published"):
        await award(services, world.a, points.member_b, "FH-01", day)
    again = await other_browser.get(f"{PUBLICATIONS}/{publication.id}")
    assert ranking_part(again.text) == ranking_part(final.text)


async def test_upheld_by_reversing_an_event(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    event = await award(services, world.a, points.member_a, "XX-01", in_last_half())
    publication_id = await opened(services, world, points, browser)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            member = world.a.users[Role.MEMBER]
            from app.points.publications.objections import ObjectionService

            objection = await unit_per_call(services.db, ObjectionService).object(
                Identity(member.id, member.name, frozenset({Role.MEMBER}), world.a.tenant_id),
                publication_id, points.member_a, "那次学习我请假了",
            )  # fmt: skip
    answer_url = f"{PUBLICATIONS}/{publication_id}/objections/{objection.id}/answer"
    form = await browser.get(answer_url)
    assert str(event.id) in form.text
    response = await browser.post(
        answer_url,
        {"decision": "upheld", "answer": "确认请假，撤销", "correction": "reverse",
         "event_id": str(event.id)},
    )  # fmt: skip
    assert response.status_code == 303, response.text[:800]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            reversal = (
                await session.scalars(select(PointEvent).where(PointEvent.reverses_id == event.id))
            ).one()
            stored = await session.get(
                Objection, {"tenant_id": world.a.tenant_id, "id": objection.id}
            )
    assert stored is not None and stored.event_id == reversal.id
    assert reversal.points == -event.points and reversal.note == "确认请假，撤销"
    # Answered once: a second answer is refused and changes nothing.
    before = await state(services, world.a)
    again = await browser.post(answer_url, {"decision": "rejected", "answer": "再答一次"})
    assert again.status_code == 422
    assert shown("This objection has already been answered.") in again.text
    assert await state(services, world.a) == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_branch", "Please choose one of your branches."),
        ("no_branch", "Please choose one of your branches."),
        ("mangled_branch", "Please choose from the list."),
        (
            "not_ended",
            "The ranking of %(period)s can be put up once the half-year has ended, from %(date)s.",
        ),
        ("no_half", "Please choose a half-year."),
        ("twice", "The ranking of %(branch)s for %(period)s has already been put up."),
    ],
)
async def test_opening_refusals_write_nothing(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    case: str, message: str,
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    half = last_half()
    if case == "twice":
        assert (await open_half(browser, points.roster.branch_1)).status_code == 303
    before = await state(services, world.a)
    form = {"branch_id": str(points.roster.branch_1), "half": half.key}
    args: dict[str, object] = {}
    if case == "other_branch":
        form["branch_id"] = str(points.roster.branch_2)
    elif case == "no_branch":
        form["branch_id"] = ""
    elif case == "mangled_branch":
        form["branch_id"] = "第一支部"
    elif case == "not_ended":
        current = half_of(clock.today())
        form["half"] = current.key
        args = {"period": current.label, "date": current.end + timedelta(days=1)}
    elif case == "no_half":
        form["half"] = "2026H3"
    else:
        args = {"branch": "第一支部", "period": half.label}
    response = await browser.post(f"{PUBLICATIONS}/", form)
    assert response.status_code == 422
    assert shown(message, **args) in response.text
    assert await state(services, world.a) == before


async def test_a_member_cannot_open(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    page = await browser.get(PUBLICATIONS)
    assert 'name="branch_id"' not in page.text
    response = await open_half(browser, points.roster.branch_1)
    assert response.status_code == 422
    assert await count(services, world.a, Publication) == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("closed", "The time for objections ended on %(date)s."),
        ("not_in_entries", "Please choose a name from the ranking."),
        ("other_branch_person", "Please choose a name from the ranking."),
        ("empty", "Please write what you think is wrong."),
        ("blank", "Please write what you think is wrong."),
        ("too_long", "Please keep it under %(n)s characters."),
        ("control", "Please remove the invisible control characters from this text."),
        ("not_a_member", "Only members of this branch can raise an objection."),
        (
            "secretary",
            "You answer this branch's objections; please correct the entry on the ledger instead.",
        ),
    ],
)
async def test_objection_refusals_write_nothing(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster, monkeypatch: pytest.MonkeyPatch, case: str, message: str,
) -> None:  # fmt: skip
    publication_id = await opened(services, world, points, other_browser)
    publication = await one(services, world.a, Publication)
    role = {"not_a_member": Role.TENANT_ADMIN, "secretary": Role.BRANCH_SECRETARY}
    client = other_browser if case in role else browser
    await client.login(world.a.users[role.get(case, Role.MEMBER)])
    form = {"person_id": str(points.member_a), "reason": "分数有误"}
    args: dict[str, object] = {}
    if case == "closed":
        after_window(monkeypatch, publication)
        args = {"date": publication.objections_close_on.isoformat()}
    elif case == "not_in_entries":
        form["person_id"] = str(uuid4())
    elif case == "other_branch_person":
        form["person_id"] = str(points.member_d)
    elif case == "empty":
        form["reason"] = ""
    elif case == "blank":
        form["reason"] = "　 \n "
    elif case == "too_long":
        form["reason"] = "错" * 501
        args = {"n": 500}
    elif case == "control":
        form["reason"] = "有误\x07"
    before = await state(services, world.a)
    response = await client.post(f"{PUBLICATIONS}/{publication_id}/objections", form)
    assert response.status_code == 422
    assert shown(message, **args) in response.text
    assert await state(services, world.a) == before


async def test_the_objection_form_is_only_shown_in_the_window(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    publication_id = await opened(services, world, points, browser)
    await browser.login(world.a.users[Role.MEMBER])
    page = await browser.get(f"{PUBLICATIONS}/{publication_id}")
    assert shown("Raise an objection") in page.text
    after_window(monkeypatch, await one(services, world.a, Publication))
    page = await browser.get(f"{PUBLICATIONS}/{publication_id}")
    assert shown("Raise an objection") not in page.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"answer": "已核实"}, "Please choose whether the objection is upheld or rejected."),
        ({"decision": "maybe", "answer": "已核实"},
         "Please choose whether the objection is upheld or rejected."),
        ({"decision": "rejected", "answer": " "}, "Please write your answer to the member."),
        ({"decision": "upheld", "answer": "已核实"},
         "An upheld objection needs a correction: cancel an entry or award an item."),
        ({"decision": "upheld", "answer": "已核实", "correction": "reverse"},
         "Please choose the entry to cancel from the list."),
        ({"decision": "upheld", "answer": "已核实", "correction": "reverse",
          "event_id": "other_person"}, "Please choose the entry to cancel from the list."),
        ({"decision": "upheld", "answer": "已核实", "correction": "reverse",
          "event_id": "outside_half"}, "Please choose the entry to cancel from the list."),
        ({"decision": "upheld", "answer": "已核实", "correction": "award"},
         "Please choose an item."),
        ({"decision": "upheld", "answer": "已核实", "correction": "award", "item_id": "XX-01",
          "occurred_on": "before_half"},
         "The date must be within %(period)s (%(start)s to %(end)s)."),
        ({"decision": "upheld", "answer": "已核实", "correction": "award", "item_id": "XX-01",
          "occurred_on": "2026-02-30"},
         "Please give the date as year-month-day, for example 2026-05-01."),
        ({"decision": "upheld", "answer": "已核实", "correction": "award", "item_id": "ZY-01",
          "occurred_on": "in_half", "quantity": "30"},
         "Give the hours as a number from 0.5 to 24, in half hours."),
    ],
)  # fmt: skip
async def test_answer_refusals_write_nothing(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    form: dict[str, str], message: str,
) -> None:  # fmt: skip
    day, half = in_last_half(), last_half()
    await award(services, world.a, points.member_a, "XX-01", day)
    other = await award(services, world.a, points.member_b, "XX-01", day)
    earlier = await award(services, world.a, points.member_a, "XX-01", half.start - timedelta(1))
    publication_id = await opened(services, world, points, browser)
    member = world.a.users[Role.MEMBER]
    from app.points.publications.objections import ObjectionService

    with tenant_scope(world.a.tenant_id):
        objection = await unit_per_call(services.db, ObjectionService).object(
            Identity(member.id, member.name, frozenset({Role.MEMBER}), world.a.tenant_id),
            publication_id, points.member_a, "学习次数不对",
        )  # fmt: skip
    data = dict(form)
    args: dict[str, object] = {}
    if data.get("event_id") == "other_person":
        data["event_id"] = str(other.id)
    elif data.get("event_id") == "outside_half":
        data["event_id"] = str(earlier.id)
    if data.get("item_id"):
        data["item_id"] = await item_id(services, world.a, data["item_id"])
    if data.get("occurred_on") == "in_half":
        data["occurred_on"] = day.isoformat()
    elif data.get("occurred_on") == "before_half":
        data["occurred_on"] = (half.start - timedelta(1)).isoformat()
        args = {"period": half.label, "start": half.start.isoformat(),
                "end": half.end.isoformat()}  # fmt: skip
    before = await state(services, world.a)
    response = await browser.post(
        f"{PUBLICATIONS}/{publication_id}/objections/{objection.id}/answer", data
    )
    assert response.status_code == 422
    assert shown(message, **args) in response.text
    assert await state(services, world.a) == before


async def test_publish_waits_for_open_objections(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    publication_id = await opened(services, world, points, browser)
    member = world.a.users[Role.MEMBER]
    from app.points.publications.objections import ObjectionService

    with tenant_scope(world.a.tenant_id):
        await unit_per_call(services.db, ObjectionService).object(
            Identity(member.id, member.name, frozenset({Role.MEMBER}), world.a.tenant_id),
            publication_id, points.member_b, "有误",
        )  # fmt: skip
    after_window(monkeypatch, await one(services, world.a, Publication))
    before = await state(services, world.a)
    page = await browser.get(f"{PUBLICATIONS}/{publication_id}")
    assert (
        shown("%(n)s objection(s) still wait for an answer. Please answer them first.", n=1)
        in page.text
    )
    response = await browser.post(f"{PUBLICATIONS}/{publication_id}/publish")
    assert response.status_code == 422
    assert (
        shown("%(n)s objection(s) still wait for an answer. Please answer them first.", n=1)
        in response.text
    )
    assert await state(services, world.a) == before
    # A member cannot publish either: not theirs to publish, so not found.
    await browser.login(member)
    assert (await browser.post(f"{PUBLICATIONS}/{publication_id}/publish")).status_code == 404
    assert await state(services, world.a) == before


async def test_published_twice_is_refused(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    publication_id = await opened(services, world, points, browser)
    after_window(monkeypatch, await one(services, world.a, Publication))
    assert (await browser.post(f"{PUBLICATIONS}/{publication_id}/publish")).status_code == 303
    before = await state(services, world.a)
    again = await browser.post(f"{PUBLICATIONS}/{publication_id}/publish")
    assert again.status_code == 422
    assert shown("This ranking has already been published.") in again.text
    assert await state(services, world.a) == before


async def test_other_branches_and_districts_see_404(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    """Branch 2's publication: the secretary of branch 1 and the member of branch 1 get
    404 for the page and every action; district B the same for branch 1's."""
    second = await opened(services, world, points, browser, points.roster.branch_2)
    first = await opened(services, world, points, browser, points.roster.branch_1)
    admin = world.a.users[Role.TENANT_ADMIN]
    from app.points.publications.service import PublicationService

    with tenant_scope(world.a.tenant_id):
        service = unit_per_call(services.db, PublicationService)
        identity = Identity(admin.id, admin.name, frozenset({Role.TENANT_ADMIN}), world.a.tenant_id)
        async with services.db.session() as session:
            second_pub = await session.get(
                Publication, {"tenant_id": world.a.tenant_id, "id": second}
            )
        assert second_pub is not None
        # Someone of branch 2 objected (added directly: branch 2 has no member account).
        async with services.db.session() as session:
            objection = Objection(
                tenant_id=world.a.tenant_id, publication_id=second, person_id=points.member_d,
                raised_by=admin.id, raised_by_name="党员丁", reason="有误",
            )  # fmt: skip
            session.add(objection)
            await session.commit()
        assert (await service.page(identity, second)).may_manage

    before = await state(services, world.a)
    for role in (Role.BRANCH_SECRETARY, Role.MEMBER, Role.GRID_WORKER):
        await other_browser.login(world.a.users[role])
        listing = await other_browser.get(PUBLICATIONS)
        assert f"{PUBLICATIONS}/{second}" not in listing.text, role
        assert (await other_browser.get(f"{PUBLICATIONS}/{second}")).status_code == 404
        answer = f"{PUBLICATIONS}/{second}/objections/{objection.id}/answer"
        assert (await other_browser.get(answer)).status_code == 404
        for url, data in (
            (f"{PUBLICATIONS}/{second}/objections",
             {"person_id": str(points.member_d), "reason": "有误"}),
            (answer, {"decision": "rejected", "answer": "无误"}),
            (f"{PUBLICATIONS}/{second}/publish", {}),
        ):  # fmt: skip
            assert (await other_browser.post(url, data)).status_code == 404, (role, url)
    # The objection of one publication under another publication's path: not found.
    await other_browser.login(admin)
    wrong = f"{PUBLICATIONS}/{first}/objections/{objection.id}/answer"
    assert (await other_browser.get(wrong)).status_code == 404
    assert (
        await other_browser.post(wrong, {"decision": "rejected", "answer": "x"})
    ).status_code == 404

    for role in (Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.MEMBER):
        await other_browser.login(world.b.users[role])
        listing = await other_browser.get(PUBLICATIONS)
        assert str(first) not in listing.text and "第一支部" not in listing.text
        assert (await other_browser.get(f"{PUBLICATIONS}/{first}")).status_code == 404
        assert (await other_browser.post(f"{PUBLICATIONS}/{first}/publish")).status_code == 404
        assert (
            await other_browser.post(
                f"{PUBLICATIONS}/{first}/objections",
                {"person_id": str(points.member_a), "reason": "有误"},
            )
        ).status_code == 404
        # Nor may district B open a ranking for district A's branch.
        assert (await open_half(other_browser, points.roster.branch_1)).status_code == 422
    assert await state(services, world.a) == before


def score_of(html: str, name: str) -> str:
    """The score column of `name`'s row in the ranking table."""
    row = re.search(
        rf'<td class="ranking__name">{name}.*?<td class="ranking__score">([^<]*)</td>', html, re.S
    )
    assert row, f"{name} is not in the ranking"
    return row.group(1).strip()


async def test_an_open_ranking_shows_the_ledger_as_it_stands(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """While members may object, the page shows the live standings, so an upheld
    objection's correction shows at once, to the secretary and the members; once
    published, the frozen snapshot."""
    day = in_last_half()
    await award(services, world.a, points.member_a, "FH-01", day)  # 5
    await award(services, world.a, points.member_b, "XX-01", day)  # 2
    publication_id = await opened(services, world, points, browser)
    await other_browser.login(world.a.users[Role.MEMBER])
    page = f"{PUBLICATIONS}/{publication_id}"
    assert score_of((await other_browser.get(page)).text, "党员乙") == "2"

    sent = await other_browser.post(
        f"{page}/objections", {"person_id": str(points.member_b), "reason": "漏记了一次学习"}
    )
    assert sent.status_code == 303
    objection = await one(services, world.a, Objection)
    answered = await browser.post(
        f"{page}/objections/{objection.id}/answer",
        {"decision": "upheld", "answer": "补记", "correction": "award",
         "item_id": await item_id(services, world.a, "XX-01"),
         "occurred_on": day.isoformat(), "quantity": "1"},
    )  # fmt: skip
    assert answered.status_code == 303, answered.text[:800]
    for viewer in (browser, other_browser):
        shown_now = (await viewer.get(page)).text
        assert score_of(shown_now, "党员乙") == "4"  # the correction counts at once
        assert score_of(shown_now, "党员甲") == "5"
    # Other entries of the half-year count too, while it is open.
    await award(services, world.a, points.member_b, "ZY-02", day)  # +2
    live = (await other_browser.get(page)).text
    assert score_of(live, "党员乙") == "6"
    assert live.index("党员乙") < live.index("党员甲")  # and the order follows

    after_window(monkeypatch, await one(services, world.a, Publication))
    assert (await browser.post(f"{page}/publish")).status_code == 303
    published = (await other_browser.get(page)).text
    assert score_of(published, "党员乙") == "6"
    with tenant_scope(world.a.tenant_id):  # the snapshot, not the ledger, from now on
        async with services.db.session() as session:
            entry = (await session.scalars(select(PublicationEntry).where(
                PublicationEntry.person_id == points.member_b))).one()  # fmt: skip
    assert entry.score == 6
