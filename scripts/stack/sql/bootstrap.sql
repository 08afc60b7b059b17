-- What Supabase's Postgres image provides and this project relies on, recreated for the
-- Docker-free local stack. Runs once, before migrations, and never on real Supabase.
-- Definitions follow supabase/postgres (migrations/db: init-scripts, migrations, and the
-- extensions' after-create scripts), supabase/auth and supabase/vault, so migrations meet the
-- same roles, owners and grants as on a hosted project.
--
-- Runs as supabase_admin, the cluster's superuser (as in Supabase's image). `postgres`, which
-- migrations (`supabase db push`), the gateway and the tests connect as, is NOT a superuser:
-- it owns the database (so schema public) and schema extensions, may bypass RLS, create roles
-- and databases and use replication, and holds what the grants below give it. What only a
-- superuser can install (extensions that are not trusted, Vault) is installed here, so the
-- migrations' `create extension if not exists` finds it in place, as on a hosted project.
-- psql variable: vault_key_file, the file holding Vault's root key (scripts/stack/postgres.ts).

-- Roles ---------------------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'postgres') then
    create role postgres login password 'postgres';
  end if;
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole;
  end if;
end
$$;
alter role postgres with nosuperuser createdb createrole login replication bypassrls;
-- (The API roles inherit on Supabase since 2023; they are granted nothing that makes a difference.)
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

-- Timeouts of the API roles, as a hosted project has them. Postgres applies them when a session
-- logs in as the role; PostgREST, which logs in as authenticator and switches role per request,
-- applies the switched-to role's settings itself (scripts/stack/gateway/rest/role-settings.ts).
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- postgres owns the database, and so schema public (owned by pg_database_owner).
alter role postgres set search_path = "$user", public, extensions;
do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions', current_database());
  execute format('alter database %I owner to postgres', current_database());
  execute format('grant all on database %I to postgres', current_database());
end
$$;

-- Schemas and default privileges (as supabase/postgres sets them) --------------------------
create schema if not exists extensions authorization postgres;
grant usage on schema extensions to anon, authenticated, service_role;
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres, supabase_admin in schema extensions, public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres, supabase_admin in schema extensions, public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres, supabase_admin in schema extensions, public
  grant all on sequences to postgres, anon, authenticated, service_role;
-- (Migration 20261205003000_least_privilege.sql takes the anon/authenticated part of these back, as it
-- does on a hosted project: new objects are closed until a migration grants them.)

-- Extensions, installed where Supabase installs them ---------------------------------------
-- pgcrypto and uuid-ossp are trusted, the others need a superuser: on a hosted project they are
-- either installed already or installed for postgres by the platform (supautils).
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgtap with schema extensions;
create extension if not exists plpgsql_check with schema extensions;
create extension if not exists dblink with schema extensions;
grant all on all tables in schema extensions to postgres with grant option;
grant all on all routines in schema extensions to postgres with grant option;
grant all on all sequences in schema extensions to postgres with grant option;
-- dblink_connect_u connects without a password as the calling superuser: Supabase takes it from
-- everyone but supabase_admin (the dblink after-create script).
revoke all on function extensions.dblink_connect_u(text), extensions.dblink_connect_u(text, text)
  from public, postgres, anon, authenticated, service_role;

-- pg_cron, with the grants Supabase gives postgres after creating it: jobs are scheduled with
-- cron.schedule and changed with cron.alter_job (which act on the caller's own jobs only);
-- cron.job itself is read-only to postgres.
create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;
alter default privileges for role supabase_admin in schema cron grant all on tables to postgres with grant option;
alter default privileges for role supabase_admin in schema cron grant all on functions to postgres with grant option;
alter default privileges for role supabase_admin in schema cron grant all on sequences to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;

-- auth schema: the parts of GoTrue's schema that our code and the local gateway use ---------
-- Owned by supabase_auth_admin (GoTrue's role); postgres may use every table and function in it
-- (and add triggers to auth.users) but create nothing there.
create schema if not exists auth authorization supabase_admin;
grant usage on schema auth to postgres, anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin;
set role supabase_auth_admin;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  phone_confirmed_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  banned_until timestamptz,
  deleted_at timestamptz,
  is_sso_user boolean not null default false,
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';

create table if not exists auth.identities (
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text generated always as (lower(identity_data ->> 'email')) stored,
  id uuid primary key default gen_random_uuid(),
  unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);

create table if not exists auth.sessions (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz,
  updated_at timestamptz,
  not_after timestamptz,
  user_agent text,
  ip inet
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id bigserial primary key,
  token varchar(255) unique,
  user_id varchar(255),
  revoked boolean,
  created_at timestamptz,
  updated_at timestamptz,
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);

-- One claim of the request's JWT, as GoTrue's auth.uid() and auth.role() read it: from the
-- setting of that claim alone (older PostgREST) or else from the claims object.
create or replace function auth._claim(name text) returns text
language sql stable
set search_path to ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.' || _claim.name, true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> _claim.name)
  )
$$;

create or replace function auth.uid() returns uuid
language sql stable
set search_path to ''
as $$ select auth._claim('sub')::uuid $$;

create or replace function auth.role() returns text
language sql stable
set search_path to ''
as $$ select auth._claim('role') $$;

create or replace function auth.jwt() returns jsonb
language sql stable
set search_path to ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
grant execute on function auth._claim(text), auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
reset role;
grant all on all tables in schema auth to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all routines in schema auth to postgres;

-- Realtime: Supabase creates this publication empty, owned by postgres; migrations add tables to it
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
alter publication supabase_realtime owner to postgres;

\ir vault.sql
