"""The people services a request's handlers are given: each built on the request's
session (app.web.dependencies), so one page's services share one transaction."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from app.people.imports.service import ImportService
from app.people.org.service import OrgService
from app.people.roster.duplicates import DuplicateService
from app.people.roster.service import PeopleService
from app.state import AppServices


def provide_org(db_session: NamedDependency[AsyncSession]) -> OrgService:
    return OrgService(db_session)


def provide_people(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> PeopleService:
    return PeopleService(db_session, services.cipher)


def provide_duplicates(db_session: NamedDependency[AsyncSession]) -> DuplicateService:
    return DuplicateService(db_session)


def provide_imports(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> ImportService:
    return ImportService(db_session, services.cipher, services.redis)
