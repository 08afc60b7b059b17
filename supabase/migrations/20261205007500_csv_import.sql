-- Importing accounts from a CSV file, as a background job. The SPA uploads the file to the private
-- Storage bucket `imports` under `<workspace_id>/...` (RLS on storage.objects: that workspace's
-- members only), then start_import queues an `import_accounts` job. The worker streams the object,
-- parses and validates it (the product's one domain rule, in TypeScript) and hands rows over in
-- batches to import_account_rows, which writes them idempotently: each row of an import is written
-- once (private.import_rows), accounts are deduplicated by normalized domain within the file and
-- against the workspace, every bad row is kept with its reason (public.import_errors), and the
-- checkpoint (rows and bytes done) moves in the same transaction, so a crash or a hand-off resumes
-- without writing a row twice.

-- Storage -------------------------------------------------------------------------------------

insert into storage.buckets (id, name, public, file_size_limit)
values ('imports', 'imports', false, 52428800)
on conflict (id) do nothing;

-- An object's first folder spells the workspace it belongs to (CASE: the uuid cast only sees a
-- name that spells one).
create policy "Members upload imports to their workspace's folder" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'imports' and (case when (storage.foldername(name))[1] ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                               then (storage.foldername(name))[1]::uuid end)
              in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members read their workspace's imports" on storage.objects
  for select to authenticated
  using (bucket_id = 'imports' and (case when (storage.foldername(name))[1] ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                          then (storage.foldername(name))[1]::uuid end)
         in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members remove their workspace's imports" on storage.objects
  for delete to authenticated
  using (bucket_id = 'imports' and (case when (storage.foldername(name))[1] ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                          then (storage.foldername(name))[1]::uuid end)
         in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));

-- Imports ---------------------------------------------------------------------------------------

create table public.imports (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  kind text not null default 'accounts' constraint imports_kind_check check (kind = 'accounts'),
  object_path text not null,
  file_name text not null constraint imports_file_name_check check (length(btrim(file_name)) between 1 and 255),
  -- our field -> the file's column header, e.g. {"name": "Company", "domain": "Website"}
  mapping jsonb not null constraint imports_mapping_check check (jsonb_typeof(mapping) = 'object' and mapping ? 'name'),
  on_duplicate text not null default 'skip' constraint imports_on_duplicate_check check (on_duplicate in ('skip', 'fill_empty')),
  enrich_after boolean not null default false,
  job_id uuid references public.jobs (id) on delete set null,
  -- the checkpoint: data rows done (the header excluded) and the bytes of the file they end at
  rows_done integer not null default 0 constraint imports_rows_done_check check (rows_done >= 0),
  bytes_done bigint not null default 0 constraint imports_bytes_done_check check (bytes_done >= 0),
  bytes_total bigint,
  headers text[],
  separator text constraint imports_separator_check check (separator in (',', ';', E'\t')),
  created_count integer not null default 0,
  updated_count integer not null default 0,
  skipped_count integer not null default 0,
  failed_count integer not null default 0,
  enrich_jobs integer not null default 0,
  finished_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint imports_object_in_workspace check (split_part(object_path, '/', 1) = workspace_id::text)
);
comment on table public.imports is
  'CSV imports: the file (Storage bucket imports), how its columns map to fields, what a duplicate does, the checkpoint and the counts. Written by start_import and the worker.';
create index imports_workspace_created_idx on public.imports (workspace_id, created_at desc);
create index imports_job_idx on public.imports (job_id);
create index imports_created_by_idx on public.imports (created_by);
alter table public.imports enable row level security;
create policy "Members see their workspace's imports" on public.imports
  for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
grant select on public.imports to authenticated;
grant all on public.imports to service_role;
create trigger touch_updated_at before update on public.imports for each row execute function private.touch_updated_at();

create table public.import_errors (
  import_id uuid not null references public.imports (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  row_number integer not null,
  column_name text not null,
  value text,
  reason text not null,
  primary key (import_id, row_number, column_name)
);
comment on table public.import_errors is 'Every bad row of an import: its row number in the file (the header is row 1), the column, the value and why.';
create index import_errors_workspace_idx on public.import_errors (workspace_id);
alter table public.import_errors enable row level security;
create policy "Members see their workspace's import errors" on public.import_errors
  for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
grant select on public.import_errors to authenticated;
grant all on public.import_errors to service_role;

-- What became of each row: the idempotency key of the import (a row written once, however often
-- the job runs) and the accounts it created (for "enrich after import").
create table private.import_rows (
  import_id uuid not null references public.imports (id) on delete cascade,
  row_number integer not null,
  outcome text not null constraint import_rows_outcome_check check (outcome in ('created', 'updated', 'skipped', 'failed')),
  account_id uuid references public.accounts (id) on delete set null,
  primary key (import_id, row_number)
);
comment on table private.import_rows is 'Each imported row''s outcome (and account): a row of an import is written once.';
create index import_rows_account_idx on private.import_rows (account_id);

insert into public.job_types (name, description, batchable, default_max_attempts) values
  ('import_accounts', 'Import accounts from a CSV file in Storage (bucket imports), in batches, resuming from its checkpoint.', false, 5);

-- Quotas, documented defaults: 100,000 rows per import, 20 imports per workspace per day. An
-- operator changes them in this one-row table (browsers read it: the SPA says the limits).
create table public.import_quotas (
  singleton boolean primary key default true constraint import_quotas_singleton check (singleton),
  max_import_rows integer not null default 100000 constraint import_quotas_rows_check check (max_import_rows between 1 and 10000000),
  max_imports_per_day integer not null default 20 constraint import_quotas_per_day_check check (max_imports_per_day between 1 and 10000)
);
comment on table public.import_quotas is 'The import quotas (one row): rows per import, imports per workspace per 24 hours.';
insert into public.import_quotas default values;
alter table public.import_quotas enable row level security;
create policy "Everyone signed in reads the import quotas" on public.import_quotas for select to authenticated using (true);
grant select on public.import_quotas to authenticated, service_role;

-- Browser: queues an import of an uploaded file, as the user (RLS: a member of the file's
-- workspace, who can read the object).
create policy "Members start imports in their workspace" on public.imports
  for insert to authenticated
  with check (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
grant insert (id, workspace_id, object_path, file_name, mapping, on_duplicate, enrich_after, job_id, bytes_total)
  on public.imports to authenticated;

create function public.start_import(
  object_path text,
  file_name text,
  mapping jsonb,
  on_duplicate text default 'skip',
  enrich_after boolean default false
) returns public.imports
language plpgsql
set search_path = ''
as $$
declare
  v_workspace uuid;
  v_id uuid := gen_random_uuid();
  v_import public.imports;
  v_job public.jobs;
  v_size bigint;
begin
  -- the object, as the caller sees it: only a member of its workspace does
  select (o.metadata ->> 'size')::bigint, ((storage.foldername(o.name))[1])::uuid into v_size, v_workspace
  from storage.objects o
  where o.bucket_id = 'imports' and o.name = start_import.object_path;
  if not found then
    raise exception 'The uploaded file was not found' using errcode = 'PT404',
      hint = 'Upload it again (into your workspace''s folder), then start the import.';
  end if;
  if (select count(*) from public.imports i where i.workspace_id = v_workspace and i.created_at > now() - interval '1 day')
     >= (select coalesce((select s.max_imports_per_day from public.import_quotas s), 20)) then
    raise exception 'This workspace has started the most imports allowed in 24 hours' using errcode = 'PT429',
      hint = 'Try again tomorrow, or ask the operator to raise max_imports_per_day.';
  end if;
  if jsonb_typeof(start_import.mapping) is distinct from 'object' or not start_import.mapping ? 'name' then
    raise exception 'Map a column to the account''s name' using errcode = '22023';
  end if;

  insert into public.jobs (workspace_id, job_type, payload)
  values (v_workspace, 'import_accounts', jsonb_build_object('import_id', v_id))
  returning * into v_job;
  insert into public.imports (id, workspace_id, object_path, file_name, mapping, on_duplicate, enrich_after, job_id, bytes_total)
  values (v_id, v_workspace, start_import.object_path, start_import.file_name, start_import.mapping,
          start_import.on_duplicate, start_import.enrich_after, v_job.id, v_size)
  returning * into v_import;
  return v_import;
end
$$;
comment on function public.start_import(text, text, jsonb, text, boolean) is
  'Browser: queues the import of a CSV file uploaded to imports/<workspace_id>/... (as the caller: RLS); returns the import (its job_id is the job to follow).';
revoke all on function public.start_import(text, text, jsonb, text, boolean) from public, anon;
grant execute on function public.start_import(text, text, jsonb, text, boolean) to authenticated, service_role;

-- Worker: one batch of parsed rows. rows: [{row, name, domain, industry, employee_count, city,
-- state, country, errors: [{column, value, reason}]}] in file order; a row with errors is not written.
-- Fenced by the job's lease; returns the import after the batch (counts, checkpoint).
create function public.import_account_rows(
  job_id uuid,
  worker_id text,
  rows jsonb,
  rows_done integer,
  bytes_done bigint,
  headers text[] default null,
  separator text default null
) returns public.imports
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_import public.imports;
  v_created integer;
  v_updated integer;
  v_skipped integer;
  v_failed integer;
begin
  select * into v_job from public.jobs j
  where j.id = import_account_rows.job_id and j.status = 'processing' and j.locked_by = import_account_rows.worker_id;
  if not found then
    return null;
  end if;
  select * into v_import from public.imports i where i.id = (v_job.payload ->> 'import_id')::uuid for update;
  if not found then
    raise exception 'Import not found for job %', v_job.id using errcode = 'P0002';
  end if;

  with input as (
    select r.row, r.name, r.domain, r.industry, r.employee_count, r.city, r.state, r.country, coalesce(r.errors, '[]') as errors
    from jsonb_to_recordset(import_account_rows.rows) as r(row integer, name text, domain text, industry text,
           employee_count integer, city text, state text, country text, errors jsonb)
    -- rows this import already wrote (a resumed batch) are not written again
    where not exists (select 1 from private.import_rows ir where ir.import_id = v_import.id and ir.row_number = r.row)
  ), ranked as (
    -- within the batch, the first good row of a domain wins
    select i.*, jsonb_array_length(i.errors) > 0 as is_bad,
           row_number() over (partition by i.domain, jsonb_array_length(i.errors) > 0 order by i.row) as nth
    from input i
  ), classified as (
    select r.row, r.name, r.domain, r.industry, r.employee_count, r.city, r.state, r.country, r.errors, a.id as existing_id,
           case
             when r.is_bad then 'failed'
             when r.domain is not null and r.nth > 1 then 'skipped'
             -- against the workspace (earlier batches of this file included): skip, or fill its empty fields
             when a.id is not null then case when v_import.on_duplicate = 'fill_empty' then 'updated' else 'skipped' end
             else 'new'
           end as outcome
    from ranked r
    left join public.accounts a on a.workspace_id = v_import.workspace_id and a.domain = r.domain
  ), bad as (
    insert into public.import_errors (import_id, workspace_id, row_number, column_name, value, reason)
    select v_import.id, v_import.workspace_id, c.row, e.column_name, e.value, e.reason
    from classified c, jsonb_to_recordset(c.errors) as e(column_name text, value text, reason text)
    where c.outcome = 'failed'
    on conflict do nothing
  ), filled as (
    update public.accounts a
    set industry = coalesce(a.industry, c.industry), employee_count = coalesce(a.employee_count, c.employee_count),
        city = coalesce(a.city, c.city), state = coalesce(a.state, c.state), country = coalesce(a.country, c.country)
    from classified c
    where c.outcome = 'updated' and a.id = c.existing_id
  ), created as (
    -- each new account remembers where it came from
    insert into public.accounts (workspace_id, name, domain, industry, employee_count, city, state, country, metadata, created_by)
    select v_import.workspace_id, c.name, c.domain, c.industry, c.employee_count, c.city, c.state, c.country,
           jsonb_build_object('import', jsonb_build_object('id', v_import.id, 'file', v_import.file_name, 'row', c.row)),
           v_import.created_by
    from classified c where c.outcome = 'new'
    order by c.row
    on conflict (workspace_id, domain) do nothing
    returning id, (metadata -> 'import' ->> 'row')::integer as row_number
  ), outcomes as (
    -- a new row that lost a race for its domain to another writer is a duplicate too
    select c.row, case when c.outcome <> 'new' then c.outcome when n.id is null then 'skipped' else 'created' end as outcome,
           coalesce(n.id, c.existing_id) as account_id
    from classified c left join created n on n.row_number = c.row
  ), recorded as (
    insert into private.import_rows (import_id, row_number, outcome, account_id)
    select v_import.id, o.row, o.outcome, o.account_id from outcomes o
    returning outcome
  )
  select count(*) filter (where outcome = 'created'), count(*) filter (where outcome = 'updated'),
         count(*) filter (where outcome = 'skipped'), count(*) filter (where outcome = 'failed')
  into v_created, v_updated, v_skipped, v_failed
  from recorded;

  update public.imports i
  set created_count = i.created_count + v_created,
      updated_count = i.updated_count + v_updated,
      skipped_count = i.skipped_count + v_skipped,
      failed_count = i.failed_count + v_failed,
      rows_done = greatest(i.rows_done, import_account_rows.rows_done),
      bytes_done = greatest(i.bytes_done, import_account_rows.bytes_done),
      headers = coalesce(i.headers, import_account_rows.headers),
      separator = coalesce(i.separator, import_account_rows.separator)
  where i.id = v_import.id
  returning * into v_import;
  return v_import;
end
$$;
comment on function public.import_account_rows(uuid, text, jsonb, integer, bigint, text[], text) is
  'Worker: writes one batch of an import''s rows (each row once; duplicates by domain skipped or filling empty fields; bad rows kept with reasons) and moves the checkpoint, in one transaction. Null when the lease is lost.';
revoke all on function public.import_account_rows(uuid, text, jsonb, integer, bigint, text[], text) from public, anon, authenticated;
grant execute on function public.import_account_rows(uuid, text, jsonb, integer, bigint, text[], text) to service_role;

-- Worker, after the last batch: marks the import finished and, when asked, queues enrichment of the
-- accounts it created (with a domain) through the normal path; returns the import.
create function public.finish_import(job_id uuid, worker_id text) returns public.imports
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_import public.imports;
  v_queued integer := 0;
begin
  select * into v_job from public.jobs j
  where j.id = finish_import.job_id and j.status = 'processing' and j.locked_by = finish_import.worker_id;
  if not found then
    return null;
  end if;
  select * into v_import from public.imports i where i.id = (v_job.payload ->> 'import_id')::uuid for update;
  if v_import.finished_at is null and v_import.enrich_after then
    with queued as (
      insert into public.jobs (workspace_id, job_type, payload, created_by)
      select v_import.workspace_id, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain), v_import.created_by
      from private.import_rows ir join public.accounts a on a.id = ir.account_id
      where ir.import_id = v_import.id and ir.outcome = 'created' and a.domain is not null
      on conflict (workspace_id, job_type, subject_id) where subject_id is not null and status in ('pending', 'processing')
        do nothing
      returning 1
    )
    select count(*)::integer into v_queued from queued;
  end if;
  update public.imports i set finished_at = coalesce(i.finished_at, now()), enrich_jobs = i.enrich_jobs + v_queued
  where i.id = v_import.id returning * into v_import;
  return v_import;
end
$$;
comment on function public.finish_import(uuid, text) is
  'Worker: marks an import finished and queues enrichment of the accounts it created when it was asked to. Null when the lease is lost.';
revoke all on function public.finish_import(uuid, text) from public, anon, authenticated;
grant execute on function public.finish_import(uuid, text) to service_role;

grant select, insert, update on private.import_rows to service_role;
