"""SLA compliance as pictures: the share resolved in time month by month (the
compliance page and the homes of the admin and the secretaries) and per category (the
compliance page)."""

from __future__ import annotations

from app.core.charts import Chart, Series, month_label, month_labels, sentences, share
from app.i18n import _
from app.service_requests.compliance.service import Compliance, MonthCompliance


def by_month_chart(months: list[MonthCompliance]) -> Chart:
    """A line of the share in time, one point per month (none for a month with no
    request decided yet)."""
    within = sum(m.within for m in months)
    decided = within + sum(m.late for m in months)
    current = months[-1] if months else None
    if decided:
        summary = _(
            "Over the last %(months)s months %(share)s%% of the requests decided were resolved "
            "in time (%(within)s of %(decided)s).",
            months=len(months), share=share(within, decided), within=within, decided=decided,
        )  # fmt: skip
        if current is not None and current.share is not None:
            summary = sentences(
                summary,
                _(
                    "In %(month)s so far: %(share)s%%.",
                    month=month_label(current.month, with_year=True),
                    share=current.share,
                ),
            )
    else:
        summary = _("No request was resolved or late in the last %(months)s months.",
                    months=len(months))  # fmt: skip
    return Chart(
        key="sla-by-month",
        title=_("Requests resolved in time, per month"),
        summary=summary,
        kind="line",
        category_label=_("Month"),
        categories=month_labels([m.month for m in months]),
        series=(Series(_("Share in time"), tuple(m.share for m in months)),),
        unit="%",
    )


def by_category_chart(report: Compliance) -> Chart:
    """The period's share in time per request category; a category with nothing
    decided yet shows no bar ("—" in the table)."""
    decided = [t for t in report.categories if t.share is not None]
    if decided:
        worst = min(decided, key=lambda t: (t.share or 0, t.label))
        summary = _(
            "Lowest share in time: %(category)s, %(share)s%% (%(within)s of %(decided)s).",
            category=worst.label, share=worst.share, within=worst.within,
            decided=worst.within + worst.late,
        )  # fmt: skip
    else:
        summary = _("No request of this period was resolved or late yet.")
    return Chart(
        key="sla-by-category",
        title=_("Share in time, per category"),
        summary=summary,
        kind="bars",
        category_label=_("Request category"),
        categories=tuple(t.label for t in report.categories),
        series=(Series(_("Share in time"), tuple(t.share for t in report.categories)),),
        unit="%",
    )
