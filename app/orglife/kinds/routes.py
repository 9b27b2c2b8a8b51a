"""Meeting kinds and the thought-report cadence (the district admin)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.i18n import _
from app.orglife.kinds.forms import field_names, kinds_form
from app.orglife.kinds.service import KindService
from app.orglife.models import FREQUENCY_LABELS
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other, sent_back

PAGE = "orglife/kinds/index.html"


def provide_kinds(db_session: NamedDependency[AsyncSession]) -> KindService:
    return KindService(db_session)


class KindController(Controller):
    path = "/orglife/kinds"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {"kinds": Provide(provide_kinds, sync_to_thread=False)}

    @get("/")
    async def index(self, request: Request, kinds: NamedDependency[KindService]) -> Template:
        return await self._page(request, kinds, None, {}, {})

    async def _page(
        self,
        request: Request,
        kinds: KindService,
        refused: Refused | None,
        kinds_sent: dict[str, str],
        cadence_sent: dict[str, str],
    ) -> Template:
        found = await kinds.kinds()
        form = kinds_form(found) | {"thought_report_months": str(await kinds.cadence())}
        form |= kinds_sent | cadence_sent
        if kinds_sent:  # an unticked box sends nothing: what was sent stands
            form = {
                k: v for k, v in form.items() if not k.startswith("enabled_") or k in kinds_sent
            }
        context = {"kinds": found, "form": form, "fields": field_names,
                   "frequencies": FREQUENCY_LABELS, "error": None, "errors": {},
                   "which": "cadence" if cadence_sent else "kinds"}  # fmt: skip
        if refused is not None:
            return sent_back(request, PAGE, context, refused)
        return render(request, PAGE, context)

    @post("/")
    async def save(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        kinds: NamedDependency[KindService],
    ) -> Any:
        data = await form_data(request)
        try:
            changed = await kinds.save_kinds(identity, data)
        except Refused as exc:
            return await self._page(request, kinds, exc, data, {})
        if changed:
            flash(request, "success", _("Meeting kinds saved."))
        return see_other(request, "/orglife/kinds")

    @post("/cadence")
    async def cadence(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        kinds: NamedDependency[KindService],
    ) -> Any:
        data = await form_data(request)
        try:
            months = await kinds.set_cadence(identity, data)
        except Refused as exc:
            return await self._page(request, kinds, exc, {}, data)
        flash(
            request, "success",
            _("Mobile members now report every %(months)s months.", months=months),
        )  # fmt: skip
        return see_other(request, "/orglife/kinds")


ROUTES: list[ControllerRouterHandler] = [KindController]
