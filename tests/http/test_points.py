"""Points over HTTP: claims, approval, awards, corrections, rankings and the ledger.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests share
its helpers and fixtures, and each part reads on its own.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from uuid import UUID

import pytest
from PIL import Image
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.claims.forms import ClaimForm
from app.points.claims.service import ClaimService
from app.points.models import Claim, ClaimStatus, Photo, PointEvent, RuleItem, RuleSet
from app.points.rules.versions import add_rules, spec_of
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    identity_of,
    make_points_roster,
    make_world,
    unit_per_call,
)
from tests.http.conftest import Browser, shown
from tests.reports import report_file, report_form


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def item_id(services: AppServices, district: District, code: str) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return (
                await session.scalars(
                    select(RuleItem.id)
                    .join(RuleSet, RuleSet.id == RuleItem.rule_set_id)
                    .where(RuleItem.code == code)
                    .order_by(RuleSet.version.desc())
                )
            ).first()  # type: ignore[return-value]


async def count(services: AppServices, district: District, model) -> int:  # type: ignore[no-untyped-def]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


def claim_form(person: UUID, item: UUID, **values: str) -> dict[str, str]:
    return {
        "person_id": str(person),
        "item_id": str(item),
        "occurred_on": values.get("occurred_on", clock.today().isoformat()),
        "quantity": values.get("quantity", "1"),
        "evidence": values.get("evidence", "参加了社区宣讲"),
    }


async def test_grid_worker_claims_secretary_approves_ranking_shows_it(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    talk = await item_id(services, world.a, "FH-01")  # 红色宣讲 +5, evidence required
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get("/points/claims/new?q=党员甲")
    assert page.status_code == 200 and "党员甲" in page.text and "老党员丙" not in page.text
    response = await browser.post("/points/claims/", claim_form(points.member_a, talk))
    assert response.status_code == 303, response.text[:800]
    assert await count(services, world.a, PointEvent) == 0  # waits for the secretary

    await other_browser.login(world.a.users[Role.BRANCH_SECRETARY])
    listing = await other_browser.get("/points/claims/")
    assert "党员甲" in listing.text and "参加了社区宣讲" in listing.text
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            claim_id = await session.scalar(select(Claim.id))
    approved = await other_browser.post(f"/points/claims/{claim_id}/approve")
    assert approved.status_code == 303
    assert await count(services, world.a, PointEvent) == 1

    ranking = await other_browser.get(f"/points/branches/{points.roster.branch_1}")
    assert ranking.status_code == 200
    first = ranking.text.index("党员甲")
    assert first < ranking.text.index("党员乙")
    assert shown("Exempt from points (old or frail)") in ranking.text
    assert (
        "老党员丙" in ranking.text[ranking.text.index(shown("Exempt from points (old or frail)")) :]
    )

    mine = await browser.get("/points/claims/")
    assert shown("Approved") in mine.text


@pytest.mark.parametrize(
    ("who", "code", "values", "message"),
    [
        ("exempt", "XX-01", {}, "%(name)s is exempt from points (old or frail) and is not scored."),
        ("member_a", "XX-01", {"occurred_on": "future"}, "The date %(date)s is in the future."),
        ("member_a", "FH-01", {"evidence": ""},
         "This item needs evidence: a few words or a photo."),
        ("member_a", "ZY-01", {"quantity": "25"},
         "Give the hours as a number from 0.5 to 24, in half hours."),
        ("member_a", "XX-01", {"occurred_on": "2026-13-01"},
         "Please give the date as year-month-day, for example 2026-05-01."),
        ("member_a", "FM-01", {}, "This item is awarded by the branch secretary, not claimed."),
        ("member_a", "ZY-01", {"quantity": "NaN"},
         "Give the hours as a number from 0.5 to 24, in half hours."),
    ],
)  # fmt: skip
async def test_bad_claims_are_refused_and_write_nothing(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    who: str, code: str, values: dict[str, str], message: str,
) -> None:  # fmt: skip
    person = getattr(points, who)
    future = (clock.today() + timedelta(days=1)).isoformat()
    if values.get("occurred_on") == "future":
        values = {**values, "occurred_on": future}
    await browser.login(world.a.users[Role.GRID_WORKER])
    response = await browser.post(
        "/points/claims/", claim_form(person, await item_id(services, world.a, code), **values)
    )
    assert response.status_code == 422
    expected = shown(message, name="老党员丙", date=future)
    assert expected in response.text
    assert "参加了社区宣讲" in response.text or not values.get("evidence", "x")  # kept
    assert await count(services, world.a, Claim) == 0


async def test_over_the_cap_is_refused(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    dues = await item_id(services, world.a, "ZZ-04")  # +1, cap 3 a quarter, secretary awards
    for _ in range(3):
        ok = await browser.post("/points/claims/award", claim_form(points.member_a, dues))
        assert ok.status_code == 303, ok.text[:500]
    over = await browser.post("/points/claims/award", claim_form(points.member_a, dues))
    assert over.status_code == 422
    assert shown(
        "%(name)s has already reached this item's cap of %(cap)s for the quarter.",
        name="党员甲", cap="3",
    ) in over.text  # fmt: skip
    assert await count(services, world.a, PointEvent) == 3


async def test_a_retired_version_is_refused(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    old_item = await item_id(services, world.a, "XX-01")
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            first = (await session.scalars(select(RuleSet))).one()
            spec = await spec_of(session, first)
            newer = RuleSet(
                tenant_id=world.a.tenant_id, version=2, status="active",
                effective_from=clock.today(), objection_days=7,
            )  # fmt: skip
            session.add(newer)
            await session.flush()
            add_rules(session, world.a.tenant_id, newer.id, spec)
            await session.commit()
    await browser.login(world.a.users[Role.GRID_WORKER])
    response = await browser.post("/points/claims/", claim_form(points.member_a, old_item))
    assert response.status_code == 422
    assert shown(
        "This item belongs to rules that are not in force on %(date)s. "
        "Please choose an item of the rules in force.",
        date=clock.today().isoformat(),
    ) in response.text  # fmt: skip
    # The same item code under the version in force is fine.
    new_item = await item_id(services, world.a, "XX-01")
    assert new_item != old_item
    ok = await browser.post("/points/claims/", claim_form(points.member_a, new_item))
    assert ok.status_code == 303


async def test_claims_for_people_out_of_reach_are_not_found(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    other = await make_points_roster(services, world.b)
    study = await item_id(services, world.a, "XX-01")
    await browser.login(world.a.users[Role.GRID_WORKER])
    response = await browser.post("/points/claims/", claim_form(other.member_a, study))
    assert response.status_code == 404
    await browser.login(world.a.users[Role.MEMBER])  # a member claims for themself only
    response = await browser.post("/points/claims/", claim_form(points.member_b, study))
    assert response.status_code == 404
    own = await browser.post("/points/claims/", claim_form(points.member_a, study))
    assert own.status_code == 303
    assert await count(services, world.a, Claim) == 1


async def test_concurrent_approvals_write_one_event(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    secretary = world.a.users[Role.BRANCH_SECRETARY]
    admin = world.a.users[Role.TENANT_ADMIN]
    worker = world.a.users[Role.GRID_WORKER]

    async def identity(account) -> Identity:  # type: ignore[no-untyped-def]
        return await identity_of(services, world.a.tenant_id, account.id)

    claims = unit_per_call(services.db, ClaimService)
    with tenant_scope(world.a.tenant_id):
        study = await item_id(services, world.a, "XX-01")
        sent = await claims.submit(
            await identity(worker),
            ClaimForm(points.member_a, study, clock.today(), "1", ""),
        )
        claim = sent.claim

        async def approve(account) -> str:  # type: ignore[no-untyped-def]
            try:
                await claims.approve(await identity(account), claim.id)
                return "approved"
            except Refused as exc:
                return exc.message

        outcomes = await asyncio.gather(approve(secretary), approve(admin))
    assert sorted(outcomes) == ["This claim has already been decided.", "approved"]
    assert await count(services, world.a, PointEvent) == 1


async def test_reject_needs_a_reason_and_shows_it(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.MEMBER])
    study = await item_id(services, world.a, "XX-01")
    assert (
        await browser.post("/points/claims/", claim_form(points.member_a, study))
    ).status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            claim_id = await session.scalar(select(Claim.id))
    await other_browser.login(world.a.users[Role.BRANCH_SECRETARY])
    empty = await other_browser.post(f"/points/claims/{claim_id}/reject", {"reason": " "})
    assert empty.status_code == 303
    page = await other_browser.get("/points/claims/")
    assert shown("Please give the reason for rejecting, so the claimant knows.") in page.text
    await other_browser.post(f"/points/claims/{claim_id}/reject", {"reason": "当天未参加"})
    mine = await browser.get("/points/claims/")
    assert "当天未参加" in mine.text
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            assert (
                await session.get(Claim, {"tenant_id": world.a.tenant_id, "id": claim_id})
            ).status == ClaimStatus.REJECTED  # type: ignore[union-attr]
    assert await count(services, world.a, PointEvent) == 0


async def test_member_page_explains_caps_and_corrections(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    law = await item_id(services, world.a, "GJ-02")  # +2, cap 2 a quarter
    lapse = await item_id(services, world.a, "FM-01")  # -2, no cap
    assert (
        await browser.post("/points/claims/award", claim_form(points.member_b, law))
    ).status_code == 303
    assert (
        await browser.post("/points/claims/award", claim_form(points.member_b, lapse))
    ).status_code == 303
    page = await browser.get(f"/points/people/{points.member_b}")
    assert page.status_code == 200 and "模范遵守军休管理规定" in page.text
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            deduction = await session.scalar(select(PointEvent.id).where(PointEvent.points < 0))
    refused = await browser.post(f"/points/events/{deduction}/reverse", {"reason": ""})
    assert refused.status_code == 422
    assert shown("Please give the reason for the correction.") in refused.text
    ok = await browser.post(f"/points/events/{deduction}/reverse", {"reason": "记录有误"})
    assert ok.status_code == 303
    again = await browser.post(f"/points/events/{deduction}/reverse", {"reason": "再次"})
    assert again.status_code == 422
    assert shown("This entry has already been corrected.") in again.text
    page = await browser.get(f"/points/people/{points.member_b}")
    assert "记录有误" in page.text
    assert await count(services, world.a, PointEvent) == 3

    ledger = await browser.get(f"/points/ledger/{points.roster.branch_1}")
    assert ledger.status_code == 200 and "记录有误" in ledger.text
    export = await report_file(
        browser, services, world.a.tenant_id, report_form("ledger", branch=points.roster.branch_1)
    )
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    )
    assert rows[2][:2] == ["日期", "姓名"]
    assert sorted(r[6] for r in rows[3:6]) == [-2.0, 2.0, 2.0]


async def test_who_sees_what(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    assert (await browser.get(f"/points/branches/{points.roster.branch_1}")).status_code == 200
    assert (await browser.get(f"/points/branches/{points.roster.branch_2}")).status_code == 404
    assert (await browser.get(f"/points/people/{points.member_d}")).status_code == 404
    await browser.login(world.a.users[Role.MEMBER])
    assert (await browser.get(f"/points/people/{points.member_a}")).status_code == 200
    assert (await browser.get(f"/points/people/{points.member_b}")).status_code == 404
    assert (await browser.get(f"/points/branches/{points.roster.branch_1}")).status_code == 404
    assert (await browser.get(f"/points/ledger/{points.roster.branch_1}")).status_code == 404
    overview = await browser.get("/points/")
    assert f"/points/people/{points.member_a}" in overview.text
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    overview = await browser.get("/points/")
    assert "第一支部" in overview.text and "第二支部" in overview.text


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "red").save(out, "PNG")
    return out.getvalue()


async def test_photo_evidence_is_shrunk_and_shown_to_the_secretary(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    talk = await item_id(services, world.a, "FH-01")
    form = {**claim_form(points.member_a, talk, evidence=""), "_csrf_token": browser.token}
    bad = await browser.client.post(
        "/points/claims/", data=form, files={"photo": ("x.jpg", b"not a picture", "image/jpeg")}
    )
    assert bad.status_code == 422
    assert shown("This file is not a photo we can read (JPEG, PNG or WebP).") in bad.text
    assert await count(services, world.a, Photo) == 0
    form["_csrf_token"] = browser.token
    ok = await browser.client.post(
        "/points/claims/", data=form, files={"photo": ("p.png", png_bytes(), "image/png")}
    )
    assert ok.status_code == 303, ok.text[:500]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            photo = (await session.scalars(select(Photo))).one()
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
    await other_browser.login(world.a.users[Role.BRANCH_SECRETARY])
    shown_photo = await other_browser.get(f"/points/claims/photos/{photo.id}")
    assert shown_photo.status_code == 200 and shown_photo.content == photo.content
    assert shown_photo.headers["cache-control"] == "no-store"
    await other_browser.login(world.a.users[Role.MEMBER])
    assert (await other_browser.get(f"/points/claims/photos/{photo.id}")).status_code == 404


async def test_no_one_awards_or_approves_their_own_points(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    from app.core.identity import SYSTEM
    from app.core.scope import EVERYONE
    from app.people.roster.service import PeopleService

    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            people = PeopleService(session, services.cipher)
            await people.link_account(EVERYONE, points.member_b, admin.id, SYSTEM)
    await browser.login(admin)
    study = await item_id(services, world.a, "XX-01")
    response = await browser.post("/points/claims/award", claim_form(points.member_b, study))
    assert response.status_code == 422
    assert (
        shown(
            "You cannot award or approve points for yourself; the district administrator does that."
        )
        in response.text
    )
    assert await count(services, world.a, PointEvent) == 0


async def test_a_published_half_year_takes_no_new_entries(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    from app.points.models import Publication
    from app.points.periods import half_of

    period = half_of(clock.today())
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            version = await session.scalar(select(RuleSet.id))
            secretary = world.a.users[Role.BRANCH_SECRETARY]
            session.add(Publication(
                tenant_id=world.a.tenant_id, branch_id=points.roster.branch_1,
                period_start=period.start, period_end=period.end, rule_set_id=version,
                status="published", objections_close_on=clock.today(), opened_by=secretary.id,
                opened_by_name="书记", published_at=clock.now(), published_by=secretary.id,
            ))  # fmt: skip
            await session.commit()
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    study = await item_id(services, world.a, "XX-01")
    response = await browser.post("/points/claims/award", claim_form(points.member_a, study))
    assert response.status_code == 422
    assert shown(
        "The branch's ranking for %(period)s is published; entries dated in it can no longer "
        "be added or corrected.",
        period=period.label,
    ) in response.text  # fmt: skip
    assert await count(services, world.a, PointEvent) == 0


async def test_a_claim_made_before_new_rules_is_scored_by_them(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    """Rules activated from today while a claim for today waits: approving it scores
    it by the new version's item of the same code instead of refusing it."""
    from sqlalchemy import update

    await browser.login(world.a.users[Role.GRID_WORKER])
    study = await item_id(services, world.a, "XX-01")
    assert (
        await browser.post("/points/claims/", claim_form(points.member_a, study))
    ).status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            first = (await session.scalars(select(RuleSet))).one()
            newer = RuleSet(
                tenant_id=world.a.tenant_id, version=2, status="draft", objection_days=7
            )
            session.add(newer)
            await session.flush()
            add_rules(session, world.a.tenant_id, newer.id, await spec_of(session, first))
            await session.flush()
            await session.execute(
                update(RuleItem).where(RuleItem.rule_set_id == newer.id, RuleItem.code == "XX-01")
                .values(points=3)
            )  # fmt: skip
            newer.status, newer.effective_from = "active", clock.today()
            await session.commit()
            claim_id = await session.scalar(select(Claim.id))
    await other_browser.login(world.a.users[Role.BRANCH_SECRETARY])
    assert (await other_browser.post(f"/points/claims/{claim_id}/approve")).status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            event = (await session.scalars(select(PointEvent))).one()
    assert event.points == 3 and event.rule_item_id != study


async def test_the_rule_editor_refuses_huge_numbers_and_far_dates(
    browser: Browser, services: AppServices, world: World
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.post("/points/rules/draft")
    huge = await browser.post(
        "/points/rules/draft/settings", {"base_score": "1e30", "objection_days": "7"}
    )
    assert huge.status_code == 422
    assert shown("Please enter a number, such as 2 or 1.5.") in huge.text
    far = await browser.post("/points/rules/draft/activate", {"effective_from": "9999-12-31"})
    assert far.status_code == 422
    assert shown("New rules can start at most a year from today.") in far.text
    assert (await browser.get("/points/rules/draft")).status_code == 200


async def test_the_ledger_file_says_what_the_page_says(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    """A phone's or WeChat's file preview shows the saved value of the 合计 formula, not
    a recomputed one; and each source is named in the same words as on the page."""
    from app.points.models import SOURCE_LABELS

    await other_browser.login(world.a.users[Role.GRID_WORKER])
    study = await item_id(services, world.a, "XX-01")
    assert (
        await other_browser.post("/points/claims/", claim_form(points.member_b, study))
    ).status_code == 303
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            claim_id = await session.scalar(select(Claim.id))
    assert (await browser.post(f"/points/claims/{claim_id}/approve")).status_code == 303
    for code in ("FH-01", "XX-01"):  # +5, +2
        award = claim_form(points.member_a, await item_id(services, world.a, code))
        assert (await browser.post("/points/claims/award", award)).status_code == 303
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            talk = await session.scalar(select(PointEvent.id).where(PointEvent.points == 5))
    assert (await browser.post(f"/points/events/{talk}/reverse", {"reason": "记错"})).is_redirect
    # 2 + 5 + 2 - 5 = 4
    page = await browser.get(f"/points/ledger/{points.roster.branch_1}")
    assert shown("Total %(points)s points", points="4") in page.text
    export = await report_file(
        browser, services, world.a.tenant_id, report_form("ledger", branch=points.roster.branch_1)
    )
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    )
    total = next(row for row in rows if row[5] == "合计")
    assert total[6] == 4
    lines = [row for row in rows[3:] if row[0]]
    assert len(lines) == 4
    assert {row[7] for row in lines} == {
        shown(SOURCE_LABELS[source]) for source in ("claim", "award", "reversal")
    }
    for row in lines:  # the page names each entry's source in the same words
        assert row[7] in page.text
