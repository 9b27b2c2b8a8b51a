"""The survey pages: /care/surveys for those who run surveys (the admin, a secretary
for the units they lead) and /care/my-surveys where members answer on their phones."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from uuid import UUID

import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.surveys.answering import AnswerService
from app.care.surveys.forms import DISTRICT, parse_question, parse_survey
from app.care.surveys.models import KIND_LABELS, RATING_LABELS, STATUS_LABELS
from app.care.surveys.results import MIN_ANSWERS
from app.care.surveys.service import SurveyService
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import TENANT_ROLES, Role
from app.i18n import N_, _
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import allow, on_the_roster
from app.web.responses import form_data, form_page, refused_back, render, see_other

RUN = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
MEMBERS = allow(*TENANT_ROLES, shown_if=on_the_roster)
WORDS = {"kinds": KIND_LABELS, "statuses": STATUS_LABELS, "ratings": RATING_LABELS,
         "min_answers": MIN_ANSWERS, "district": DISTRICT}  # fmt: skip


def provide_surveys(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> SurveyService:
    return SurveyService(db_session, services.redis, services.cipher)


def answer_url(request: Request, services: AppServices, survey_id: UUID) -> str:
    """Where a member answers, as the QR code and the printed sheet give it."""
    public = services.settings.notify.public_url or str(request.base_url).rstrip("/")
    return f"{public}/care/my-surveys/{survey_id}"


def qr_svg(url: str) -> str:
    """Medium error correction: still readable from a creased or photocopied sheet."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=6, border=2)


class SurveyController(Controller):
    path = "/care/surveys"
    opt = RUN
    dependencies = {"surveys": Provide(provide_surveys, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
    ) -> Template:
        try:
            rows = await surveys.surveys(identity)
        except Refused as exc:
            return render(request, "care/surveys/index.html", {"rows": [], "message": exc.text()})
        return render(request, "care/surveys/index.html", {"rows": rows, "message": None} | WORDS)

    async def _form(
        self,
        request: Request,
        identity: Identity,
        surveys: SurveyService,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        context = {"form": form, "units": await surveys.units(identity),
                   "whole_district": identity.scope.everyone} | WORDS  # fmt: skip
        return form_page(request, "care/surveys/survey_form.html", context, refused)

    @get("/new")
    async def new(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
    ) -> Template:
        return await self._form(request, identity, surveys, {})

    @post("/")
    async def create(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
    ) -> Any:
        data = await form_data(request)
        try:
            survey = await surveys.create(identity, parse_survey(data))
        except Refused as exc:
            return await self._form(request, identity, surveys, data, exc)
        flash(request, "success", _("Survey made. Now add its questions."))
        return see_other(request, f"/care/surveys/{survey.id}")

    async def _page(
        self,
        request: Request,
        identity: Identity,
        surveys: SurveyService,
        services: AppServices,
        survey_id: UUID,
        form: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        detail = await surveys.detail(identity, survey_id)
        url = answer_url(request, services, survey_id)
        context = {"detail": detail, "url": url, "qr": qr_svg(url),
                   "form": form or {"kind": "rating"}} | WORDS  # fmt: skip
        return form_page(request, "care/surveys/survey.html", context, refused)

    @get("/{survey_id:uuid}")
    async def show(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
        services: NamedDependency[AppServices],
        survey_id: FromPath[UUID],
    ) -> Template:
        return await self._page(request, identity, surveys, services, survey_id)

    @get("/{survey_id:uuid}/poster")
    async def poster(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
        services: NamedDependency[AppServices],
        survey_id: FromPath[UUID],
    ) -> Template:
        """A sheet to print and put up: the title, how to answer, a large QR code."""
        survey = await surveys.owned(identity, survey_id)
        url = answer_url(request, services, survey_id)
        return render(request, "care/surveys/poster.html",
                      {"survey": survey, "url": url, "qr": qr_svg(url)})  # fmt: skip

    @post("/{survey_id:uuid}/questions")
    async def add_question(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
        services: NamedDependency[AppServices],
        survey_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            await surveys.add_question(identity, survey_id, parse_question(data))
        except Refused as exc:
            return await self._page(request, identity, surveys, services, survey_id, data, exc)
        flash(request, "success", _("Question added."))
        return see_other(request, f"/care/surveys/{survey_id}#questions")

    @post("/{survey_id:uuid}/questions/remove")
    async def remove_question(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
        survey_id: FromPath[UUID],
    ) -> Any:
        position = (await form_data(request)).get("position", "")
        step = surveys.remove_question(identity, survey_id, position)
        return await _step(request, step, survey_id, _("Question removed."), "#questions")

    @post("/{survey_id:uuid}/open")
    async def open(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
        survey_id: FromPath[UUID],
    ) -> Any:
        done = _("The survey is open. Share its link or QR code.")
        return await _step(request, surveys.open(identity, survey_id), survey_id, done)

    @post("/{survey_id:uuid}/close")
    async def close(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        surveys: NamedDependency[SurveyService],
        survey_id: FromPath[UUID],
    ) -> Any:
        done = _("The survey is closed. No more answers are taken.")
        await surveys.owned(identity, survey_id)  # another's survey is not found, sure or not
        if (await form_data(request)).get("confirm") != "yes":  # a tap cannot end it by mistake
            unsure = Refused(N_("To close the survey, tick the box that says you are sure."))
            return refused_back(request, unsure, f"/care/surveys/{survey_id}")
        return await _step(request, surveys.close(identity, survey_id), survey_id, done)


async def _step(
    request: Request, step: Awaitable[Any], survey_id: UUID, done: str, anchor: str = ""
) -> Response[Any]:
    """A button on the survey page: done (the flash says so) or refused (it says why)."""
    try:
        await step
    except Refused as exc:
        return refused_back(request, exc, f"/care/surveys/{survey_id}")
    flash(request, "success", done)
    return see_other(request, f"/care/surveys/{survey_id}{anchor}")


def provide_answers(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> AnswerService:
    return AnswerService(db_session, services.redis, services.cipher)


class MySurveyController(Controller):
    path = "/care/my-surveys"
    opt = MEMBERS
    dependencies = {"answers": Provide(provide_answers, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        answers: NamedDependency[AnswerService],
    ) -> Template:
        linked = await answers.member_units(identity) is not None
        rows = await answers.mine(identity)
        # Not linked to a person: not in the menu either (on_the_roster), and refused.
        return render(request, "care/surveys/mine.html", {"rows": rows, "linked": linked},
                      status_code=200 if linked else 403)  # fmt: skip

    async def _form(
        self,
        request: Request,
        identity: Identity,
        answers: AnswerService,
        survey_id: UUID,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        try:
            shown = await answers.survey_for(identity, survey_id)
        except Refused as exc:
            return render(request, "care/surveys/answer.html",
                          {"shown": None, "message": exc.text()}, status_code=403)  # fmt: skip
        context = {"shown": shown, "questions": await answers.questions(survey_id),
                   "form": form, "message": None} | WORDS  # fmt: skip
        return form_page(request, "care/surveys/answer.html", context, refused)

    @get("/{survey_id:uuid}")
    async def show(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        answers: NamedDependency[AnswerService],
        survey_id: FromPath[UUID],
    ) -> Template:
        return await self._form(request, identity, answers, survey_id, {})

    @post("/{survey_id:uuid}")
    async def answer(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        answers: NamedDependency[AnswerService],
        survey_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            await answers.answer(identity, survey_id, data)
        except Refused as exc:
            return await self._form(request, identity, answers, survey_id, data, exc)
        flash(request, "success", _("Thank you! Your answer is in. Nobody can see who gave it."))
        return see_other(request, "/care/my-surveys")


ROUTES: list[ControllerRouterHandler] = [SurveyController, MySurveyController]
