"""Every route of care, gathered from its sub-packages (app/main.py mounts this one
list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.care.after_care import routes as after_care
from app.care.aid import routes as aid
from app.care.calendar import routes as calendar
from app.care.cards import routes as cards
from app.care.condolence import routes as condolence
from app.care.political_birthdays import routes as political_birthdays
from app.care.surveys import routes as surveys

ROUTES: list[ControllerRouterHandler] = [
    *calendar.ROUTES,
    *political_birthdays.ROUTES,
    *condolence.ROUTES,
    *aid.ROUTES,
    *after_care.ROUTES,
    *cards.ROUTES,
    *surveys.ROUTES,
]
