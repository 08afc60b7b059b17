-- Importing contacts from a CSV file, beside accounts: the same upload, checkpoint, error report and
-- quotas (20261205007500_csv_import.sql), a second job type `import_contacts` and its batch writer.
-- A contact is matched by its email (lower-cased, as contacts keep it): within the file the first
-- good row of an email wins, and a contact the workspace already has is skipped or has its empty
-- fields filled, as the import says. A row's company domain links the contact to the workspace's
-- account with that domain; when there is none yet, the import creates it (named after the row's
-- company, else the domain), so a list of people brings its companies along.

alter table public.imports drop constraint imports_kind_check;
alter table public.imports add constraint imports_kind_check check (kind in ('accounts', 'contacts'));
-- What a kind cannot do without: an account's name, a contact's email (how it is matched).
alter table public.imports drop constraint imports_mapping_check;
alter table public.imports add constraint imports_mapping_check
  check (jsonb_typeof(mapping) = 'object' and mapping ? (case kind when 'contacts' then 'email' else 'name' end));
alter table public.imports add column accounts_created integer not null default 0;
comment on column public.imports.accounts_created is
  'A contacts import: the accounts it created for company domains the workspace did not have yet.';
grant insert (kind) on public.imports to authenticated;

-- Matching by email looks each row's email up in the workspace's contacts.
create index contacts_workspace_email_idx on public.contacts (workspace_id, email);

alter table private.import_rows add column contact_id uuid references public.contacts (id) on delete set null;
create index import_rows_contact_idx on private.import_rows (contact_id);
comment on table private.import_rows is
  'Each imported row''s outcome (and the account or contact it wrote): a row of an import is written once.';

insert into public.job_types (name, description, batchable, default_max_attempts) values
  ('import_contacts', 'Import contacts from a CSV file in Storage (bucket imports), matched by email, in batches, resuming from its checkpoint.', false, 5);

-- start_import learns the kind (accounts unless told): one function, so the SPA has one call.
drop function public.start_import(text, text, jsonb, text, boolean);
create function public.start_import(
  object_path text,
  file_name text,
  mapping jsonb,
  on_duplicate text default 'skip',
  enrich_after boolean default false,
  kind text default 'accounts'
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
  if start_import.kind is null or start_import.kind not in ('accounts', 'contacts') then
    raise exception 'An import brings in accounts or contacts, not "%"', start_import.kind using errcode = '22023';
  end if;
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
  if jsonb_typeof(start_import.mapping) is distinct from 'object' then
    raise exception 'The mapping must name a column for each field' using errcode = '22023';
  end if;
  if start_import.kind = 'accounts' and not start_import.mapping ? 'name' then
    raise exception 'Map a column to the account''s name' using errcode = '22023';
  end if;
  if start_import.kind = 'contacts' and not start_import.mapping ? 'email' then
    raise exception 'Map a column to the contact''s email' using errcode = '22023',
      hint = 'Contacts are matched by their email, so an import of contacts needs one.';
  end if;

  insert into public.jobs (workspace_id, job_type, payload)
  values (v_workspace, 'import_' || start_import.kind, jsonb_build_object('import_id', v_id))
  returning * into v_job;
  insert into public.imports (id, workspace_id, kind, object_path, file_name, mapping, on_duplicate, enrich_after, job_id, bytes_total)
  values (v_id, v_workspace, start_import.kind, start_import.object_path, start_import.file_name, start_import.mapping,
          start_import.on_duplicate, start_import.enrich_after, v_job.id, v_size)
  returning * into v_import;
  return v_import;
end
$$;
comment on function public.start_import(text, text, jsonb, text, boolean, text) is
  'Browser: queues the import of a CSV file of accounts or contacts uploaded to imports/<workspace_id>/... (as the caller: RLS); returns the import (its job_id is the job to follow).';
revoke all on function public.start_import(text, text, jsonb, text, boolean, text) from public, anon;
grant execute on function public.start_import(text, text, jsonb, text, boolean, text) to authenticated, service_role;

-- The import a worker's batch writes to, locked: null when the job is not (or no longer) leased to
-- this worker, so its write is refused (fencing); both kinds' batch functions and finish_import
-- start with it.
create function private.lock_leased_import(p_job_id uuid, p_worker_id text) returns public.imports
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_import public.imports;
begin
  select * into v_job from public.jobs j
  where j.id = p_job_id and j.status = 'processing' and j.locked_by = p_worker_id;
  if not found then
    return null;
  end if;
  select * into v_import from public.imports i where i.id = (v_job.payload ->> 'import_id')::uuid for update;
  if not found then
    raise exception 'Import not found for job %', v_job.id using errcode = 'P0002';
  end if;
  return v_import;
end
$$;
comment on function private.lock_leased_import(uuid, text) is
  'The import of a job leased to this worker, locked for the batch; null when the lease is not this worker''s.';
revoke all on function private.lock_leased_import(uuid, text) from public;
grant execute on function private.lock_leased_import(uuid, text) to service_role;

-- Worker: one batch of parsed contact rows. rows: [{row, email, first_name, last_name, title, phone,
-- linkedin_url, city, state, country, account_domain, account_name, errors: [{column_name, value,
-- reason}]}] in file order, emails lower-case and domains normalized (the worker's one rule); a row
-- with errors is not written. Fenced by the job's lease; returns the import after the batch.
create function public.import_contact_rows(
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
  v_import public.imports := private.lock_leased_import(import_contact_rows.job_id, import_contact_rows.worker_id);
  v_created integer;
  v_updated integer;
  v_skipped integer;
  v_failed integer;
  v_accounts integer;
begin
  if v_import.id is null then
    return null;
  end if;
  -- Contacts have no unique email (people type them twice by hand): two imports into one workspace
  -- take turns, so neither can create a contact the other is creating.
  perform pg_advisory_xact_lock(hashtextextended('contacts import ' || v_import.workspace_id::text, 0));

  with input as (
    select r.*, coalesce(r.errors, '[]') as problems
    from jsonb_to_recordset(import_contact_rows.rows) as r(row integer, email text, first_name text, last_name text,
           title text, phone text, linkedin_url text, city text, state text, country text, account_domain text,
           account_name text, errors jsonb)
    -- rows this import already wrote (a resumed batch) are not written again
    where not exists (select 1 from private.import_rows ir where ir.import_id = v_import.id and ir.row_number = r.row)
  ), ranked as (
    -- within the batch, the first good row of an email wins
    select i.*, jsonb_array_length(i.problems) > 0 as is_bad,
           row_number() over (partition by i.email, jsonb_array_length(i.problems) > 0 order by i.row) as nth
    from input i
  ), classified as (
    select r.*, existing.id as existing_id, existing.account_id as existing_account_id, account.id as account_id,
           case
             when r.is_bad then 'failed'
             when r.nth > 1 then 'skipped'
             -- against the workspace (earlier batches of this file included): skip, or fill its empty fields
             when existing.id is not null then case when v_import.on_duplicate = 'fill_empty' then 'updated' else 'skipped' end
             else 'new'
           end as outcome
    from ranked r
    left join lateral (
      select c.id, c.account_id from public.contacts c
      where c.workspace_id = v_import.workspace_id and c.email = r.email
      order by c.created_at limit 1
    ) existing on true
    left join public.accounts account on account.workspace_id = v_import.workspace_id and account.domain = r.account_domain
  ), new_accounts as (
    -- company domains the workspace has no account for, among the rows that write a contact
    insert into public.accounts (workspace_id, name, domain, metadata, created_by)
    select distinct on (c.account_domain) v_import.workspace_id, coalesce(c.account_name, c.account_domain), c.account_domain,
           jsonb_build_object('import', jsonb_build_object('id', v_import.id, 'file', v_import.file_name, 'row', c.row)),
           v_import.created_by
    from classified c
    where c.outcome in ('new', 'updated') and c.account_domain is not null and c.account_id is null
      and (c.outcome = 'new' or c.existing_account_id is null)
    order by c.account_domain, c.row
    on conflict (workspace_id, domain) do nothing
    returning id, domain
  ), resolved as (
    select c.*, coalesce(c.account_id, n.id) as linked_account_id
    from classified c left join new_accounts n on n.domain = c.account_domain
  ), bad as (
    insert into public.import_errors (import_id, workspace_id, row_number, column_name, value, reason)
    select v_import.id, v_import.workspace_id, r.row, e.column_name, e.value, e.reason
    from resolved r, jsonb_to_recordset(r.problems) as e(column_name text, value text, reason text)
    where r.outcome = 'failed'
    on conflict do nothing
  ), filled as (
    update public.contacts c
    set account_id = coalesce(c.account_id, r.linked_account_id),
        first_name = coalesce(c.first_name, r.first_name), last_name = coalesce(c.last_name, r.last_name),
        title = coalesce(c.title, r.title), phone = coalesce(c.phone, r.phone),
        linkedin_url = coalesce(c.linkedin_url, r.linkedin_url),
        city = coalesce(c.city, r.city), state = coalesce(c.state, r.state), country = coalesce(c.country, r.country)
    from resolved r
    where r.outcome = 'updated' and c.id = r.existing_id
  ), created as (
    -- each new contact remembers where it came from
    insert into public.contacts (workspace_id, account_id, email, first_name, last_name, title, phone, linkedin_url,
                                 city, state, country, metadata, created_by)
    select v_import.workspace_id, r.linked_account_id, r.email, r.first_name, r.last_name, r.title, r.phone, r.linkedin_url,
           r.city, r.state, r.country,
           jsonb_build_object('import', jsonb_build_object('id', v_import.id, 'file', v_import.file_name, 'row', r.row)),
           v_import.created_by
    from resolved r where r.outcome = 'new'
    order by r.row
    returning id, (metadata -> 'import' ->> 'row')::integer as row_number
  ), recorded as (
    insert into private.import_rows (import_id, row_number, outcome, contact_id)
    select v_import.id, r.row, case when r.outcome = 'new' then 'created' else r.outcome end, coalesce(n.id, r.existing_id)
    from resolved r left join created n on n.row_number = r.row
    returning outcome
  )
  select count(*) filter (where outcome = 'created'), count(*) filter (where outcome = 'updated'),
         count(*) filter (where outcome = 'skipped'), count(*) filter (where outcome = 'failed'),
         (select count(*) from new_accounts)
  into v_created, v_updated, v_skipped, v_failed, v_accounts
  from recorded;

  update public.imports i
  set created_count = i.created_count + v_created,
      updated_count = i.updated_count + v_updated,
      skipped_count = i.skipped_count + v_skipped,
      failed_count = i.failed_count + v_failed,
      accounts_created = i.accounts_created + v_accounts,
      rows_done = greatest(i.rows_done, import_contact_rows.rows_done),
      bytes_done = greatest(i.bytes_done, import_contact_rows.bytes_done),
      headers = coalesce(i.headers, import_contact_rows.headers),
      separator = coalesce(i.separator, import_contact_rows.separator)
  where i.id = v_import.id
  returning * into v_import;
  return v_import;
end
$$;
comment on function public.import_contact_rows(uuid, text, jsonb, integer, bigint, text[], text) is
  'Worker: writes one batch of a contacts import (each row once; duplicates by email skipped or filling empty fields; accounts created for new company domains; bad rows kept with reasons) and moves the checkpoint, in one transaction. Null when the lease is lost.';
revoke all on function public.import_contact_rows(uuid, text, jsonb, integer, bigint, text[], text) from public, anon, authenticated;
grant execute on function public.import_contact_rows(uuid, text, jsonb, integer, bigint, text[], text) to service_role;

-- finish_import: enrichment after an import of contacts queues the contacts it created.
create or replace function public.finish_import(job_id uuid, worker_id text) returns public.imports
language plpgsql
set search_path = ''
as $$
declare
  v_import public.imports := private.lock_leased_import(finish_import.job_id, finish_import.worker_id);
  v_queued integer := 0;
begin
  if v_import.id is null then
    return null;
  end if;
  if v_import.finished_at is null and v_import.enrich_after then
    with queued as (
      insert into public.jobs (workspace_id, job_type, payload, created_by)
      select v_import.workspace_id, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain), v_import.created_by
      from private.import_rows ir join public.accounts a on a.id = ir.account_id
      where v_import.kind = 'accounts' and ir.import_id = v_import.id and ir.outcome = 'created' and a.domain is not null
      union all
      select v_import.workspace_id, 'enrich_contact', jsonb_build_object('contact_id', c.id, 'email', c.email), v_import.created_by
      from private.import_rows ir join public.contacts c on c.id = ir.contact_id
      where v_import.kind = 'contacts' and ir.import_id = v_import.id and ir.outcome = 'created' and c.email is not null
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
  'Worker: marks an import finished and, when it was asked to, queues enrichment of the accounts or contacts it created. Null when the lease is lost.';
