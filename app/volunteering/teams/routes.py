"""Volunteering's home (the teams one manages, the latest activities) and the team
pages: the admin adds, changes and retires teams and names leaders; a leader adds and
takes out members."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_text
from app.i18n import _
from app.volunteering.activities.service import ActivityService
from app.volunteering.deps import ADMIN, VOLUNTEERS, refused_page
from app.volunteering.models import LEVEL_LABELS, SPECIALTY_LABELS, TARGET_LABELS, Level
from app.volunteering.teams.forms import team_form
from app.volunteering.teams.service import TeamService, specialty_words
from app.web.flash import flash
from app.web.responses import form_data, form_page, refused_back, render, see_other

WORDS = {"levels": LEVEL_LABELS, "specialties": SPECIALTY_LABELS, "targets": TARGET_LABELS,
         "specialty_words": specialty_words}  # fmt: skip


def provide_teams(db_session: NamedDependency[AsyncSession]) -> TeamService:
    return TeamService(db_session)


class TeamController(Controller):
    path = "/volunteering"
    opt = VOLUNTEERS
    dependencies = {"teams": Provide(provide_teams, sync_to_thread=False)}

    @get("/")
    async def home(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
    ) -> Template:
        try:
            rows = await teams.teams(identity)
        except Refused as exc:
            return refused_page(request, exc)
        recent = await ActivityService(teams.session).recent(identity)
        return render(request, "volunteering/home.html", {"rows": rows, "recent": recent} | WORDS)

    async def _form(
        self,
        request: Request,
        teams: TeamService,
        team: Any,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        context = {"team": team, "form": form, "parents": await teams.parents()} | WORDS
        return form_page(request, "volunteering/team_form.html", context, refused)

    @get("/teams/new", opt=ADMIN)
    async def new(self, request: Request, teams: NamedDependency[TeamService]) -> Template:
        level = query_text(request.query_params, "level") or Level.TEAM
        parent = query_text(request.query_params, "parent")
        return await self._form(request, teams, None, {"level": level, "parent_id": parent})

    @post("/teams", opt=ADMIN)
    async def create(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
    ) -> Any:
        data = await form_data(request)
        try:
            team = await teams.create(identity, data)
        except Refused as exc:
            return await self._form(request, teams, None, data, exc)
        flash(request, "success", _("Team %(name)s added. Now add its members.", name=team.name))
        return see_other(request, f"/volunteering/teams/{team.id}")

    @get("/teams/{team_id:uuid}")
    async def show(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
        team_id: FromPath[UUID],
    ) -> Template:
        try:
            detail = await teams.detail(identity, team_id)
        except Refused as exc:
            return refused_page(request, exc)
        query = query_text(request.query_params, "q")
        found = await teams.candidates(identity, team_id, query) if query else []
        return render(
            request, "volunteering/team.html",
            {"detail": detail, "q": query, "found": found, "today": clock.today()} | WORDS,
        )  # fmt: skip

    @get("/teams/{team_id:uuid}/edit", opt=ADMIN)
    async def edit(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
        team_id: FromPath[UUID],
    ) -> Template:
        team = await teams.managed(identity, team_id)
        return await self._form(request, teams, team, team_form(team))

    @post("/teams/{team_id:uuid}", opt=ADMIN)
    async def update(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
        team_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        team = await teams.managed(identity, team_id)
        try:
            await teams.update(identity, team_id, data)
        except Refused as exc:
            return await self._form(request, teams, team, data, exc)
        flash(request, "success", _("Saved."))
        return see_other(request, f"/volunteering/teams/{team_id}")

    @post("/teams/{team_id:uuid}/retire", opt=ADMIN)
    async def retire(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
        team_id: FromPath[UUID],
    ) -> Any:
        try:
            sure = (await form_data(request)).get("confirm") == "yes"
            team = await teams.retire(identity, team_id, sure=sure)
        except Refused as exc:
            return refused_back(request, exc, f"/volunteering/teams/{team_id}")
        flash(request, "success", _("Team %(name)s retired.", name=team.name))
        return see_other(request, "/volunteering")

    @post("/teams/{team_id:uuid}/members")
    async def add_member(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
        team_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            name = await teams.add_member(identity, team_id, data)
        except Refused as exc:
            return refused_back(request, exc, f"/volunteering/teams/{team_id}")
        flash(request, "success", _("%(name)s joined the team.", name=name))
        return see_other(request, f"/volunteering/teams/{team_id}")

    @post("/teams/{team_id:uuid}/members/{person_id:uuid}/leave")
    async def leave(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        teams: NamedDependency[TeamService],
        team_id: FromPath[UUID],
        person_id: FromPath[UUID],
    ) -> Any:
        try:
            name = await teams.leave(identity, team_id, person_id)
        except Refused as exc:
            return refused_back(request, exc, f"/volunteering/teams/{team_id}")
        flash(request, "success", _("%(name)s left the team.", name=name))
        return see_other(request, f"/volunteering/teams/{team_id}")


ROUTES: list[ControllerRouterHandler] = [TeamController]
