"""Signup of a district bureau and its approval by the province or the operator."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.accounts.passwords import hash_password
from app.accounts.service import create_tenant_user
from app.audit.service import record
from app.core.errors import NotFound
from app.core.forms import FieldError, FormErrors
from app.core.identity import Actor, Identity
from app.core.roles import Role
from app.core.validators import (
    mainland_mobile,
    new_password,
    person_name,
    plain_text,
    region_code,
    slug,
)
from app.i18n import N_
from app.points.rules.versions import install_first_rules
from app.state import AppServices
from tenants.context import tenant_scope
from tenants.models import Province, Tenant, TenantStatus, insert_signup
from tenants.presets import all_presets
from tenants.presets.service import install_service_preset


@dataclass(frozen=True)
class SignupForm:
    name: str = ""
    slug: str = ""
    province_code: str = ""
    region_code: str = ""
    preset: str = ""
    admin_name: str = ""
    admin_phone: str = ""
    password: str = ""
    password_confirm: str = ""

    def clean(self, province_codes: set[str]) -> tuple[SignupForm, FormErrors]:
        """Validate every field at once so the form shows all its problems together."""
        values = asdict(self)
        errors: FormErrors = {}

        def check(field: str, rule) -> None:  # type: ignore[no-untyped-def]
            try:
                values[field] = rule(values[field])
            except FieldError as exc:
                errors[field] = exc.message

        check("name", plain_text)
        if "name" not in errors and not 2 <= len(values["name"]) <= 60:
            errors["name"] = N_("Please enter the bureau's full name (2–60 characters).")
        check("slug", slug)
        province_ok = self.province_code in province_codes
        if not province_ok:
            errors["province_code"] = N_("Please choose a province.")
        check("region_code", lambda v: region_code(v, self.province_code if province_ok else ""))
        if self.preset not in all_presets():
            errors["preset"] = N_("Please choose a starting scheme.")
        check("admin_name", person_name)
        check("admin_phone", mainland_mobile)
        try:
            new_password(self.password, self.password_confirm)
        except FieldError as exc:
            errors["password"] = exc.message
        return SignupForm(**values), errors


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


class TenancyService:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db
        self.redis = services.redis
        self.signup_limit = services.settings.auth.signups_per_ip_per_day

    async def provinces(self) -> list[Province]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Province).order_by(Province.code))).all())

    async def sign_up(self, form: SignupForm, ip: str) -> tuple[UUID | None, FormErrors]:
        """Create a pending tenant and its first admin in one transaction.

        A valid signup first reserves one of the address's signups for the day, so a
        script cannot reserve every district's region code.
        """
        provinces = {p.code for p in await self.provinces()}
        form, errors = form.clean(provinces)
        async with self.db.session() as session:
            live = Tenant.status != TenantStatus.REJECTED  # rejected signups free both
            if "slug" not in errors and await session.scalar(
                select(Tenant.id).where(Tenant.slug == form.slug, live)
            ):
                errors["slug"] = N_("This short name is already taken.")
            if "region_code" not in errors and await session.scalar(
                select(Tenant.id).where(Tenant.region_code == form.region_code, live)
            ):
                errors["region_code"] = N_("A bureau with this region code has already signed up.")
        if errors:
            return None, errors
        key = f"signups:ip:{ip}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, SIGNUP_WINDOW_SECONDS, nx=True)
            count, _ = await pipe.execute()
        if count > self.signup_limit:
            return None, {
                "form": N_("Too many signups from this network today. Please try again tomorrow.")
            }

        tenant_id = uuid4()
        password_hash = await hash_password(form.password)
        with tenant_scope(tenant_id):
            async with self.db.session() as session:
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
                await create_tenant_user(
                    session, tenant_id, name=form.admin_name, phone=form.admin_phone,
                    password_hash=password_hash, roles=[Role.TENANT_ADMIN],
                )  # fmt: skip
                await record(
                    session, Actor("applicant", form.admin_name), "tenant.signed_up",
                    subject_type="tenant", subject_id=tenant_id, subject_name=form.name,
                    changes={"region_code": form.region_code, "slug": form.slug},
                )  # fmt: skip
                try:
                    await session.commit()
                except IntegrityError as exc:  # lost a race on slug or region code
                    await self.redis.decr(key)  # nothing was created: give the signup back
                    field = "slug" if "slug" in str(exc.orig) else "region_code"
                    return None, {field: N_("This value was just taken; please choose another.")}
        return tenant_id, {}

    # --- approvals ------------------------------------------------------------------

    def _visible(self, identity: Identity):  # type: ignore[no-untyped-def]
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
        async with self.db.session() as session:
            rows = (await session.execute(query.limit(limit))).all()
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
        async with self.db.session() as session:
            return dict((await session.execute(query)).tuples().all())

    async def decide(
        self, identity: Identity, tenant_id: UUID, *, approve: bool, note: str
    ) -> str | None:
        """Approve or reject a pending signup; returns an error msgid or None.

        The database function decide_signup() holds the rule (an operator decides any
        signup, a provincial viewer those of the province); a tenant outside it is
        reported as not found (404), as if it did not exist. An approved district gets
        its first point rules in the same transaction (see install_first_rules).
        """
        try:
            note = plain_text(note)[:500]
        except FieldError as exc:
            return exc.message
        if not approve and not note:
            return N_("Please give the reason for rejecting, so the bureau can correct it.")
        with tenant_scope(tenant_id):  # the first rules are the district's own rows
            async with self.db.session() as session:
                outcome = await session.scalar(
                    text("select decide_signup(:tenant, :staff, :approve, :note)"),
                    {"tenant": tenant_id, "staff": identity.user_id, "approve": approve,
                     "note": note},
                )  # fmt: skip
                if outcome == "decided" and approve:
                    preset = await session.scalar(
                        select(Tenant.preset).where(Tenant.id == tenant_id)
                    )
                    assert preset is not None  # decide_signup() has just approved it
                    await install_first_rules(session, tenant_id, preset)
                await session.commit()
        if outcome == "not_found":
            raise NotFound()
        if outcome == "already_decided":
            return N_("This signup has already been decided.")
        return None
