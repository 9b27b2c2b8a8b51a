"""Every page reads its query parameters calmly.

A link that arrives mangled — a NUL from a copy-paste (`?q=%00`), a truncated id, a
page number in words — shows the page as if the parameter were absent or refuses it
in words, never a 500. The routes come from the app itself, as in the isolation
suite, so a new page is checked without being listed here.
"""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.core.roles import TENANT_ROLES, Role
from app.db.tenant import tenant_scope
from app.people.models import OrgUnit, Person
from app.state import AppServices
from tests.factories import World
from tests.http.conftest import Browser
from tests.http.test_isolation import (
    CAPABILITY_PARAMETERS,
    NOT_TENANT_DATA,
    OWNED_BY_A,
    _enumeration_app,
    _path,
    _points_of_a,
)

# Every name a page reads from its query string, and a few it does not.
NAMES = (
    "q", "person", "grid", "holiday", "category", "category_id", "status", "page", "show",
    "quarter", "year", "branch", "unit", "flag", "retired", "period", "unassigned", "next",
    "lang", "kind", "from", "to", "month",
)  # fmt: skip
MANGLED = ("%00", "%E5%BC%A0%00%01%1F%7F%FF", "not-an-id", "9" * 30, "-1")


def get_routes_for(role: Role) -> list[str]:
    paths = []
    for route in _enumeration_app().routes:
        if route.path in NOT_TENANT_DATA or CAPABILITY_PARAMETERS & set(route.path_parameters):
            continue
        for handler in getattr(route, "route_handlers", []):
            access = handler.opt.get("access")
            if "GET" not in handler.http_methods:
                continue
            if access in ("public", "logged_in") or role in handler.opt.get("roles", ()):
                paths.append(route.path)
    return sorted(set(paths))


@pytest.mark.parametrize("role", sorted(TENANT_ROLES))
async def test_no_page_fails_on_a_mangled_query_string(
    app: Litestar, world: World, services: AppServices, role: Role
) -> None:
    ids = await district_a_objects(world, services)
    failures = []
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        browser = Browser(client)
        await browser.login(world.a.users[role])
        for template in get_routes_for(role):
            route = next(r for r in app.routes if r.path == template)
            path = _path(template, {p: await ids[p]() for p in route.path_parameters})
            for turn in range(len(MANGLED)):  # each name meets each value once
                query = "&".join(
                    f"{name}={MANGLED[(turn + i) % len(MANGLED)]}" for i, name in enumerate(NAMES)
                )
                response = await browser.get(f"{path}?{query}")
                if response.status_code >= 500:
                    failures.append(f"{path}?{query} → {response.status_code}")
    assert not failures, "\n".join(failures)


async def district_a_objects(world: World, services: AppServices) -> dict:
    """The isolation suite's factories, made once: the points world holds the roster
    whose branch and member the person and unit pages open."""
    await _points_of_a(world, services)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            unit = await session.scalar(select(OrgUnit.id).where(OrgUnit.name == "第一支部"))
            person = await session.scalar(select(Person.id).where(Person.name == "党员甲"))
    made: dict[str, str] = {"unit_id": str(unit), "person_id": str(person)}

    def lazily(name: str):  # type: ignore[no-untyped-def]
        async def value() -> str:
            if name not in made:
                made[name] = await OWNED_BY_A[name](world, services)
            return made[name]

        return value

    return {name: lazily(name) for name in OWNED_BY_A}


def test_the_check_reaches_the_pages_that_failed_before() -> None:
    pages = get_routes_for(Role.GRID_WORKER)
    for path in ("/grid/visits/new", "/requests/new", "/points/claims/new"):
        assert path in pages
    assert "/points/claims/award" in get_routes_for(Role.BRANCH_SECRETARY)
