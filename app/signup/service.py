"""Signup of a district bureau and its approval by the province or the operator.

Both act in a district that is not the request's own (the new one, the one decided),
so each runs its writes in that district's transaction (`tenant_transaction`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import structlog
from redis.asyncio import Redis
from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.hashing import hash_password
from app.accounts.users.service import create_tenant_user
from app.audit.service import record
from app.care.aid.fund import install_aid_fund
from app.core.errors import NotFound, Refused
from app.core.forms import FieldError, FormReader, InvalidForm
from app.core.identity import Actor, Identity
from app.core.roles import Role
from app.core.validators import plain_text
from app.db.tenant import tenant_transaction
from app.i18n import N_
from app.orglife.presets import install_orglife_preset
from app.points.rules.versions import install_first_rules
from app.service_requests.presets import install_service_preset
from app.settings import AuthSettings
from app.signup.forms import SignupForm, read_signup
from app.signup.notices import tell_applicant, tell_approvers
from tenants.models import Province, Tenant, TenantStatus, insert_signup


@dataclass(frozen=True)
class TenantRow:
    id: UUID
    name: str
    slug: str
    region_code: str
    province_name: str
    preset: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str | None
    applicant_name: str
    applicant_phone: str


SIGNUP_WINDOW_SECONDS = 86400
log = structlog.get_logger("redstar.signup")


class TenancyService:
    def __init__(self, session: AsyncSession, redis: Redis, auth: AuthSettings) -> None:
        self.session = session
        self.redis = redis
        self.signup_limit = auth.signups_per_ip_per_day

    async def provinces(self) -> list[Province]:
        return list(await self.session.scalars(select(Province).order_by(Province.code)))

    async def sign_up(self, data: Mapping[str, str], ip: str) -> UUID:
        """Create a pending tenant and its first admin in one transaction.

        InvalidForm names every field that is wrong, those only the database can judge
        among them. A valid signup first reserves one of the address's signups for the
        day (Refused when they are used up), so a script cannot reserve every
        district's region code.
        """
        reader = FormReader(data)
        form = read_signup(reader, {p.code for p in await self.provinces()})
        live = Tenant.status != TenantStatus.REJECTED  # rejected signups free both
        if form.slug and await self.session.scalar(
            select(Tenant.id).where(Tenant.slug == form.slug, live)
        ):
            reader.error("slug", N_("This short name is already taken."))
        if form.region_code and await self.session.scalar(
            select(Tenant.id).where(Tenant.region_code == form.region_code, live)
        ):
            reader.error("region_code", N_("A bureau with this region code has already signed up."))
        reader.done()
        key = f"signups:ip:{ip}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, SIGNUP_WINDOW_SECONDS, nx=True)
            count, _ = await pipe.execute()
        if count > self.signup_limit:
            raise Refused(
                N_("Too many signups from this network today. Please try again tomorrow.")
            )
        await self.session.commit()  # no transaction stays open while argon2 works
        password_hash = await hash_password(form.password)
        tenant_id = uuid4()
        try:
            async with tenant_transaction(self.session, tenant_id):
                await self._create(tenant_id, form, password_hash)
        except IntegrityError as exc:  # lost a race on slug or region code
            await self.redis.decr(key)  # nothing was created: give the signup back
            field = "slug" if "slug" in str(exc.orig) else "region_code"
            raise InvalidForm(
                {field: N_("This value was just taken; please choose another.")}
            ) from exc
        # The approvers' notices are the platform's (no tenant), so they cannot share
        # the signup's transaction; should this one be lost, remind_pending_signups
        # writes them within ten minutes.
        try:
            async with tenant_transaction(self.session, None):
                await tell_approvers(self.session, tenant_id)
        except SQLAlchemyError:  # the signup is saved; the reminder job tells them
            log.warning("signup_notice_deferred", tenant=str(tenant_id), exc_info=True)
        return tenant_id

    async def _create(self, tenant_id: UUID, form: SignupForm, password_hash: str) -> None:
        session = self.session
        await insert_signup(
            session,
            tenant_id=tenant_id,
            province_code=form.province_code,
            name=form.name,
            slug=form.slug,
            region_code=form.region_code,
            preset=form.preset,
            applicant_name=form.admin_name,
            applicant_phone=form.admin_phone,
        )
        await install_service_preset(session, tenant_id)
        await install_orglife_preset(session, tenant_id)
        await install_aid_fund(session, tenant_id)
        await create_tenant_user(
            session, tenant_id, name=form.admin_name, phone=form.admin_phone,
            password_hash=password_hash, roles=[Role.TENANT_ADMIN],
        )  # fmt: skip
        await record(
            session, Actor("applicant", form.admin_name), "tenant.signed_up",
            subject_type="tenant", subject_id=tenant_id, subject_name=form.name,
            changes={"region_code": form.region_code, "slug": form.slug},
        )  # fmt: skip
        await session.commit()

    # --- approvals ------------------------------------------------------------------

    @staticmethod
    def _visible(identity: Identity) -> Select[Tenant, str]:
        """Operators see every tenant; a provincial viewer only the province's."""
        query = select(Tenant, Province.name).join(Province)
        if Role.OPERATOR not in identity.roles:
            query = query.where(Tenant.province_code == identity.province_code)
        return query

    async def tenants_for(self, identity: Identity, limit: int = 500) -> list[TenantRow]:
        """Pending signups first, then the latest decided ones."""
        query = self._visible(identity).order_by(
            Tenant.status != TenantStatus.PENDING, Tenant.created_at.desc()
        )
        rows = (await self.session.execute(query.limit(limit))).all()
        return [
            TenantRow(
                t.id,
                t.name,
                t.slug,
                t.region_code,
                province,
                t.preset,
                t.status,
                t.created_at,
                t.decided_at,
                t.decision_note,
                t.applicant_name,
                t.applicant_phone,
            )
            for t, province in rows
        ]

    async def status_counts(self, identity: Identity) -> dict[str, int]:
        query = select(Tenant.status, func.count()).group_by(Tenant.status)
        if Role.OPERATOR not in identity.roles:
            query = query.where(Tenant.province_code == identity.province_code)
        return dict((await self.session.execute(query)).tuples().all())

    async def decide(
        self, identity: Identity, tenant_id: UUID, *, approve: bool, note: str
    ) -> None:
        """Approve or reject a pending signup (Refused: no reason to reject, or it is
        decided already).

        The database function decide_signup() holds the rule (an operator decides any
        signup, a provincial viewer those of the province); a tenant outside it is
        reported as not found (404), as if it did not exist. An approved district gets
        its first point rules in the same transaction (see install_first_rules).
        """
        try:
            note = plain_text(note)[:500]
        except FieldError as exc:
            raise Refused(exc.message) from exc
        if not approve and not note:
            raise Refused(N_("Please give the reason for rejecting, so the bureau can correct it."))
        session = self.session
        async with tenant_transaction(session, tenant_id):  # the first rules are its own rows
            outcome = await session.scalar(
                text("select decide_signup(:tenant, :staff, :approve, :note)"),
                {"tenant": tenant_id, "staff": identity.user_id, "approve": approve,
                 "note": note},
            )  # fmt: skip
            if outcome == "decided" and approve:
                preset = await session.scalar(select(Tenant.preset).where(Tenant.id == tenant_id))
                assert preset is not None  # decide_signup() has just approved it
                await install_first_rules(session, tenant_id, preset)
            if outcome == "decided":
                await tell_applicant(session, tenant_id, approve, note)
            await session.commit()
        if outcome == "not_found":
            raise NotFound()
        if outcome == "already_decided":
            raise Refused(N_("This signup has already been decided."))
