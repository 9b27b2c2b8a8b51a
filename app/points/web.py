"""How a points page that holds a form answers: as it is, or sent back with a refusal."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from app.core.errors import Refused
from app.web.responses import render, sent_back


def form_page(
    request: Request, template: str, context: dict[str, Any], refused: Refused | None = None
) -> Template:
    """The page as it is (no message), or after `refused` sent back with it: 422, the
    message above and each field's beside it (app.web.responses.sent_back)."""
    if refused is not None:
        return sent_back(request, template, context, refused)
    return render(request, template, {**context, "error": None, "errors": {}})
