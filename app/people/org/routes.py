"""The org tree's pages: the tree with the form that adds a unit, and each unit's page
(its leader, name, place in the tree and retirement)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.log import latest_events
from app.audit.service import ACTION_LABELS
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_flag, query_text
from app.core.roles import Role
from app.core.scope import Scope
from app.i18n import N_, _
from app.people.deps import provide_org, provide_people
from app.people.forms import chosen_id
from app.people.models import CHILD_KINDS, UnitKind
from app.people.org.service import OrgService
from app.people.roster.routes import LABELS
from app.people.roster.service import PeopleService
from app.people.search import PersonFilter
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other, sent_back


class OrgController(Controller):
    """The district administrator builds the org tree."""

    path = "/org"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {
        "org": Provide(provide_org, sync_to_thread=False),
        "people": Provide(provide_people, sync_to_thread=False),
    }

    @get("/")
    async def tree(self, request: Request, org: NamedDependency[OrgService]) -> Template:
        retired = query_flag(request.query_params, "retired")
        return render(request, "people/org.html", await _tree(org, retired=retired))

    @post("/units")
    async def create(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        org: NamedDependency[OrgService],
    ) -> Any:
        data = await form_data(request)
        try:
            parent_id = chosen_id(data, "parent_id")
            await org.create(data.get("kind", ""), data.get("name", ""), parent_id, identity.actor)
        except Refused as exc:
            return sent_back(request, "people/org.html", await _tree(org, form=data), exc)
        flash(
            request,
            "success",
            _("%(name)s was added.", name=" ".join(data.get("name", "").split())),
        )
        return see_other(request, "/org")

    @get("/units/{unit_id:uuid}")
    async def unit(
        self,
        request: Request,
        db_session: NamedDependency[AsyncSession],
        org: NamedDependency[OrgService],
        people: NamedDependency[PeopleService],
        unit_id: FromPath[UUID],
    ) -> Template:
        context = await _unit(request, db_session, org, people, unit_id)
        return render(request, "people/unit.html", context)

    async def _change(
        self,
        request: Request,
        db_session: AsyncSession,
        org: OrgService,
        people: PeopleService,
        unit_id: UUID,
        change: Awaitable[None],
    ) -> Any:
        try:
            await change
        except Refused as exc:
            context = await _unit(request, db_session, org, people, unit_id)
            return sent_back(request, "people/unit.html", context, exc)
        flash(request, "success", _("Saved."))
        return see_other(request, f"/org/units/{unit_id}")

    @post("/units/{unit_id:uuid}/rename")
    async def rename(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        org: NamedDependency[OrgService],
        people: NamedDependency[PeopleService],
        unit_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        renamed = org.rename(unit_id, data.get("name", ""), identity.actor)
        return await self._change(request, db_session, org, people, unit_id, renamed)

    @post("/units/{unit_id:uuid}/move")
    async def move(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        org: NamedDependency[OrgService],
        people: NamedDependency[PeopleService],
        unit_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            parent_id = chosen_id(data, "parent_id")
        except Refused:
            parent_id = None
        if parent_id is None:
            context = await _unit(request, db_session, org, people, unit_id)
            refused = Refused(N_("Please choose where to move it."))
            return sent_back(request, "people/unit.html", context, refused)
        moved = org.move(unit_id, parent_id, identity.actor)
        return await self._change(request, db_session, org, people, unit_id, moved)

    @post("/units/{unit_id:uuid}/leader")
    async def leader(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        org: NamedDependency[OrgService],
        people: NamedDependency[PeopleService],
        unit_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)

        async def set_leader() -> None:
            await org.set_leader(unit_id, chosen_id(data, "person_id"), identity.actor)

        return await self._change(request, db_session, org, people, unit_id, set_leader())

    @post("/units/{unit_id:uuid}/retire")
    async def retire(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        org: NamedDependency[OrgService],
        people: NamedDependency[PeopleService],
        unit_id: FromPath[UUID],
    ) -> Any:
        retired = org.retire(unit_id, identity.actor)
        return await self._change(request, db_session, org, people, unit_id, retired)


async def _tree(
    org: OrgService, *, retired: bool = False, form: dict[str, str] | None = None
) -> dict[str, Any]:
    parents = await org.choices(UnitKind.CENTER, UnitKind.SUBCENTER, UnitKind.BRANCH)
    return {
        "roots": await org.tree(include_retired=retired),
        "show_retired": retired,
        "parents": parents,
        "form": form or {},
        **LABELS,
    }


async def _unit(
    request: Request,
    db_session: AsyncSession,
    org: OrgService,
    people: PeopleService,
    unit_id: UUID,
) -> dict[str, Any]:
    """The unit's page: the unit, whom it may be led by, where it may move, and its
    history — read in the request's one transaction."""
    unit = await org.unit(unit_id)
    parent_kinds = [k for k, children in CHILD_KINDS.items() if unit.kind in children]
    candidates = await people.find(
        Scope(units=frozenset({unit_id})),
        PersonFilter.from_query({"q": query_text(request.query_params, "q")}),
    )
    return {
        "unit": unit,
        "parents": [
            c
            for c in await org.choices(*parent_kinds)
            if c.id != unit.parent_id and unit_id not in (c.id,)
        ],
        "candidates": candidates,
        "events": await latest_events(db_session, 50, subject_id=unit_id),
        "labels": ACTION_LABELS,
        **LABELS,
    }


ROUTES: list[ControllerRouterHandler] = [OrgController]
