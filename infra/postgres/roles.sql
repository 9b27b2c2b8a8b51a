-- PostgreSQL roles for Redstar. Run once per cluster as a superuser (the embedded
-- development server runs exactly this file on first start).
--
--   redstar_owner    owns the schema and runs migrations. BYPASSRLS so that the two
--                    SECURITY DEFINER lookups (login, invitation link) can find a row
--                    before a tenant is known; the app never connects as it.
--   redstar_runtime  NOLOGIN group that migrations grant table privileges to.
--   redstar_app      what the app logs in as: not superuser, NOBYPASSRLS, owns nothing.
--
-- In production set passwords afterwards:  alter role redstar_app password '…';
do $$
begin
  if not exists (select from pg_roles where rolname = 'redstar_owner') then
    create role redstar_owner login nosuperuser nocreaterole bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'redstar_runtime') then
    create role redstar_runtime nologin nosuperuser nobypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'redstar_app') then
    create role redstar_app login nosuperuser nocreatedb nocreaterole nobypassrls
      in role redstar_runtime;
  end if;
end
$$;
