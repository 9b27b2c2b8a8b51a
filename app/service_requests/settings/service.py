"""The district's request settings: categories with their SLAs, and the escalation
chain's level names and time limits. Changing an SLA changes the due time of requests
logged afterwards; those already logged keep theirs."""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound, Refused
from app.db.tenant import require_tenant
from app.i18n import N_
from app.service_requests.models import EscalationLevel, RequestCategory
from app.service_requests.queries import chain
from app.service_requests.settings.forms import CategoryForm, LevelForm

NAME_TAKEN = N_("There is already a category called %(name)s.")


class RequestSettings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def levels(self) -> list[EscalationLevel]:
        return await chain(self.session)

    async def categories(self) -> list[RequestCategory]:
        """All categories, live ones first, in the district's order."""
        return list(
            await self.session.scalars(
                select(RequestCategory).order_by(
                    RequestCategory.retired_at.is_not(None), RequestCategory.position
                )
            )
        )

    async def category(self, category_id: UUID) -> RequestCategory:
        category = await self.session.get(
            RequestCategory, {"tenant_id": require_tenant(), "id": category_id}
        )
        if category is None:
            raise NotFound()
        return category

    async def _name_free(self, name: str, category_id: UUID | None = None) -> None:
        """Two live categories with one name could not be told apart on the form."""
        query = select(RequestCategory.id).where(
            RequestCategory.name == name, RequestCategory.retired_at.is_(None)
        )
        if category_id is not None:
            query = query.where(RequestCategory.id != category_id)
        if await self.session.scalar(query.limit(1)) is not None:
            raise Refused(NAME_TAKEN, name=name)

    async def add_category(self, form: CategoryForm) -> RequestCategory:
        await self._name_free(form.name)
        position = await self.session.scalar(select(func.max(RequestCategory.position)))
        category = RequestCategory(
            tenant_id=require_tenant(), code=f"c{uuid4().hex[:12]}",
            position=(position or 0) + 1, name=form.name, sla_hours=form.sla_hours,
            same_day_by=form.same_day_by,
        )  # fmt: skip
        self.session.add(category)
        await self.session.commit()
        return category

    async def update_category(self, category_id: UUID, form: CategoryForm) -> RequestCategory:
        category = await self.category(category_id)
        if category.retired_at is None:
            await self._name_free(form.name, category.id)
        category.name = form.name
        category.sla_hours = form.sla_hours
        category.same_day_by = form.same_day_by
        await self.session.commit()
        return category

    async def retire_category(self, category_id: UUID, *, retire: bool) -> RequestCategory:
        """Retire (no new requests in it; old ones keep it) or bring back a category."""
        category = await self.category(category_id)
        if retire:
            live = await self.session.scalar(
                select(func.count()).where(RequestCategory.retired_at.is_(None))
            )
            if category.retired_at is None and (live or 0) <= 1:
                raise Refused(N_("Keep at least one category, or requests cannot be logged."))
            category.retired_at = category.retired_at or clock.now()
        else:
            if category.retired_at is not None:
                await self._name_free(category.name, category.id)
            category.retired_at = None
        await self.session.commit()
        return category

    async def update_levels(self, forms: dict[int, LevelForm]) -> None:
        """Each level's name and time limit, as `parse_levels` read them for `levels()`."""
        for level in await chain(self.session):
            level.name, level.limit_hours = forms[level.level].name, forms[level.level].limit_hours
        await self.session.commit()
