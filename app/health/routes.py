"""Liveness and readiness for load balancers and systemd."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app.web.guards import PUBLIC


@get("/healthz", opt=PUBLIC, sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is alive; says nothing about its dependencies."""
    return {"status": "ok"}


@get("/readyz", opt=PUBLIC)
async def readyz(request: Request) -> Response[dict[str, Any]]:
    """200 only when PostgreSQL and Redis both answer within two seconds."""
    services = request.app.state.services

    async def check(probe: Any) -> str:
        try:
            await asyncio.wait_for(probe, timeout=2)
        except Exception:  # any failure means "not ready"
            return "unavailable"
        return "ok"

    checks = {
        "database": await check(services.db.ping()),
        "redis": await check(services.redis.ping()),
    }
    ready = all(v == "ok" for v in checks.values())
    return Response(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE,
    )
