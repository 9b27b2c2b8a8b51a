"""Rule-set pages: the versions, the draft editor, the what-if preview, activation."""

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

from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.query_params import query_id, query_text
from app.core.roles import Role
from app.i18n import _
from app.points.feeds import FEED_LABELS, Feed
from app.points.models import AWARDER_LABELS, UNIT_LABELS, Awarder, Unit
from app.points.numbers import points_text
from app.points.rules.activation import ActivationService, NotActivatable
from app.points.rules.pages import STATE_LABELS, ItemRow
from app.points.rules.service import RuleSetService
from app.points.rules.spec import Problem
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, render, see_other

RULES = "/points/rules"
DRAFT = "/points/rules/draft"


def provide_rules(db_session: NamedDependency[AsyncSession]) -> RuleSetService:
    return RuleSetService(db_session)


def provide_activation(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> ActivationService:
    return ActivationService(db_session, services.db)


def problem_texts(found: list[Problem]) -> list[str]:
    return [_(p.message, **p.args) for p in found]


LABELS = {
    "units": UNIT_LABELS,
    "awarder_labels": AWARDER_LABELS,
    "feed_labels": FEED_LABELS,
    "state_labels": STATE_LABELS,
    "number": points_text,
}


def item_form(item: ItemRow) -> dict[str, Any]:
    return {
        "category_id": str(item.category_id),
        "code": item.code,
        "name": item.name,
        "points": points_text(item.points),
        "unit": item.unit,
        "cap_quarter": points_text(item.cap_quarter),
        "cap_year": points_text(item.cap_year),
        "evidence_required": "1" if item.evidence_required else "",
        "awarders": list(item.awarders),
        "feeds": list(item.feeds),
    }


async def ticked(request: Request, name: str) -> list[str]:
    """The values of a group of tick boxes (awarders, feeds)."""
    form = await request.form()
    return [v for v in form.getall(name, []) if isinstance(v, str)]


class RulesController(Controller):
    path = RULES
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {
        "rules": Provide(provide_rules, sync_to_thread=False),
        "activation": Provide(provide_activation, sync_to_thread=False),
    }

    # --- the versions ---------------------------------------------------------------

    @get("/")
    async def index(self, request: Request, rules: NamedDependency[RuleSetService]) -> Template:
        page = await rules.versions()
        return render(
            request, "points/rules/index.html", {"page": page, "today": clock.today(), **LABELS}
        )

    @get("/{rule_set_id:uuid}")
    async def version(
        self, request: Request, rules: NamedDependency[RuleSetService], rule_set_id: FromPath[UUID]
    ) -> Template:
        version, state = await rules.version(rule_set_id)
        return render(
            request, "points/rules/version.html", {"rules": version, "state": state, **LABELS}
        )

    @post("/draft")
    async def start_draft(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
    ) -> Any:
        try:
            await rules.start_draft(identity.actor)
        except Refused as exc:  # another admin's draft: it is the one to edit (not an error)
            flash(request, "info", exc.text())
        return see_other(request, DRAFT)

    # --- the draft editor -----------------------------------------------------------

    @get("/draft")
    async def draft(self, request: Request, rules: NamedDependency[RuleSetService]) -> Any:
        return await self._draft_page(request, rules)

    async def _draft_page(
        self,
        request: Request,
        rules: RuleSetService,
        *,
        refused: Refused | None = None,
        where: str = "",
        form: dict[str, str] | None = None,
    ) -> Any:
        """The editor; after a refusal, its message in the section `where` it concerns."""
        page = await rules.draft_page()
        if page is None:
            flash(request, "info", _("There is no draft. Start one from the rules in force."))
            return see_other(request, RULES)
        context = {
            "page": page,
            "rules": page.rules,
            "problems": problem_texts(page.problems),
            "where": where,
            "form": form or {},
            "activation_problems": problem_texts(refused.problems)
            if isinstance(refused, NotActivatable)
            else [],
            "today": clock.today(),
            **LABELS,
        }
        return form_page(request, "points/rules/draft.html", context, refused)

    async def _change(
        self,
        request: Request,
        rules: RuleSetService,
        change: Awaitable[object],
        done: str,
        *,
        where: str,
        form: dict[str, str] | None = None,
        anchor: str = "",
    ) -> Any:
        try:
            await change
        except Refused as exc:
            return await self._draft_page(request, rules, refused=exc, where=where, form=form)
        flash(request, "success", done)
        return see_other(request, DRAFT + (f"#{anchor}" if anchor else ""))

    @post("/draft/settings")
    async def settings(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        change = rules.update_settings(
            data.get("base_score", ""), data.get("objection_days", ""), identity.actor
        )
        return await self._change(
            request, rules, change, _("Saved."), where="settings", form=data, anchor="settings"
        )

    @post("/draft/discard")
    async def discard(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
    ) -> Any:
        await rules.discard_draft(identity.actor)
        flash(request, "success", _("The draft was discarded. The rules in force are unchanged."))
        return see_other(request, RULES)

    @post("/draft/categories")
    async def add_category(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        name = data.get("name", "")
        change = rules.add_category(name, identity.actor)
        done = _("The category %(name)s was added.", name=" ".join(name.split()))
        return await self._change(
            request, rules, change, done, where="new-category", form=data, anchor="new-category"
        )

    @post("/draft/categories/{category_id:uuid}")
    async def rename_category(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
        category_id: FromPath[UUID],
    ) -> Any:
        await self._category_of_draft(rules, category_id)  # 404 before reading the form
        data = await form_data(request)
        change = rules.rename_category(category_id, data.get("name", ""), identity.actor)
        return await self._change(
            request, rules, change, _("Saved."), where=f"category-{category_id}", form=data,
            anchor=f"category-{category_id}",
        )  # fmt: skip

    @post("/draft/categories/{category_id:uuid}/delete")
    async def delete_category(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
        category_id: FromPath[UUID],
    ) -> Any:
        await self._category_of_draft(rules, category_id)
        try:
            name = await rules.delete_category(category_id, identity.actor)
        except Refused as exc:
            return await self._draft_page(
                request, rules, refused=exc, where=f"category-{category_id}"
            )
        flash(request, "success", _("The category %(name)s was deleted.", name=name))
        return see_other(request, DRAFT)

    async def _category_of_draft(self, rules: RuleSetService, category_id: UUID) -> None:
        if (await rules.draft_rules()).category(category_id) is None:
            raise NotFound()

    # --- items ----------------------------------------------------------------------

    @get("/draft/items/new")
    async def new_item(self, request: Request, rules: NamedDependency[RuleSetService]) -> Template:
        form: dict[str, Any] = {
            "category_id": str(query_id(request.query_params, "category_id") or ""),
            "unit": Unit.EVENT,
            "awarders": [Awarder.SECRETARY, Awarder.GRID_WORKER],
        }
        return await self._item_page(request, rules, None, form)

    async def _item_page(
        self,
        request: Request,
        rules: RuleSetService,
        item_id: UUID | None,
        form: dict[str, Any],
        refused: Refused | None = None,
    ) -> Template:
        context = {
            "rules": await rules.draft_rules(),
            "item_id": item_id,
            "form": form,
            "unit_choices": list(Unit),
            "awarder_choices": list(Awarder),
            "feed_choices": list(Feed),
            **LABELS,
        }
        return form_page(request, "points/rules/item.html", context, refused)

    @post("/draft/items")
    async def create_item(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        awarders, feeds = await ticked(request, "awarders"), await ticked(request, "feeds")
        try:
            values = await rules.add_item(data, awarders, identity.actor, feeds)
        except Refused as exc:
            return await self._item_page(
                request, rules, None, {**data, "awarders": awarders, "feeds": feeds}, refused=exc
            )
        flash(request, "success", _("The item %(code)s was added.", code=values.code))
        return see_other(request, f"{DRAFT}#category-{values.category_id}")

    @get("/draft/items/{item_id:uuid}")
    async def edit_item(
        self, request: Request, rules: NamedDependency[RuleSetService], item_id: FromPath[UUID]
    ) -> Template:
        item = await rules.item(item_id)
        return await self._item_page(request, rules, item_id, item_form(item))

    @post("/draft/items/{item_id:uuid}")
    async def update_item(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
        item_id: FromPath[UUID],
    ) -> Any:
        await rules.item(item_id)  # 404 before reading the form
        data = await form_data(request)
        awarders, feeds = await ticked(request, "awarders"), await ticked(request, "feeds")
        try:
            values = await rules.update_item(item_id, data, awarders, identity.actor, feeds)
        except Refused as exc:
            return await self._item_page(
                request, rules, item_id, {**data, "awarders": awarders, "feeds": feeds},
                refused=exc,
            )  # fmt: skip
        flash(request, "success", _("The item %(code)s was saved.", code=values.code))
        return see_other(request, f"{DRAFT}#category-{values.category_id}")

    @post("/draft/items/{item_id:uuid}/delete")
    async def delete_item(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        identity: NamedDependency[Identity],
        item_id: FromPath[UUID],
    ) -> Any:
        label = await rules.delete_item(item_id, identity.actor)
        flash(request, "success", _("The item %(name)s was deleted.", name=label))
        return see_other(request, DRAFT)

    # --- what-if and activation -----------------------------------------------------

    @get("/draft/preview")
    async def preview(
        self, request: Request, activation: NamedDependency[ActivationService]
    ) -> Template:
        branch_id = query_id(request.query_params, "branch")
        result = await activation.preview(query_text(request.query_params, "quarter"), branch_id)
        return render(
            request,
            "points/rules/preview.html",
            {
                "preview": result,
                "problems": problem_texts(result.problems),
                "branches": await activation.branch_choices(),
                "branch_id": branch_id,
                **LABELS,
            },
        )

    @post("/draft/activate")
    async def activate(
        self,
        request: Request,
        rules: NamedDependency[RuleSetService],
        activation: NamedDependency[ActivationService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        try:
            version = await activation.activate(data.get("effective_from", ""), identity.actor)
        except Refused as exc:
            return await self._draft_page(request, rules, refused=exc, where="activate", form=data)
        assert version.effective_from is not None
        flash(
            request,
            "success",
            _(
                "Version %(version)s is activated. It is in force from %(date)s.",
                version=version.version,
                date=version.effective_from.isoformat(),
            ),
        )
        return see_other(request, RULES)


ROUTES: list[ControllerRouterHandler] = [RulesController]
