"""Isolation of the survey routes (merged into tests/http/test_isolation.py): district
A's open survey of the whole district, and the pages B's accounts open."""

from __future__ import annotations

from uuid import UUID

from app.core.roles import Role
from app.state import AppServices
from tests.care_surveys import open_survey
from tests.factories import World

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """An open survey of district A (the whole district, so any of its members may answer)."""
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    survey = await open_survey(services, world.a, None, title="甲区满意度调查")
    _MADE[world.a.tenant_id] = {"survey_id": str(survey)}
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    # /care/my-surveys lists only the surveys of the account's own person's units (and
    # refuses an account linked to none, as these are): test_care_surveys reads it.
]
