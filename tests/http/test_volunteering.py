"""Volunteering over HTTP: the leader records an activity from the phone form (the
members ticked, one hours value), is told who got no points, corrects and cancels; bad
input comes back in Chinese with nothing written; the admin adds a team; the menu shows
to leaders and the admin only; the figures page."""

from __future__ import annotations

import io
import re
from typing import Any
from uuid import uuid4

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from app.volunteering.models import Activity, Participation, Team
from tests.factories import World
from tests.http.conftest import Browser, shown
from tests.volunteering import Teams, make_teams


@pytest.fixture
async def teams(services: AppServices, world: World) -> Teams:
    return await make_teams(services, world.a)


async def count(services: AppServices, world: World, model: type) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def activity(teams: Teams, people: list[Any], **values: Any) -> dict[str, Any]:
    return {
        "activity_id": str(uuid4()), "team_id": str(teams.team), "kind": "medical",
        "target": "community", "held_on": clock.today().isoformat(), "place": "甸柳社区",
        "hours": "2", "beneficiaries": "40", "good_deeds": "3",
        "person": [str(p) for p in people],
    } | values  # fmt: skip


async def test_a_leader_records_corrects_and_cancels(
    browser: Browser, world: World, teams: Teams, services: AppServices
) -> None:
    p = teams.points
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    form = await browser.get("/volunteering/activities/new")
    assert form.status_code == 200
    assert "医疗服务队" in form.text and form.text.count('type="checkbox" name="person"') == 5
    assert form.text.count(" checked>") >= 5  # everyone ticked
    sent = activity(teams, [p.member_a, p.member_b, teams.non_party],
                    **{f"hours_{p.member_b}": "3.5"})  # fmt: skip
    response = await browser.post("/volunteering/activities", sent)  # type: ignore[arg-type]
    assert response.status_code == 303, response.text[:2000]
    page = await browser.get(response.headers["location"])
    assert shown("No points for %(name)s: %(why)s", name="甲二号", why="")[:6] in page.text
    assert "3.5" in page.text
    again = await browser.post("/volunteering/activities", sent)  # type: ignore[arg-type]
    assert again.status_code == 303
    assert (
        shown("This activity was already saved.")
        in (await browser.get(again.headers["location"])).text
    )
    assert await count(services, world, Activity) == 1
    url = response.headers["location"]
    corrected = await browser.post(
        f"{url}/hours",
        {"hours": "", "person": [str(p.member_a)], f"hours_{p.member_a}": "4"},  # type: ignore[dict-item]
    )
    assert corrected.status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            rows = list(await session.scalars(select(Participation)))
    assert [(r.person_id, r.hours) for r in rows] == [(p.member_a, 4)]
    cancelled = await browser.post(f"{url}/cancel", {"reason": "记重了"})
    assert cancelled.status_code == 303
    assert await count(services, world, Participation) == 0


async def test_photos_are_kept_small_and_shown_to_the_leader(
    browser: Browser, world: World, teams: Teams
) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (2400, 1800), "orange").save(picture, "PNG")
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    await browser.get("/volunteering/activities/new")
    response = await browser.post(
        "/volunteering/activities", activity(teams, [teams.points.member_a]),  # type: ignore[arg-type]
        files={"photo": ("p.png", picture.getvalue(), "image/png")},
    )  # fmt: skip
    assert response.status_code == 303
    page = await browser.get(response.headers["location"])
    photo = re.search(r'src="(/volunteering/activities/photos/[^"]+)"', page.text)
    assert photo is not None
    shown_photo = await browser.get(photo.group(1))
    assert shown_photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(shown_photo.content)).size == (1600, 1200)
    await browser.post("/logout")
    await browser.login(world.a.users[Role.MEMBER])
    assert (await browser.get(photo.group(1))).status_code == 404


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"hours": "25"}, "One activity can count at most 24 hours."),
        ({"hours": "-2"}, "Hours must be at least half an hour."),
        ({"hours": "0.7"}, "Please give the hours in half hours, for example 1.5 or 2."),
        ({"held_on": "2999-01-01"}, "The date cannot be in the future."),
        ({"person": ["twice", "twice"]}, "Please choose the participants from the team's list."),
        ({"person": [str(uuid4())]}, "Please choose the participants from the team's list."),
        ({"team_id": str(uuid4())}, "Please choose the team from the list."),
        ({"person": []}, "Please tick at least one participant."),
    ],
)
async def test_bad_input_comes_back_in_words_with_nothing_written(
    browser: Browser,
    world: World,
    teams: Teams,
    services: AppServices,
    values: dict[str, Any],
    message: str,
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    await browser.get("/volunteering/activities/new")
    sent = activity(teams, [teams.points.member_a]) | values
    response = await browser.post("/volunteering/activities", sent)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert shown(message) in response.text
    assert shown(message) != message  # in Chinese
    assert await count(services, world, Activity) == 0


async def test_a_participant_twice_and_another_districts(
    browser: Browser, world: World, teams: Teams, services: AppServices
) -> None:
    b_teams = await make_teams(services, world.b)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    await browser.get("/volunteering/activities/new")
    member = teams.points.member_a
    twice = await browser.post(
        "/volunteering/activities",
        activity(teams, [member, member]),  # type: ignore[arg-type]
    )
    assert twice.status_code == 422
    assert shown("A participant is listed twice. Please reload the page.") in twice.text
    for sent in (activity(teams, [b_teams.points.member_a]),
                 activity(teams, [member], team_id=str(b_teams.team))):  # fmt: skip
        response = await browser.post("/volunteering/activities", sent)  # type: ignore[arg-type]
        assert response.status_code == 422
    assert await count(services, world, Activity) == 0


async def test_the_menu_shows_to_leaders_and_the_admin(
    browser: Browser, world: World, teams: Teams
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    home = await browser.get("/dashboard", follow_redirects=True)
    assert 'href="/volunteering"' not in home.text
    page = await browser.get("/volunteering")
    assert page.status_code == 403
    assert (
        shown("Only the district administrator and the leaders of volunteer teams can do this.")
        in page.text
    )
    await browser.post("/logout")
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    home = await browser.get("/dashboard", follow_redirects=True)
    assert 'href="/volunteering"' in home.text


async def test_the_admin_adds_a_team_and_sees_the_figures(
    browser: Browser, world: World, teams: Teams, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    assert (await browser.get("/volunteering/teams/new")).status_code == 200
    refused = await browser.post("/volunteering/teams", {"level": "team", "name": "宣讲队",
                                                         "specialty": "talks"})  # fmt: skip
    assert refused.status_code == 422
    assert shown("Please choose the team it belongs to.") in refused.text
    made = await browser.post(
        "/volunteering/teams",
        {
            "level": "team",
            "name": "宣讲队",
            "specialty": "talks",
            "parent_id": str(teams.substation),
        },
    )
    assert made.status_code == 303
    team_page = await browser.get(made.headers["location"])
    assert "宣讲队" in team_page.text
    found = await browser.get(f"{made.headers['location']}?q=dyj")
    assert "党员甲" in found.text
    sent = activity(teams, [teams.points.member_a], hours="3")
    await browser.get("/volunteering/activities/new")
    assert (await browser.post("/volunteering/activities", sent)).status_code == 303  # type: ignore[arg-type]
    totals = await browser.get("/volunteering/totals")
    assert totals.status_code == 200
    assert shown("Registered volunteers") in totals.text and "宣讲队" in totals.text
    assert '<span class="tile__figure">3</span>' in totals.text  # the hours
    assert (await browser.get("/volunteering/totals?year=abc")).status_code == 200
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Team)) == 4


async def test_retiring_a_team_asks_to_be_sure(
    browser: Browser, world: World, teams: Teams, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get(f"/volunteering/teams/{teams.team}")
    assert 'name="confirm" value="yes" required' in page.text
    unsure = await browser.post(f"/volunteering/teams/{teams.team}/retire", {})
    assert unsure.status_code == 303
    told = await browser.get(unsure.headers["location"])
    assert "要撤销这个队，请先勾选" in told.text

    async def retired() -> bool:
        with tenant_scope(world.a.tenant_id):
            async with services.db.session() as session:
                team = await session.scalar(select(Team).where(Team.id == teams.team))
                return team is not None and team.retired_at is not None

    assert not await retired()
    sure = await browser.post(f"/volunteering/teams/{teams.team}/retire", {"confirm": "yes"})
    assert sure.status_code == 303 and await retired()
