"""Condolence money and gifts for a year (/care/condolence): the figures per month and
per branch, and the same as an .xlsx — the district admin for the district, a branch
secretary for their branch."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.condolence.service import CondolenceService, YearFigures
from app.core import clock
from app.core.identity import Identity
from app.core.query_params import query_int
from app.core.roles import Role
from app.i18n import _
from app.reports.xlsx import Book
from app.web.downloads import DOWNLOAD, attachment
from app.web.guards import allow
from app.web.responses import render

LEADERS = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)


def workbook(figures: YearFigures) -> bytes:
    """The year's figures as an .xlsx: one sheet per month, one per branch."""
    book = Book()
    columns = [(_("People visited"), 12), (_("Condolence visits"), 10),
               (_("Condolence money (yuan)"), 18), (_("Visits with gifts"), 14)]  # fmt: skip
    title = _("Condolence money and gifts %(year)s", year=figures.year)
    sheet, row = book.sheet(_("By month"), [(_("Month"), 10), *columns], title=title)
    for month, f in enumerate(figures.months, start=1):
        book.row(sheet, row, [_("%(n)s month", n=month), f.people, f.visits, f.money, f.gifts])
        row += 1
    t = figures.total
    book.row(sheet, row, [_("The year"), t.people, t.visits, t.money, t.gifts], bold=True)
    sheet, row = book.sheet(_("By branch"), [(_("Branch"), 30), *columns], title=title)
    for branch in figures.branches:
        f = branch.figures
        book.row(sheet, row, [branch.name or _("No branch"), f.people, f.visits, f.money, f.gifts])
        row += 1
    return book.content()


class CondolenceController(Controller):
    path = "/care/condolence"
    opt = LEADERS

    async def _figures(
        self, request: Request, identity: Identity, db_session: AsyncSession
    ) -> YearFigures:
        this_year = clock.today().year
        year = query_int(request.query_params, "year", default=this_year, low=2000, high=this_year)
        return await CondolenceService(db_session).year_figures(identity, year, this_year)

    @get("/")
    async def figures(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        figures = await self._figures(request, identity, db_session)
        return render(request, "care/condolence.html", {"figures": figures})

    @get("/download", opt=DOWNLOAD)
    async def download(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[bytes]:
        figures = await self._figures(request, identity, db_session)
        name = _("Condolence money and gifts %(year)s", year=figures.year)
        return attachment(
            workbook(figures), f"{name}.xlsx", fallback=f"condolence-{figures.year}.xlsx"
        )


ROUTES: list[ControllerRouterHandler] = [CondolenceController]
