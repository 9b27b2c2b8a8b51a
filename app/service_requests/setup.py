"""The district's request settings: categories with their SLAs, and the escalation
chain's level names and time limits. Changing an SLA changes the due time of requests
logged afterwards; those already logged keep theirs."""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound, Refused
from app.i18n import N_
from app.service_requests import forms
from app.service_requests.models import EscalationLevel, RequestCategory
from app.state import AppServices
from tenants.context import require_tenant

NAME_TAKEN = N_("There is already a category called %(name)s.")


class RequestSettings:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db

    async def levels(self) -> list[EscalationLevel]:
        async with self.db.session() as session:
            return list(
                await session.scalars(select(EscalationLevel).order_by(EscalationLevel.level))
            )

    async def categories(self) -> list[RequestCategory]:
        """All categories, live ones first, in the district's order."""
        async with self.db.session() as session:
            return list(
                await session.scalars(
                    select(RequestCategory).order_by(
                        RequestCategory.retired_at.is_not(None), RequestCategory.position
                    )
                )
            )

    async def category(self, category_id: UUID) -> RequestCategory:
        async with self.db.session() as session:
            return await self._category(session, category_id)

    async def _category(self, session: AsyncSession, category_id: UUID) -> RequestCategory:
        category = await session.get(
            RequestCategory, {"tenant_id": require_tenant(), "id": category_id}
        )
        if category is None:
            raise NotFound()
        return category

    async def _name_free(
        self, session: AsyncSession, name: str, category_id: UUID | None = None
    ) -> None:
        """Two live categories with one name could not be told apart on the form."""
        query = select(RequestCategory.id).where(
            RequestCategory.name == name, RequestCategory.retired_at.is_(None)
        )
        if category_id is not None:
            query = query.where(RequestCategory.id != category_id)
        if await session.scalar(query.limit(1)) is not None:
            raise Refused(NAME_TAKEN, name=name)

    async def add_category(self, data: dict[str, str]) -> RequestCategory:
        values = forms.read_category(data)
        async with self.db.session() as session:
            await self._name_free(session, values.name)
            position = await session.scalar(select(func.max(RequestCategory.position)))
            category = RequestCategory(
                tenant_id=require_tenant(), code=f"c{uuid4().hex[:12]}",
                position=(position or 0) + 1, name=values.name, sla_hours=values.sla_hours,
                same_day_by=values.same_day_by,
            )  # fmt: skip
            session.add(category)
            await session.commit()
            return category

    async def update_category(self, category_id: UUID, data: dict[str, str]) -> RequestCategory:
        async with self.db.session() as session:
            category = await self._category(session, category_id)
            values = forms.read_category(data)
            if category.retired_at is None:
                await self._name_free(session, values.name, category.id)
            category.name = values.name
            category.sla_hours = values.sla_hours
            category.same_day_by = values.same_day_by
            await session.commit()
            return category

    async def retire_category(self, category_id: UUID, *, retire: bool) -> RequestCategory:
        """Retire (no new requests in it; old ones keep it) or bring back a category."""
        async with self.db.session() as session:
            category = await self._category(session, category_id)
            if retire:
                live = await session.scalar(
                    select(func.count()).where(RequestCategory.retired_at.is_(None))
                )
                if category.retired_at is None and (live or 0) <= 1:
                    raise Refused(N_("Keep at least one category, or requests cannot be logged."))
                category.retired_at = category.retired_at or clock.now()
            else:
                if category.retired_at is not None:
                    await self._name_free(session, category.name, category.id)
                category.retired_at = None
            await session.commit()
            return category

    async def update_levels(self, data: dict[str, str]) -> None:
        async with self.db.session() as session:
            levels = list(
                await session.scalars(select(EscalationLevel).order_by(EscalationLevel.level))
            )
            values = forms.read_levels(data, [level.level for level in levels])
            for level in levels:
                level.name, level.limit_hours = values[level.level]
            await session.commit()
