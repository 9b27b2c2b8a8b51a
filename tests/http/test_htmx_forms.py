"""Forms that swap only themselves (`hx-target="this"`), after a save.

htmx follows a 303 inside the XMLHttpRequest and swaps whatever comes back into the
form: the next page, header, menu and footer, would land inside the form's card. A
boosted form (the rest of the site) swaps the body, so a 303 is right for it.
"""

from __future__ import annotations

from app.core.roles import Role
from app.state import AppServices
from tests.factories import World, make_roster
from tests.http.conftest import Browser

FORM_SWAPS_ITSELF = {"HX-Request": "true", "HX-Target": "person_form", "HX-Trigger": "person_form"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


async def test_saving_the_person_form_loads_the_persons_page_into_the_body(
    browser: Browser, world: World, services: AppServices
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/people/{roster.person_1}/edit")
    form = {"name": "甲一号", "category": "veteran", "branch_id": str(roster.branch_1)}
    response = await browser.post(f"/people/{roster.person_1}", form, headers=FORM_SWAPS_ITSELF)
    assert response.status_code == 200, response.text[:500]
    assert "location" not in response.headers
    assert f"/people/{roster.person_1}" in response.headers["hx-location"]
    assert response.text == ""  # nothing to swap into the form

    boosted = await browser.post(f"/people/{roster.person_1}", form, headers=BOOSTED)
    assert boosted.status_code == 303
    assert boosted.headers["location"] == f"/people/{roster.person_1}"


async def test_a_refused_person_form_still_answers_with_the_form_alone(
    browser: Browser, world: World, services: AppServices
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/people/{roster.person_1}/edit")
    response = await browser.post(
        f"/people/{roster.person_1}", {"name": "", "category": "veteran"},
        headers=FORM_SWAPS_ITSELF,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="person_form"')
    assert "site-header" not in response.text
