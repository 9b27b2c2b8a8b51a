"""Service requests over HTTP: logging on the phone form, the lists with the SLA clock,
the steps and their refusals, compliance and settings.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests share
its helpers and fixtures, and each part reads on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.clock import CHINA_TIME
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.i18n import _, ngettext
from app.service_requests.models import RequestCategory, RequestEvent, ServiceRequest
from app.service_requests.requests.routes import REOPENED_FOR_CALLBACK
from app.service_requests.requests.service import (
    ALREADY_CONFIRMED,
    SKIPS_THE_FLOW,
    UNKNOWN_CATEGORY,
)
from app.state import AppServices
from tests.factories import (
    Account,
    District,
    PointsRoster,
    World,
    add_person,
    make_points_roster,
)
from tests.http.conftest import Browser, shown

MORNING = datetime(2026, 5, 6, 9, 30, tzinfo=CHINA_TIME)
TONIGHT = datetime(2026, 5, 6, 22, 0, tzinfo=CHINA_TIME)


@pytest.fixture
def move_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def move(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: moment.date())

    move(MORNING)
    return move


@pytest.fixture
async def points(services: AppServices, world: World, move_clock: object) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def category_id(services: AppServices, district: District, code: str) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.scalar(
                select(RequestCategory.id).where(RequestCategory.code == code)
            )
    assert found is not None
    return found


async def count(services: AppServices, district: District, model: type) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


async def log_water(
    browser: Browser, services: AppServices, world: World, person: UUID, text: str = "厨房漏水"
) -> str:
    """Log a water request through the form; returns the request's page."""
    water = await category_id(services, world.a, "water")
    response = await browser.post(
        "/requests/", {"person_id": str(person), "category_id": str(water), "description": text}
    )
    assert response.status_code == 303, response.text[:800]
    return response.headers["location"]


async def test_a_worker_logs_a_water_leak_from_the_phone_form(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    found = await browser.get("/requests/new?q=dangyuanjia")
    assert found.status_code == 200 and "党员甲" in found.text and "党员乙" not in found.text
    form = await browser.get(f"/requests/new?person={points.roster.person_1}")
    assert "data-keep-form" in form.text
    assert shown("Same day by %(time)s", time=_("%(hour)s:00", hour=22)) in form.text
    assert ngettext("Within %(num)s day", "Within %(num)s days", 1) in form.text  # 电: 24 hours
    page_url = await log_water(browser, services, world, points.roster.person_1)
    page = await browser.get(page_url)
    assert page.status_code == 200
    assert "厨房漏水" in page.text and shown("Start work on it") in page.text
    assert shown("Request logged; it is due by %(due)s.", due="05-06 22:00") in page.text
    listing = await browser.get("/requests")
    mine = listing.text[listing.text.index(shown("Assigned to me")) :]
    assert "甲一号" in mine and 'href="tel:13700001111"' in mine
    left = _("%(hours)s h %(minutes)s min", hours=12, minutes=30)
    assert shown("%(time)s left", time=left) in mine


@pytest.mark.parametrize(
    ("category", "description", "message"),
    [
        ("unknown", "厨房漏水", UNKNOWN_CATEGORY),
        ("water", "", "Please say what the person needs."),
        ("water", "水" * 501, "Please keep the description under %(n)s characters."),
        ("", "厨房漏水", "Please choose what the request is about."),
        ("not-an-id", "厨房漏水", "Please choose from the list."),
    ],
)
async def test_bad_requests_come_back_with_what_was_typed_and_write_nothing(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    category: str, description: str, message: str,
) -> None:  # fmt: skip
    chosen = {"unknown": str(uuid4()), "water": str(await category_id(services, world.a, "water"))}
    await browser.login(world.a.users[Role.GRID_WORKER])
    response = await browser.post(
        "/requests/",
        {"person_id": str(points.member_a), "category_id": chosen.get(category, category),
         "description": description},
    )  # fmt: skip
    assert response.status_code == 422
    assert shown(message, n=500) in response.text
    assert description[:20] in response.text  # kept, not retyped
    if category == "water":
        assert f'value="{chosen["water"]}" required checked' in response.text
    assert await count(services, world.a, ServiceRequest) == 0


async def test_a_person_outside_the_workers_grids_is_not_found(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    outsider = await add_person(services, world.a, "网格外老人")
    await browser.login(world.a.users[Role.GRID_WORKER])
    assert (await browser.get(f"/requests/new?person={outsider}")).status_code == 404
    assert "网格外老人" not in (await browser.get("/requests/new?q=网格外")).text
    water = await category_id(services, world.a, "water")
    response = await browser.post(
        "/requests/", {"person_id": str(outsider), "category_id": str(water), "description": "x"}
    )
    assert response.status_code == 404
    assert await count(services, world.a, ServiceRequest) == 0


async def test_the_admin_sees_it_overdue_after_the_sla_passes(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster, move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    await log_water(browser, services, world, points.member_a)
    await other_browser.login(world.a.users[Role.TENANT_ADMIN])
    before = await other_browser.get("/requests")
    assert shown("Overdue by %(time)s", time="") not in before.text
    move_clock(TONIGHT + timedelta(hours=1, minutes=5))  # no escalation job has run
    late = await other_browser.get("/requests")
    overdue = shown(
        "Overdue by %(time)s", time=_("%(hours)s h %(minutes)s min", hours=1, minutes=5)
    )
    assert overdue in late.text and "req-clock--overdue" in late.text and "⚠" in late.text
    assert shown("Level %(level)s: %(name)s", level=2, name="分中心（服务站）") in late.text
    waiting = late.text[late.text.index(shown("Waiting at my level")) :]
    assert shown("Nothing is waiting at your level.") in waiting  # the admin's level is 3
    move_clock(TONIGHT + timedelta(hours=25))
    later = await other_browser.get("/requests")
    waiting = later.text[later.text.index(shown("Waiting at my level")) :]
    assert "党员甲" in waiting.split(shown("Requests I can see"))[0]
    assert shown("Level %(level)s: %(name)s", level=3, name="局领导") in later.text


async def test_the_steps_over_http_with_their_refusals(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    url = await log_water(browser, services, world, points.member_a)
    skipped = await browser.post(f"{url}/resolve", {"note": "修好了"})
    assert skipped.status_code == 422
    assert shown(SKIPS_THE_FLOW, status=_("Assigned"), action=_("resolved")) in skipped.text
    assert (await browser.post(f"{url}/start")).status_code == 303
    empty = await browser.post(f"{url}/resolve", {"note": "  "})
    assert empty.status_code == 422 and shown("Please say what was done.") in empty.text
    assert (await browser.post(f"{url}/resolve", {"note": "换了阀门"})).status_code == 303
    # The worker who did the job does not record the person's satisfaction.
    assert shown("How satisfied is the person?") not in (await browser.get(url)).text
    own_word = await browser.post(f"{url}/confirm", {"satisfaction": "5"})
    assert own_word.status_code == 422
    assert shown("You may not change this request.") in own_word.text
    # The call-back is made by someone else: here the district admin.
    call_back = other_browser
    await call_back.login(world.a.users[Role.TENANT_ADMIN])
    page = await call_back.get(url)
    assert shown("How satisfied is the person?") in page.text and "换了阀门" in page.text
    assert page.text.count('name="satisfaction"') == 5
    unsure = await call_back.post(f"{url}/confirm", {"satisfaction": "9", "note": "他说还行"})
    assert unsure.status_code == 422 and "他说还行" in unsure.text
    assert shown("Please choose how satisfied the person is, from 1 to 5.") in unsure.text
    assert (await call_back.post(f"{url}/confirm", {"satisfaction": "5"})).status_code == 303
    again = await call_back.post(f"{url}/confirm", {"satisfaction": "1"})
    assert again.status_code == 422 and shown(ALREADY_CONFIRMED) in again.text
    assert await count(services, world.a, RequestEvent) == 5  # logged, assigned … confirmed


async def test_satisfaction_two_reopens_and_the_member_answers_for_themself(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    url = await log_water(browser, services, world, points.member_a)
    await browser.post(f"{url}/start")
    await browser.post(f"{url}/resolve", {"note": "换了阀门"})
    await other_browser.login(world.a.users[Role.MEMBER])  # linked to 党员甲
    own = await other_browser.get("/requests")
    assert f'href="{url}"' in own.text  # their own request, on their list
    answer = await other_browser.post(f"{url}/confirm", {"satisfaction": "2"})
    assert answer.status_code == 303
    page = await other_browser.get(url)
    secretary = world.a.users[Role.BRANCH_SECRETARY].name  # leads 党员甲's branch: level 2
    assert shown(REOPENED_FOR_CALLBACK, who=secretary) in page.text
    assert shown("Reopened") in page.text
    assert shown("Level %(level)s: %(name)s", level=2, name="分中心（服务站）") in page.text
    assert (await other_browser.post(f"{url}/start")).status_code == 403  # members do not work it


async def test_lists_filter_by_status_and_category(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await log_water(browser, services, world, points.member_a, "甲家漏水")
    await log_water(browser, services, world, points.member_b, "乙家漏水")
    power = await category_id(services, world.a, "power")
    water = await category_id(services, world.a, "water")
    assert (await browser.post("/requests/", {"person_id": str(points.member_d),
            "category_id": str(power), "description": "丁家停电"})).status_code == 303  # fmt: skip
    only_water = await browser.get(f"/requests?category={water}")
    assert "甲家漏水" in only_water.text and "丁家停电" not in only_water.text
    closed = await browser.get("/requests?status=confirmed")
    assert "甲家漏水" not in closed.text and shown("No requests here.") in closed.text
    junk = await browser.get("/requests?status=nonsense&category=nonsense")
    assert junk.status_code == 200 and "丁家停电" in junk.text


async def test_compliance_for_leaders_only(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    url = await log_water(browser, services, world, points.member_a)
    await browser.post(f"{url}/start")
    move_clock(TONIGHT + timedelta(hours=2))
    await browser.post(f"{url}/resolve", {"note": "晚了点"})
    assert (await browser.get("/requests/sla")).status_code == 403
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    report = await browser.get("/requests/sla?period=quarter")
    assert report.status_code == 200
    assert "水（漏水、停水）" in report.text
    assert world.a.users[Role.GRID_WORKER].name in report.text
    assert "分中心（服务站）" in report.text and "0%" in report.text  # resolved late
    assert (await browser.get("/requests/sla?period=decade")).status_code == 200


async def test_settings_validate_and_save(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    water = await category_id(services, world.a, "water")
    await browser.login(world.a.users[Role.GRID_WORKER])
    assert (await browser.get("/requests/settings")).status_code == 403
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    assert (await browser.get("/requests/settings")).status_code == 200
    edit = f"/requests/settings/categories/{water}"
    assert "22:00" in (await browser.get(edit)).text
    bad = await browser.post(edit, {"name": "水", "kind": "hours", "sla_hours": "0"})
    assert bad.status_code == 422
    assert shown("Give the time limit as whole hours from 1 to 720.") in bad.text
    assert 'value="水"' in bad.text
    bad_time = await browser.post(edit, {"name": "水", "kind": "same_day", "same_day_by": "25:00"})
    assert bad_time.status_code == 422
    ok = await browser.post(edit, {"name": "水", "kind": "same_day", "same_day_by": "21:30"})
    assert ok.status_code == 303
    taken = await browser.post(
        "/requests/settings/categories", {"name": "水", "kind": "hours", "sla_hours": "4"}
    )
    assert taken.status_code == 422
    assert shown("There is already a category called %(name)s.", name="水") in taken.text
    added = await browser.post(
        "/requests/settings/categories", {"name": "换灯泡", "kind": "hours", "sla_hours": "4"}
    )
    assert added.status_code == 303
    levels = await browser.post(
        "/requests/settings/levels",
        {"name_1": "网格员", "name_2": "服务站", "limit_2": "12", "name_3": "局领导",
         "limit_3": "abc"},
    )  # fmt: skip
    assert levels.status_code == 422 and "服务站" in levels.text
    assert (await browser.post(f"{edit}/retire", {"retire": "1"})).status_code == 303
    await browser.login(world.a.users[Role.GRID_WORKER])
    form = await browser.get(f"/requests/new?person={points.member_a}")
    assert "换灯泡" in form.text and 'value="{water}"' not in form.text
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            category = await session.get(RequestCategory, {"tenant_id": world.a.tenant_id,
                                                           "id": water})  # fmt: skip
    assert category is not None and str(category.same_day_by) == "21:30:00"
    assert category.retired_at is not None


async def test_a_retry_of_the_same_request_form_logs_it_once(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    """On a weak network the answer to a submit can be lost; tapping again must not
    start a second SLA clock for the same leak."""
    await browser.login(world.a.users[Role.GRID_WORKER])
    form = await browser.get(f"/requests/new?person={points.member_a}")
    form_id = form.text.split('name="form_id" value="')[1].split('"')[0]
    water = await category_id(services, world.a, "water")
    data = {"person_id": str(points.member_a), "category_id": str(water),
            "description": "厨房漏水", "form_id": form_id}  # fmt: skip
    first = await browser.post("/requests/", data)
    again = await browser.post("/requests/", data)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(ServiceRequest)) == 1


async def test_a_request_form_id_already_used_for_another_request_is_refused(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    from app.service_requests.requests.service import FORM_USED

    await browser.login(world.a.users[Role.GRID_WORKER])
    water = await category_id(services, world.a, "water")
    power = await category_id(services, world.a, "power")
    form_id = str(uuid4())
    first = {"person_id": str(points.member_a), "category_id": str(water),
             "description": "厨房漏水", "form_id": form_id}  # fmt: skip
    assert (await browser.post("/requests/", first)).status_code == 303
    for other in (
        first | {"person_id": str(points.member_b)},
        first | {"description": "卫生间也漏水"},
        first | {"category_id": str(power)},
    ):
        response = await browser.post("/requests/", other)
        assert response.status_code == 422, other
        assert shown(FORM_USED) in response.text
        assert f'value="{form_id}"' not in response.text  # a fresh id to send it as new
    assert await count(services, world.a, ServiceRequest) == 1
    assert await count(services, world.a, RequestEvent) == 2  # logged, assigned: once
    assert (await browser.post("/requests/", first)).status_code == 303  # the true retry
    assert await count(services, world.a, ServiceRequest) == 1


async def test_every_place_a_level_is_named_reads_the_districts_names(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster, move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    """One set of names, from the settings: the settings' own legend, the lists, the
    request page, the call-back words and the SLA page all say 第2级：片区服务站."""
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    renamed = {"name_1": "社区网格员", "name_2": "片区服务站", "limit_2": "24",
               "name_3": "分管局长", "limit_3": "48"}  # fmt: skip
    assert (await browser.post("/requests/settings/levels", renamed)).status_code == 303
    second = shown("Level %(level)s: %(name)s", level=2, name="片区服务站")
    third = shown("Level %(level)s: %(name)s", level=3, name="分管局长")
    settings = await browser.get("/requests/settings")
    assert second in settings.text and third in settings.text
    await other_browser.login(world.a.users[Role.GRID_WORKER])
    url = await log_water(other_browser, services, world, points.member_a)
    await other_browser.post(f"{url}/start")
    page = await browser.get(url)
    assert shown("Level %(level)s: %(name)s", level=1, name="社区网格员") in page.text
    move_clock(TONIGHT + timedelta(hours=25))  # level 3's time: the admin's
    listing = await browser.get("/requests")
    assert third in listing.text
    hint = shown(
        "Requests that reached %(level)s or a level above it: the time of the levels below "
        "ran out.", level=third,
    )  # fmt: skip
    assert hint in listing.text
    await other_browser.post(f"{url}/resolve", {"note": "换了阀门"})
    move_clock(TONIGHT + timedelta(hours=26))
    page = await browser.get(url)
    admin = world.a.users[Role.TENANT_ADMIN].name  # level 3's, where it was resolved
    hint = "1 or 2 reopens the request, and %(who)s will call the person back."
    assert shown(hint, who=admin) in page.text
    answer = await browser.post(f"{url}/confirm", {"satisfaction": "2"})
    assert answer.status_code == 303
    after = await browser.get(url)
    assert shown(REOPENED_FOR_CALLBACK, who=admin) in after.text
    assert third in after.text  # the level it was reopened for
    report = await browser.get("/requests/sla?period=quarter")
    for level, name in ((1, "社区网格员"), (2, "片区服务站"), (3, "分管局长")):
        assert shown("Level %(level)s: %(name)s", level=level, name=name) in report.text
    for page in (settings, listing, report):
        assert "分中心（服务站）" not in page.text and "局领导" not in page.text


async def a_second_worker(services: AppServices, district: District) -> Account:
    """Another grid worker of the district, who works no grid of these people."""
    from app.accounts.users.service import create_tenant_user
    from tests.factories import next_phone, password_hash

    phone = next_phone()
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            user = await create_tenant_user(
                session, district.tenant_id, name="李水电", phone=phone,
                password_hash=await password_hash(), roles=[Role.GRID_WORKER],
            )  # fmt: skip
            await session.commit()
    return Account(user.id, phone, user.name, Role.GRID_WORKER, district.tenant_id)


async def test_whoever_is_asked_to_call_back_has_the_form_and_the_others_are_told_who(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    """After resolution the person is asked by someone who did not do the work: the
    grid worker of the person's grid; when that worker did it, the level above (here
    the secretary who leads the branch). The one asked finds it in their list and has
    the form; the one who did the work is told who will ask, and has no form."""
    grid_worker = world.a.users[Role.GRID_WORKER]
    secretary = world.a.users[Role.BRANCH_SECRETARY]
    asked = shown("Waiting for the call-back")
    # 1. The grid's worker logs and fixes it themself: the secretary calls back.
    await browser.login(grid_worker)
    url = await log_water(browser, services, world, points.member_b)
    await browser.post(f"{url}/start")
    resolved = await browser.post(f"{url}/resolve", {"note": "换了阀门"})
    assert resolved.status_code == 303
    page = await browser.get(url)
    told = shown(
        "Marked as resolved. %(who)s will ask the person whether it is fixed, and how "
        "satisfied.", who=secretary.name,
    )  # fmt: skip
    assert told in page.text
    assert shown("Ask the person whether it is fixed, and how satisfied.") not in page.text
    assert shown("How satisfied is the person?") not in page.text
    await other_browser.login(secretary)
    listing = await other_browser.get("/requests")
    assert asked in listing.text and url in listing.text.split(asked)[1]
    form = await other_browser.get(url)
    assert form.text.count('name="satisfaction"') == 5
    assert (await other_browser.post(f"{url}/confirm", {"satisfaction": "5"})).status_code == 303
    # 2. The admin hands a leak to another worker: the grid's own worker calls back.
    plumber = await a_second_worker(services, world.a)
    url = await log_water(other_browser, services, world, points.member_b, "卫生间漏水")
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    assert (
        await browser.post(f"{url}/assign", {"assignee_id": str(plumber.id)})
    ).status_code == 303
    await browser.login(plumber)
    await browser.post(f"{url}/start")
    await browser.post(f"{url}/resolve", {"note": "修好了"})
    told = shown(
        "Marked as resolved. %(who)s will ask the person whether it is fixed, and how "
        "satisfied.", who=grid_worker.name,
    )  # fmt: skip
    assert told in (await browser.get(url)).text
    await browser.login(grid_worker)
    listing = await browser.get("/requests")
    assert url in listing.text.split(asked)[1]
    # Only the one asked finds it under 等待回访: not the admin, not the secretary.
    for other in (world.a.users[Role.TENANT_ADMIN], secretary):
        await other_browser.login(other)
        assert asked not in (await other_browser.get("/requests")).text, other.role
    assert (await browser.post(f"{url}/confirm", {"satisfaction": "4"})).status_code == 303
    # 3. The secretary resolves the grid worker's request themself: neither the one who
    # was assigned nor the one who resolved is asked; it goes up to the admin.
    url = await log_water(browser, services, world, points.member_b, "厨房灯不亮")
    await browser.post(f"{url}/start")
    await other_browser.login(secretary)
    assert (await other_browser.post(f"{url}/resolve", {"note": "换了灯泡"})).status_code == 303
    assert shown("How satisfied is the person?") not in (await other_browser.get(url)).text
    await other_browser.post(f"{url}/confirm", {"satisfaction": "5"})
    assert shown("How satisfied is the person?") not in (await browser.get(url)).text
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    assert url in (await browser.get("/requests")).text.split(asked)[1]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            still = await session.scalar(
                select(ServiceRequest.status).where(ServiceRequest.description == "厨房灯不亮")
            )
    assert still == "resolved"  # the secretary's own answer was refused
    assert await count(services, world.a, ServiceRequest) == 3


async def test_a_poor_answer_promises_the_call_back_of_whoever_will_make_it(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    """党员丁's branch has no leader and the district no sub-center head: nobody holds
    level 2 for them. The form, the message after a poor answer and the request's level
    name the one who will really call back — the admin, by the same rule that asks them
    once it is resolved again — and never the empty level."""
    admin = world.a.users[Role.TENANT_ADMIN]
    await other_browser.login(world.a.users[Role.GRID_WORKER])
    url = await log_water(other_browser, services, world, points.member_d)
    await other_browser.post(f"{url}/start")
    await other_browser.post(f"{url}/resolve", {"note": "换了阀门"})
    await browser.login(admin)
    empty_level = shown("Level %(level)s: %(name)s", level=2, name="分中心（服务站）")
    form = await browser.get(url)
    assert (
        shown("1 or 2 reopens the request, and %(who)s will call the person back.", who=admin.name)
        in form.text
    )
    assert empty_level not in form.text
    assert (await browser.post(f"{url}/confirm", {"satisfaction": "2"})).status_code == 303
    after = await browser.get(url)
    told = shown(
        "The person is not satisfied: the request is reopened, and %(who)s will call the "
        "person back.", who=admin.name,
    )  # fmt: skip
    assert told in after.text
    assert shown("Level %(level)s: %(name)s", level=3, name="局领导") in after.text
    assert empty_level not in after.text
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            level = await session.scalar(select(ServiceRequest.callback_level))
    assert level == 3
    await other_browser.post(f"{url}/start")
    await other_browser.post(f"{url}/resolve", {"note": "又换了一次阀门"})
    again = shown(
        "Marked as resolved. %(who)s will ask the person whether it is fixed, and how "
        "satisfied.", who=admin.name,
    )  # fmt: skip
    assert again in (await other_browser.get(url)).text


async def test_a_member_sees_their_own_requests_in_plain_words_open_ones_first(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    """诉求 is in a member's menu: it lists their own requests — the unfinished first,
    each in the words of their home page — without the staff's filters, and nobody
    else's."""
    worker = world.a.users[Role.GRID_WORKER]
    await browser.login(worker)
    still_open = await log_water(browser, services, world, points.member_a, "卫生间漏水")
    finished = await log_water(browser, services, world, points.member_a, "厨房漏水")
    await log_water(browser, services, world, points.member_b, "乙家漏水")
    await browser.post(f"{finished}/start")
    await browser.post(f"{finished}/resolve", {"note": "换了阀门"})
    await other_browser.login(world.a.users[Role.MEMBER])  # 党员甲
    assert (
        await other_browser.post(f"{finished}/confirm", {"satisfaction": "5"})
    ).status_code == 303
    page = (await other_browser.get("/requests")).text
    assert shown("My requests") in page
    assert 'name="status"' not in page and 'name="category"' not in page
    assert "乙家漏水" not in page
    assert shown("%(name)s will take care of it", name=worker.name) in page
    assert shown("Finished") in page
    assert page.index("卫生间漏水") < page.index("厨房漏水")  # the unfinished first
    assert f'href="{still_open}"' in page and f'href="{finished}"' in page
    assert shown("Assigned") not in page  # the staff's status word
