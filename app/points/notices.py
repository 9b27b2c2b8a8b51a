"""What points tell people (stored in Chinese, as written; see
app.notifications.outbox): a claim decided, an objection answered, a branch's
half-year ranking put up and published."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from app.i18n import DEFAULT_LOCALE, translations
from app.notifications.kinds import Kind
from app.notifications.outbox import Notice
from app.notifications.texts import quote
from app.points.periods import Period

CLAIMS = "/points/claims"


def publication_link(publication_id: UUID) -> str:
    return f"/points/publications/{publication_id}"


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _half(period: Period) -> str:
    return period.name(translations(DEFAULT_LOCALE).gettext)


def claim_decided(
    claim_id: UUID, person: str, item: str, occurred_on: date, reason: str | None
) -> Notice:
    """The claimant's answer: approved (`reason` None) or rejected with its reason."""
    what = f"{person}{_day(occurred_on)}的“{item}”"
    if reason is None:
        title, body = "积分申报已通过", f"{what}已审核通过，积分已记入。"
    else:
        title, body = "积分申报未通过", f"{what}未通过审核。原因：{quote(reason)}"
    return Notice(
        kind=Kind.CLAIM_DECIDED, key=f"claim:{claim_id}", title=title, body=body, link=CLAIMS
    )


def objection_answered(
    objection_id: UUID, publication_id: UUID, person: str, upheld: bool, answer: str
) -> Notice:
    """The member who objected: upheld (the entry corrected) or not, and the answer."""
    verdict = "已采纳" if upheld else "未采纳"
    corrected = "，积分已更正" if upheld else ""
    return Notice(
        kind=Kind.OBJECTION_ANSWERED,
        key=f"objection:{objection_id}",
        title=f"你的异议{verdict}",
        body=f"你对{person}积分提出的异议{verdict}{corrected}。答复：{quote(answer)}",
        link=publication_link(publication_id),
    )


def ranking_put_up(
    publication_id: UUID, branch: str, period: Period, objections_close_on: date
) -> Notice:
    """The branch's members: the half-year's ranking is up, objections until a day."""
    return Notice(
        kind=Kind.PUBLICATION,
        key=f"publication:{publication_id}:opened",
        title=f"{branch}{_half(period)}积分公示",
        body=(
            f"{branch}{_half(period)}的积分排名已公示。请核对自己的积分，"
            f"有不同意见请在{_day(objections_close_on)}前提出。"
        ),
        link=publication_link(publication_id),
    )


def ranking_published(publication_id: UUID, branch: str, period: Period) -> Notice:
    return Notice(
        kind=Kind.PUBLICATION,
        key=f"publication:{publication_id}:published",
        title=f"{branch}{_half(period)}积分已公布",
        body=f"{branch}{_half(period)}的积分排名已正式公布。",
        link=publication_link(publication_id),
    )
