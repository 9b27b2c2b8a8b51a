"""Must-visit rule settings and the meeting day (the district admin)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from app.core.errors import Refused
from app.core.forms import InvalidForm
from app.core.roles import Role
from app.grid.models import VisitRule
from app.grid.rule_settings import (
    TRIGGER_LABELS,
    VisitRuleService,
    holiday_label,
    is_calendar,
    rule_form,
)
from app.i18n import _
from app.service_requests.words import within_hours
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other


def provide_rules(request: Request) -> VisitRuleService:
    return VisitRuleService(request.app.state.services)


def refusal(exc: Refused) -> dict[str, Any]:
    """A refused form's context: the message at the top, field messages beside them."""
    errors = exc.errors if isinstance(exc, InvalidForm) else {}
    return {"error": _(exc.message, **exc.args_), "errors": errors}


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
            context |= refusal(refused)
        return render(request, "grid/admin/rules.html", context,
                      status_code=422 if refused else 200)  # fmt: skip

    @post("/meeting-day")
    async def meeting_day(self, request: Request, rules: NamedDependency[VisitRuleService]) -> Any:
        data = await form_data(request)
        try:
            day = await rules.set_meeting_day(request.scope["user"], data.get("meeting_day", ""))
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
            context |= refusal(refused)
        return render(request, "grid/admin/rule_form.html", context,
                      status_code=422 if refused else 200)  # fmt: skip

    @post("/{visit_rule_id:uuid}")
    async def update(
        self,
        request: Request,
        rules: NamedDependency[VisitRuleService],
        visit_rule_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            rule = await rules.update_rule(request.scope["user"], visit_rule_id, data)
        except Refused as exc:
            return self._form(request, await rules.rule(visit_rule_id), data, exc)
        flash(
            request, "success", _("Rule %(name)s saved; the due lists follow it.", name=rule.name)
        )
        return see_other(request, "/grid/rules")
