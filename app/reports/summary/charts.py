"""The annual summary's charts as SVG, drawn by matplotlib for print.

Made to be read on paper, often a grey photocopy: labels of 12–13 pt, black text and
edges, every series told apart by a hatch pattern as well as its colour, and the
figures written on the bars. Text stays text in the SVG (`svg.fonttype: none`) in the
Noto CJK font that Debian's fonts-noto-cjk installs, which WeasyPrint then sets with
the same font as the page: sharp at any zoom, searchable, and small.

matplotlib's settings are process-wide, so drawing is serialised by a lock (the
worker may build two reports at once in threads).
"""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

CJK_FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)
FAMILY = "Noto Sans CJK SC"
NO_FONT = "the annual summary needs Debian's fonts-noto-cjk (make run and make test install it)"

WIDTH = 6.8  # inches: the A4 page's text width, so a point in the SVG is a point on paper
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "redstar",  # the same SVG for the same figures
    "font.family": [FAMILY],
    "font.size": 12,
    "axes.labelsize": 12,
    "axes.edgecolor": "black",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "xtick.color": "black",
    "ytick.color": "black",
    "legend.fontsize": 11,
    "legend.frameon": False,
    "hatch.linewidth": 0.9,
    "hatch.color": "black",
    "text.color": "black",
}

# Series styles: a colour that prints as a distinct grey, and a hatch that still tells
# the series apart in black and white.
# Only hatches of straight lines: WeasyPrint draws a dotted or circled hatch's
# curves point by point, a second or more per bar.
SERIES = (
    ("#c8102e", ""),  # red
    ("#4a90d9", "//"),  # blue
    ("#f2c14e", "\\\\"),  # gold
    ("#3a9d5d", "xx"),  # green
    ("#b39ddb", "--"),  # lavender
    ("#a1887f", "||"),  # brown
    ("#e0e0e0", "++"),  # light grey
)
LINE = "#7a0019"  # a dark red for the line of years

_lock = threading.Lock()
_fonts_ready = False


def _setup() -> None:
    """matplotlib on its non-GUI backend with the CJK font registered by path (its
    font cache may predate the font's installation)."""
    global _fonts_ready
    if _fonts_ready:
        return
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for path in CJK_FONT_FILES:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
    try:
        font_manager.findfont(font_manager.FontProperties(family=FAMILY), fallback_to_default=False)
    except ValueError as missing:
        raise RuntimeError(NO_FONT) from missing
    _fonts_ready = True


def _draw(height: float, paint: Any) -> str:
    """A figure `WIDTH` by `height` inches painted by `paint(figure, axes)`, as SVG."""
    with _lock:
        _setup()
        import matplotlib
        from matplotlib.figure import Figure

        with matplotlib.rc_context(STYLE):
            figure = Figure(figsize=(WIDTH, height), layout="constrained")
            axes = figure.add_subplot()
            paint(figure, axes)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # without the XML prolog, to sit inside the page


def _thousands(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{int(value):,}"))


def _across(items: list[Any], columns: int) -> list[Any]:
    """Legend entries reordered so that matplotlib, which fills a legend column by
    column, shows them in reading order, row by row."""
    rows = -(-len(items) // columns)
    return [items[r * columns + c] for c in range(columns) for r in range(rows)
            if r * columns + c < len(items)]  # fmt: skip


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]


def stacked_months(
    series: Sequence[Series],
    month_labels: Sequence[str],
    previous: Series | None,
    y_label: str,
) -> str:
    """Visits per month stacked by kind, each month's total on top, and the year
    before's monthly totals as a dashed line."""

    def paint(figure: Any, axes: Any) -> None:
        positions = range(len(month_labels))
        bottom = [0] * len(month_labels)
        for index, one in enumerate(series):
            colour, hatch = SERIES[index % len(SERIES)]
            axes.bar(
                positions, one.values, bottom=bottom, label=one.label, color=colour,
                hatch=hatch, edgecolor="black", linewidth=0.6, width=0.72,
            )  # fmt: skip
            bottom = [b + v for b, v in zip(bottom, one.values, strict=True)]
        top = max([*bottom, *(previous.values if previous else [])], default=0)
        for x, total in zip(positions, bottom, strict=True):
            if total:
                axes.annotate(
                    f"{total:,}", (x, total), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=10,
                )  # fmt: skip
        if previous is not None:
            axes.plot(
                positions, previous.values, linestyle="--", color="black", linewidth=1.4,
                marker="o", markerfacecolor="white", markersize=5, label=previous.label,
            )  # fmt: skip
        axes.set_xticks(list(positions), month_labels)
        axes.set_ylabel(y_label)
        axes.set_ylim(0, top * 1.15 or 1)
        _thousands(axes.yaxis)
        handles, labels = axes.get_legend_handles_labels()
        if previous is not None:  # the year before's line after this year's kinds
            handles, labels = handles[1:] + handles[:1], labels[1:] + labels[:1]
        columns = 4
        figure.legend(
            _across(handles, columns), _across(labels, columns), loc="outside lower center",
            ncols=columns, handlelength=2.2, handleheight=1.2,
        )  # fmt: skip

    return _draw(3.9, paint)


def yearly_line(points: Sequence[tuple[str, int]], y_label: str) -> str:
    """One figure per year, joined: the trend of visits over the years."""

    def paint(figure: Any, axes: Any) -> None:
        labels = [label for label, _ in points]
        values = [value for _, value in points]
        axes.plot(labels, values, color=LINE, linewidth=2.2, marker="s", markersize=7)
        for label, value in points:
            axes.annotate(
                f"{value:,}", (label, value), xytext=(0, 7), textcoords="offset points",
                ha="center", va="bottom", fontsize=11,
            )  # fmt: skip
        axes.set_ylabel(y_label)
        axes.set_ylim(0, max(values, default=0) * 1.2 or 1)
        axes.set_xmargin(0.08)
        axes.grid(axis="y", color="#bdbdbd", linewidth=0.6)
        axes.set_axisbelow(True)
        _thousands(axes.yaxis)

    return _draw(3.0, paint)


@dataclass(frozen=True)
class Handled:
    """One category's requests: in time, late, still running."""

    category: str
    within: int
    late: int
    running: int
    note: str
    """Written after the bar: 40 件，按时率 90%."""


def handled_bars(rows: Sequence[Handled], part_labels: Sequence[str], x_label: str) -> str:
    """Requests per category as horizontal bars split into in time, late and running,
    the first category at the top."""

    def paint(figure: Any, axes: Any) -> None:
        names = [row.category for row in rows][::-1]
        parts = [
            [row.within for row in rows][::-1],
            [row.late for row in rows][::-1],
            [row.running for row in rows][::-1],
        ]
        styles = (("#2e7d32", ""), ("#f4a261", "//"), ("#e0e0e0", "--"))
        left = [0] * len(rows)
        for values, label, (colour, hatch) in zip(parts, part_labels, styles, strict=True):
            axes.barh(
                names, values, left=left, label=label, color=colour, hatch=hatch,
                edgecolor="black", linewidth=0.6, height=0.62,
            )  # fmt: skip
            left = [a + b for a, b in zip(left, values, strict=True)]
        widest = max(left, default=0)
        for y, (total, row) in enumerate(zip(left, rows[::-1], strict=True)):
            axes.annotate(
                row.note, (total, y), xytext=(5, 0),
                textcoords="offset points", va="center", fontsize=11,
            )  # fmt: skip
        axes.set_xlim(0, widest * 1.45 or 1)
        axes.set_xlabel(x_label)
        _thousands(axes.xaxis)
        figure.legend(
            loc="outside lower center", ncols=3, handlelength=2.2, handleheight=1.2
        )  # fmt: skip

    return _draw(1.2 + 0.42 * max(len(rows), 2), paint)


def histogram(edges: Sequence[Decimal], counts: Sequence[int], x_label: str, y_label: str) -> str:
    """Members per range of scores: bars between the range edges, each with its count."""

    def paint(figure: Any, axes: Any) -> None:
        lows = [float(e) for e in edges[:-1]]
        widths = [float(b - a) for a, b in itertools.pairwise(edges)]
        axes.bar(
            lows, counts, width=widths, align="edge", color="#4a90d9", hatch="//",
            edgecolor="black", linewidth=0.8,
        )  # fmt: skip
        for low, width, count in zip(lows, widths, counts, strict=True):
            if count:
                axes.annotate(
                    f"{count:,}", (low + width / 2, count), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=10,
                )  # fmt: skip
        axes.set_xticks([float(e) for e in edges], [f"{e:g}" for e in edges])
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        axes.set_ylim(0, max(counts, default=0) * 1.15 or 1)
        _thousands(axes.yaxis)

    return _draw(3.4, paint)
