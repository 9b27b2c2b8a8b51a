-- Citus: run as redstar_owner on the coordinator after `create extension citus`.
select create_reference_table('provinces');
select create_reference_table('platform_users');
select create_reference_table('tenants');

-- Co-located by tenant: a tenant's rows of every table live on the same node.
select create_distributed_table('users', 'tenant_id');
select create_distributed_table('user_roles', 'tenant_id', colocate_with => 'users');
select create_distributed_table('invitations', 'tenant_id', colocate_with => 'users');
select create_distributed_table('password_resets', 'tenant_id', colocate_with => 'users');
select create_distributed_table('audit_events', 'tenant_id', colocate_with => 'users');

-- Organisation and roster.
select create_distributed_table('org_units', 'tenant_id', colocate_with => 'users');
select create_distributed_table('people', 'tenant_id', colocate_with => 'users');
select create_distributed_table('duplicate_dismissals', 'tenant_id', colocate_with => 'users');
select create_distributed_table('roster_imports', 'tenant_id', colocate_with => 'users');
select create_distributed_table('roster_import_rows', 'tenant_id', colocate_with => 'users');

-- Points: every join carries tenant_id, so each statement runs on one node.
select create_distributed_table('point_rule_sets', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_categories', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_items', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_photos', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_claims', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_events', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_tallies', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_publications', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_publication_entries', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_objections', 'tenant_id', colocate_with => 'users');
select create_distributed_table('point_counted', 'tenant_id', colocate_with => 'users');

-- Grid service and service requests.
select create_distributed_table('service_settings', 'tenant_id', colocate_with => 'users');
select create_distributed_table('grids', 'tenant_id', colocate_with => 'users');
select create_distributed_table('grid_workers', 'tenant_id', colocate_with => 'users');
select create_distributed_table('grid_assignments', 'tenant_id', colocate_with => 'users');
select create_distributed_table('visit_rules', 'tenant_id', colocate_with => 'users');
select create_distributed_table('concerns', 'tenant_id', colocate_with => 'users');
select create_distributed_table('visit_photos', 'tenant_id', colocate_with => 'users');
select create_distributed_table('visits', 'tenant_id', colocate_with => 'users');
select create_distributed_table('visit_due_items', 'tenant_id', colocate_with => 'users');
select create_distributed_table('request_categories', 'tenant_id', colocate_with => 'users');
select create_distributed_table('escalation_levels', 'tenant_id', colocate_with => 'users');
select create_distributed_table('service_requests', 'tenant_id', colocate_with => 'users');
select create_distributed_table('service_request_events', 'tenant_id', colocate_with => 'users');

-- Organisational life and volunteering.
select create_distributed_table('meeting_kinds', 'tenant_id', colocate_with => 'users');
select create_distributed_table('orglife_settings', 'tenant_id', colocate_with => 'users');
select create_distributed_table('meetings', 'tenant_id', colocate_with => 'users');
select create_distributed_table('meeting_files', 'tenant_id', colocate_with => 'users');
select create_distributed_table('meeting_attendance', 'tenant_id', colocate_with => 'users');
select create_distributed_table('thought_reports', 'tenant_id', colocate_with => 'users');
select create_distributed_table('volunteer_teams', 'tenant_id', colocate_with => 'users');
select create_distributed_table('volunteer_members', 'tenant_id', colocate_with => 'users');
select create_distributed_table('volunteer_activities', 'tenant_id', colocate_with => 'users');
select create_distributed_table('volunteer_hours', 'tenant_id', colocate_with => 'users');
select create_distributed_table('volunteer_photos', 'tenant_id', colocate_with => 'users');
select create_distributed_table('volunteer_certificates', 'tenant_id', colocate_with => 'users');

-- Hardship aid (care).
select create_distributed_table('aid_funds', 'tenant_id', colocate_with => 'users');
select create_distributed_table('aid_income', 'tenant_id', colocate_with => 'users');
select create_distributed_table('aid_applications', 'tenant_id', colocate_with => 'users');
select create_distributed_table('aid_evidence', 'tenant_id', colocate_with => 'users');
select create_distributed_table('aid_payments', 'tenant_id', colocate_with => 'users');

-- The dashboard's getting-started steps.
select create_distributed_table('setup_checks', 'tenant_id', colocate_with => 'users');

-- Reports: the rows the worker builds from, and each district's keeping time.
select create_distributed_table('reports', 'tenant_id', colocate_with => 'users');
select create_distributed_table('report_settings', 'tenant_id', colocate_with => 'users');

-- Notifications: a district's rows or (no tenant) the platform's. A distribution column
-- cannot hold NULL, so these stay on the coordinator as Citus local tables, which every
-- statement can reach; a province's notices (a few per person a day, kept as the inbox)
-- fit one node. Their RLS policy is tenant_or_platform (tenants/rls.py).
select citus_add_local_table_to_metadata('notifications');
select citus_add_local_table_to_metadata('notification_deliveries');
select citus_add_local_table_to_metadata('notice_preferences');
select citus_add_local_table_to_metadata('channel_endpoints');

-- The anonymous satisfaction survey (app/care/surveys): participation and answers
-- are separate tables with nothing in common but the survey.
select create_distributed_table('surveys', 'tenant_id', colocate_with => 'users');
select create_distributed_table('survey_questions', 'tenant_id', colocate_with => 'users');
select create_distributed_table('survey_participants', 'tenant_id', colocate_with => 'users');
select create_distributed_table('survey_answers', 'tenant_id', colocate_with => 'users');
-- Care: political birthdays and their five gifts.
select create_distributed_table('political_birthdays', 'tenant_id', colocate_with => 'users');
select create_distributed_table('political_birthday_gifts', 'tenant_id', colocate_with => 'users');
-- After-care (善后): deaths recorded and the help given to the family.
select create_distributed_table('after_care_cases', 'tenant_id', colocate_with => 'users');
select create_distributed_table('after_care_help', 'tenant_id', colocate_with => 'users');
