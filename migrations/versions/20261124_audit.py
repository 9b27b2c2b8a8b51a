"""Audit log: who changed what and when, append-only.

Revision ID: 20261124_audit
Revises: 20261124_password_resets
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261124_audit"
down_revision = "20261124_password_resets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create table audit_events (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            at timestamptz not null default now(),
            actor_kind varchar(16) not null
                check (actor_kind in ('user', 'platform', 'applicant', 'system')),
            actor_id uuid,
            actor_name text not null,
            action varchar(64) not null,
            subject_type varchar(32) not null,
            subject_id uuid,
            subject_name text,
            changes jsonb not null default '{}',
            primary key (tenant_id, id)
        )""")
    op.execute("create index ix_audit_events_at on audit_events (tenant_id, at desc)")
    # Append-only: the app may add and read events, never change or remove one.
    for statement in tenant_table_sql("audit_events", privileges="select, insert"):
        op.execute(statement)

    # Approvals are recorded in the district's own log, in the same transaction.
    op.execute("""
        create or replace function decide_signup(p_tenant uuid, p_staff uuid, p_approve boolean,
                                                 p_note text) returns text
        language plpgsql volatile security definer set search_path = public, pg_temp as $$
        declare
            staff platform_users;
            current_status text;
            tenant_name text;
            new_status text := case when p_approve then 'active' else 'rejected' end;
        begin
            select * into staff from platform_users where id = p_staff and is_active;
            if not found then
                return 'not_found';
            end if;
            select status, name into current_status, tenant_name from tenants
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
               set status = new_status, decision_note = nullif(p_note, ''),
                   decided_at = now(), decided_by = p_staff
             where id = p_tenant;
            insert into audit_events (tenant_id, actor_kind, actor_id, actor_name, action,
                                      subject_type, subject_id, subject_name, changes)
            values (p_tenant, 'platform', p_staff, staff.name,
                    case when p_approve then 'tenant.approved' else 'tenant.rejected' end,
                    'tenant', p_tenant, tenant_name,
                    jsonb_build_object('status', jsonb_build_array('pending', new_status),
                                       'note', nullif(p_note, '')));
            return 'decided';
        end
        $$""")


def downgrade() -> None:
    # decide_signup() as the foundation defined it, before it wrote audit events.
    op.execute("""
        create or replace function decide_signup(p_tenant uuid, p_staff uuid, p_approve boolean,
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
    op.execute("drop table if exists audit_events")
