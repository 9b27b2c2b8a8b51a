"""What the roster tells people (stored in Chinese, as written; see
app.notifications.outbox): an import checked, imported, or stopped by a problem —
told to whoever uploaded the file (and whoever asked for the import)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.notifications.kinds import Kind
from app.notifications.outbox import Notice
from app.notifications.texts import quote


def import_link(import_id: UUID) -> str:
    return f"/people/imports/{import_id}"


def import_checked(import_id: UUID, filename: str, summary: dict[str, Any]) -> Notice:
    ready = summary.get("new", 0) + summary.get("update", 0)
    problems = summary.get("error", 0)
    found = f"可以导入 {ready} 人" + (f"，{problems} 行有问题" if problems else "")
    return Notice(
        kind=Kind.ROSTER_IMPORT,
        key=f"import:{import_id}:checked",
        title="名单核对完成",
        body=f"《{quote(filename, 40)}》已核对：{found}。请打开看一看，确认后再导入。",
        link=import_link(import_id),
    )


def import_committed(import_id: UUID, filename: str, counts: dict[str, int]) -> Notice:
    return Notice(
        kind=Kind.ROSTER_IMPORT,
        key=f"import:{import_id}:committed",
        title="名单导入完成",
        body=(
            f"《{quote(filename, 40)}》已导入：新增 {counts.get('created', 0)} 人，"
            f"更新 {counts.get('updated', 0)} 人。"
        ),
        link=import_link(import_id),
    )


def import_failed(import_id: UUID, filename: str) -> Notice:
    return Notice(
        kind=Kind.ROSTER_IMPORT,
        key=f"import:{import_id}:failed",
        title="名单没有导入",
        body=f"《{quote(filename, 40)}》没有导入成功，名单没有改动。请打开页面查看原因。",
        link=import_link(import_id),
    )
