"""Tenant isolation, route by route.

The routes come from the app itself: every route with a path parameter is asked, by
an account of another district (or a viewer of another province), for an object of
district A, and must answer 404 without changing any of A's rows. A new route joins
by existing; a new kind of path parameter fails `test_every_path_parameter_is_known`
until a factory for it is added to OWNED_BY_A.

Over 400 lines by design: the route-enumerating suite keeps every kind of id's factory
(OWNED_BY_A) beside the cases that use them, so a new route's missing factory is
found here.

Over 400 lines: the makers of district A's objects, the route enumeration and the
checks belong together; the capabilities' own makers are in isolation_*.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from types import ModuleType

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text

from app.accounts.links import hash_token
from app.accounts.models import Invitation
from app.core.roles import TENANT_ROLES, Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.main import create_app
from app.settings import AppSettings, DatabaseSettings, RedisSettings, Settings
from app.state import AppServices
from tests.factories import Account, World, identity_of, make_roster
from tests.http import (
    isolation_care_after,
    isolation_care_aid,
    isolation_care_calendar,
    isolation_care_gifts,
    isolation_care_surveys,
    isolation_certificates,
    isolation_coverage,
    isolation_grids,
    isolation_notifications,
    isolation_orglife,
    isolation_orglife_extra,
    isolation_reports,
    isolation_requests,
    isolation_visits,
    isolation_volunteering,
)
from tests.http.conftest import Browser


async def _invitation_of_a(world: World, services: AppServices) -> str:
    admin = world.a.users[Role.TENANT_ADMIN]
    invitation = Invitation(
        tenant_id=world.a.tenant_id, token_hash=hash_token("iso-token"), name="甲区受邀人",
        phone="13912345678", role=Role.MEMBER, invited_by=admin.id,
        expires_at=datetime.now(UTC) + timedelta(days=3),
    )  # fmt: skip
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            session.add(invitation)
            await session.commit()
    return str(invitation.id)


async def _user_of_a(world: World, services: AppServices) -> str:
    return str(world.a.users[Role.MEMBER].id)


async def _tenant_a(world: World, services: AppServices) -> str:
    return str(world.a.tenant_id)


async def _unit_of_a(world: World, services: AppServices) -> str:
    return str((await make_roster(services, world.a)).branch_1)


async def _person_of_a(world: World, services: AppServices) -> str:
    return str((await make_roster(services, world.a)).person_1)


async def _import_of_a(world: World, services: AppServices) -> str:
    from app.core.identity import Actor
    from app.people.imports.service import ImportService

    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            return str(
                await ImportService(session, services.cipher, services.redis).upload(
                    "a.csv", "姓名,性别,出生年月\n甲某,男,1949.10\n".encode(), "veteran",
                    Actor("user", admin.name, admin.id),
                )
            )  # fmt: skip


_POINTS: dict[object, dict[str, str]] = {}


async def _points_of_a(world: World, services: AppServices) -> dict[str, str]:
    """District A's points objects, made once per test: a claim with its photo, an
    event, a draft with a category and an item, a publication with an objection."""
    if world.a.tenant_id in _POINTS:
        return _POINTS[world.a.tenant_id]
    import io

    from PIL import Image

    from app.core import clock
    from app.points.claims.forms import ClaimForm
    from app.points.claims.service import ClaimService
    from app.points.models import (
        Claim,
        Objection,
        PointEvent,
        Publication,
        RuleCategory,
        RuleItem,
        RuleSet,
    )
    from app.points.periods import half_of
    from app.points.rules.versions import add_rules, spec_of
    from tests.factories import make_points_roster, unit_per_call

    points = await make_points_roster(services, world.a)
    worker = world.a.users[Role.GRID_WORKER]
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "PNG")
    tenant = world.a.tenant_id
    with tenant_scope(tenant):
        async with services.db.session() as session:
            active = (await session.scalars(select(RuleSet))).one()
            item = await session.scalar(select(RuleItem).where(RuleItem.code == "XX-02"))
            assert item is not None
        sent = await unit_per_call(services.db, ClaimService).submit(
            await identity_of(services, tenant, worker.id),
            ClaimForm(points.member_a, item.id, clock.today(), "1", "证明", picture.getvalue()),
        )  # fmt: skip
        claim = sent.claim
        async with services.db.session() as session:
            event = PointEvent(
                tenant_id=tenant, person_id=points.member_b, branch_id=points.roster.branch_1,
                rule_item_id=item.id, occurred_on=clock.today(), quantity=1, points=3,
                source="award", recorded_by_name="书记",
            )  # fmt: skip
            draft = RuleSet(tenant_id=tenant, version=2, status="draft", objection_days=7)
            session.add_all([event, draft])
            await session.flush()
            add_rules(session, tenant, draft.id, await spec_of(session, active))
            await session.flush()
            category = await session.scalar(
                select(RuleCategory.id).where(RuleCategory.rule_set_id == draft.id)
            )
            draft_item = await session.scalar(
                select(RuleItem.id).where(RuleItem.rule_set_id == draft.id)
            )
            period = half_of(clock.today())
            publication = Publication(
                tenant_id=tenant, branch_id=points.roster.branch_1, period_start=period.start,
                period_end=period.end, rule_set_id=active.id, status="objection",
                objections_close_on=clock.today(), opened_by=worker.id, opened_by_name="书记",
            )  # fmt: skip
            session.add(publication)
            await session.flush()
            objection = Objection(
                tenant_id=tenant, publication_id=publication.id, person_id=points.member_b,
                raised_by=world.a.users[Role.MEMBER].id, raised_by_name="党员甲", reason="有误",
            )  # fmt: skip
            session.add(objection)
            await session.commit()
            photo = await session.scalar(select(Claim.photo_id).where(Claim.id == claim.id))
    # District B has a draft of its own, so a 404 for A's draft item is isolation,
    # not "no draft here".
    from app.core.identity import SYSTEM
    from app.points.rules.service import RuleSetService

    with tenant_scope(world.b.tenant_id):
        await unit_per_call(services.db, RuleSetService).start_draft(SYSTEM)
    _POINTS[tenant] = {
        "claim_id": str(claim.id), "photo_id": str(photo), "event_id": str(event.id),
        "rule_set_id": str(draft.id), "category_id": str(category), "item_id": str(draft_item),
        "publication_id": str(publication.id), "objection_id": str(objection.id),
    }  # fmt: skip
    return _POINTS[tenant]


def _points_factory(name: str) -> Callable[[World, AppServices], Awaitable[str]]:
    async def factory(world: World, services: AppServices) -> str:
        return (await _points_of_a(world, services))[name]

    return factory


def _made_by(module: ModuleType, name: str) -> Callable[[World, AppServices], Awaitable[str]]:
    """A factory for one parameter out of a capability's isolation module."""

    async def factory(world: World, services: AppServices) -> str:
        return str((await module.objects_of_a(world, services))[name])

    return factory


# Each capability's isolation module makes district A's objects and names its pages.
CAPABILITIES = (
    isolation_grids, isolation_coverage, isolation_visits, isolation_requests, isolation_reports,
    isolation_notifications, isolation_certificates, isolation_orglife, isolation_orglife_extra,
    isolation_volunteering, isolation_care_surveys, isolation_care_gifts, isolation_care_aid,
    isolation_care_after, isolation_care_calendar,
)  # fmt: skip

OWNED_BY_A: dict[str, Callable[[World, AppServices], Awaitable[str]]] = {
    "grid_id": _made_by(isolation_grids, "grid_id"),
    "visit_rule_id": _made_by(isolation_grids, "visit_rule_id"),
    "visit_id": _made_by(isolation_visits, "visit_id"),
    "visit_photo_id": _made_by(isolation_visits, "visit_photo_id"),
    "concern_id": _made_by(isolation_visits, "concern_id"),
    "request_id": _made_by(isolation_requests, "request_id"),
    "request_category_id": _made_by(isolation_requests, "request_category_id"),
    "report_id": _made_by(isolation_reports, "report_id"),
    "notification_id": _made_by(isolation_notifications, "notification_id"),
    "delivery_id": _made_by(isolation_notifications, "delivery_id"),
    "certificate_id": _made_by(isolation_certificates, "certificate_id"),
    "meeting_id": _made_by(isolation_orglife, "meeting_id"),
    "meeting_file_id": _made_by(isolation_orglife, "meeting_file_id"),
    "team_id": _made_by(isolation_volunteering, "team_id"),
    "activity_id": _made_by(isolation_volunteering, "activity_id"),
    "volunteer_photo_id": _made_by(isolation_volunteering, "volunteer_photo_id"),
    "survey_id": _made_by(isolation_care_surveys, "survey_id"),
    "aid_application_id": _made_by(isolation_care_aid, "aid_application_id"),
    "aid_evidence_id": _made_by(isolation_care_aid, "aid_evidence_id"),
    "after_care_id": _made_by(isolation_care_after, "after_care_id"),
    **{
        name: _points_factory(name)
        for name in (
            "claim_id",
            "photo_id",
            "event_id",
            "rule_set_id",
            "category_id",
            "item_id",
            "publication_id",
            "objection_id",
        )
    },
    "user_id": _user_of_a,
    "invitation_id": _invitation_of_a,
    "tenant_id": _tenant_a,
    "unit_id": _unit_of_a,
    "person_id": _person_of_a,
    "import_id": _import_of_a,
}

# Parameters that are credentials, not ids: whoever holds the link may use it (a
# certificate's verification code too: its public check is tested on its own).
CAPABILITY_PARAMETERS = {"token", "code"}
# Routes that serve files, not tenant data.
NOT_TENANT_DATA = {"/static/{file_path:path}", "/assets/{name:str}"}


@cache
def _enumeration_app() -> Litestar:
    """The app's routes, built without connecting to anything (once: building an app
    registers every route, about a third of a second)."""
    return create_app(
        Settings(
            app=AppSettings(secret_key="enumeration-only"),
            db=DatabaseSettings(url="postgresql://nobody@/none"),
            redis=RedisSettings(url="redis://127.0.0.1:1"),
        )
    )


def id_routes() -> list[tuple[str, str, dict]]:
    cases = []
    for route in _enumeration_app().routes:
        if route.path in NOT_TENANT_DATA:
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = sorted(handler.http_methods - {"OPTIONS", "HEAD"})
            params = [p for p in route.path_parameters]
            if not params or set(params) <= CAPABILITY_PARAMETERS:
                continue
            cases.extend((method, route.path, dict(handler.opt)) for method in methods)
    # In a fixed order: parallel test workers must collect the same cases.
    return sorted(cases, key=lambda case: (case[1], case[0]))


def test_every_path_parameter_is_known() -> None:
    for route in _enumeration_app().routes:
        if route.path in NOT_TENANT_DATA:
            continue
        for param_name in route.path_parameters:
            assert param_name in OWNED_BY_A or param_name in CAPABILITY_PARAMETERS, (
                f"{route.path}: add a factory for {param_name!r} to OWNED_BY_A"
            )


def test_every_id_route_is_exercised() -> None:
    """Every method of every route that takes an id in its path is a case of the 404
    test below, with a maker for each id: a new capability's routes cannot slip past
    (credential links, such as /invite/{token}, are their own capability's tests)."""
    exercised = {(method, path) for method, path, _opt in CASES}
    missing = []
    for route in _enumeration_app().routes:
        ids = set(route.path_parameters) - CAPABILITY_PARAMETERS
        if route.path in NOT_TENANT_DATA or not ids:
            continue
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                if (method, route.path) not in exercised or not ids <= OWNED_BY_A.keys():
                    missing.append(f"{method} {route.path}")
    assert not missing, missing
    assert len(exercised) == len(CASES) > 50


def actor_for(opt: dict, world: World) -> Account:
    """Someone from the other side whose role passes the route's guard."""
    if opt["access"] == "logged_in":
        return world.b.users[Role.TENANT_ADMIN]
    roles = opt["roles"]
    for role in TENANT_ROLES:
        if role in roles:
            return world.b.users[role]
    if Role.PROVINCIAL_VIEWER in roles:
        return world.viewer_11
    raise AssertionError(f"no cross-tenant actor for roles {roles}")


async def snapshot(owner_db: Database, world: World) -> str:
    """A digest of every row district A owns, to prove nothing changed (every table
    read in one statement: a query a table was most of this test's time)."""
    async with owner_db.engine.connect() as conn:
        tables = (
            await conn.execute(
                text(
                    "select table_name from information_schema.columns "
                    "where column_name = 'tenant_id' and table_schema = 'public' order by 1"
                )
            )
        ).scalars()
        rows = await conn.execute(
            text(
                " union all ".join(
                    f"select {i} as n, array(select t::text from {table} t "
                    "where tenant_id = :a order by 1) as rows"
                    for i, table in enumerate(tables)
                )
                + " union all select -1, array(select t::text from tenants t where id = :a)"
                + " order by n"
            ),
            {"a": world.a.tenant_id},
        )
        digest = hashlib.sha256()
        for _n, table_rows in rows:
            digest.update(repr(table_rows).encode())
    return digest.hexdigest()


def _path(template: str, values: dict[str, str]) -> str:
    path = template
    for name, value in values.items():
        for kind in ("uuid", "str", "int"):
            path = path.replace(f"{{{name}:{kind}}}", value)
    return path


CASES = id_routes()


@pytest.mark.parametrize(("method", "path", "opt"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
async def test_another_district_gets_404_for_district_a_objects(
    app: Litestar,
    world: World,
    services: AppServices,
    owner_db: Database,
    method: str,
    path: str,
    opt: dict,
) -> None:
    route = next(r for r in app.routes if r.path == path)
    values = {p: await OWNED_BY_A[p](world, services) for p in route.path_parameters}
    before = await snapshot(owner_db, world)
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        browser = Browser(client)
        await browser.login(actor_for(opt, world))
        await browser.get("/dashboard")
        url = _path(path, values)
        if method == "GET":
            response = await browser.get(url)
        else:
            response = await browser.post(url, {"note": "x"})
    assert response.status_code == 404, f"{method} {url} → {response.status_code}"
    assert await snapshot(owner_db, world) == before


def list_pages() -> list[tuple[Role, str]]:
    """Every page without an id in its path, for every tenant role its guard lets in —
    derived from the app's routes, so a new capability's pages are checked the day
    they exist — and the searches that could reach further than a page's default."""
    pages = []
    for route in _enumeration_app().routes:
        handler = getattr(route, "route_handler_map", {}).get("GET", (None,))[0]
        if handler is None or route.path_parameters or handler.opt.get("download"):
            continue  # downloads: tests/http/test_downloads.py
        access = handler.opt.get("access")
        if access == "public" or handler.opt.get("shown_if"):
            continue  # shown_if: only some of a role work there; their module lists them
        roles = TENANT_ROLES if access == "logged_in" else handler.opt["roles"]
        pages.extend((role, route.path) for role in TENANT_ROLES if role in roles)
    return sorted({*pages, *SEARCHES, *(p for module in CAPABILITIES for p in module.LIST_PAGES)})


SEARCHES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/people?q=yi"),
    (Role.GRID_WORKER, "/points/claims/new?q=党员"),
    (Role.GRID_WORKER, "/points/claims/new?q=dangyuan"),
]

LIST_PAGES = list_pages()


def test_every_tenant_page_is_a_list_page() -> None:
    """The derivation holds: each role's home pages are among them."""
    assert (Role.MEMBER, "/my-branch") in LIST_PAGES
    assert (Role.GRID_WORKER, "/grid") in LIST_PAGES
    assert (Role.TENANT_ADMIN, "/audit") in LIST_PAGES
    assert len(LIST_PAGES) > 60


async def _history_in_a(world: World, services: AppServices) -> None:
    """Give district A an audit trail naming its people, for the list pages to leak."""
    from app.audit.service import record
    from app.core.identity import Actor

    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            for account in world.a.users.values():
                await record(
                    session, Actor("user", admin.name, admin.id), "account.disabled",
                    subject_type="user", subject_id=account.id, subject_name=account.name,
                )  # fmt: skip
            await session.commit()
    await _points_of_a(world, services)
    for module in CAPABILITIES:
        await module.objects_of_a(world, services)


@pytest.mark.parametrize("role", TENANT_ROLES)
async def test_list_pages_show_nothing_of_another_district(
    app: Litestar, world: World, services: AppServices, role: Role
) -> None:
    """Pages without ids must not show district A's people to district B (one login
    per role, every page that role opens)."""
    await _history_in_a(world, services)
    leaks = []
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        browser = Browser(client)
        await browser.login(world.b.users[role])
        client.follow_redirects = True  # a page that sends elsewhere is read there
        for path in (path for page_role, path in LIST_PAGES if page_role == role):
            response = await browser.get(path)
            page = response.text
            shown = [
                *(account.name for account in world.a.users.values() if account.name in page),
                *(account.phone for account in world.a.users.values() if account.phone in page),
                *(
                    name
                    for name in (world.a.name, "甲一号", "甲二号", "第一党小组")
                    if name in page
                ),
            ]
            if response.status_code != 200 or world.b.name not in page or shown:
                leaks.append(f"{path} → {response.status_code}, shows {shown}")
    assert not leaks, "\n".join(leaks)


async def test_a_viewer_of_another_province_sees_none_of_its_districts(
    app: Litestar, world: World
) -> None:
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        browser = Browser(client)
        await browser.login(world.viewer_11)
        pages = [(await browser.get(p)).text for p in ("/dashboard", "/approvals")]
    for page in pages:
        assert world.a.name not in page and world.b.name not in page
