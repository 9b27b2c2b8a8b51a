"""What a report tells its requester when its file is ready (stored in Chinese, as
written; see app.notifications.outbox). Worker jobs run in zh-CN, so the kind's name
comes out of gettext in Chinese."""

from __future__ import annotations

from app.i18n import _
from app.notifications.kinds import Kind
from app.notifications.outbox import Notice
from app.reports.models import Report


def report_ready(report: Report, title: str) -> Notice:
    return Notice(
        kind=Kind.REPORT_READY,
        key=f"report:{report.id}:{report.attempt}",
        title=f"{_(title)}已生成",
        body=f"您要的{_(title)}已经做好，请打开下载。文件保留到{report.expires_at:%m月%d日}。",
        link=f"/reports/{report.id}",
    )
