"""Jinja2 environment: gettext, the menus (app.web.navigation), flash messages, the
formats of dates and points."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any

from babel.dates import format_skeleton
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from app.core import clock
from app.core.clock import CHINA_TIME  # times are shown in China whatever the server's zone
from app.core.money import yuan_text
from app.core.roles import ROLE_LABELS
from app.i18n import LOCALES, _, current_locale, html_lang, ntranslate, translate
from app.points.numbers import points_text
from app.settings import PROJECT_ROOT
from app.web import flash
from app.web.guards import may_open
from app.web.navigation import menu, navigation

TEMPLATE_DIRS: list[Path | PathLike[Any] | str] = [
    PROJECT_ROOT / "templates",  # the shell: base.html, partials, error pages
    *sorted((PROJECT_ROOT / "app").glob("**/templates")),
]
"""Each capability keeps its pages beside its code (app/grid/visits/templates/grid/…);
names stay `grid/visit.html`, so no two folders may hold the same name
(tests/unit/test_layout.py)."""


def current_user(request: Request) -> Any:
    return request.scope.get("user")


def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def _labeller(labels: dict[str, str]) -> Any:
    return lambda key: _(labels[key]) if key in labels else key


def points(value: Any, signed: bool = False) -> str:
    """A score as people write it (14, 2.5, -3; `signed` adds a +): see points_text."""
    return points_text(0 if value is None else value, signed)


def day(value: date) -> str:
    """A date as people say it: 11月26日周四 / Thu, Nov 26 (the year when not this one)."""
    return _day(value, current_locale.get(), value.year == clock.today().year)


def moment(value: datetime) -> str:
    """A time in China: 11月26日周四 20:05."""
    local = value.astimezone(CHINA_TIME)
    return f"{day(local.date())} {_hour(local.hour, local.minute, current_locale.get())}"


# Babel takes ~0.1 ms a date; a due list repeats the same few dates hundreds of times.
@lru_cache(maxsize=4096)
def _day(value: date, locale: str, this_year: bool) -> str:
    return format_skeleton("MMMEd" if this_year else "yMMMEd", value, locale=locale)


@lru_cache(maxsize=4096)
def _hour(hour: int, minute: int, locale: str) -> str:
    return format_skeleton("Hm", time(hour, minute), locale=locale)


@pass_context
def asset(context: Context, name: str) -> str:
    """The address of a bundle of stylesheets or scripts (app.web.assets)."""
    return str(context["request"].app.state.assets.url(name))


@pass_context
def may(context: Context, path: str) -> bool:
    """Whether this user may open the page at `path`: its route's own guard answers
    (app.web.guards.may_open), so a template never names roles to show a link."""
    return may_open(context["request"], path)


def _configure(env: Environment) -> None:
    from app.people.imports.headers import FIELD_LABELS
    from app.people.models import IMPORT_STATUS_LABELS, OUTCOME_LABELS

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(translate, ntranslate, newstyle=True)  # type: ignore[attr-defined]
    env.filters["points"] = points
    env.filters["day"] = day
    env.filters["moment"] = moment
    env.filters["yuan"] = yuan_text
    env.globals.update(
        asset=asset,
        current_user=current_user,
        navigation=navigation,
        may=may,
        menu=menu,
        flashes=flash.consume,
        role_label=role_label,
        import_status=_labeller(IMPORT_STATUS_LABELS),
        outcome_label=_labeller(OUTCOME_LABELS),
        field_label=_labeller(FIELD_LABELS),
        china_time=CHINA_TIME,
        locales=LOCALES,
        current_locale=lambda: current_locale.get(),
        html_lang=lambda: html_lang(current_locale.get()),
    )


def _engine_callback(engine: JinjaTemplateEngine) -> None:
    _configure(engine.engine)


template_config = TemplateConfig(
    directory=TEMPLATE_DIRS, engine=JinjaTemplateEngine, engine_callback=_engine_callback
)
