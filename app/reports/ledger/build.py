"""The ledger report's builder: the branch's events of the quarter (the ledger page's
query, app.points.service.ledger_lines) as .xlsx or .pdf."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.db.tenant import require_tenant
from app.i18n import DEFAULT_LOCALE, translations
from app.people.models import OrgUnit
from app.points.models import SOURCE_LABELS
from app.points.periods import parse_quarter, quarter
from app.points.service import ledger_lines
from app.reports.building import Built, Progress
from app.reports.ledger.workbook import ledger_workbook
from app.reports.pdf import render_pdf
from app.reports.points.figures import BRANCH_GONE
from app.reports.xlsx import MEDIA_TYPE as XLSX_MEDIA
from tenants.models import Tenant


async def build_ledger(
    session: AsyncSession, parameters: Mapping[str, Any], progress: Progress
) -> Built:
    period = parse_quarter(parameters["period"], quarter(2000, 1))
    branch = await session.scalar(
        select(OrgUnit.name).where(OrgUnit.id == UUID(parameters["branch_id"]))
    )
    if branch is None:
        raise Refused(BRANCH_GONE)
    lines = await ledger_lines(session, UUID(parameters["branch_id"]), period)
    await progress(40)
    chinese = translations(DEFAULT_LOCALE).gettext
    name = f"积分台账-{branch}-{period.key}"
    if parameters.get("format") == "pdf":
        district = await session.scalar(select(Tenant.name).where(Tenant.id == require_tenant()))
        context = {
            "branch": branch, "district": district or "", "period_name": period.name(chinese),
            "lines": lines, "total": sum((line.event.points for line in lines), Decimal(0)),
            "sources": {s.value: chinese(label) for s, label in SOURCE_LABELS.items()},
        }  # fmt: skip
        return Built(await render_pdf("reports/pdf/ledger.html", context), f"{name}.pdf",
                     "application/pdf")  # fmt: skip
    content = await asyncio.to_thread(ledger_workbook, branch, period, lines)
    return Built(content, f"{name}.xlsx", XLSX_MEDIA)
