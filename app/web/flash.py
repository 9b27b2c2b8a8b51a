"""One-shot messages shown on the next page (after a 303 redirect).

They travel in a short cookie: messages are translated when flashed and escaped when
shown, so a forged cookie can only show its own author some text.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

from litestar.datastructures import Cookie

if TYPE_CHECKING:
    from litestar import Request
    from litestar.datastructures import MutableScopeHeaders
    from litestar.types import Scope

COOKIE = "redstar_flash"
LEVELS = ("success", "info", "warning", "error")


def flash(request: Request, level: str, message: str) -> None:
    request.scope.setdefault("state", {}).setdefault("flash_out", []).append([level, message])


def consume(request: Request) -> list[tuple[str, str]]:
    """Messages for this page; they are cleared once shown."""
    state = request.scope.setdefault("state", {})
    messages = state.get("flash_in") or []
    if messages:
        state["flash_in"] = []
        state["flash_consumed"] = True
    return [(lvl if lvl in LEVELS else "info", str(msg)) for lvl, msg in messages]


def decode(raw: str) -> list[list[str]]:
    if not raw:
        return []
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, TypeError):
        return []
    if not isinstance(data, list):
        return []
    return [item for item in data[:5] if isinstance(item, list) and len(item) == 2]


def write_cookie(scope: Scope, headers: MutableScopeHeaders, *, secure: bool) -> None:
    state = scope.get("state", {})
    pending = state.get("flash_out") or []
    if pending:
        value = base64.urlsafe_b64encode(json.dumps(pending, ensure_ascii=False).encode()).decode()
        cookie = Cookie(
            key=COOKIE, value=value, path="/", httponly=True, samesite="lax", secure=secure
        )
    elif state.get("flash_consumed"):
        cookie = Cookie(
            key=COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax", secure=secure
        )
    else:
        return
    headers.add("set-cookie", cookie.to_header(header=""))
