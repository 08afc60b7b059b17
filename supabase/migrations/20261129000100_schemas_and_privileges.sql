-- Schemas and default privileges.
-- public holds only the API surface (tables under RLS, functions callable over /rest/v1/rpc);
-- private holds helpers, triggers and settings that no API role can reach.
-- Functions are not executable by default: each one is granted right after it is created.
-- (Per-schema defaults cannot take back Postgres's global EXECUTE for PUBLIC, so every function
-- in public also revokes it from public explicitly; private is closed by its schema privileges.)

create schema if not exists private;
comment on schema private is 'Internals of the job system: trigger functions, worker wake-up, settings. Not exposed over the API.';
revoke all on schema private from public, anon, authenticated;
grant usage on schema private to service_role;

alter default privileges in schema public revoke execute on functions from public, anon, authenticated;
alter default privileges in schema private revoke execute on functions from public, anon, authenticated;

-- Extensions this project needs. On Supabase they are available and installed like this;
-- on the local stack the bootstrap has installed them already (pg_net as a compatible shim).
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
do $$
begin
  if not exists (select from pg_catalog.pg_namespace where nspname = 'net') then
    create extension if not exists pg_net with schema extensions;
  end if;
end
$$;
