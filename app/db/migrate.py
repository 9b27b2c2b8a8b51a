"""Apply Alembic migrations as the owner role."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.settings import PROJECT_ROOT


def upgrade_to_head(owner_url: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["owner_url"] = owner_url
    command.upgrade(config, "head")
