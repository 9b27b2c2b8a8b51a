"""gettext through Babel catalogs; zh_CN is the default, en the other choice.

Templates call `_()`; Python marks strings with `N_()` where they are translated
later (at render time), or `_()` where the request's locale is already known.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from babel.support import NullTranslations, Translations

from app.settings import PROJECT_ROOT

LOCALE_DIR = PROJECT_ROOT / "app" / "locales"
LOCALES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def _(message: str, **variables: Any) -> str:
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def translate(message: str) -> str:
    """Plain lookup for Jinja, whose newstyle gettext does the formatting itself."""
    return translations(current_locale.get()).gettext(message)


def ntranslate(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def html_lang(locale: str) -> str:
    return locale.replace("_", "-")
