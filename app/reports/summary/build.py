"""Building the annual summary: its figures gathered on the report's session, then
the charts and the PDF made in a thread, so the worker's event loop keeps serving its
other jobs (and the progress this one reports) while matplotlib and WeasyPrint work."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.reports.building import Built, Progress
from app.reports.summary import document, queries
from app.reports.summary.figures import AnnualFigures

MEDIA_TYPE = "application/pdf"


async def gather(session: AsyncSession, year: int, progress: Progress) -> AnnualFigures:
    """Every figure of the summary for `year`, reporting progress section by section."""
    district = await queries.district_name(session)
    await progress(5)
    visits = await queries.visit_figures(session, year)
    await progress(20)
    requests = await queries.request_figures(session, year)
    await progress(35)
    points = await queries.point_figures(session, year)
    await progress(60)
    publications = await queries.publication_figures(session, year)
    await progress(65)
    return AnnualFigures(district, year, visits, requests, points, publications)


async def build_annual_summary(
    session: AsyncSession, parameters: Mapping[str, Any], progress: Progress
) -> Built:
    """The district's annual work summary for `parameters["year"]` as an A4 PDF."""
    year = int(parameters["year"])
    figures = await gather(session, year, progress)
    drawn = await asyncio.to_thread(document.draw_charts, figures)
    await progress(80)
    html = document.render_html(figures, drawn, clock.today())
    pdf = await asyncio.to_thread(document.write_pdf, html)
    await progress(100)
    return Built(pdf, filename(figures), MEDIA_TYPE)


def filename(figures: AnnualFigures) -> str:
    """2026年度工作总结-历下区退役军人事务局.pdf."""
    title = document.chinese(document.TITLE, year=figures.year)
    return f"{title}-{figures.district}.pdf"
