"""The SLA compliance page, for the district admin and branch secretaries."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.identity import Identity
from app.core.query_params import query_choice
from app.core.roles import Role
from app.service_requests.compliance.charts import by_category_chart, by_month_chart
from app.service_requests.compliance.service import (
    NOT_ASSIGNED,
    PERIODS,
    compliance,
    compliance_by_month,
)
from app.web.guards import allow
from app.web.responses import render


@get("/requests/sla", opt=allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY))
async def sla_compliance(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
) -> Template:
    """Compliance per category, per worker and per level, for a chosen period; the
    share in time per category and over the last twelve months as charts."""
    period = query_choice(request.query_params, "period", PERIODS, "month")
    report = await compliance(db_session, identity, period)
    months = await compliance_by_month(db_session, identity)
    return render(
        request,
        "service_requests/sla.html",
        {
            "report": report, "periods": PERIODS, "not_assigned": NOT_ASSIGNED,
            "charts": [by_month_chart(months), by_category_chart(report)],
        },
    )  # fmt: skip


ROUTES: list[ControllerRouterHandler] = [sla_compliance]
