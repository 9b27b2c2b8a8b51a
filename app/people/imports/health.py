"""Reading a roster's health note (身体状况) for signs that a person is infirm.

Bureaus write 年迈体弱, 卧床 or 失能 in a free-text column rather than ticking a 年迈体弱
column, so the import would score everyone. A sign found here only proposes the flag
(exempt from points, study delivered home); the admin confirms it in the dry run.
"""

from __future__ import annotations

import re

# Words a health note uses for someone too old or frail to take part: the longer ones
# first, so 生活不能自理 is read as 不能自理 and not as a negated 自理.
INFIRM_SIGNS = (
    "年迈体弱", "年老体弱", "体弱多病", "不能自理", "无法自理", "难以自理", "不能行走",
    "无法行走", "行动不便", "卧床", "瘫痪", "偏瘫", "截瘫", "失能", "失智", "痴呆", "植物人",
    "坐轮椅", "体弱",
)  # fmt: skip
_SIGN = re.compile("|".join(INFIRM_SIGNS))
# Just before a sign, these deny it: 不卧床, 无需卧床, 并非失能 ("身体不好卧床" does not).
_DENIALS = ("不", "无", "未", "非", "没", "没有", "不再", "无需", "无须", "不用", "不必", "未曾")
_ANSWERED_NO = re.compile(r"\s*[:：(（]\s*[否无]")  # 卧床：否, 失能（无）
_CLAUSES = re.compile(r"[，,。；;、！!？?\n]")


def infirm_sign(note: str | None) -> str | None:
    """The first sign of infirmity the note states (卧床 in 长期卧床), or None when it has
    none or denies it (不卧床, 无卧床, 并非失能, 卧床：否)."""
    if not note:
        return None
    for clause in _CLAUSES.split(note):
        for found in _SIGN.finditer(clause):
            if clause[: found.start()].endswith(_DENIALS):
                continue
            if _ANSWERED_NO.match(clause, found.end()):
                continue
            return found.group()
    return None
