-- Citus: run as redstar_owner on the coordinator after `create extension citus`.
select create_reference_table('provinces');
select create_reference_table('platform_users');
select create_reference_table('tenants');

-- Co-located by tenant: a tenant's rows of every table live on the same node.
select create_distributed_table('users', 'tenant_id');
select create_distributed_table('user_roles', 'tenant_id', colocate_with => 'users');
select create_distributed_table('invitations', 'tenant_id', colocate_with => 'users');
