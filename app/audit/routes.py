"""The district's audit log, for its administrators."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.log import latest_events
from app.audit.service import ACTION_LABELS
from app.core.roles import Role
from app.web.guards import allow
from app.web.responses import render


@get("/audit", opt=allow(Role.TENANT_ADMIN))
async def audit_log(request: Request, db_session: NamedDependency[AsyncSession]) -> Template:
    events = await latest_events(db_session)
    return render(request, "audit/index.html", {"events": events, "labels": ACTION_LABELS})
