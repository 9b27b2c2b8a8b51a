"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import NamedDependency, Provide
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import routes as accounts
from app.audit import routes as audit
from app.care import routes as care
from app.dashboard import routes as dashboard
from app.grid import routes as grid
from app.grid.visits.routes import RequestCounter
from app.health.routes import healthz, readyz
from app.logging import configure_logging
from app.notifications import routes as notifications
from app.orglife import routes as orglife
from app.people import routes as people
from app.points import routes as points
from app.reports import routes as reports
from app.service_requests import routes as service_requests
from app.service_requests.requests.views import RequestViews
from app.settings import PROJECT_ROOT, Settings, get_settings
from app.signup import routes as signup
from app.state import open_services
from app.volunteering import routes as volunteering
from app.web.assets import Assets
from app.web.dependencies import DEPENDENCIES
from app.web.downloads import send_downloads_past_htmx
from app.web.errors import exception_handlers
from app.web.guards import PUBLIC, access_guard
from app.web.headers import decorate_response
from app.web.identity import IdentityMiddleware
from app.web.routes import asset, favicon, switch_locale
from app.web.templates import template_config

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    *dashboard.ROUTES,
    *audit.ROUTES,
    healthz,
    readyz,
    switch_locale,
    asset,
    favicon,
    *accounts.ROUTES,
    *people.ROUTES,
    *points.ROUTES,
    *reports.ROUTES,
    *grid.ROUTES,
    *service_requests.ROUTES,
    *signup.ROUTES,
    *notifications.ROUTES,
    *volunteering.ROUTES,
    *orglife.ROUTES,
    *care.ROUTES,
]


def provide_request_counter(db_session: NamedDependency[AsyncSession]) -> RequestCounter:
    """The service requests waiting for the user, above the grid worker's due list:
    the grid cannot import service requests (they build on it), so the app joins them."""
    return RequestViews(db_session)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(production=settings.app.production)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_services(settings) as services:
            app.state.services = services
            yield

    static = create_static_files_router(
        path="/static", directories=[PROJECT_ROOT / "static"], opt=PUBLIC,
        include_in_schema=False, cache_control=None,
    )  # fmt: skip
    app = Litestar(
        route_handlers=[*ROUTE_HANDLERS, static],
        lifespan=[lifespan],
        before_request=send_downloads_past_htmx,
        guards=[access_guard],
        dependencies={
            **DEPENDENCIES,
            "request_counter": Provide(provide_request_counter, sync_to_thread=False),
        },
        middleware=[IdentityMiddleware()],
        before_send=[decorate_response],
        csrf_config=CSRFConfig(
            secret=settings.app.secret_key,
            cookie_name="redstar_csrf",
            cookie_secure=settings.app.production,
            cookie_httponly=True,
            cookie_samesite="lax",
            header_name="x-csrftoken",
        ),
        template_config=template_config,
        # Pages shrink to about a fifth; files already compressed (bundles, photos,
        # spreadsheets) say so in their route's opt.
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=1024,
            gzip_compress_level=6,
            exclude_opt_key="skip_compression",
        ),
        exception_handlers=exception_handlers,
        logging_config=None,  # structlog is configured in app.logging
        openapi_config=None,  # the JSON API issue publishes /api/v1 with its schema
        debug=False,
    )
    app.state.assets = Assets(PROJECT_ROOT / "static", watch=not settings.app.production)
    return app
