"""Publication (公示) pages: open a branch's half-year ranking, objections, publish."""

from __future__ import annotations

from litestar import Controller


class PublicationController(Controller):
    path = "/points/publications"
