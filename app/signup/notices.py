"""What signup tells people (stored in Chinese, as written; see
app.notifications.outbox): the province's viewers and the operators that a bureau's
signup waits for them, and the applicant what they decided.

The signup waits in the platform's inbox (rows with no tenant), the decision in the
new district's; each is written by `tell_approvers` / `tell_applicant` below."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import PlatformUser, User
from app.core.roles import Role
from app.notifications.kinds import Kind
from app.notifications.outbox import Notice, notify
from app.notifications.texts import quote
from tenants.models import Province, Tenant, TenantStatus

APPROVALS = "/approvals"


def signup_waiting(tenant_id: UUID, bureau: str, province: str) -> Notice:
    return Notice(
        kind=Kind.SIGNUP,
        key=f"signup:{tenant_id}",
        title=f"新的注册申请：{bureau}",
        body=f"{province}的{bureau}申请开通，等待审批。请核实后批准或驳回。",
        link=APPROVALS,
    )


def signup_decided(tenant_id: UUID, bureau: str, approved: bool, note: str) -> Notice:
    if approved:
        title, body = "注册已通过", f"{bureau}已开通，可以登录使用了。"
    else:
        title = "注册未通过"
        body = f"{bureau}的注册申请未通过。原因：{quote(note)}。修改后可以重新申请。"
    return Notice(
        kind=Kind.SIGNUP, key=f"signup:{tenant_id}:decided", title=title, body=body, link="/"
    )


async def tell_approvers(session: AsyncSession, tenant_id: UUID) -> int:
    """The operators and the province's viewers hear that a signup waits (if it still
    does). Run with no tenant in context: these are the platform's notices."""
    found = (
        await session.execute(
            select(Tenant.name, Tenant.province_code, Province.name)
            .join(Province)
            .where(Tenant.id == tenant_id, Tenant.status == TenantStatus.PENDING)
        )
    ).first()
    if found is None:
        return 0
    bureau, province_code, province = found
    approvers = await session.scalars(
        select(PlatformUser.id).where(
            PlatformUser.is_active,
            or_(
                PlatformUser.role == Role.OPERATOR,
                (PlatformUser.role == Role.PROVINCIAL_VIEWER)
                & (PlatformUser.province_code == province_code),
            ),
        )
    )
    return await notify(session, list(approvers), signup_waiting(tenant_id, bureau, province))


async def tell_applicant(session: AsyncSession, tenant_id: UUID, approved: bool, note: str) -> int:
    """The applicant's account in the district hears the decision. Run in the decided
    district's transaction, the decision's own."""
    bureau, phone = (
        await session.execute(
            select(Tenant.name, Tenant.applicant_phone).where(Tenant.id == tenant_id)
        )
    ).one()
    applicant = await session.scalars(select(User.id).where(User.phone == phone))
    return await notify(session, list(applicant), signup_decided(tenant_id, bureau, approved, note))
