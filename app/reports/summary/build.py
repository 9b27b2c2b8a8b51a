"""Building the annual summary on the report's session.

The figures come from PostgreSQL section by section; each section's chart is drawn
in a thread as soon as its figures are in, and WeasyPrint is loaded in another, so
that Python's work (importing matplotlib and WeasyPrint, drawing) runs while the
database counts the next section — two cores busy rather than one. The PDF is set in
a thread too, so the worker's event loop keeps serving its other jobs (and this one's
progress) meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.reports.building import Built, Progress
from app.reports.summary import document, queries
from app.reports.summary.figures import AnnualFigures

MEDIA_TYPE = "application/pdf"
T = TypeVar("T")


def in_thread(work: Callable[..., T], *args: Any) -> asyncio.Task[T]:
    return asyncio.create_task(asyncio.to_thread(work, *args))


async def build_annual_summary(
    session: AsyncSession, parameters: Mapping[str, Any], progress: Progress
) -> Built:
    """The district's annual work summary for `parameters["year"]` as an A4 PDF."""
    year = int(parameters["year"])
    loading = in_thread(document.load_weasyprint)
    district = await queries.district_name(session)
    await progress(5)
    visits = await queries.visit_figures(session, year)
    visit_charts = in_thread(document.visit_charts, visits)
    await progress(20)
    requests = await queries.request_figures(session, year)
    request_chart = in_thread(document.request_chart, requests)
    await progress(35)
    points = await queries.point_figures(session, year)
    points_chart = in_thread(document.points_chart, points)
    await progress(60)
    publications = await queries.publication_figures(session, year)
    await progress(65)
    figures = AnnualFigures(district, year, visits, requests, points, publications)
    drawn = await visit_charts
    for name, chart in (("requests", request_chart), ("points", points_chart)):
        svg = await chart
        if svg is not None:
            drawn[name] = svg
    await loading
    await progress(80)
    html = document.render_html(figures, document.data_urls(drawn), clock.today())
    pdf = await asyncio.to_thread(document.write_pdf, html)
    await progress(100)
    return Built(pdf, filename(figures), MEDIA_TYPE)


def filename(figures: AnnualFigures) -> str:
    """2026年度工作总结-历下区退役军人事务局.pdf."""
    title = document.chinese(document.TITLE, year=figures.year)
    return f"{title}-{figures.district}.pdf"
