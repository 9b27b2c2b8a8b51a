"""Reports, the web's side: what an account may ask for, asking (the row is committed
before its job is queued, so the worker finds it), an account's reports, a retry, and
the download — each report seen only by whoever asked for it and the district's
administrator.

A report asked for while Valkey is away is still written: it waits, queued, and the
sweep queues its job when the queue is back; the page just says it is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from arq.connections import ArqRedis
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.crypto import IdCipher
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import require_tenant
from app.i18n import N_, _
from app.people.models import OrgUnit, UnitKind
from app.people.pinyin import unit_sort_key
from app.people.scope import units_under
from app.points.periods import Kept, Period, parse_quarter, quarter
from app.points.rules.versions import kept
from app.reports.kinds import DOWNLOADED, FORMAT_LABELS, KINDS, Kind
from app.reports.models import WAITING, Report, ReportStatus
from app.reports.requests.forms import CHOOSE_BRANCH, CHOOSE_KIND, ReportForm
from app.reports.roster.build import roster_parameters
from app.reports.running import enqueue
from app.reports.settings.service import keep_days
from app.reports.storage import Storage

LISTED = 30
WAITING_PER_ACCOUNT = 5

FUTURE_QUARTER = N_("%(period)s has not begun yet. Please choose a quarter that has.")
FUTURE_YEAR = N_("The year %(year)s has not begun yet. Please choose a year that has.")
NO_RULES = N_("The district has no point rules yet, so there are no points to report.")
BEFORE_RULES = N_(
    "The district's point rules apply from %(day)s. Please choose a quarter from then on."
)
TOO_MANY = N_(
    "%(count)s of your reports are still being made. Please wait until one of them is ready."
)
NOT_YOURS = N_(
    "Only the person who asked for this report and the district's administrator may open it."
)
NOT_READY = N_("This report is not ready yet.")
EXPIRED = N_("This report was kept for %(days)s days and has been deleted. Please make it again.")
GONE = N_("The report's file could not be found. Please make it again.")
NOT_RETRIED = N_("Only a report that could not be made or has been deleted can be made again.")


@dataclass(frozen=True)
class ReportView:
    """A report as the pages show it: in words."""

    report: Report
    kind: Kind | None

    @property
    def title(self) -> str:
        return _(self.kind.title) if self.kind else _("Report")

    @property
    def period(self) -> str:
        parameters = self.report.parameters
        if "period" in parameters:
            return parse_quarter(parameters["period"], quarter(2000, 1)).label
        if "year" in parameters:
            return _("Year %(year)s", year=parameters["year"])
        return ""

    @property
    def format(self) -> str:
        name = (self.report.filename or "").rsplit(".", 1)[-1] or self.report.parameters.get(
            "format", self.kind.formats[0] if self.kind else ""
        )
        return _(FORMAT_LABELS[name]) if name in FORMAT_LABELS else ""

    @property
    def expired(self) -> bool:
        report = self.report
        return report.status == ReportStatus.EXPIRED or (
            report.status == ReportStatus.DONE
            and report.expires_at is not None
            and report.expires_at <= clock.now()
        )

    @property
    def error(self) -> str:
        return _(self.report.error, **self.report.error_args) if self.report.error else ""


@dataclass
class Choices:
    """What the request form offers this account."""

    kinds: list[Kind]
    quarters: list[Period]
    years: list[int]
    branches: list[tuple[UUID, str]]
    span: Kept


class ReportService:
    def __init__(self, session: AsyncSession, redis: ArqRedis, cipher: IdCipher) -> None:
        self.session = session
        self.redis = redis
        self.cipher = cipher

    # --- asking --------------------------------------------------------------------

    async def choices(self, identity: Identity) -> Choices:
        span = await kept(self.session)
        kinds = [k for k in KINDS.values() if k.listed and identity.has_any(k.roles)]
        return Choices(kinds, span.quarters(), span.years(), await self._branches(identity),
                       span)  # fmt: skip

    async def _branches(
        self, identity: Identity, branch_id: UUID | None = None
    ) -> list[tuple[UUID, str]]:
        query = select(OrgUnit.id, OrgUnit.name).where(
            OrgUnit.kind == UnitKind.BRANCH, OrgUnit.retired_at.is_(None),
            units_under(identity.scope),
        )  # fmt: skip
        if branch_id is not None:
            query = query.where(OrgUnit.id == branch_id)
        found = [(row.id, row.name) for row in await self.session.execute(query)]
        return sorted(found, key=lambda unit: unit_sort_key(unit[1]))

    async def request(self, identity: Identity, form: ReportForm) -> UUID:
        """Check what was asked, write the row, commit it, then queue its build. Asking
        again for a report that is still being made opens that one instead."""
        # A kind asked for on its own page (asked_on) is checked there, not here.
        if form.kind.asked_on is not None or not identity.has_any(form.kind.roles):
            raise Refused(CHOOSE_KIND)
        parameters, subject = await self._parameters(identity, form)
        return await self.ask(identity, form.kind, parameters, subject)

    async def ask(
        self, identity: Identity, kind: Kind, parameters: dict[str, Any], subject: str
    ) -> UUID:
        """Write the row of a report whose parameters are checked, commit it, queue its
        build (the care cards' page checks its own, then asks here)."""
        if not identity.has_any(kind.roles):
            raise Refused(CHOOSE_KIND)
        mine = Report.requested_by == identity.user_id
        same = await self.session.scalar(
            select(Report.id).where(mine, Report.kind == kind.name,
                                    Report.parameters == parameters, Report.status.in_(WAITING))
        )  # fmt: skip
        if same is not None:
            return same
        waiting = len((await self.session.scalars(
            select(Report.id).where(mine, Report.status.in_(WAITING))
        )).all())  # fmt: skip
        if waiting >= WAITING_PER_ACCOUNT:
            raise Refused(TOO_MANY, count=waiting)
        now = clock.now()
        report = Report(
            tenant_id=require_tenant(), id=uuid4(), kind=kind.name, parameters=parameters,
            subject=subject, requested_by=identity.user_id, status=ReportStatus.QUEUED,
            progress=0, attempt=1, created_at=now, moved_at=now, error_args={},
        )  # fmt: skip
        self.session.add(report)
        await self.session.commit()  # before the job is queued: the worker must find it
        await enqueue(self.redis, report.tenant_id, report.id, report.attempt)
        return report.id

    async def _parameters(self, identity: Identity, form: ReportForm) -> tuple[dict[str, Any], str]:
        """The builder's parameters, checked, and what the report is about in words."""
        kind = form.kind
        parameters: dict[str, Any] = {}
        subject = identity.tenant_name or ""
        if form.period is not None:
            parameters["period"] = await self._quarter(form.period)
        if form.year is not None:
            if form.year > clock.today().year:
                raise Refused(FUTURE_YEAR, year=form.year)
            parameters["year"] = form.year
        if kind.branch:
            found = await self._branches(identity, form.branch_id) if form.branch_id else []
            if not found:
                raise Refused(CHOOSE_BRANCH)
            parameters["branch_id"] = str(found[0][0])
            subject = found[0][1]
        if form.wanted is not None:
            parameters |= roster_parameters(self.cipher, identity.scope, form.wanted)
            if form.wanted.unit_id is not None:
                unit = await self.session.scalar(
                    select(OrgUnit.name).where(OrgUnit.id == form.wanted.unit_id,
                                               units_under(identity.scope))
                )  # fmt: skip
                subject = unit or subject
        if len(kind.formats) > 1:
            parameters["format"] = form.format
        return parameters, subject

    async def _quarter(self, period: Period) -> str:
        span = await kept(self.session)
        if period.start > span.today:
            raise Refused(FUTURE_QUARTER, period=period.label)
        if span.since is None:
            raise Refused(NO_RULES)
        if period.end < span.since:
            raise Refused(BEFORE_RULES, day=span.since.isoformat())
        return period.key

    # --- an account's reports ------------------------------------------------------

    async def keep_days(self) -> int:
        return await keep_days(self.session)

    async def mine(self, identity: Identity) -> list[ReportView]:
        found = await self.session.scalars(
            select(Report)
            .where(Report.requested_by == identity.user_id)
            .order_by(Report.created_at.desc())
            .limit(LISTED)
        )
        return [ReportView(r, KINDS.get(r.kind)) for r in found]

    async def get(self, identity: Identity, report_id: UUID) -> ReportView:
        """The report as it is now (the worker changes it under the page's feet)."""
        report = await self.session.get(
            Report, {"tenant_id": require_tenant(), "id": report_id}, populate_existing=True
        )
        if report is None:
            raise NotFound()
        if report.requested_by != identity.user_id and Role.TENANT_ADMIN not in identity.roles:
            raise Refused(NOT_YOURS)
        return ReportView(report, KINDS.get(report.kind))

    async def retry(self, identity: Identity, report_id: UUID) -> None:
        """Make a failed or deleted report again: a new attempt, queued. (A file past
        its time that the sweep has not deleted yet is replaced by the new one.)"""
        view = await self.get(identity, report_id)
        attempt = await self.session.scalar(
            update(Report)
            .where(Report.id == report_id,
                   or_(Report.status.in_((ReportStatus.FAILED, ReportStatus.EXPIRED)),
                       and_(Report.status == ReportStatus.DONE, Report.expires_at <= clock.now())))
            .values(status=ReportStatus.QUEUED, progress=0, attempt=Report.attempt + 1,
                    error=None, error_args={}, started_at=None, finished_at=None,
                    expires_at=None, moved_at=clock.now())
            .returning(Report.attempt)
        )  # fmt: skip
        if attempt is None:
            raise Refused(NOT_RETRIED)
        await self.session.commit()  # before the job is queued
        await enqueue(self.redis, view.report.tenant_id, report_id, attempt)

    async def download(
        self, identity: Identity, report_id: UUID, storage: Storage
    ) -> tuple[bytes, Report]:
        """The file, while it is kept; the download goes in the change log."""
        view = await self.get(identity, report_id)
        report = view.report
        if view.expired:
            kept_for = (report.expires_at or clock.now()) - (report.finished_at or clock.now())
            raise Refused(EXPIRED, days=round(kept_for.total_seconds() / 86400))
        if report.status != ReportStatus.DONE or report.file_key is None:
            raise Refused(NOT_READY)
        try:
            content = await storage.get(report.file_key)
        except FileNotFoundError:
            raise Refused(GONE) from None
        kind = view.kind
        roster = kind is not None and kind.audit_action == "people.exported"
        await record(
            self.session, identity.actor, kind.audit_action if kind else DOWNLOADED,
            subject_type="roster" if roster else "report", subject_id=report.id,
            subject_name=None if roster else report.subject,
            changes=kind.audited(report.parameters) if kind else {},
        )  # fmt: skip
        return content, report
