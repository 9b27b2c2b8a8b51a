"""Row-level security for migrations: one call makes a table tenant-owned.

The policy compares `tenant_id` with the transaction's `app.tenant_id`. `nullif`
turns the '' left behind by an ended transaction into NULL, so a connection with no
tenant matches no row and may write none (fail closed, as django-tenants teaches).
"""

from __future__ import annotations

RUNTIME_ROLE = "redstar_runtime"
"""Group role the app's login role belongs to; migrations grant to it, never to a login."""

TENANT_PREDICATE = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"


def tenant_table_sql(
    table: str, *, privileges: str = "select, insert, update, delete"
) -> list[str]:
    """Statements that enable and force RLS on `table` and grant `privileges` to the app."""
    return [
        f"alter table {table} enable row level security",
        f"alter table {table} force row level security",
        f"create policy tenant_isolation on {table} "
        f"using ({TENANT_PREDICATE}) with check ({TENANT_PREDICATE})",
        f"grant {privileges} on {table} to {RUNTIME_ROLE}",
    ]


SHARED_PREDICATE = (
    "tenant_id is not distinct from nullif(current_setting('app.tenant_id', true), '')::uuid"
)


def shared_table_sql(
    table: str, *, privileges: str = "select, insert, update, delete"
) -> list[str]:
    """RLS for a table whose rows belong to a tenant or, with a NULL tenant, to the
    platform (its operators and provincial viewers): a tenant's transaction sees its
    own rows only, a transaction with no tenant only the platform's — never a tenant's."""
    return [
        f"alter table {table} enable row level security",
        f"alter table {table} force row level security",
        f"create policy tenant_or_platform on {table} "
        f"using ({SHARED_PREDICATE}) with check ({SHARED_PREDICATE})",
        f"grant {privileges} on {table} to {RUNTIME_ROLE}",
    ]
