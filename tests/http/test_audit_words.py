"""Every kind of change reads in the change log in plain zh-CN, with names: no English
words, no stored codes, no ids — on the district's log, a person's and a unit's history
and an account's page.

The walk makes every change the app records, through the services the pages call, and
fails when a new kind of change (or a new detail of one) has no words yet.

Over 400 lines: the walk must make every audited change of every capability in one
district, so it grows with each capability; splitting it would let a new kind of change
slip past the check that every action has words.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.invitations.forms import InvitationForm
from app.accounts.invitations.service import InvitationService
from app.accounts.passwords.service import PasswordService
from app.accounts.throttle import login_throttle
from app.accounts.users.service import AccountService
from app.audit.log import latest_events
from app.audit.models import AuditEvent
from app.audit.service import ACTION_LABELS
from app.audit.words import unlabelled
from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.assignment.forms import AssignForm
from app.grid.assignment.service import AssignmentService
from app.grid.grids.service import GridService
from app.grid.models import VisitRule
from app.grid.rules.service import VisitRuleService
from app.notifications.channels.forms import GatewayForm
from app.notifications.channels.service import GatewayService
from app.notifications.kinds import Channel
from app.orglife.kinds.forms import kinds_form
from app.orglife.kinds.service import KindService
from app.orglife.meetings.attendance import AttendanceService
from app.orglife.meetings.forms import AttendanceForm, Mark, RecordForm
from app.orglife.meetings.service import MeetingService
from app.orglife.models import Presence
from app.people.account_links import link_invited
from app.people.imports.service import ImportService
from app.people.org.service import OrgService
from app.people.roster.duplicates import DuplicateService
from app.people.roster.service import PeopleService
from app.points.claims.forms import ClaimForm
from app.points.claims.service import ClaimService
from app.points.models import Objection, PointEvent, RuleCategory, RuleItem
from app.points.periods import half_of
from app.points.publications.forms import AnswerForm
from app.points.publications.objections import ObjectionService
from app.points.publications.service import PublicationService
from app.points.rules.activation import ActivationService
from app.points.rules.service import RuleSetService
from app.points.service import PointsService
from app.signup.service import TenancyService
from app.state import AppServices
from app.volunteering.certificates.service import CertificateService
from tests.care_after import every_after_care_change
from tests.care_aid import every_aid_change
from tests.care_gifts import every_gift_change, joined
from tests.certificates import add_activity, add_team, issue
from tests.factories import (
    PASSWORD,
    District,
    PointsRoster,
    World,
    add_person,
    identity_of,
    make_points_roster,
    make_world,
    next_phone,
    unit_per_call,
)
from tests.http.conftest import Browser, shown
from tests.http.test_signup import FORM
from tests.orglife import meeting_form
from tests.reports import report_file, report_form
from tests.service.test_roster_import import id_number, run_import, small_roster
from tests.volunteering import every_volunteering_change

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
LATIN_WORD = re.compile(r"[A-Za-z_]{2,}")


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def who(services: AppServices, district: District, role: Role) -> Identity:
    return await identity_of(services, district.tenant_id, district.users[role].id)


def log_text(html: str, data: list[str]) -> str:
    """The log's words as a reader sees them, without the data people typed (account
    names of the test districts, item codes, file names), which may be Latin."""
    start = html.find('id="events"')
    start = start if start >= 0 else html.find('id="changes"')
    assert start >= 0, "no change log on the page"
    start = html.index(">", start) + 1
    part = re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)])
    for word in sorted(data, key=len, reverse=True):
        part = part.replace(word, " ")
    return part


def assert_plain(text: str, where: str) -> None:
    assert not UUID_TEXT.search(text), (where, UUID_TEXT.findall(text))
    assert not LATIN_WORD.search(text), (where, LATIN_WORD.findall(text))


async def walk_every_change(
    services: AppServices, world: World, points: PointsRoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every action the app records, in district A (signup ones in their own district)."""
    district, roster = world.a, points.roster
    admin, secretary = (
        await who(services, district, Role.TENANT_ADMIN),
        await who(services, district, Role.BRANCH_SECRETARY),
    )
    worker, member = (
        await who(services, district, Role.GRID_WORKER),
        await who(services, district, Role.MEMBER),
    )
    today = clock.today()
    with tenant_scope(district.tenant_id):
        # Accounts: invitations, activation, roles, password links and changes.
        # (Each raises on a refusal.)
        auth = services.settings.auth
        async with services.db.unit() as session:
            accounts = AccountService(session)
            invitations = InvitationService(session, auth, link_person=link_invited)
            token = await invitations.invite(
                InvitationForm("钱七", next_phone(), Role.MEMBER), admin.actor
            )
            assert token
            await invitations.invite(
                InvitationForm("孙八", next_phone(), Role.GRID_WORKER), admin.actor
            )
            revoked = next(i for i in await invitations.pending_invitations() if i.name == "孙八")
            await invitations.revoke_invitation(revoked.id, admin.actor)
            accepted = await invitations.accept_invitation(token, "Qian-2026x", "Qian-2026x")
            assert accepted is not None
            await accounts.set_active(member.user_id, False, admin.actor)
            await accounts.set_active(member.user_id, True, admin.actor)
            roles = [Role.MEMBER, Role.GRID_WORKER]
            await accounts.set_roles(member.user_id, roles, admin.actor)
            passwords = PasswordService(session, auth, login_throttle(services.redis, auth))
            reset, _ = await passwords.issue_reset(member.user_id, admin.actor)
            await passwords.reset(reset, "Member-2026a", "Member-2026a")
            await passwords.change(
                worker.actor, PASSWORD, "Worker-2026a", "Worker-2026a", "127.0.0.1"
            )

        async with services.db.unit() as session:
            # The org tree: add, rename, move (a group with its people), retire, a leader.
            org = OrgService(session)
            sub = await org.create("subcenter", "第一分中心", roster.center, admin.actor)
            await org.rename(roster.branch_2, "第二党支部", admin.actor)
            await org.move(roster.branch_2, sub, admin.actor)
            await org.move(roster.group_1, roster.branch_2, admin.actor)
            spare = await org.create("group", "第九党小组", roster.branch_1, admin.actor)
            await org.retire(spare, admin.actor)
            await org.set_leader(roster.branch_2, points.member_d, admin.actor)

            # People: an edit of many kinds of field, a duplicate dismissed, an
            # import that adds a branch.
            people = PeopleService(session, services.cipher)
            await people.update(
                EVERYONE, roster.person_2,
                {"name": "甲二号", "gender": "female", "category": "veteran",
                 "birth_date": date(1950, 3, 1), "party_member": True,
                 "party_joined_on": date(1975, 7, 1), "mobile": True, "branch_id": roster.branch_1,
                 "group_id": None, "phone": "13700002222", "notes": "住院中"},
                admin.actor,
            )  # fmt: skip
            await DuplicateService(session).dismiss(
                EVERYONE, points.member_a, points.member_b, admin.actor
            )
    rows = [[1, "赵新来", "男", "1949.10", id_number("370102", "19491001", "457"), "",
             "第三支部", "军休干部"],
            [2, "钱有误", "男", "1950.13", "", "", "第三支部", "军休干部"]]  # fmt: skip
    import_id, _summary = await run_import(services, world, small_roster(rows))
    with tenant_scope(district.tenant_id):  # the row to fix: downloaded, then deleted
        async with services.db.unit() as session:
            importer = ImportService(session, services.cipher, services.redis)
            await importer.problem_rows_workbook(import_id, admin.actor)
            await importer.forget_problem_rows(import_id, admin.actor)

    with tenant_scope(district.tenant_id):
        # Points: an award in hours, a claim approved and one rejected, a correction.
        claims = unit_per_call(services.db, ClaimService)
        async with services.db.session() as session:
            items = {i.code: i.id for i in (await session.scalars(select(RuleItem))).all()}
        hours, talk = items["ZY-01"], items["XX-01"]
        day = half_of(today).previous().end  # in the half-year put up below
        await claims.award(secretary, ClaimForm(points.member_a, hours, day, "1.5", "志愿服务"))
        first = (
            await claims.submit(worker, ClaimForm(points.member_b, talk, day, "1", "学习"))
        ).claim
        second = (
            await claims.submit(worker, ClaimForm(points.member_b, talk, day, "1", "学习"))
        ).claim
        await claims.approve(secretary, first.id)
        await claims.reject(secretary, second.id, "同一天已记过")
        async with services.db.session() as session:
            award_event = await session.scalar(
                select(PointEvent.id).where(PointEvent.person_id == points.member_a)
            )
        assert award_event is not None
        await unit_per_call(services.db, PointsService).reverse(secretary, award_event, "时长记错")

        # A half-year put up, objections answered three ways, then published.
        publications = unit_per_call(services.db, PublicationService)
        objection_service = unit_per_call(services.db, ObjectionService)
        await claims.award(secretary, ClaimForm(points.member_a, talk, day, "1", "学习"))
        last_half = half_of(today).previous().key
        publication = await publications.open(secretary, roster.branch_1, last_half)
        for person, reason in ((points.member_a, "少记了一次"), (points.member_b, "多记了"),
                               (points.member_a, "名次不对")):  # fmt: skip
            await objection_service.object(member, publication.id, person, reason)
        async with services.db.session() as session:
            objections = (await session.scalars(select(Objection).order_by(Objection.reason))).all()
            approved = await session.scalar(
                select(PointEvent.id).where(PointEvent.claim_id == first.id)
            )
        by_reason = {o.reason: o.id for o in objections}
        await objection_service.answer(
            secretary, publication.id, by_reason["少记了一次"],
            AnswerForm("upheld", "补记", "award", item_id=talk, occurred_on=day, quantity="1"),
        )  # fmt: skip
        await objection_service.answer(secretary, publication.id, by_reason["多记了"], AnswerForm(
            "upheld", "已冲销", "reverse", event_id=approved))  # fmt: skip
        await objection_service.answer(secretary, publication.id, by_reason["名次不对"],
                                  AnswerForm("rejected", "名次无误"))  # fmt: skip
        with monkeypatch.context() as later:
            later.setattr(
                "app.core.clock.today", lambda: publication.objections_close_on + timedelta(1)
            )
            await publications.publish(secretary, publication.id)

        # The rules: every kind of draft change, an activation, a draft discarded.
        rules = unit_per_call(services.db, RuleSetService)
        await rules.start_draft(admin.actor)
        await rules.update_settings("100", "10", admin.actor)
        kept = await rules.add_category("学习强国", admin.actor)
        await rules.rename_category(kept, "学习强国积分", admin.actor)
        item = {"category_id": str(kept), "code": "QG-01", "name": "学习强国打卡",
                "points": "0.5", "unit": "event", "cap_quarter": "10", "cap_year": ""}  # fmt: skip
        await rules.add_item(item, ["secretary"], admin.actor)
        async with services.db.session() as session:
            draft_items = (await session.scalars(select(RuleItem).where(
                RuleItem.code.in_(["QG-01", "XX-02"]),
                RuleItem.rule_set_id == select(RuleCategory.rule_set_id)
                .where(RuleCategory.id == kept).scalar_subquery(),
            ))).all()  # fmt: skip
            first_category = await session.scalar(
                select(RuleCategory.id).where(RuleCategory.name == "政治学习",
                                              RuleCategory.id != kept)
                .where(RuleCategory.rule_set_id == select(RuleCategory.rule_set_id)
                       .where(RuleCategory.id == kept).scalar_subquery())
            )  # fmt: skip
        new_item = next(i for i in draft_items if i.code == "QG-01")
        await rules.update_item(
            new_item.id,
            item | {"category_id": str(first_category), "points": "1", "cap_year": "30",
                    "evidence_required": "on", "unit": "hour"},
            ["secretary", "grid_worker"], admin.actor,
        )  # fmt: skip
        await rules.delete_item(next(i for i in draft_items if i.code == "XX-02").id, admin.actor)
        await rules.delete_category(kept, admin.actor)  # emptied by the move
        await unit_per_call(services.db, ActivationService).activate(
            (today + timedelta(days=1)).isoformat(), admin.actor
        )
        await rules.start_draft(admin.actor)
        await rules.discard_draft(admin.actor)

        # Grids: one added, changed, people assigned, a worker in and out, retired.
        async with services.db.unit() as session:
            grids = GridService(session)
            grid = await grids.create(
                admin,
                {
                    "name": "第二网格",
                    "unit_id": str(roster.center),
                    "month_target": "30",
                    "quarter_target": "90",
                },
            )
            await grids.update(
                admin,
                grid.id,
                {
                    "name": "第二网格（东）",
                    "unit_id": str(sub),
                    "month_target": "40",
                    "quarter_target": "90",
                },
            )
            await AssignmentService(session).assign(
                admin, AssignForm(grid.id, [points.member_d], households=True)
            )
            await grids.add_worker(admin, grid.id, str(worker.user_id))
            await grids.remove_worker(admin, grid.id, worker.user_id)
            await grids.remove_person(admin, grid.id, points.member_d)
            await grids.retire(admin, grid.id)
            visits = VisitRuleService(session)
            holiday = select(VisitRule).where(VisitRule.trigger == "holiday").limit(1)
            rule = (await session.scalars(holiday)).one()
            await visits.update_rule(admin, rule.id, {
                "name": f"{rule.name}慰问", "days_before": "5", "days_after": str(rule.days_after),
                "enabled": "on", "party_only": "", "in_person": "on"})  # fmt: skip
            await visits.set_meeting_day(admin, {"meeting_day": "15"})
            # Organisational life: a meeting kind and the thought-report cadence.
            kinds = KindService(session)
            changed = {"frequency_lecture": "monthly", "name_lecture": "专题党课",
                       "order_lecture": "9"}  # fmt: skip
            form = kinds_form(await kinds.kinds()) | changed
            await kinds.save_kinds(admin, form)
            await kinds.set_cadence(admin, {"thought_report_months": "6"})
            # The district's message gateways (app.notifications.channels).
            gateways = GatewayService(session, services.cipher)
            wechat = GatewayForm(Channel.WECHAT, "https://wx.example.com/send", "s" * 32)
            await gateways.save(admin, wechat)
            await gateways.remove(admin, Channel.WECHAT)
            await every_volunteering_change(session, admin, [points.member_a, points.member_b])
        # A volunteer's certificate, issued and revoked (app.volunteering.certificates).
        team = await add_team(services, district)
        await add_activity(services, district, team, today, {points.member_a: "2"})
        issued = await issue(services, admin, points.member_a, today, today)
        async with services.db.unit() as session:
            await CertificateService(session).revoke(admin, issued.id, "时段开错")
        # After-care: a death recorded, help given, the record undone (app.care.after_care).
        await every_after_care_change(
            services, admin, await add_person(services, district, "周德明", roster.branch_1)
        )
        # Organisational life: a meeting cancelled, an attendance corrected.
        async with services.db.unit() as session:
            meetings = MeetingService(session)
            cancelled = await meetings.plan(secretary, meeting_form(roster.branch_1))
            await meetings.cancel(secretary, cancelled.id)
            held = await meetings.plan(secretary, meeting_form(roster.branch_1))
            await meetings.record_held(secretary, held.id, RecordForm(clock.today(), "纪要"), [])
            attendance = AttendanceService(session)
            await attendance.save(secretary, held.id, AttendanceForm({}, taken=0))
            excused = {points.member_b: Mark(Presence.EXCUSED, reason="住院")}
            taken = sum(row.revision for row in (await attendance.rows(held.id)).values())
            await attendance.save(secretary, held.id, AttendanceForm(excused, taken=taken))
        # Care: a political birthday's gift delivered, taken back, and a parcel posted.
        mobile = await add_person(services, district, "流动党员", points.roster.branch_1,
                                  party_member=True, mobile=True,
                                  party_joined_on=joined(1990, 0))  # fmt: skip
        async with services.db.unit() as session:
            await every_gift_change(session, admin, mobile)
        # Hardship aid: income, an application approved and paid, one refused.
        await every_aid_change(services, district, points)


async def test_every_change_reads_in_words(
    browser: Browser, app: Any, services: AppServices, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await walk_every_change(services, world, points, monkeypatch)
    # Signups are logged in the new district's own log: one approved, one rejected.
    operator = Identity(world.operator.id, world.operator.name, frozenset({Role.OPERATOR}))
    decided = []
    async with services.db.unit() as session:
        tenancy = TenancyService(session, services.redis, services.settings.auth)
        other = {"slug": "shizhong", "region_code": "370103", "admin_phone": "13800138001"}
        for values, approve in ((FORM, True), (FORM | other, False)):
            tenant_id = await tenancy.sign_up(values, "127.0.0.1")  # raises on a refusal
            note = "" if approve else "代码有误"
            await tenancy.decide(operator, tenant_id, approve=approve, note=note)
            decided.append(tenant_id)

    await browser.login(world.a.users[Role.TENANT_ADMIN])
    # Downloads: the roster with a filter, a ledger, a points report.
    roster_form = {"kind": "roster", "q": "党员", "unit": str(points.roster.branch_1),
                   "category": "military_retiree", "flag": "party"}  # fmt: skip
    for form in (roster_form, report_form("ledger", branch=points.roster.branch_1),
                 report_form("points_district")):  # fmt: skip
        await report_file(browser, services, world.a.tenant_id, form)

    # Every action the app knows was recorded, and every detail of each has words.
    seen: set[str] = set()
    for tenant_id in (world.a.tenant_id, *decided):
        with tenant_scope(tenant_id):
            async with services.db.session() as session:
                events = (await session.scalars(select(AuditEvent))).all()
        seen |= {e.action for e in events}
        missing = [(e.action, unlabelled(e.action, e.changes)) for e in events]
        assert [m for m in missing if m[1]] == []
    assert set(ACTION_LABELS) - seen == set(), "kinds of change the walk does not make"

    # Read as people read them: no ids, no English, nothing but words and names.
    data = [a.name for d in (world.a, world.b) for a in d.users.values()]
    data += [world.operator.name, "QG-01", "XX-01", "XX-02", "ZY-01", "xlsx"]
    log = await browser.get("/audit")
    assert log.status_code == 200
    assert_plain(log_text(log.text, data), "/audit")
    pages = [
        f"/people/{points.member_a}", f"/people/{points.member_b}",
        f"/people/{points.roster.person_1}", f"/people/{points.roster.person_2}",
        f"/org/units/{points.roster.branch_1}", f"/org/units/{points.roster.branch_2}",
        f"/users/{world.a.users[Role.MEMBER].id}",
    ]  # fmt: skip
    for path in pages:
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert_plain(log_text(page.text, data), path)
    engine = app.template_engine  # a rejected district has no one to log in: render its log
    expected = (["提交了注册申请 辖区 历下区", "通过了注册申请"],
                ["提交了注册申请 辖区 市中区", "未通过注册申请 原因 代码有误"])  # fmt: skip
    for tenant_id, said in zip(decided, expected, strict=True):
        with tenant_scope(tenant_id):
            async with services.db.unit() as session:
                events = await latest_events(session)
        html = engine.get_template("audit/_events.html").render(events=events)
        assert_plain(log_text(html + "</section>", data), "signup log")
        read = re.sub(r"\s+", " ", log_text(html + "</section>", data))
        assert all(words in read for words in said), read

    # Names, not ids: whose claim was turned down, which entry was cancelled, who it
    # was confused with, which unit an export was filtered by.
    words = re.sub(r"\s+", " ", log_text(log.text, []))
    rejected_claim = re.search(r"未通过 申报 \S+ 原因 同一天已记过 (\S+)", words)
    assert rejected_claim and rejected_claim.group(1) == "党员乙", "the claim's subject is named"
    member_b = log_text((await browser.get(f"/people/{points.member_b}")).text, [])
    assert "同一天已记过" in member_b and "参加支部集中学习" in member_b
    member_a = log_text((await browser.get(f"/people/{points.member_a}")).text, [])
    confused = re.search(r"与此人不是同一人 (\S+) (\S+)", words)
    assert confused and {confused.group(1), confused.group(2)} == {"党员甲", "党员乙"}
    assert "参加“六进”志愿服务" in member_a and "-1.5" in member_a
    assert "筛选条件 第一支部 · 军休干部 · 党员 · “党员”" in words  # the export's filter
    assert "新增人员 1 更新人员 0 新增单位 1" in words  # the import, with 第三支部

    # The page says what it lists: every change, not only accounts and signups.
    assert shown("Every change in the district, newest first. Entries cannot be edited or "
                 "removed.") in log.text  # fmt: skip
