"""Roster pages: the people list and its export, each person's page and form, possible
duplicates, and a member's own branch."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.log import latest_events
from app.audit.service import ACTION_LABELS
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.core.scope import Scope
from app.i18n import _
from app.people.account_links import admins_to_ask, own_person
from app.people.deps import provide_duplicates, provide_org, provide_people
from app.people.forms import chosen_id
from app.people.models import (
    CATEGORY_LABELS,
    GENDER_LABELS,
    LEADER_LABELS,
    UNIT_KIND_LABELS,
    UnitKind,
)
from app.people.org.service import OrgService
from app.people.roster.duplicates import DuplicateService
from app.people.roster.forms import parse_person, person_form
from app.people.roster.service import PeopleService
from app.people.search import FLAG_LABELS, PersonFilter
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, refused_back, render, see_other, sent_back

LABELS = {
    "categories": CATEGORY_LABELS,
    "genders": GENDER_LABELS,
    "kinds": UNIT_KIND_LABELS,
    "leaders": LEADER_LABELS,
    "flags": FLAG_LABELS,
}


class PeopleController(Controller):
    """The roster, within the viewer's data scope."""

    path = "/people"
    opt = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
    dependencies = {
        "people": Provide(provide_people, sync_to_thread=False),
        "org": Provide(provide_org, sync_to_thread=False),
        "duplicates": Provide(provide_duplicates, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
    ) -> Template:
        scope = identity.scope
        wanted = PersonFilter.from_query(request.query_params)
        found = await people.find(scope, wanted)
        # The filter form's choices only when the whole page is drawn, not for the
        # results the search box swaps in.
        units = (
            []
            if request.headers.get("hx-target") == "results"
            else await org.choices(UnitKind.SUBCENTER, UnitKind.BRANCH, scope=scope)
        )
        return render(
            request,
            "people/index.html",
            {
                "found": found,
                "wanted": wanted,
                "units": units,
                "scope": scope,
                "missing": await _missing_step(db_session, identity),
                **LABELS,
            },
            fragment="people/_results.html",
        )

    @get("/new")
    async def new(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        org: NamedDependency[OrgService],
    ) -> Template | Response[Any]:
        if not identity.scope.edits_roster:  # no branch to add to: the roster says why
            return see_other(request, "/people")
        context = await _form(org, identity.scope, None, {})
        return render(request, "people/form.html", context, fragment=PERSON_FORM)

    @post("/")
    async def create(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
    ) -> Any:
        scope = identity.scope
        data = await form_data(request)
        try:
            form = parse_person(data, with_id_number=scope.sees_id_numbers)
            person_id = await people.create(scope, form.columns(), identity.actor)
        except Refused as exc:
            context = await _form(org, scope, None, data)
            return sent_back(request, "people/form.html", context, exc, fragment=PERSON_FORM)
        flash(request, "success", _("%(name)s was added.", name=form.name))
        return see_other(request, f"/people/{person_id}")

    @get("/{person_id:uuid}")
    async def detail(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        people: NamedDependency[PeopleService],
        person_id: FromPath[UUID],
    ) -> Template:
        scope = identity.scope
        card = await people.card(scope, person_id)
        return render(
            request,
            "people/person.html",
            {
                "card": card,
                "p": card.person,
                "events": await latest_events(db_session, 100, subject_id=person_id),
                "labels": ACTION_LABELS,
                "scope": scope,
                "accounts": await people.unlinked_accounts() if scope.everyone else [],
                **LABELS,
            },
        )

    @get("/{person_id:uuid}/edit")
    async def edit(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
        person_id: FromPath[UUID],
    ) -> Template:
        card = await people.card(identity.scope, person_id)
        context = await _form(org, identity.scope, person_id, person_form(card.person))
        return render(request, "people/form.html", context, fragment=PERSON_FORM)

    @post("/{person_id:uuid}")
    async def update(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        people: NamedDependency[PeopleService],
        org: NamedDependency[OrgService],
        person_id: FromPath[UUID],
    ) -> Any:
        scope = identity.scope
        await people.ensure_visible(scope, person_id)  # 404 before reading the form
        data = await form_data(request)
        try:
            form = parse_person(data, with_id_number=scope.sees_id_numbers, editing=True)
            await people.update(scope, person_id, form.columns(), identity.actor)
        except Refused as exc:
            context = await _form(org, scope, person_id, data)
            return sent_back(request, "people/form.html", context, exc, fragment=PERSON_FORM)
        flash(request, "success", _("Saved."))
        return see_other(request, f"/people/{person_id}")

    @post("/{person_id:uuid}/account", opt=allow(Role.TENANT_ADMIN))
    async def link_account(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        people: NamedDependency[PeopleService],
        person_id: FromPath[UUID],
    ) -> Any:
        await people.ensure_visible(identity.scope, person_id)
        data = await form_data(request)
        try:
            account = chosen_id(data, "user_id")
            await people.link_account(identity.scope, person_id, account, identity.actor)
        except Refused as exc:
            return refused_back(request, exc, f"/people/{person_id}")
        flash(request, "success", _("Saved."))
        return see_other(request, f"/people/{person_id}")

    @get("/duplicates", opt=allow(Role.TENANT_ADMIN))
    async def duplicates(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        duplicates: NamedDependency[DuplicateService],
    ) -> Template:
        pairs = await duplicates.possible_duplicates(identity.scope)
        return render(request, "people/duplicates.html", {"pairs": pairs, **LABELS})

    @post("/duplicates/dismiss", opt=allow(Role.TENANT_ADMIN))
    async def dismiss(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        duplicates: NamedDependency[DuplicateService],
    ) -> Any:
        data = await form_data(request)
        try:
            first, second = chosen_id(data, "a"), chosen_id(data, "b")
        except Refused:
            first = second = None
        if first and second:
            await duplicates.dismiss(identity.scope, first, second, identity.actor)
            flash(request, "success", _("Marked as different people."))
        return see_other(request, "/people/duplicates")


PERSON_FORM = "people/_person_form.html"


async def _form(
    org: OrgService, scope: Scope, person_id: UUID | None, form: dict[str, Any]
) -> dict[str, Any]:
    """The person form's page: what was typed (or is on file) and where they may go."""
    units = await org.choices(UnitKind.BRANCH, UnitKind.GROUP, scope=scope)
    return {
        "person_id": person_id,
        "form": form,
        "errors": {},
        "branches": [unit for unit in units if unit.kind == UnitKind.BRANCH],
        "groups": [unit for unit in units if unit.kind == UnitKind.GROUP],
        "scope": scope,
        **LABELS,
    }


async def _missing_step(session: AsyncSession, identity: Identity) -> str | None:
    """Why a secretary's roster is empty, naming the step really missing and whom to ask:
    the account not linked to their roster entry, or that person leading no unit yet."""
    if identity.scope.edits_roster:
        return None
    admins = "、".join(await admins_to_ask(session, identity.user_id))
    me = await own_person(session, identity.user_id)
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


@get(
    "/my-branch",
    opt=allow(Role.MEMBER, Role.GRID_WORKER),
    dependencies={"people": Provide(provide_people, sync_to_thread=False)},
)
async def my_branch(
    request: Request, identity: NamedDependency[Identity], people: NamedDependency[PeopleService]
) -> Template:
    """Anyone linked to a person sees their own card and their branch's members."""
    me, branch, mates = await people.my_branch(identity.user_id)
    return render(
        request,
        "people/my_branch.html",
        {"me_person": me, "branch": branch, "mates": mates, **LABELS},
    )


ROUTES: list[ControllerRouterHandler] = [PeopleController, my_branch]
