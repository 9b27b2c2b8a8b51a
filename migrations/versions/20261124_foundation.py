"""Foundation: provinces, tenants, platform users, tenant users, roles, invitations.

Revision ID: 20261124_foundation
Revises:
Create Date: 2026-11-24

Expects the roles from infra/postgres/roles.sql: the migrating owner (BYPASSRLS, so
its two SECURITY DEFINER lookups can cross tenants) and `redstar_runtime`.
"""

from __future__ import annotations

from alembic import op

from tenants.rls import RUNTIME_ROLE, tenant_table_sql

revision = "20261124_foundation"
down_revision = None
branch_labels = None
depends_on = None

# GB/T 2260 provincial-level divisions of the mainland.
PROVINCES = [
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"),
    ("15", "内蒙古自治区"), ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"),
    ("31", "上海市"), ("32", "江苏省"), ("33", "浙江省"), ("34", "安徽省"),
    ("35", "福建省"), ("36", "江西省"), ("37", "山东省"), ("41", "河南省"),
    ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"),
    ("53", "云南省"), ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"),
    ("63", "青海省"), ("64", "宁夏回族自治区"), ("65", "新疆维吾尔自治区"),
]  # fmt: skip

TENANT_ROLES = "'tenant_admin', 'branch_secretary', 'grid_worker', 'member'"


def upgrade() -> None:
    op.execute("revoke all on schema public from public")
    op.execute(f"grant usage on schema public to {RUNTIME_ROLE}")

    op.execute("""
        create table provinces (
            code char(2) primary key check (code ~ '^[1-9][0-9]$'),
            name text not null unique
        )""")
    values = ", ".join(f"('{code}', '{name}')" for code, name in PROVINCES)
    op.execute(f"insert into provinces (code, name) values {values}")  # noqa: S608 — constants
    op.execute(f"grant select on provinces to {RUNTIME_ROLE}")

    op.execute("""
        create table platform_users (
            id uuid primary key default gen_random_uuid(),
            phone varchar(11) not null unique check (phone ~ '^1[3-9][0-9]{9}$'),
            name text not null check (length(name) between 1 and 50),
            password_hash text not null,
            role varchar(32) not null check (role in ('operator', 'provincial_viewer')),
            province_code char(2) references provinces (code),
            is_active boolean not null default true,
            created_at timestamptz not null default now(),
            check ((role = 'provincial_viewer') = (province_code is not null))
        )""")
    # Platform staff are created by `redstar create-operator` as the owner. The app may
    # read them, but not their password hashes (login gets those through its function).
    op.execute(
        "grant select (id, phone, name, role, province_code, is_active, created_at) "
        f"on platform_users to {RUNTIME_ROLE}"
    )

    op.execute("""
        create table tenants (
            id uuid primary key default gen_random_uuid(),
            province_code char(2) not null references provinces (code),
            name text not null check (length(name) between 2 and 60),
            slug varchar(40) not null
                check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) between 3 and 40),
            region_code char(6) not null
                check (region_code ~ '^[0-9]{6}$' and left(region_code, 2) = province_code),
            preset varchar(60) not null,
            applicant_name text not null check (length(applicant_name) between 1 and 50),
            applicant_phone varchar(11) not null check (applicant_phone ~ '^1[3-9][0-9]{9}$'),
            status varchar(16) not null default 'pending'
                check (status in ('pending', 'active', 'rejected')),
            decision_note text,
            decided_at timestamptz,
            decided_by uuid references platform_users (id),
            created_at timestamptz not null default now()
        )""")
    op.execute("create index ix_tenants_province_status on tenants (province_code, status)")
    # A rejected signup frees its short name and region code for a corrected one.
    op.execute("create unique index uq_tenants_slug on tenants (slug) where status <> 'rejected'")
    op.execute(
        "create unique index uq_tenants_region_code on tenants (region_code) "
        "where status <> 'rejected'"
    )
    # Signup inserts a pending row (status keeps its default); only decide_signup()
    # below changes it.
    op.execute(f"grant select on tenants to {RUNTIME_ROLE}")
    op.execute(
        "grant insert (id, province_code, name, slug, region_code, preset, applicant_name, "
        f"applicant_phone) on tenants to {RUNTIME_ROLE}"
    )

    op.execute("""
        create table users (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            phone varchar(11) not null check (phone ~ '^1[3-9][0-9]{9}$'),
            name text not null check (length(name) between 1 and 50),
            password_hash text not null,
            is_active boolean not null default true,
            created_at timestamptz not null default now(),
            last_login_at timestamptz,
            primary key (tenant_id, id),
            unique (tenant_id, phone)
        )""")
    op.execute("create index ix_users_phone on users (phone)")

    op.execute(f"""
        create table user_roles (
            tenant_id uuid not null,
            user_id uuid not null,
            role varchar(32) not null check (role in ({TENANT_ROLES})),
            primary key (tenant_id, user_id, role),
            foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
        )""")

    op.execute(f"""
        create table invitations (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            token_hash bytea not null,
            name text not null check (length(name) between 1 and 50),
            phone varchar(11) not null check (phone ~ '^1[3-9][0-9]{{9}}$'),
            role varchar(32) not null check (role in ({TENANT_ROLES})),
            invited_by uuid not null,
            created_at timestamptz not null default now(),
            expires_at timestamptz not null,
            accepted_at timestamptz,
            revoked_at timestamptz,
            primary key (tenant_id, id),
            unique (tenant_id, token_hash),
            foreign key (tenant_id, invited_by) references users (tenant_id, id)
        )""")
    op.execute("create index ix_invitations_token_hash on invitations (token_hash)")

    for table in ("users", "user_roles", "invitations"):
        for statement in tenant_table_sql(table):
            op.execute(statement)

    # The only lookups that cross tenants, before a tenant is known. They return just
    # what the caller needs: a tenant user's password hash is then read under that
    # tenant's RLS, never through this function.
    op.execute("""
        create function login_candidates(p_phone text)
        returns table (kind text, user_id uuid, tenant_id uuid, tenant_name text,
                       tenant_status text, platform_password_hash text)
        language sql stable security definer set search_path = public, pg_temp as $$
            select 'platform', p.id, null::uuid, null::text, null::text, p.password_hash
              from platform_users p where p.phone = p_phone and p.is_active
            union all
            select 'tenant', u.id, u.tenant_id, t.name, t.status, null::text
              from users u join tenants t on t.id = u.tenant_id
             where u.phone = p_phone and u.is_active
        $$""")
    # Approving or rejecting a signup: the province rule lives here, beside the data.
    op.execute("""
        create function decide_signup(p_tenant uuid, p_staff uuid, p_approve boolean,
                                      p_note text) returns text
        language plpgsql volatile security definer set search_path = public, pg_temp as $$
        declare
            staff platform_users;
            current_status text;
        begin
            select * into staff from platform_users where id = p_staff and is_active;
            if not found then
                return 'not_found';
            end if;
            select status into current_status from tenants
             where id = p_tenant
               and (staff.role = 'operator' or province_code = staff.province_code)
               for update;
            if not found then
                return 'not_found';
            end if;
            if current_status <> 'pending' then
                return 'already_decided';
            end if;
            update tenants
               set status = case when p_approve then 'active' else 'rejected' end,
                   decision_note = nullif(p_note, ''), decided_at = now(), decided_by = p_staff
             where id = p_tenant;
            return 'decided';
        end
        $$""")
    op.execute("""
        create function invitation_tenant(p_token_hash bytea) returns uuid
        language sql stable security definer set search_path = public, pg_temp as $$
            select tenant_id from invitations
             where token_hash = p_token_hash and accepted_at is null and revoked_at is null
               and expires_at > now()
        $$""")
    for fn in (
        "login_candidates(text)",
        "invitation_tenant(bytea)",
        "decide_signup(uuid, uuid, boolean, text)",
    ):
        op.execute(f"revoke all on function {fn} from public")
        op.execute(f"grant execute on function {fn} to {RUNTIME_ROLE}")


def downgrade() -> None:
    op.execute("drop function if exists decide_signup(uuid, uuid, boolean, text)")
    op.execute("drop function if exists invitation_tenant(bytea)")
    op.execute("drop function if exists login_candidates(text)")
    for table in ("invitations", "user_roles", "users", "tenants", "platform_users", "provinces"):
        op.execute(f"drop table if exists {table} cascade")
