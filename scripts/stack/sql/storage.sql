-- Schema storage as Supabase Storage's own tenant migrations leave it on a hosted project, reduced
-- to what the local gateway's Storage API (scripts/stack/gateway/storage/) and the product's
-- migrations use: storage.buckets, storage.objects, the path helpers storage.foldername(),
-- storage.filename() and storage.extension(), RLS on both tables, and the hosted owners and grants.
-- Sources read: supabase/postgres migrations/db/init-scripts/00000000000002-storage-schema.sql and
-- migrations/db/migrations/20220609081115 (grant supabase_storage_admin to postgres), 20231013070755
-- (grant authenticator to supabase_storage_admin); supabase/storage migrations/tenant 0002 (tables,
-- grants to the API roles), 0002-pathtoken-column, 0007 (public), 0010 (updated_at trigger),
-- 0012 (file_size_limit, allowed_mime_types), 0014 (version), 0017 (owner_id), 0025
-- (user_metadata), 0038 (postgres gets all with grant option). Not here: the Storage server's
-- bookkeeping (storage.migrations), prefixes, multipart uploads, vector and analytics buckets.
--
-- Runs as supabase_admin on every `stack:up` (scripts/stack/database.ts), so a stack made before
-- this file existed gets it too: everything below is idempotent and leaves buckets, objects and
-- policies alone.
--
-- Migrations, which run as postgres (not a superuser), can `insert into storage.buckets` (all
-- privileges, and postgres bypasses RLS) and `create policy ... on storage.objects` because
-- postgres is a member of supabase_storage_admin, the tables' owner, as on hosted.
--
-- The bytes are not in the database: the gateway keeps them under the stack instance's directory,
-- as hosted Storage keeps them in S3. metadata holds what the Storage server writes there (eTag,
-- size, mimetype, cacheControl, lastModified, contentLength, httpStatusCode).

do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_storage_admin') then
    -- Hosted Storage logs in as this role; the local gateway does not (it connects as postgres
    -- and switches to the caller's role), so here it cannot log in.
    create role supabase_storage_admin with noinherit createrole nologin noreplication;
  end if;
end
$$;
grant authenticator to supabase_storage_admin;
grant supabase_storage_admin to postgres;

create schema if not exists storage authorization supabase_admin;
grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text
);
create unique index if not exists bname on storage.buckets using btree (name);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text constraint "objects_bucketId_fkey" references storage.buckets (id),
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists name_prefix_search on storage.objects using btree (name text_pattern_ops);
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- The folders of an object's name: 'ws/imports/a.csv' -> {ws,imports}.
create or replace function storage.foldername(name text) returns text[]
language sql immutable
as $$
select (pg_catalog.string_to_array(name, '/'))[1:pg_catalog.array_length(pg_catalog.string_to_array(name, '/'), 1) - 1];
$$;

-- The last part of an object's name: 'ws/imports/a.csv' -> 'a.csv'.
create or replace function storage.filename(name text) returns text
language sql immutable
as $$
select (pg_catalog.string_to_array(name, '/'))[pg_catalog.array_length(pg_catalog.string_to_array(name, '/'), 1)];
$$;

-- What follows the file name's last dot: 'ws/imports/a.tar.gz' -> 'gz' (the whole name without a dot).
create or replace function storage.extension(name text) returns text
language sql immutable
as $$
select pg_catalog.reverse(pg_catalog.split_part(pg_catalog.reverse(storage.filename(name)), '.', 1));
$$;

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end
$$;
drop trigger if exists update_objects_updated_at on storage.objects;
create trigger update_objects_updated_at before update on storage.objects
  for each row execute function storage.update_updated_at_column();

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.update_updated_at_column() owner to supabase_storage_admin;

-- As on hosted: the API roles may touch every row the policies let them; RLS decides.
grant all on table storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on table storage.buckets, storage.objects to postgres with grant option;
grant all on table storage.buckets, storage.objects to supabase_storage_admin;
grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
  to postgres, anon, authenticated, service_role;
