"""One pagination for every list: a `Page` of items, its number and how many pages
there are; the pager is one fragment (templates/_partials/_pager.html).

The number asked for comes from the query string (`app.core.query_params.query_page`,
which never fails); a number past the end shows the last page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    """1-based, within 1..pages."""
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_count(total: int, size: int) -> int:
    """Pages needed for `total` items (at least one, so an empty list has page 1)."""
    return max(1, -(-total // size))


def page_within(number: int, total: int, size: int) -> int:
    """The page asked for, or the last one when it lies past the end."""
    return max(1, min(number, page_count(total, size)))


async def paginate(
    session: AsyncSession, query: Select[*tuple[Any, ...]], number: int, size: int
) -> Page[Any]:
    """One page of `query` (which must be ordered) and the count of all its rows."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = page_within(number, total or 0, size)
    rows = (await session.execute(query.limit(size).offset((number - 1) * size))).all()
    return Page(rows, number, page_count(total or 0, size), total or 0)
