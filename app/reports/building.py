"""What a report kind's builder receives and returns — the seam between the report
machinery (rows, jobs, storage, pages) and the kinds that know their figures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    """The name the download gets, in Chinese (e.g. 2026年度工作总结-某区.pdf)."""
    media_type: str


class Progress(Protocol):
    async def __call__(self, percent: int) -> None:
        """Record how far the build has got (0–100); cheap to call often."""


Builder = Callable[[AsyncSession, Mapping[str, Any], Progress], Awaitable[Built]]
"""`build(session, parameters, progress)`: the session is bound to the report's
tenant and only reads; the parameters are the checked ones stored on the row."""
