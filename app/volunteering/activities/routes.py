"""Recording an activity on a phone (the team's members ticked, one hours field), its
page with who was scored, correcting the hours, cancelling it, and its photos."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import anyio
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
from app.core.photos import UPLOAD_LIMIT, evidence_jpeg
from app.core.query_params import query_id
from app.db.form_ids import FormUsed
from app.i18n import _
from app.volunteering.activities.forms import (
    DEFAULT_HOURS,
    MAX_PHOTOS,
    parse_activity_form,
    parse_participants,
)
from app.volunteering.activities.service import ActivityService, Recorded
from app.volunteering.deps import VOLUNTEERS, refused_page
from app.volunteering.teams.routes import WORDS
from app.web.downloads import PHOTO, private_photo
from app.web.flash import flash
from app.web.responses import refused_back, render, see_other, sent_back


def provide_activities(db_session: NamedDependency[AsyncSession]) -> ActivityService:
    return ActivityService(db_session)


async def read_form(request: Request) -> tuple[dict[str, str], list[str], list[bytes]]:
    """The fields as strings (first values), the ticked people (every `person`), and the
    photos re-encoded as small JPEGs (Pillow's work off the event loop)."""
    form = await request.form()
    data = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    people = [v for v in (form.getall("person") if "person" in form else []) if isinstance(v, str)]
    photos = []
    for upload in form.getall("photo") if "photo" in form else []:
        if isinstance(upload, UploadFile) and upload.filename:
            raw = await upload.read()
            photos.append(await anyio.to_thread.run_sync(evidence_jpeg, raw))
    return data, people, photos


def scored_words(recorded: Recorded) -> str:
    """Who got no points and why, for the message after saving."""
    return " ".join(_("No points for %(name)s: %(why)s", name=name, why=why)
                    for name, why in recorded.not_scored)  # fmt: skip


class ActivityController(Controller):
    path = "/volunteering/activities"
    opt = VOLUNTEERS
    dependencies = {"activities": Provide(provide_activities, sync_to_thread=False)}

    async def _form(
        self,
        request: Request,
        identity: Identity,
        activities: ActivityService,
        team_id: UUID | None,
        sent: dict[str, str] | None = None,
        ticked: list[str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        rows = await activities.teams.teams(identity)
        if team_id is None and len(rows) == 1:
            team_id = rows[0].team.id
        team = None
        if team_id is not None:
            try:
                team = await activities.teams.managed(identity, team_id)
            except NotFound:  # a forged or another district's team: choose again
                team = None
        people = await activities.candidates(identity, team.id) if team else []
        form = sent or {
            "activity_id": str(uuid4()), "kind": (team.specialty or "") if team else "",
            "held_on": clock.today().isoformat(), "hours": DEFAULT_HOURS,
            "beneficiaries": "0", "good_deeds": "0",
        }  # fmt: skip
        context = {
            "teams": rows, "team": team, "people": people, "form": form,
            "ticked": set(ticked or ()) if sent is not None else {str(p.person_id) for p in people},
            "today": clock.today(), "max_photos": MAX_PHOTOS, "error": None, "errors": {},
        } | WORDS  # fmt: skip
        if refused is not None:
            return sent_back(request, "volunteering/activity_form.html", context, refused)
        return render(request, "volunteering/activity_form.html", context)

    @get("/new")
    async def new(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        activities: NamedDependency[ActivityService],
    ) -> Template:
        try:
            return await self._form(
                request, identity, activities, query_id(request.query_params, "team")
            )
        except Refused as exc:
            return refused_page(request, exc)

    @post("/", request_max_body_size=UPLOAD_LIMIT * MAX_PHOTOS)
    async def create(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        activities: NamedDependency[ActivityService],
    ) -> Any:
        data: dict[str, str] = {}
        people: list[str] = []
        try:
            data, people, photos = await read_form(request)
            recorded = await activities.record(identity, parse_activity_form(data, people, photos))
        except Refused as exc:
            if isinstance(exc, FormUsed):
                data["activity_id"] = str(uuid4())
            team_id = query_id(data, "team_id")
            try:
                return await self._form(request, identity, activities, team_id, data, people, exc)
            except Refused:  # no team this user may record for: the plain answer
                return refused_page(request, exc)
        message = _("This activity was already saved.") if recorded.repeated else _("Saved.")
        flash(request, "success", f"{message} {scored_words(recorded)}".strip())
        return see_other(request, f"/volunteering/activities/{recorded.activity.id}")

    async def _page(
        self,
        request: Request,
        identity: Identity,
        activities: ActivityService,
        activity_id: UUID,
        sent: dict[str, str] | None = None,
        ticked: list[str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        activity = await activities.activity(identity, activity_id)
        team = await activities.teams.managed(identity, activity.team_id)
        rows = await activities.participants(activity)
        hours = {str(r.person_id): str(r.hours.normalize()) for r in rows}
        context = {
            "activity": activity, "team": team, "rows": rows,
            "photos": await activities.photo_ids(activity),
            "people": (
                [] if activity.cancelled_at else await activities.candidates(identity, team.id)
            ),
            "form": sent or {f"hours_{p}": h for p, h in hours.items()},
            "ticked": set(ticked or ()) if sent is not None else set(hours),
            "error": None, "errors": {},
        } | WORDS  # fmt: skip
        if refused is not None:
            return sent_back(request, "volunteering/activity.html", context, refused)
        return render(request, "volunteering/activity.html", context)

    @get("/{activity_id:uuid}")
    async def show(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        activities: NamedDependency[ActivityService],
        activity_id: FromPath[UUID],
    ) -> Template:
        try:
            return await self._page(request, identity, activities, activity_id)
        except Refused as exc:
            return refused_page(request, exc)

    @post("/{activity_id:uuid}/hours")
    async def correct(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        activities: NamedDependency[ActivityService],
        activity_id: FromPath[UUID],
    ) -> Any:
        data, people, _photos = await read_form(request)
        try:
            recorded = await activities.correct(
                identity, activity_id, parse_participants(data, people)
            )
        except Refused as exc:
            return await self._page(request, identity, activities, activity_id, data, people, exc)
        flash(request, "success", f"{_('Saved.')} {scored_words(recorded)}".strip())
        return see_other(request, f"/volunteering/activities/{activity_id}")

    @post("/{activity_id:uuid}/cancel")
    async def cancel(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        activities: NamedDependency[ActivityService],
        activity_id: FromPath[UUID],
    ) -> Any:
        data, _people, _photos = await read_form(request)
        try:
            await activities.cancel(identity, activity_id, data.get("reason", ""))
        except Refused as exc:
            return refused_back(request, exc, f"/volunteering/activities/{activity_id}")
        flash(
            request,
            "success",
            _("The activity was cancelled; its hours and points no longer count."),
        )
        return see_other(request, f"/volunteering/activities/{activity_id}")

    @get("/photos/{volunteer_photo_id:uuid}", opt=PHOTO)
    async def photo(
        self,
        identity: NamedDependency[Identity],
        activities: NamedDependency[ActivityService],
        volunteer_photo_id: FromPath[UUID],
    ) -> Response[bytes]:
        return private_photo(await activities.photo(identity, volunteer_photo_id))


ROUTES: list[ControllerRouterHandler] = [ActivityController]
