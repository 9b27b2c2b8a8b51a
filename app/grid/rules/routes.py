"""Must-visit rule settings and the meeting day (the district admin)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.core.words import within_hours
from app.grid.models import CONCERN_LABELS, Trigger, VisitRule
from app.grid.occasions import HOLIDAYS
from app.grid.rules.forms import is_calendar, rule_form
from app.grid.rules.service import VisitRuleService
from app.i18n import N_, _
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other, sent_back

TRIGGER_LABELS = {
    Trigger.BIRTHDAY: N_("Birthday"),
    Trigger.HOLIDAY: N_("Holiday"),
    **CONCERN_LABELS,
    Trigger.HOME_STUDY: N_("Missed a meeting's study (infirm)"),
    Trigger.POLITICAL_BIRTHDAY: N_("Political birthday (party members)"),
    Trigger.WEDDING: N_("Golden and diamond wedding"),
}


def holiday_label(rule: VisitRule) -> str | None:
    return HOLIDAYS[rule.holiday].label if rule.holiday in HOLIDAYS else None


def provide_rules(db_session: NamedDependency[AsyncSession]) -> VisitRuleService:
    return VisitRuleService(db_session)


class RuleController(Controller):
    path = "/grid/rules"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {"rules": Provide(provide_rules, sync_to_thread=False)}

    @get("/")
    async def index(self, request: Request, rules: NamedDependency[VisitRuleService]) -> Template:
        return await self._index(request, rules, {"meeting_day": str(await rules.meeting_day())})

    async def _index(
        self,
        request: Request,
        rules: VisitRuleService,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        context = {"rules": await rules.rules(), "form": form, "triggers": TRIGGER_LABELS,
                   "holiday_label": holiday_label, "is_calendar": is_calendar,
                   "within_hours": within_hours, "error": None, "errors": {}}  # fmt: skip
        if refused is not None:
            return sent_back(request, "grid/admin/rules.html", context, refused)
        return render(request, "grid/admin/rules.html", context)

    @post("/meeting-day")
    async def meeting_day(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        rules: NamedDependency[VisitRuleService],
    ) -> Any:
        data = await form_data(request)
        try:
            day = await rules.set_meeting_day(identity, data)
        except Refused as exc:
            return await self._index(request, rules, data, exc)
        flash(request, "success", _("The meeting day is now the %(day)s of each month.", day=day))
        return see_other(request, "/grid/rules")

    @get("/{visit_rule_id:uuid}")
    async def edit(
        self,
        request: Request,
        rules: NamedDependency[VisitRuleService],
        visit_rule_id: FromPath[UUID],
    ) -> Template:
        rule = await rules.rule(visit_rule_id)
        return self._form(request, rule, rule_form(rule))

    def _form(
        self,
        request: Request,
        rule: VisitRule,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        context = {"rule": rule, "form": form, "triggers": TRIGGER_LABELS,
                   "holiday": holiday_label(rule), "calendar": is_calendar(rule),
                   "error": None, "errors": {}}  # fmt: skip
        if refused is not None:
            return sent_back(request, "grid/admin/rule_form.html", context, refused)
        return render(request, "grid/admin/rule_form.html", context)

    @post("/{visit_rule_id:uuid}")
    async def update(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        rules: NamedDependency[VisitRuleService],
        visit_rule_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            rule = await rules.update_rule(identity, visit_rule_id, data)
        except Refused as exc:
            return self._form(request, await rules.rule(visit_rule_id), data, exc)
        flash(
            request, "success", _("Rule %(name)s saved; the due lists follow it.", name=rule.name)
        )
        return see_other(request, "/grid/rules")


ROUTES: list[ControllerRouterHandler] = [RuleController]
