"""The annual summary as a PDF: the figures written out in short sentences, tables
and charts by a Jinja template (templates/reports/summary.html), set on A4 by
WeasyPrint with print CSS (summary.css).

The summary is a Chinese document whatever the reader's language, like the ledger
it replaces: its words come from the zh_CN catalog. WeasyPrint lays the text out with
Pango, so Chinese lines break where Chinese breaks, and finds the Noto CJK fonts
through fontconfig."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_skeleton
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.grid.models import VISIT_KIND_LABELS
from app.i18n import DEFAULT_LOCALE, N_, translations
from app.points.numbers import points_text
from app.points.periods import HALF_NAMES
from app.reports.summary import charts
from app.reports.summary.figures import (
    AnnualFigures,
    PointFigures,
    RequestFigures,
    VisitFigures,
    change_percent,
)

HERE = Path(__file__).parent
TEMPLATE = "reports/summary.html"
CSS_FILE = HERE / "summary.css"

TITLE = N_("Work summary for %(year)s")
PREVIOUS_MONTHS = N_("Same month last year, all kinds")
VISITS_AXIS = N_("Visits (times)")
YEARS_AXIS = N_("Visits (times)")
REQUEST_PARTS = (N_("Resolved in time"), N_("Late"), N_("Still being handled"))
REQUESTS_AXIS = N_("Requests (cases)")
IN_TIME_NOTE = N_("%(count)s cases, %(percent)s%% in time")
SCORE_AXIS = N_("Score for the year (points)")
MEMBERS_AXIS = N_("Party members (people)")


def chinese(message: str, **variables: Any) -> str:
    text = translations(DEFAULT_LOCALE).gettext(message)
    return text % variables if variables else text


def number(value: int | None) -> str:
    """1234 → 1,234 (the way bureau reports write counts)."""
    return "—" if value is None else f"{value:,}"


def points_number(value: Decimal | None) -> str:
    """Points as people write them (points_text), thousands separated: 1,234.5."""
    text = points_text(value)
    whole, dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-') or 0):,}{dot}{fraction}"


def percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    catalog = translations(DEFAULT_LOCALE)
    env.install_gettext_callables(catalog.gettext, catalog.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(number=number, percent=percent, points=points_number)
    return env


def month_labels() -> list[str]:
    return [format_skeleton("MMM", date(2000, m, 1), locale=DEFAULT_LOCALE) for m in range(1, 13)]


def year_label(year: int) -> str:
    return format_skeleton("y", date(year, 1, 1), locale=DEFAULT_LOCALE)


def label(labels: Mapping[Any, str], key: str) -> str:
    """A kind or place in words (the labels are keyed by str enums, equal to `key`)."""
    return chinese(labels.get(key, key))


def kind_label(kind: str) -> str:
    return label(VISIT_KIND_LABELS, kind)


def visit_charts(visits: VisitFigures) -> dict[str, str]:
    found: dict[str, str] = {}
    if visits.visits:
        series = [charts.Series(kind_label(k), v) for k, v in visits.months.items()]
        previous = (
            charts.Series(chinese(PREVIOUS_MONTHS), visits.previous_months)
            if visits.previous
            else None
        )
        found["months"] = charts.stacked_months(
            series, month_labels(), previous, chinese(VISITS_AXIS)
        )
    if len(visits.years) >= 2:
        points = [(year_label(year), count) for year, count in visits.years]
        found["years"] = charts.yearly_line(points, chinese(YEARS_AXIS))
    return found


def request_chart(requests: RequestFigures) -> str | None:
    if not requests.total.tally.count:
        return None
    rows = [
        charts.Handled(
            line.tally.label, line.tally.within, line.tally.late, line.tally.running,
            chinese(IN_TIME_NOTE, count=number(line.tally.count), percent=line.tally.share)
            if line.tally.share is not None else number(line.tally.count),
        )
        for line in requests.categories
    ]  # fmt: skip
    parts = [chinese(part) for part in REQUEST_PARTS]
    return charts.handled_bars(rows, parts, chinese(REQUESTS_AXIS))


def points_chart(points: PointFigures) -> str | None:
    bins = points.bins()
    if not points.active or not bins:
        return None
    edges = [b.low for b in bins] + [bins[-1].high]
    counts = [b.members for b in bins]
    return charts.histogram(edges, counts, chinese(SCORE_AXIS), chinese(MEMBERS_AXIS))


def draw_charts(figures: AnnualFigures) -> dict[str, str]:
    """Every chart of the summary by name, as SVG (a chart with nothing to show is
    left out)."""
    found = visit_charts(figures.visits)
    for name, svg in (
        ("requests", request_chart(figures.requests)),
        ("points", points_chart(figures.points)),
    ):
        if svg is not None:
            found[name] = svg
    return found


def data_urls(drawn: dict[str, str]) -> dict[str, str]:
    """Each chart as a data: URL, so each SVG is an image of its own: the ids
    matplotlib gives its parts never meet another chart's."""
    return {
        name: "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        for name, svg in drawn.items()
    }


def load_weasyprint() -> None:
    """Import WeasyPrint (and with it Pango, a second or two) ahead of its use."""
    import weasyprint  # noqa: F401


def change_words(now: int, before: int) -> str:
    """How a count moved from the year before: 增长 12% / 减少 5% / 持平; nothing
    without a year before to compare with."""
    moved = change_percent(now, before)
    if moved is None:
        return ""
    if moved > 0:
        return chinese(N_("up %(percent)s%%"), percent=moved)
    if moved < 0:
        return chinese(N_("down %(percent)s%%"), percent=-moved)
    return chinese(N_("no change"))


def points_change(now: int | None, before: int | None) -> str:
    """How a share moved, in percentage points: 提高 7 个百分点."""
    if now is None or before is None:
        return ""
    if now > before:
        return chinese(N_("up %(points)s percentage points"), points=now - before)
    if now < before:
        return chinese(N_("down %(points)s percentage points"), points=before - now)
    return chinese(N_("no change"))


def render_html(figures: AnnualFigures, drawn: dict[str, str], made_on: date) -> str:
    context: dict[str, Any] = {
        "f": figures,
        "v": figures.visits,
        "r": figures.requests,
        "p": figures.points,
        "pub": figures.publications,
        "charts": drawn,
        "made_on": format_date(made_on, format="long", locale=DEFAULT_LOCALE),
        "in_progress": made_on.year <= figures.year,
        "kind_label": kind_label,
        "change": change_words,
        "points_change": points_change,
        "half_label": lambda half: chinese(HALF_NAMES[half - 1]),
    }
    return environment().get_template(TEMPLATE).render(context)


def write_pdf(html: str) -> bytes:
    """The page set on A4 (imported here: WeasyPrint loads Pango when imported, which
    the web process never needs)."""
    from weasyprint import CSS, HTML

    pdf = HTML(string=html, base_url=str(HERE)).write_pdf(stylesheets=[CSS(filename=CSS_FILE)])
    assert pdf is not None  # no target given: the bytes come back
    return pdf
