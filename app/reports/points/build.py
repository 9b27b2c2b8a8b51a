"""The quarterly points report's builder: the figures (figures.py), then the .xlsx — a
summary sheet with one line per branch and a sheet per branch with its ranking and,
apart, its exempt members — or the .pdf (templates/reports/pdf/points.html)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.points.periods import parse_quarter, quarter
from app.reports.building import Built, Progress
from app.reports.pdf import render_pdf
from app.reports.points.figures import PointsReport, points_report
from app.reports.xlsx import MEDIA_TYPE as XLSX_MEDIA
from app.reports.xlsx import Book

SUMMARY_COLUMNS = [("支部", 24), ("参加排名人数", 10), ("有积分人数", 10), ("参与率%", 9),
                   ("平均分", 9), ("最高分", 9), ("最低分", 9)]  # fmt: skip
EXEMPT_COLUMN = ("年迈体弱（不排名）", 12)


async def build_points_report(
    session: AsyncSession, parameters: Mapping[str, Any], progress: Progress
) -> Built:
    period = parse_quarter(parameters["period"], quarter(2000, 1))
    branch = parameters.get("branch_id")
    report = await points_report(session, period, UUID(branch) if branch else None)
    await progress(20)
    name = f"积分季度报表-{report.subject}-{report.period_name}"
    if parameters.get("format") == "pdf":
        content = await render_pdf("reports/pdf/points.html", {"report": report})
        return Built(content, f"{name}.pdf", "application/pdf")
    return Built(await points_workbook(report, progress), f"{name}.xlsx", XLSX_MEDIA)


async def points_workbook(report: PointsReport, progress: Progress) -> bytes:
    """Written in the job's event loop a branch at a time, giving way between branches
    so that progress is recorded as the sheets are written."""
    book = Book()
    heading = f"{report.subject} 党员积分季度报表 {report.period_name}"
    categories = report.categories
    columns = [*SUMMARY_COLUMNS, *((c, 10) for c in categories), EXEMPT_COLUMN]
    summary, row = book.sheet("汇总", columns, title=heading, note=explanation(report))
    for branch in report.branches:
        book.row(summary, row, [
            branch.name, branch.ranked, branch.taking_part, branch.share_taking_part,
            branch.average, branch.highest, branch.lowest,
            *(branch.category_points(c) for c in categories), branch.exempt,
        ])  # fmt: skip
        row += 1
    if len(report.branches) > 1:
        book.row(summary, row, [
            "合计", report.ranked, report.taking_part, report.share_taking_part, report.average,
            None, None, *(report.category_points(c) for c in categories), report.exempt,
        ], bold=True)  # fmt: skip
    for done, branch in enumerate(report.branches, start=1):
        ranking = branch.ranking
        columns = [("名次", 6), ("姓名", 12), *((c, 10) for c in categories), ("得分", 9)]
        title = f"{branch.name} 积分排名 {report.period_name}"
        sheet, row = book.sheet(branch.name, columns, title=title)
        for s in ranking.ranked:
            book.row(sheet, row, [s.rank, s.name, *(s.categories.get(c, 0) for c in categories),
                                  s.score])  # fmt: skip
            row += 1
        if ranking.exempt:
            row += 1
            sheet.write_string(row, 0, "年迈体弱党员（不参加排名）", book.bold)
            row += 1
            for s in ranking.exempt:
                book.row(sheet, row, ["", s.name, *(s.categories.get(c, 0) for c in categories),
                                      s.score])  # fmt: skip
                row += 1
        if done % 10 == 0 or done == len(report.branches):
            await progress(20 + 75 * done // len(report.branches))
            await asyncio.sleep(0)
    return await asyncio.to_thread(book.content)


def explanation(report: PointsReport) -> str:
    """What the figures count, in one line under the title."""
    rules = f"积分细则第{report.version}版" if report.version else "尚无积分细则"
    base = f"，基础分{report.base_score:g}分" if report.base_score is not None else ""
    return (f"{report.district}。{rules}{base}。统计在册党员（不含已故）；年迈体弱党员不参加排名，"
            "另列。有积分人数：本季度有积分记录的党员。")  # fmt: skip
