"""Meetings and attendance pages: plan, change, cancel, record as held (minutes, photos,
attachments), take attendance — a branch secretary for their branch and its groups,
the district admin for any branch."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.photos import JPEG
from app.core.query_params import query_choice, query_page
from app.core.roles import Role
from app.i18n import N_, _
from app.orglife.meetings.attendance import AttendanceService
from app.orglife.meetings.files import UPLOAD_LIMIT, Upload
from app.orglife.meetings.forms import parse_attendance, parse_meeting, parse_record
from app.orglife.meetings.service import MeetingRow, MeetingService
from app.orglife.models import MEETING_STATUS_LABELS, PRESENCE_LABELS, Presence
from app.web.downloads import DOWNLOAD, attachment, private_photo
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, refused_back, render, see_other

MEETINGS = "/orglife/meetings"
HOLDERS = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
TABS = ("planned", "past")
SEGMENTS = {
    Presence.PRESENT: N_("Present"),
    Presence.ABSENT: N_("Absent"),
    Presence.EXCUSED: N_("Excused"),
    Presence.ONLINE: N_("Online, in short"),
    Presence.HOME_STUDY: N_("Studied at home, in short"),
}
"""The attendance sheet's buttons: five must fit a phone's row, so the longer marks
are shortened (线上, 送学); the counts above them use the full words."""


def provide_meetings(db_session: NamedDependency[AsyncSession]) -> MeetingService:
    return MeetingService(db_session)


def provide_attendance(db_session: NamedDependency[AsyncSession]) -> AttendanceService:
    return AttendanceService(db_session)


def meeting_form_data(row: MeetingRow) -> dict[str, str]:
    """A planned meeting as its form shows it."""
    meeting = row.meeting
    starts = meeting.starts_at.astimezone(clock.CHINA_TIME)
    return {
        "unit_id": str(meeting.group_id or meeting.branch_id), "kind": meeting.kind,
        "topic": meeting.topic, "day": starts.date().isoformat(),
        "time": starts.strftime("%H:%M"), "place": meeting.place or "",
        "host_name": meeting.host_name or "", "recorder_name": meeting.recorder_name or "",
    }  # fmt: skip


class MeetingController(Controller):
    path = MEETINGS
    opt = HOLDERS
    dependencies = {
        "meetings": Provide(provide_meetings, sync_to_thread=False),
        "attendance": Provide(provide_attendance, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
    ) -> Template:
        tab = query_choice(request.query_params, "tab", TABS, "planned")
        page = await meetings.page(
            identity, planned=tab == "planned", number=query_page(request.query_params)
        )
        context = {"page": page, "tab": tab, "statuses": MEETING_STATUS_LABELS,
                   "today": clock.today()}  # fmt: skip
        return render(request, "orglife/meetings/meetings.html", context)

    async def _form_page(
        self,
        request: Request,
        meetings: MeetingService,
        identity: Identity,
        form: dict[str, str],
        row: MeetingRow | None = None,
        refused: Refused | None = None,
    ) -> Template:
        context = {"form": form, "row": row, "units": await meetings.units(identity),
                   "kinds": await meetings.kinds()}  # fmt: skip
        return form_page(request, "orglife/meetings/meeting_form.html", context, refused)

    @get("/new")
    async def new(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
    ) -> Template:
        units = await meetings.units(identity)
        form = {"day": (clock.today() + timedelta(days=7)).isoformat(), "time": "09:00",
                "unit_id": str(units[0].id) if len(units) == 1 else ""}  # fmt: skip
        return await self._form_page(request, meetings, identity, form)

    @post("/")
    async def plan(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        try:
            meeting = await meetings.plan(identity, parse_meeting(data))
        except Refused as exc:
            return await self._form_page(request, meetings, identity, data, refused=exc)
        flash(request, "success", _("The meeting is planned."))
        return see_other(request, f"{MEETINGS}/{meeting.id}")

    @get("/{meeting_id:uuid}")
    async def show(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        attendance: NamedDependency[AttendanceService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Template:
        row = await meetings.get(identity, meeting_id)
        sheet = [line for line in await attendance.sheet(row.meeting) if line.row is not None]
        counts = Counter(line.row.presence for line in sheet if line.row)
        exceptions = [line for line in sheet if line.row and line.row.presence != Presence.PRESENT]
        context = {"row": row, "files": await meetings.files(meeting_id), "counts": counts,
                   "exceptions": exceptions,
                   "presences": PRESENCE_LABELS, "statuses": MEETING_STATUS_LABELS,
                   "today": clock.today(), "photo_type": JPEG}  # fmt: skip
        return render(request, "orglife/meetings/meeting.html", context)

    @get("/{meeting_id:uuid}/edit")
    async def edit(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Template:
        row = await meetings.get(identity, meeting_id)
        return await self._form_page(request, meetings, identity, meeting_form_data(row), row)

    @post("/{meeting_id:uuid}")
    async def change(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Any:
        row = await meetings.get(identity, meeting_id)
        data = await form_data(request)
        try:
            await meetings.change(identity, meeting_id, parse_meeting(data))
        except Refused as exc:
            return await self._form_page(request, meetings, identity, data, row, exc)
        flash(request, "success", _("The meeting is changed."))
        return see_other(request, f"{MEETINGS}/{meeting_id}")

    @post("/{meeting_id:uuid}/cancel")
    async def cancel(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Any:
        try:
            await meetings.cancel(identity, meeting_id)
        except Refused as exc:
            return refused_back(request, exc, f"{MEETINGS}/{meeting_id}")
        flash(request, "success", _("The meeting is cancelled."))
        return see_other(request, f"{MEETINGS}/{meeting_id}")

    @get("/{meeting_id:uuid}/record")
    async def record_page(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Template:
        row = await meetings.get(identity, meeting_id)
        held_on = row.meeting.held_on or min(
            row.meeting.starts_at.astimezone(clock.CHINA_TIME).date(), clock.today()
        )
        form = {"held_on": held_on.isoformat(), "minutes": row.meeting.minutes or ""}
        return form_page(request, "orglife/meetings/record.html", {"row": row, "form": form})

    @post("/{meeting_id:uuid}/record", request_max_body_size=UPLOAD_LIMIT)
    async def record(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Any:
        row = await meetings.get(identity, meeting_id)
        sent = await request.form()
        data = {key: str(value) for key, value in sent.items() if isinstance(value, str)}
        uploads = [
            Upload(value.filename, await value.read(), photo=key == "photos")
            for key, value in sent.multi_items()
            if isinstance(value, UploadFile) and value.filename and key in ("photos", "files")
        ]
        try:
            await meetings.record_held(identity, meeting_id, parse_record(data), uploads)
        except Refused as exc:
            context = {"row": row, "form": data}
            return form_page(request, "orglife/meetings/record.html", context, exc)
        flash(request, "success", _("The meeting is recorded as held. Now take attendance."))
        return see_other(request, f"{MEETINGS}/{meeting_id}/attendance")

    @get("/{meeting_id:uuid}/attendance")
    async def attendance_page(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        attendance: NamedDependency[AttendanceService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Template:
        row = await meetings.get(identity, meeting_id)
        return await self._sheet(request, attendance, row, {})

    async def _sheet(
        self,
        request: Request,
        attendance: AttendanceService,
        row: MeetingRow,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        sheet = await attendance.sheet(row.meeting)
        taken = sum(line.row.revision for line in sheet if line.row is not None)
        form = form or {"taken": str(taken)}
        chosen = {
            str(line.person.id): form.get(f"p-{line.person.id}")
            or (line.row.presence if line.row else Presence.PRESENT)
            for line in sheet
        }
        context = {"row": row, "sheet": sheet, "form": form, "presences": PRESENCE_LABELS,
                   "chosen": chosen, "counts": Counter(chosen.values()), "segments": SEGMENTS,
                   "today": clock.today(), "taken": taken}  # fmt: skip
        return form_page(request, "orglife/meetings/attendance.html", context, refused)

    @post("/{meeting_id:uuid}/attendance")
    async def save_attendance(
        self,
        request: Request,
        meetings: NamedDependency[MeetingService],
        attendance: NamedDependency[AttendanceService],
        identity: NamedDependency[Identity],
        meeting_id: FromPath[UUID],
    ) -> Any:
        row = await meetings.get(identity, meeting_id)
        data = await form_data(request)
        try:
            saved = await attendance.save(identity, meeting_id, parse_attendance(data))
        except Refused as exc:
            return await self._sheet(request, attendance, row, data, exc)
        context = {"row": row, "saved": saved, "presences": PRESENCE_LABELS}
        return render(request, "orglife/meetings/attendance_saved.html", context)

    @get("/files/{meeting_file_id:uuid}", opt=DOWNLOAD)
    async def file(
        self,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
        meeting_file_id: FromPath[UUID],
    ) -> Response[bytes]:
        """Any file of the meeting, photos included, saved as a download."""
        found = await meetings.file(identity, meeting_file_id)
        return attachment(found.content, found.filename, fallback="attachment",
                          media_type=found.content_type)  # fmt: skip

    @get("/photos/{meeting_file_id:uuid}")
    async def photo(
        self,
        meetings: NamedDependency[MeetingService],
        identity: NamedDependency[Identity],
        meeting_file_id: FromPath[UUID],
    ) -> Response[bytes]:
        """A photo shown in the page (the attachments are downloads only)."""
        found = await meetings.file(identity, meeting_file_id)
        if found.content_type != JPEG:
            raise NotFound()
        return private_photo(found.content)


ROUTES: list[ControllerRouterHandler] = [MeetingController]
