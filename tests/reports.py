"""Reports in tests: ask through the page, build as the worker would (here, in this
process: `running.build` is the job's whole work), download."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from httpx import Response

from app.db.tenant import tenant_scope
from app.reports import running
from app.reports.storage import storage_for
from app.state import AppServices


async def build_now(services: AppServices, tenant_id: UUID, report_id: UUID) -> str:
    with tenant_scope(tenant_id):
        return await running.build(
            services.db, services.cipher, storage_for(services.settings), report_id
        )


def report_id_of(asked: Response) -> UUID:
    assert asked.status_code == 303, asked.text[:500]
    return UUID(asked.headers["location"].rsplit("/", 1)[-1])


async def report_file(
    browser: Any, services: AppServices, tenant_id: UUID, form: dict[str, str]
) -> Response:
    """The file of the report `form` asks for, as its asker downloads it."""
    report_id = report_id_of(await browser.post("/reports", form))
    assert await build_now(services, tenant_id, report_id) == "done"
    found = await browser.get(f"/reports/{report_id}/file")
    assert found.status_code == 200, found.text[:500]
    return found  # type: ignore[no-any-return]


def report_form(
    kind: str, *, branch: UUID | None = None, period: str = "", **more: str
) -> dict[str, str]:
    """A request form as the reports page sends it; the quarter is today's unless named."""
    from app.core import clock
    from app.points.periods import quarter_of

    form = {"kind": kind, "period": period or quarter_of(clock.today()).key, **more}
    if branch is not None:
        form["branch_id"] = str(branch)
    return form
