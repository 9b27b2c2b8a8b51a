"""The floor: a bare Litestar app rendering one Jinja page, served the same way."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, MediaType, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig


@get("/", media_type=MediaType.HTML, sync_to_thread=False)
def page() -> Template:
    return Template("bare.html", context={"title": "红星", "items": list(range(5))})


app = Litestar(
    [page],
    template_config=TemplateConfig(
        directory=Path(__file__).parent / "templates", engine=JinjaTemplateEngine
    ),
    logging_config=None,
    openapi_config=None,
)
