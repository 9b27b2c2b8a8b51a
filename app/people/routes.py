"""Roster pages: the org tree, the people list and each person's page.

Over 400 lines: the org tree, the list and the person's page are one capability's
pages; issue 12 splits them into a routes sub-package (org, people, person).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from app.audit.log import latest_events
from app.audit.service import ACTION_LABELS
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_flag, query_text
from app.core.roles import Role
from app.core.scope import Scope
from app.i18n import _
from app.people import forms
from app.people.account_links import admins_to_ask, own_person
from app.people.export import export_filename, people_workbook
from app.people.models import (
    CATEGORY_LABELS,
    CHILD_KINDS,
    GENDER_LABELS,
    LEADER_LABELS,
    UNIT_KIND_LABELS,
    UnitKind,
)
from app.people.org import OrgService
from app.people.search import FLAG_LABELS, PersonFilter
from app.people.service import PeopleService
from app.web.downloads import DOWNLOAD, attachment
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other


def provide_org(request: Request) -> OrgService:
    return OrgService(request.app.state.services.db)


def provide_people(request: Request) -> PeopleService:
    return PeopleService(request.app.state.services)


def provide_scope(identity: NamedDependency[Identity]) -> Scope:
    return identity.scope


LABELS = {
    "categories": CATEGORY_LABELS,
    "genders": GENDER_LABELS,
    "kinds": UNIT_KIND_LABELS,
    "leaders": LEADER_LABELS,
    "flags": FLAG_LABELS,
}


class OrgController(Controller):
    """The district administrator builds the org tree."""

    path = "/org"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {"org": Provide(provide_org, sync_to_thread=False)}

    @get("/")
    async def tree(self, request: Request, org: NamedDependency[OrgService]) -> Template:
        retired = query_flag(request.query_params, "retired")
        return await self._tree_page(request, org, retired=retired)

    async def _tree_page(
        self,
        request: Request,
        org: OrgService,
        *,
        retired: bool = False,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        parents = await org.choices(UnitKind.CENTER, UnitKind.SUBCENTER, UnitKind.BRANCH)
        return render(
            request,
            "people/org.html",
            {
                "roots": await org.tree(include_retired=retired),
                "show_retired": retired,
                "parents": parents,
                "form": form or {},
                "error": error,
                **LABELS,
            },
            status_code=status_code,
        )

    @post("/units")
    async def create(self, request: Request, org: NamedDependency[OrgService]) -> Any:
        data = await form_data(request)
        kind = data.get("kind", "")
        try:
            parent_id = forms.chosen_id(data, "parent_id")
            await org.create(kind, data.get("name", ""), parent_id, request.scope["user"].actor)
        except Refused as exc:
            return await self._tree_page(
                request, org, form=data, error=_(exc.message, **exc.args_), status_code=422
            )
        flash(
            request,
            "success",
            _("%(name)s was added.", name=" ".join(data.get("name", "").split())),
        )
        return see_other(request, "/org")

    @get("/units/{unit_id:uuid}")
    async def unit(
        self, request: Request, org: NamedDependency[OrgService], unit_id: FromPath[UUID]
    ) -> Template:
        return await self._unit_page(request, org, unit_id)

    async def _unit_page(
        self,
        request: Request,
        org: OrgService,
        unit_id: UUID,
        *,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        unit = await org.unit(unit_id)
        parent_kinds = [k for k, children in CHILD_KINDS.items() if unit.kind in children]
        people = PeopleService(request.app.state.services)
        candidates = await people.find(
            Scope(units=frozenset({unit_id})),
            PersonFilter.from_query({"q": query_text(request.query_params, "q")}),
        )
        events = await latest_events(request.state.db_session, 50, subject_id=unit_id)
        return render(
            request,
            "people/unit.html",
            {
                "unit": unit,
                "parents": [
                    c
                    for c in await org.choices(*parent_kinds)
                    if c.id != unit.parent_id and unit_id not in (c.id,)
                ],
                "candidates": candidates,
                "events": events,
                "labels": ACTION_LABELS,
                "error": error,
                **LABELS,
            },
            status_code=status_code,
        )

    async def _change(self, request: Request, org: OrgService, unit_id: UUID, change: Any) -> Any:
        try:
            await change
        except Refused as exc:
            return await self._unit_page(
                request, org, unit_id, error=_(exc.message, **exc.args_), status_code=422
            )
        flash(request, "success", _("Saved."))
        return see_other(request, f"/org/units/{unit_id}")

    @post("/units/{unit_id:uuid}/rename")
    async def rename(
        self, request: Request, org: NamedDependency[OrgService], unit_id: FromPath[UUID]
    ) -> Any:
        data = await form_data(request)
        actor = request.scope["user"].actor
        return await self._change(
            request, org, unit_id, org.rename(unit_id, data.get("name", ""), actor)
        )

    @post("/units/{unit_id:uuid}/move")
    async def move(
        self, request: Request, org: NamedDependency[OrgService], unit_id: FromPath[UUID]
    ) -> Any:
        data = await form_data(request)
        try:
            parent_id = forms.chosen_id(data, "parent_id")
        except Refused:
            parent_id = None
        if parent_id is None:
            return await self._unit_page(
                request, org, unit_id, error=_("Please choose where to move it."), status_code=422
            )
        actor = request.scope["user"].actor
        return await self._change(request, org, unit_id, org.move(unit_id, parent_id, actor))

    @post("/units/{unit_id:uuid}/leader")
    async def leader(
        self, request: Request, org: NamedDependency[OrgService], unit_id: FromPath[UUID]
    ) -> Any:
        data = await form_data(request)
        actor = request.scope["user"].actor

        async def set_leader() -> None:
            await org.set_leader(unit_id, forms.chosen_id(data, "person_id"), actor)

        return await self._change(request, org, unit_id, set_leader())

    @post("/units/{unit_id:uuid}/retire")
    async def retire(
        self, request: Request, org: NamedDependency[OrgService], unit_id: FromPath[UUID]
    ) -> Any:
        actor = request.scope["user"].actor
        return await self._change(request, org, unit_id, org.retire(unit_id, actor))


class PeopleController(Controller):
    """The roster, within the viewer's data scope."""

    path = "/people"
    opt = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
    dependencies = {
        "people": Provide(provide_people, sync_to_thread=False),
        "org": Provide(provide_org, sync_to_thread=False),
        "data_scope": Provide(provide_scope, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
        data_scope: NamedDependency[Scope],
    ) -> Template:
        wanted = PersonFilter.from_query(request.query_params)
        found = await people.find(data_scope, wanted)
        # The filter form's choices only when the whole page is drawn, not for the
        # results the search box swaps in.
        units = (
            []
            if request.headers.get("hx-target") == "results"
            else await org.choices(UnitKind.SUBCENTER, UnitKind.BRANCH, scope=data_scope)
        )
        return render(
            request,
            "people/index.html",
            {
                "found": found,
                "units": units,
                "scope": data_scope,
                "missing": await _missing_step(request, data_scope),
                **LABELS,
            },
            fragment="people/_results.html",
        )

    @get("/export.xlsx", opt=DOWNLOAD)
    async def export(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
        data_scope: NamedDependency[Scope],
    ) -> Response[bytes]:
        wanted = PersonFilter.from_query(request.query_params)
        everyone = await people.everyone(data_scope, wanted)
        rows = await people.export_rows(data_scope, wanted, everyone, request.scope["user"].actor)
        content = await anyio.to_thread.run_sync(people_workbook, rows)
        return attachment(content, export_filename(), fallback="roster.xlsx")

    @get("/new")
    async def new(
        self, request: Request, org: NamedDependency[OrgService], data_scope: NamedDependency[Scope]
    ) -> Template | Response[Any]:
        if not data_scope.edits_roster:  # no branch to add to: the roster says why
            return see_other(request, "/people")
        return await self._form_page(request, org, data_scope, None, {}, {})

    @post("/")
    async def create(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
        data_scope: NamedDependency[Scope],
    ) -> Any:
        data = await form_data(request)
        values, errors = forms.clean_person(data, with_id_number=data_scope.sees_id_numbers)
        if not errors:
            try:
                person_id = await people.create(data_scope, values, request.scope["user"].actor)
            except Refused as exc:
                errors = {"_": _(exc.message, **exc.args_)}
            else:
                flash(request, "success", _("%(name)s was added.", name=values["name"]))
                return see_other(request, f"/people/{person_id}")
        return await self._form_page(request, org, data_scope, None, data, errors, status_code=422)

    async def _form_page(
        self,
        request: Request,
        org: OrgService,
        data_scope: Scope,
        person_id: UUID | None,
        form: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        units = await org.choices(UnitKind.BRANCH, UnitKind.GROUP, scope=data_scope)
        branches = [unit for unit in units if unit.kind == UnitKind.BRANCH]
        groups = [unit for unit in units if unit.kind == UnitKind.GROUP]
        return render(
            request,
            "people/form.html",
            {
                "person_id": person_id,
                "form": form,
                "errors": errors,
                "branches": branches,
                "groups": groups,
                "scope": data_scope,
                **LABELS,
            },
            fragment="people/_person_form.html",
            status_code=status_code,
        )

    @get("/{person_id:uuid}")
    async def detail(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        data_scope: NamedDependency[Scope],
        person_id: FromPath[UUID],
    ) -> Template:
        card = await people.card(data_scope, person_id)
        events = await latest_events(request.state.db_session, 100, subject_id=person_id)
        accounts = await people.unlinked_accounts() if data_scope.everyone else []
        return render(
            request,
            "people/person.html",
            {
                "card": card,
                "p": card.person,
                "events": events,
                "labels": ACTION_LABELS,
                "scope": data_scope,
                "accounts": accounts,
                **LABELS,
            },
        )

    @get("/{person_id:uuid}/edit")
    async def edit(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
        data_scope: NamedDependency[Scope],
        person_id: FromPath[UUID],
    ) -> Template:
        card = await people.card(data_scope, person_id)
        return await self._form_page(
            request, org, data_scope, person_id, forms.person_form(card.person), {}
        )

    @post("/{person_id:uuid}")
    async def update(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
        data_scope: NamedDependency[Scope],
        person_id: FromPath[UUID],
    ) -> Any:
        await people.ensure_visible(data_scope, person_id)  # 404 before reading the form
        data = await form_data(request)
        values, errors = forms.clean_person(
            data, with_id_number=data_scope.sees_id_numbers, editing=True
        )
        if not errors:
            try:
                await people.update(data_scope, person_id, values, request.scope["user"].actor)
            except Refused as exc:
                errors = {"_": _(exc.message, **exc.args_)}
            else:
                flash(request, "success", _("Saved."))
                return see_other(request, f"/people/{person_id}")
        return await self._form_page(
            request, org, data_scope, person_id, data, errors, status_code=422
        )

    @post("/{person_id:uuid}/account", opt=allow(Role.TENANT_ADMIN))
    async def link_account(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        data_scope: NamedDependency[Scope],
        person_id: FromPath[UUID],
    ) -> Any:
        await people.ensure_visible(data_scope, person_id)
        data = await form_data(request)
        try:
            await people.link_account(
                data_scope,
                person_id,
                forms.chosen_id(data, "user_id"),
                request.scope["user"].actor,
            )
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
        else:
            flash(request, "success", _("Saved."))
        return see_other(request, f"/people/{person_id}")

    @get("/duplicates", opt=allow(Role.TENANT_ADMIN))
    async def duplicates(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        data_scope: NamedDependency[Scope],
    ) -> Template:
        pairs = await people.possible_duplicates(data_scope)
        return render(request, "people/duplicates.html", {"pairs": pairs, **LABELS})

    @post("/duplicates/dismiss", opt=allow(Role.TENANT_ADMIN))
    async def dismiss(
        self,
        request: Request,
        people: NamedDependency[PeopleService],
        data_scope: NamedDependency[Scope],
    ) -> Any:
        data = await form_data(request)
        try:
            first, second = forms.chosen_id(data, "a"), forms.chosen_id(data, "b")
        except Refused:
            first = second = None
        if first and second:
            await people.dismiss_duplicate(data_scope, first, second, request.scope["user"].actor)
            flash(request, "success", _("Marked as different people."))
        return see_other(request, "/people/duplicates")


async def _missing_step(request: Request, data_scope: Scope) -> str | None:
    """Why a secretary's roster is empty, naming the step really missing and whom to ask:
    the account not linked to their roster entry, or that person leading no unit yet."""
    if data_scope.edits_roster:
        return None
    db = request.app.state.services.db
    user_id = request.scope["user"].user_id
    admins = "、".join(await admins_to_ask(request.state.db_session, user_id))
    me = await own_person(db, user_id)
    if me is None:
        return _(
            "Your account is not linked to your entry in the roster yet, so no one is listed. "
            "Please ask the district administrator (%(admins)s) to open your page in the "
            "roster and choose your account under Login account.",
            admins=admins,
        )
    return _(
        "You (%(name)s in the roster) do not lead any unit yet, so no one is listed. Please "
        "ask the district administrator (%(admins)s) to name you your branch's secretary "
        "under Organisation.",
        name=me.name,
        admins=admins,
    )


@get("/my-branch", opt=allow(Role.MEMBER, Role.GRID_WORKER))
async def my_branch(request: Request) -> Template:
    """Anyone linked to a person sees their own card and their branch's members."""
    people = PeopleService(request.app.state.services)
    me, branch, mates = await people.my_branch(request.scope["user"].user_id)
    return render(
        request,
        "people/my_branch.html",
        {"me_person": me, "branch": branch, "mates": mates, **LABELS},
    )
