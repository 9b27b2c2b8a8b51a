"""The grid worker's phone over HTTP: the due list, logging a visit (which answers what
was due), the four knows carried to the next visit, concerns, and bad input."""

from __future__ import annotations

import io
from uuid import UUID

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import Concern, Visit, VisitDueItem
from app.state import AppServices
from tests.factories import PointsRoster, World, add_grid, add_person, make_points_roster
from tests.http.conftest import Browser, shown


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def count(services: AppServices, world: World, model) -> int:  # type: ignore[no-untyped-def]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


def visit_form(person: UUID, **values: str) -> dict[str, str]:
    return {
        "person_id": str(person), "kind": "routine", "place": "home", "visited_on": "",
        "notes": "", "knows_where": "", "knows_doing": "", "knows_difficulties": "",
        "knows_help": "",
    } | values  # fmt: skip


async def test_a_hospital_stay_is_due_within_48_hours_and_a_hospital_visit_answers_it(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    assert (await browser.get("/dashboard")).headers["location"] == "/grid"
    person = points.member_a
    response = await browser.post(
        f"/grid/people/{person}/concerns", {"kind": "hospitalisation", "note": "心脏不适"}
    )
    assert response.status_code == 303
    due = await browser.get("/grid")
    assert "党员甲" in due.text and "生病住院必访" in due.text
    assert f"/grid/visits/new?person={person}" in due.text

    form = await browser.get(f"/grid/visits/new?person={person}")
    assert 'value="hospital" checked' in form.text  # the open item picks the kind

    # A phone call does not answer a hospital stay: the rule wants a visit in person.
    await browser.post("/grid/visits", visit_form(person, kind="hospital", place="phone"))
    assert "生病住院必访" in (await browser.get("/grid")).text

    response = await browser.post(
        "/grid/visits",
        visit_form(person, kind="hospital", place="hospital", knows_where="市第一医院",
                   knows_help="出院后需要轮椅"),
    )  # fmt: skip
    assert response.status_code == 303
    page = await browser.get("/grid")
    assert shown("Done: %(items)s.", items="生病住院必访") in page.text
    assert "生病住院必访" not in (await browser.get("/grid")).text  # the flash is gone

    # The next visit starts from what was learnt, and the service card shows it.
    again = await browser.get(f"/grid/visits/new?person={person}")
    assert "市第一医院" in again.text and "出院后需要轮椅" in again.text
    card = await browser.get(f"/grid/people/{person}")
    assert "市第一医院" in card.text and shown("Hospital visit") in card.text


async def test_bad_visits_are_refused_and_nothing_is_written(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    outsider = await add_person(services, world.a, "网格外的人", points.roster.branch_1)
    await browser.login(world.a.users[Role.GRID_WORKER])
    cases = [
        (visit_form(points.member_a, visited_on="2999-01-01", notes="未来"),
         shown("A visit cannot be dated in the future.")),
        (visit_form(points.member_a, kind="party"),
         shown("Please choose what kind of visit it was.")),
        (visit_form(points.member_a, place="moon"),
         shown("Please choose where the visit took place.")),
        (visit_form(points.member_a, visited_on="昨天"),
         shown("Please give the date as year-month-day, for example 2026-05-01.")),
        (visit_form(points.member_a, kind="condolence"),  # 吊唁 is for a family after a death
         shown("A condolence visit is only for the family of a member who has passed away.")),
        (visit_form(outsider), shown(
            "%(name)s is not in your grids. Ask the district administrator to assign them to you.",
            name="网格外的人")),
    ]  # fmt: skip
    for data, message in cases:
        response = await browser.post("/grid/visits", data)
        assert response.status_code == 422, data
        assert message in response.text
    # What was typed comes back, so the worker need not type it again.
    response = await browser.post(
        "/grid/visits", visit_form(points.member_a, visited_on="2999-01-01", notes="带了水果")
    )
    assert "带了水果" in response.text
    assert await count(services, world, Visit) == 0
    # A living person's form does not offer the condolence visit at all.
    form = await browser.get(f"/grid/visits/new?person={points.member_a}")
    assert 'value="routine"' in form.text and 'value="condolence"' not in form.text


async def test_another_districts_person_is_not_found(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    other = await make_points_roster(services, world.b)
    await browser.login(world.a.users[Role.GRID_WORKER])
    response = await browser.post("/grid/visits", visit_form(other.member_a))
    assert response.status_code == 404
    assert (await browser.get(f"/grid/people/{other.member_a}")).status_code == 404


async def test_a_photo_is_kept_small_and_shown_to_those_who_serve_the_person(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (2400, 1800), "green").save(picture, "JPEG")
    await browser.login(world.a.users[Role.GRID_WORKER])
    response = await browser.client.post(
        "/grid/visits",
        data=visit_form(points.member_b) | {"_csrf_token": browser.token},
        files={"photo": ("visit.jpg", picture.getvalue(), "image/jpeg")},
    )
    assert response.status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            visit = (await session.scalars(select(Visit))).one()
    page = await browser.get(f"/grid/visits/{visit.id}")
    assert f"/grid/visits/photos/{visit.photo_id}" in page.text
    photo = await browser.get(f"/grid/visits/photos/{visit.photo_id}")
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["cache-control"] == "no-store"  # a person's home: no cache keeps it
    assert max(Image.open(io.BytesIO(photo.content)).size) == 1600


async def test_closing_a_concern_drops_the_visit_it_asked_for(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    await browser.post(f"/grid/people/{points.member_b}/concerns", {"kind": "dispute"})
    assert await count(services, world, VisitDueItem) == 1
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            concern = (await session.scalars(select(Concern))).one()
    response = await browser.post(f"/grid/concerns/{concern.id}/close")
    assert response.status_code == 303
    assert await count(services, world, VisitDueItem) == 0
    again = await browser.post(f"/grid/concerns/{concern.id}/close")
    assert again.status_code == 303
    assert shown("This was already closed.") in (await browser.get("/grid")).text
    refused = await browser.post(f"/grid/people/{points.member_b}/concerns", {"kind": "flood"})
    assert refused.status_code == 303
    assert shown("Please choose what happened.") in (await browser.get("/grid")).text
    assert await count(services, world, Concern) == 1


async def test_the_admin_sees_each_grid_with_its_overdue_count(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/grid")
    assert page.status_code == 200 and "第一网格" in page.text
    await browser.post(f"/grid/people/{points.member_a}/concerns", {"kind": "hardship"})
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            grid_id = (await session.scalars(select(Visit.grid_id))).first()
    assert grid_id is None  # no visits yet
    page = await browser.get("/grid")
    assert shown("Log a visit") in page.text


async def test_a_retry_of_the_same_visit_form_saves_it_once(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    form = await browser.get(f"/grid/visits/new?person={points.member_a}")
    visit_id = form.text.split('name="visit_id" value="')[1].split('"')[0]
    data = visit_form(points.member_a, notes="第一次提交") | {"visit_id": visit_id}
    assert (await browser.post("/grid/visits", data)).status_code == 303
    # The answer was lost on the way back; the worker taps save again.
    assert (await browser.post("/grid/visits", data)).status_code == 303
    assert shown("This visit was already saved.") in (await browser.get("/grid")).text
    assert await count(services, world, Visit) == 1


async def test_a_secretary_who_works_a_grid_serves_its_people_but_keeps_the_roster_of_the_branch(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    """Grid work opens visits and requests for the grid's people, not their roster
    records: a secretary of 第一支部 who also works a grid holding someone of 第二支部
    visits them, and cannot edit them."""
    from app.accounts.models import UserRole

    secretary = world.a.users[Role.BRANCH_SECRETARY]  # leads 第一支部 (make_points_roster)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            session.add(
                UserRole(tenant_id=world.a.tenant_id, user_id=secretary.id, role=Role.GRID_WORKER)
            )
            await session.commit()
    await add_grid(
        services, world.a, "书记的网格", people=[points.member_d], workers=[secretary.id]
    )
    await browser.login(secretary)
    assert (await browser.get(f"/grid/people/{points.member_d}")).status_code == 200
    response = await browser.post("/grid/visits", visit_form(points.member_d))
    assert response.status_code == 303
    assert (await browser.get(f"/people/{points.member_d}")).status_code == 404
    edit = await browser.post(f"/people/{points.member_d}", {"name": "改名", "category": "veteran"})
    assert edit.status_code == 404


async def test_a_holiday_is_one_line_with_a_count_whose_people_open_on_their_own_page(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    """On a holiday everyone in the grid is due: the list shows one line, not 150 rows."""
    from datetime import timedelta

    from app.core import clock
    from app.grid.models import VisitRule
    from app.grid.occasions import end_of_day

    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            rule = await session.scalar(select(VisitRule).where(VisitRule.code == "mid_autumn"))
            assert rule is not None
            for person in (points.member_a, points.member_b):
                session.add(
                    VisitDueItem(
                        tenant_id=world.a.tenant_id, person_id=person, rule_id=rule.id,
                        occasion="mid_autumn:test", opens_on=clock.today(),
                        due_at=end_of_day(clock.today() + timedelta(days=2)),
                    )
                )  # fmt: skip
            await session.commit()
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get("/grid")
    assert page.text.count("中秋节慰问") == 1 and "2 人" in page.text
    assert "党员甲" not in page.text
    people = await browser.get(f"/grid?holiday={rule.id}")
    assert "党员甲" in people.text and "党员乙" in people.text
    assert people.text.count(f"/grid/visits/new?person={points.member_a}") == 1


async def test_a_visit_form_id_already_used_for_another_visit_is_refused_and_writes_nothing(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    """The form's id makes a retry save once; sent again for someone else, or with other
    details, it is a clear refusal (not a 500) and writes nothing."""
    from app.grid.visits.service import FORM_USED

    await browser.login(world.a.users[Role.GRID_WORKER])
    visit_id = "6f1c2c3a-1111-4c1d-9a5e-0123456789ab"
    first = visit_form(points.member_a, notes="第一次") | {"visit_id": visit_id}
    assert (await browser.post("/grid/visits", first)).status_code == 303
    for other in (
        visit_form(points.member_b, notes="给乙的") | {"visit_id": visit_id},
        first | {"notes": "改过的内容"},
        first | {"kind": "holiday"},
    ):
        response = await browser.post("/grid/visits", other)
        assert response.status_code == 422, other
        assert shown(FORM_USED) in response.text
        # The form comes back with what was typed and a fresh id, so saving it again
        # is a new visit, deliberately.
        assert other["notes"] in response.text
        assert f'value="{visit_id}"' not in response.text
    assert await count(services, world, Visit) == 1
    # The true retry still saves once.
    assert (await browser.post("/grid/visits", first)).status_code == 303
    assert await count(services, world, Visit) == 1
