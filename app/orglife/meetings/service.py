"""Meetings: a branch secretary (their branch and its party groups) or the district
admin (any branch) plans one, changes or cancels it while planned, then records it as
held with minutes, photos and attachments. Attendance is attendance.py.

Every read is within the asker's data scope (app.people.scope.units_under), so another
branch's meeting is "not found", exactly like another district's."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.pagination import Page, paginate
from app.i18n import N_
from app.orglife.meetings.files import Upload, checked_files
from app.orglife.meetings.forms import MeetingForm, RecordForm
from app.orglife.meetings.notices import tell_planned
from app.orglife.models import Attendance, Meeting, MeetingFile, MeetingKind, MeetingStatus
from app.people.models import OrgUnit, Person, UnitKind
from app.people.org.service import OrgService, UnitChoice
from app.people.scope import units_under
from app.points.feeds import MeetingKindCode

PAGE_SIZE = 20
NOT_PLANNED = N_("Only a planned meeting can be changed or cancelled.")
CANCELLED = N_("This meeting was cancelled.")
DAY_FIXED = N_(
    "Attendance was taken for the meeting held on %(date)s, and its points are dated by "
    "that day. The day can no longer be changed; the minutes and files can."
)
FUTURE = N_("The meeting cannot be recorded as held on %(date)s: that day has not come yet.")


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as lists and its page show it: with its kind's and unit's names."""

    meeting: Meeting
    kind_name: str
    branch_name: str
    group_name: str | None

    @property
    def unit_label(self) -> str:
        return f"{self.branch_name} / {self.group_name}" if self.group_name else self.branch_name


async def expected_members(session: AsyncSession, meeting: Meeting) -> list[Person]:
    """The living party members of the meeting's group, or else of its branch."""
    unit = (
        Person.group_id == meeting.group_id
        if meeting.group_id
        else Person.branch_id == meeting.branch_id
    )
    query = select(Person).where(unit, Person.party_member, Person.deceased_on.is_(None))
    return list(await session.scalars(query.order_by(Person.sort_key, Person.name, Person.id)))


class MeetingService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- reading ------------------------------------------------------------------

    async def units(self, identity: Identity) -> list[UnitChoice]:
        """The branches and party groups this account may hold meetings for."""
        return await OrgService(self.session).choices(
            UnitKind.BRANCH, UnitKind.GROUP, scope=identity.scope
        )

    async def kinds(self) -> list[MeetingKind]:
        """The district's meeting kinds in use, in its order."""
        query = select(MeetingKind).where(MeetingKind.enabled).order_by(MeetingKind.position)
        return list(await self.session.scalars(query))

    def _rows(self, identity: Identity) -> Select[Meeting, str, str, str | None]:
        group = OrgUnit.__table__.alias("group_unit")
        return (
            select(Meeting, MeetingKind.name, OrgUnit.name, group.c.name)
            .join(MeetingKind, MeetingKind.code == Meeting.kind)
            .join(OrgUnit, OrgUnit.id == Meeting.branch_id)
            .outerjoin(group, group.c.id == Meeting.group_id)
            .where(Meeting.branch_id.in_(select(OrgUnit.id).where(units_under(identity.scope))))
        )

    async def page(self, identity: Identity, *, planned: bool, number: int) -> Page[MeetingRow]:
        """Planned meetings, soonest first (those past their day wait to be recorded),
        or held and cancelled ones, latest first."""
        query = self._rows(identity)
        if planned:
            query = query.where(Meeting.status == MeetingStatus.PLANNED).order_by(
                Meeting.starts_at, Meeting.id
            )
        else:
            query = query.where(Meeting.status != MeetingStatus.PLANNED).order_by(
                Meeting.starts_at.desc(), Meeting.id
            )
        found = await paginate(self.session, query, number, PAGE_SIZE)
        rows = [MeetingRow(r[0], r[1], r[2], r[3]) for r in found.items]
        return Page(rows, found.number, found.pages, found.total)

    async def get(self, identity: Identity, meeting_id: UUID, *, lock: bool = False) -> MeetingRow:
        query = self._rows(identity).where(Meeting.id == meeting_id)
        if lock:
            query = query.with_for_update(of=Meeting)
        found = (await self.session.execute(query)).one_or_none()
        if found is None:
            raise NotFound()
        return MeetingRow(*found)

    async def files(self, meeting_id: UUID) -> list[MeetingFile]:
        """The meeting's photos and attachments, without their bytes' weight in lists."""
        query = select(MeetingFile).where(MeetingFile.meeting_id == meeting_id)
        return list(await self.session.scalars(query.order_by(MeetingFile.uploaded_at)))

    async def file(self, identity: Identity, file_id: UUID) -> MeetingFile:
        found = await self.session.get(MeetingFile, {"tenant_id": identity.tenant_id,
                                                     "id": file_id})  # fmt: skip
        if found is None:
            raise NotFound()
        await self.get(identity, found.meeting_id)  # within the asker's scope
        return found

    # --- changing -----------------------------------------------------------------

    async def _placed(self, identity: Identity, form: MeetingForm) -> tuple[UUID, UUID | None]:
        """The branch and (for a group's meeting) the group the form chose, if in reach."""
        choice = next((u for u in await self.units(identity) if u.id == form.unit_id), None)
        if choice is None:
            raise Refused(N_("Please choose one of your branches or party groups."))
        kinds = {k.code for k in await self.kinds()}
        if form.kind not in kinds:
            raise Refused(N_("Please choose a kind of meeting from the list."))
        if choice.kind == UnitKind.GROUP:
            assert choice.parent_id is not None
            return choice.parent_id, choice.id
        if form.kind == MeetingKindCode.GROUP:
            raise Refused(N_("A party group meeting is held by a party group: please choose one."))
        return choice.id, None

    async def plan(self, identity: Identity, form: MeetingForm) -> Meeting:
        branch_id, group_id = await self._placed(identity, form)
        meeting = Meeting(
            tenant_id=identity.tenant_id, branch_id=branch_id, group_id=group_id, kind=form.kind,
            topic=form.topic, starts_at=form.starts_at, place=form.place,
            host_name=form.host_name, recorder_name=form.recorder_name,
            planned_by=identity.user_id, planned_by_name=identity.name,
        )  # fmt: skip
        self.session.add(meeting)
        await self.session.flush()
        await self._tell(meeting)
        return meeting

    async def _tell(self, meeting: Meeting) -> None:
        kind = await self.session.get(MeetingKind, {"tenant_id": meeting.tenant_id,
                                                    "code": meeting.kind})  # fmt: skip
        expected = await expected_members(self.session, meeting)
        await tell_planned(self.session, meeting, kind.name if kind else "", expected)

    async def change(self, identity: Identity, meeting_id: UUID, form: MeetingForm) -> Meeting:
        meeting = (await self.get(identity, meeting_id, lock=True)).meeting
        if meeting.status != MeetingStatus.PLANNED:
            raise Refused(NOT_PLANNED)
        meeting.branch_id, meeting.group_id = await self._placed(identity, form)
        meeting.kind, meeting.topic, meeting.starts_at = form.kind, form.topic, form.starts_at
        meeting.place, meeting.host_name = form.place, form.host_name
        meeting.recorder_name = form.recorder_name
        await self.session.flush()
        await self._tell(meeting)  # once more only if it moved to another time
        return meeting

    async def cancel(self, identity: Identity, meeting_id: UUID) -> Meeting:
        meeting = (await self.get(identity, meeting_id, lock=True)).meeting
        if meeting.status != MeetingStatus.PLANNED:
            raise Refused(NOT_PLANNED)
        meeting.status = MeetingStatus.CANCELLED
        await record(self.session, identity.actor, "meeting.cancelled", subject_type="meeting",
                     subject_id=meeting.id, subject_name=meeting.topic,
                     changes={"starts_at": meeting.starts_at.date().isoformat()})  # fmt: skip
        return meeting

    async def record_held(
        self, identity: Identity, meeting_id: UUID, form: RecordForm, uploads: list[Upload]
    ) -> Meeting:
        """Held on `form.held_on` (not a day to come), with its minutes and new files;
        recorded again, the minutes change and the files are added to."""
        meeting = (await self.get(identity, meeting_id, lock=True)).meeting
        if meeting.status == MeetingStatus.CANCELLED:
            raise Refused(CANCELLED)
        if form.held_on > clock.today():
            raise Refused(FUTURE, date=form.held_on.isoformat())
        if meeting.held_on not in (None, form.held_on) and await self.session.scalar(
            select(Attendance.person_id).where(Attendance.meeting_id == meeting.id).limit(1)
        ):  # its points and 送学上门 items are dated by the day it was held
            raise Refused(DAY_FIXED, date=meeting.held_on.isoformat())
        files = checked_files(uploads)  # refused before anything is written
        meeting.status = MeetingStatus.HELD
        meeting.held_on, meeting.minutes = form.held_on, form.minutes
        meeting.recorded_by, meeting.recorded_by_name = identity.user_id, identity.name
        meeting.recorded_at = clock.now()
        self.session.add_all(
            MeetingFile(tenant_id=identity.tenant_id, meeting_id=meeting.id, filename=name,
                        content_type=kind, content=content, size=len(content),
                        uploaded_by=identity.user_id)
            for name, kind, content in files
        )  # fmt: skip
        await self.session.flush()
        return meeting
