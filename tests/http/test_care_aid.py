"""Hardship aid and condolence money over HTTP: who sees what (the admin everything, a
secretary their branch's applications, grid workers and members nothing), an
application with evidence checked by its first bytes, approval and payment with every
bad amount refused in words and nothing written; condolence money on the visit form,
the year's figures and their .xlsx."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.care.aid.models import AidApplication, AidEvidence, AidIncome, AidPayment
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import Visit
from app.state import AppServices
from tests.care_aid import PDF, Aid, make_aid
from tests.factories import PointsRoster, World, make_points_roster
from tests.http.conftest import Browser, shown
from tests.http.test_grid_visits import visit_form

APPLICATION_URL = re.compile(r"/care/aid/([0-9a-f-]{36})$")


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


@pytest.fixture
async def aid(services: AppServices, world: World, points: PointsRoster) -> Aid:
    return await make_aid(services, world.a, points)


async def count(services: AppServices, world: World, model: Any) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_each_role_sees_only_the_aid_it_may(browser: Browser, world: World, aid: Aid) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    listed = await browser.get("/care/aid")
    assert listed.status_code == 200 and "党员甲" in listed.text and "党员丁" in listed.text
    assert "/care/aid/fund" in listed.text
    assert "党员丁" in (await browser.get("/care/aid?status=approved")).text
    assert "党员丁" not in (await browser.get("/care/aid?status=pending")).text
    await browser.client.get("/logout")

    await browser.login(world.a.users[Role.BRANCH_SECRETARY])  # leads 第一支部
    listed = await browser.get("/care/aid")
    assert "党员甲" in listed.text and "党员丁" not in listed.text
    assert "/care/aid/fund" not in listed.text
    mine = await browser.get(f"/care/aid/{aid.mine}")
    assert mine.status_code == 200 and "诊断书.pdf" in mine.text
    assert f"/care/aid/{aid.mine}/approve" not in mine.text  # no decision buttons
    assert (await browser.get(f"/care/aid/{aid.other}")).status_code == 404
    assert (await browser.get("/care/aid/fund")).status_code == 403
    approve = await browser.post(
        f"/care/aid/{aid.mine}/approve", {"reason": "好", "approved_amount": "1"}
    )
    assert approve.status_code == 403
    await browser.client.get("/logout")

    for role in (Role.GRID_WORKER, Role.MEMBER):
        await browser.login(world.a.users[role])
        for path in ("/care/aid", "/care/aid/new", f"/care/aid/{aid.mine}", "/care/aid/fund",
                     "/care/condolence"):  # fmt: skip
            assert (await browser.get(path)).status_code == 403, (role, path)
        await browser.client.get("/logout")


async def test_a_secretary_applies_with_evidence_and_bad_input_writes_nothing(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    found = await browser.get("/care/aid/new?q=党员")
    assert "党员甲" in found.text and "党员丁" not in found.text  # 第二支部 is not theirs
    form = {"person_id": str(points.member_a), "reason_kind": "illness",
            "description": "住院手术", "amount_asked": "3000"}  # fmt: skip
    await browser.get(f"/care/aid/new?person={points.member_a}")
    for field, typed, message in [
        ("amount_asked", "-5", "An amount cannot be negative."),
        ("amount_asked", "12.345", "Please give the amount to the fen: at most two decimals."),
        ("amount_asked", "三千", "Please enter the amount in digits, for example 500 or 1300.50."),
        ("amount_asked", "1000000", "The amount must be under 1,000,000 yuan."),
        ("reason_kind", "lottery", "Please choose the reason for the aid."),
        ("description", " ", "Please describe the difficulty."),
    ]:
        refused = await browser.post("/care/aid", {**form, field: typed})
        assert refused.status_code == 422, (field, typed)
        assert shown(message) in refused.text
    too_long = await browser.post("/care/aid", {**form, "description": "很" * 501})
    assert too_long.status_code == 422
    assert shown("Please keep this under %(n)s characters.", n=500) in too_long.text
    fake = await browser.post(
        "/care/aid", form, files=[("evidence", ("诊断书.pdf", b"MZ not a pdf", "application/pdf"))]
    )
    assert fake.status_code == 422
    assert shown("“%(name)s” is not a photo or a PDF. Please send a JPEG or PNG photo or a PDF.",
                 name="诊断书.pdf") in fake.text  # fmt: skip
    other = await browser.post("/care/aid", {**form, "person_id": str(points.member_d)})
    assert other.status_code == 404
    assert await count(services, world, AidApplication) == 0
    assert await count(services, world, AidEvidence) == 0

    saved = await browser.post(
        "/care/aid", form, files=[("evidence", ("账单.pdf", PDF, "application/pdf"))]
    )
    assert saved.status_code == 303
    match = APPLICATION_URL.search(saved.headers["location"])
    assert match
    page = await browser.get(f"/care/aid/{match.group(1)}")
    assert "账单.pdf" in page.text and "3,000.00 元" in page.text
    evidence = re.search(r'href="(/care/aid/evidence/[0-9a-f-]{36})"', page.text)
    assert evidence
    download = await browser.get(evidence.group(1))
    assert download.status_code == 200 and download.content == PDF
    await browser.client.get("/logout")
    await browser.login(world.a.users[Role.GRID_WORKER])
    assert (await browser.get(evidence.group(1))).status_code == 403


async def test_the_admin_approves_and_pays_within_the_fund(
    browser: Browser, world: World, aid: Aid, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get(f"/care/aid/{aid.mine}")
    assert f"/care/aid/{aid.mine}/approve" in page.text
    early = await browser.post(f"/care/aid/{aid.mine}/pay", {"amount": "100", "paid_on": ""})
    assert early.status_code == 422
    assert shown("This application is not approved yet; nothing can be paid.") in early.text
    for data, message in [
        ({"approved_amount": "2000", "reason": ""}, "Please give the reason for the decision."),
        ({"approved_amount": "abc", "reason": "属实"},
         "Please enter the amount in digits, for example 500 or 1300.50."),
        ({"approved_amount": "4000", "reason": "属实"},
         "The approved amount cannot be more than the %(asked)s asked for."),
    ]:  # fmt: skip
        refused = await browser.post(f"/care/aid/{aid.mine}/approve", data)
        assert refused.status_code == 422
        assert shown(message, asked="3,000.00 元") in refused.text
    assert await count(services, world, AidPayment) == 0
    approved = await browser.post(
        f"/care/aid/{aid.mine}/approve", {"approved_amount": "2,500", "reason": "情况属实"}
    )
    assert approved.status_code == 303
    # The fund holds 10,000: 党员丁's 2,000 and 党员甲's 2,500 fit; more than approved does not.
    over = await browser.post(f"/care/aid/{aid.mine}/pay", {"amount": "2600", "paid_on": ""})
    assert over.status_code == 422 and "2,500.00 元" in over.text
    future = await browser.post(
        f"/care/aid/{aid.mine}/pay", {"amount": "100", "paid_on": "2999-01-01"}
    )
    assert future.status_code == 422 and shown("The date cannot be in the future.") in future.text
    paid = await browser.post(f"/care/aid/{aid.mine}/pay", {"amount": "2500", "paid_on": ""})
    assert paid.status_code == 303
    assert await count(services, world, AidPayment) == 1

    fund = await browser.get("/care/aid/fund")
    assert "7,500.00 元" in fund.text and "党员甲" in fund.text and "区财政拨款" in fund.text
    bad = await browser.post(
        "/care/aid/fund/income", {"amount": "-1", "source": "捐款", "received_on": ""}
    )
    assert bad.status_code == 422 and shown("An amount cannot be negative.") in bad.text
    assert await count(services, world, AidIncome) == 1
    tight = await browser.post(f"/care/aid/{aid.other}/pay", {"amount": "2000", "paid_on": ""})
    assert tight.status_code == 303
    log = await browser.get("/audit")
    assert shown("Aid paid") in log.text and "2,500.00 元" in log.text
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            actions = list(await session.scalars(select(AuditEvent.action)))
    assert actions.count("aid.paid") == 2 and actions.count("aid.approved") == 2


async def test_condolence_money_on_visits_adds_up_for_the_year(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/grid/visits/new?person={points.member_a}")
    for typed, message in [
        ("-20", "An amount cannot be negative."),
        ("20.005", "Please give the amount to the fen: at most two decimals."),
        ("abc", "Please enter the amount in digits, for example 500 or 1300.50."),
    ]:
        refused = await browser.post(
            "/grid/visits", visit_form(points.member_a, kind="condolence", condolence_money=typed)
        )
        assert refused.status_code == 422 and shown(message) in refused.text
    long = await browser.post(
        "/grid/visits", visit_form(points.member_a, condolence_gifts="米" * 201)
    )
    assert long.status_code == 422
    assert await count(services, world, Visit) == 0
    for person, money, gifts in [(points.member_a, "500", "米、油"),
                                 (points.member_d, "1,300.50", ""),
                                 (points.member_a, "", "慰问信")]:  # fmt: skip
        saved = await browser.post("/grid/visits", visit_form(
            person, kind="hardship", condolence_money=money, condolence_gifts=gifts))  # fmt: skip
        assert saved.status_code == 303
    page = await browser.get("/care/condolence")
    assert page.status_code == 200
    assert "1,800.50 元" in page.text and "第一支部" in page.text and "第二支部" in page.text
    sheet = await browser.get("/care/condolence/download")
    assert sheet.status_code == 200 and "no-store" in sheet.headers["cache-control"]
    book = CalamineWorkbook.from_filelike(BytesIO(sheet.content))
    months = book.get_sheet_by_index(0).to_python()
    assert months[-1][1:] == [2, 3, 1800.5, 2]  # the year: people, visits, yuan, gifts
    await browser.client.get("/logout")
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    mine = await browser.get("/care/condolence")
    assert (
        "500.00 元" in mine.text and "1,800.50 元" not in mine.text and "第二支部" not in mine.text
    )
