-- Enrichment never overwrites what a person typed. Every Apollo-filled column of an account or a
-- contact remembers where its value came from (field_sources: {"<column>": {"source": "user" |
-- "apollo", "at": ...}}), kept by a trigger, so no writer has to remember to do it. Apollo fills
-- empty columns and refreshes the ones it wrote; a column a person entered or edited keeps its value
-- unless the workspace lets Apollo win for that column's group (apollo_overwrite_groups). What the
-- last enrichment changed, and what it left alone, is kept in metadata.last_enrichment.
--
-- The columns and their groups are defined once, in supabase/functions/_shared/apollo/field-map.ts;
-- apollo_field_map_test checks private.apollo_field_groups and the apply functions against it.

create table private.apollo_field_groups (
  table_name text not null check (table_name in ('accounts', 'contacts')),
  column_name text not null,
  field_group text not null check (field_group in ('company', 'location', 'contact_details', 'person', 'role')),
  primary key (table_name, column_name)
);
comment on table private.apollo_field_groups is
  'The columns Apollo fills, by table, and the group a workspace can let Apollo overwrite (field-map.ts is the definition).';
revoke all on private.apollo_field_groups from public, anon, authenticated;
-- the worker's apply_*_enrichment (run as the service role) reads the groups
grant select on private.apollo_field_groups to service_role;

insert into private.apollo_field_groups (table_name, column_name, field_group) values
  ('accounts', 'industry', 'company'),
  ('accounts', 'employee_count', 'company'),
  ('accounts', 'annual_revenue', 'company'),
  ('accounts', 'description', 'company'),
  ('accounts', 'founded_year', 'company'),
  ('accounts', 'city', 'location'),
  ('accounts', 'state', 'location'),
  ('accounts', 'country', 'location'),
  ('accounts', 'phone', 'contact_details'),
  ('accounts', 'linkedin_url', 'contact_details'),
  ('accounts', 'website_url', 'contact_details'),
  ('contacts', 'first_name', 'person'),
  ('contacts', 'last_name', 'person'),
  ('contacts', 'email', 'person'),
  ('contacts', 'title', 'role'),
  ('contacts', 'seniority', 'role'),
  ('contacts', 'linkedin_url', 'contact_details'),
  ('contacts', 'city', 'location'),
  ('contacts', 'state', 'location'),
  ('contacts', 'country', 'location');

alter table public.accounts
  add column field_sources jsonb not null default '{}' constraint accounts_field_sources_check check (jsonb_typeof(field_sources) = 'object');
alter table public.contacts
  add column field_sources jsonb not null default '{}' constraint contacts_field_sources_check check (jsonb_typeof(field_sources) = 'object');
comment on column public.accounts.field_sources is
  'Where each Apollo-fillable value came from: {"column": {"source": "user" | "apollo", "at": timestamptz}}; kept by a trigger, read-only to browsers.';
comment on column public.contacts.field_sources is
  'Where each Apollo-fillable value came from: {"column": {"source": "user" | "apollo", "at": timestamptz}}; kept by a trigger, read-only to browsers.';

alter table public.workspace_settings
  add column apollo_overwrite_groups text[] not null default '{}'
  constraint workspace_settings_apollo_overwrite_groups_check
  check (apollo_overwrite_groups <@ array['company', 'location', 'contact_details', 'person', 'role']);
comment on column public.workspace_settings.apollo_overwrite_groups is
  'Field groups in which Apollo''s value wins over one a person entered (default none: typed values are kept).';
grant select (apollo_overwrite_groups), update (apollo_overwrite_groups) on public.workspace_settings to authenticated;

-- Existing rows: before this change Apollo overwrote every column it had a value for, so a value on
-- an enriched record is taken as Apollo's, and one on a never-enriched record as typed.
create function private.initial_field_sources(p_table text, p_row jsonb, p_enriched_at timestamptz, p_updated_at timestamptz)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(g.column_name, jsonb_build_object(
           'source', case when p_enriched_at is null then 'user' else 'apollo' end,
           'at', coalesce(p_enriched_at, p_updated_at))), '{}')
  from private.apollo_field_groups g
  where g.table_name = p_table and p_row ->> g.column_name is not null
$$;

alter table public.accounts disable trigger user;
update public.accounts a set field_sources = private.initial_field_sources('accounts', to_jsonb(a), a.enriched_at, a.updated_at);
alter table public.accounts enable trigger user;
alter table public.contacts disable trigger user;
update public.contacts c set field_sources = private.initial_field_sources('contacts', to_jsonb(c), c.enriched_at, c.updated_at);
alter table public.contacts enable trigger user;
drop function private.initial_field_sources(text, jsonb, timestamptz, timestamptz);

-- SECURITY DEFINER: it fires for browsers too, who cannot read private.apollo_field_groups.
create function private.track_field_sources() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- apply_*_enrichment says it is Apollo writing; any other writer is a person (or acts for one).
  v_source text := coalesce(nullif(current_setting('app.field_source', true), ''), 'user');
  v_new jsonb := to_jsonb(new);
  v_old jsonb := case when tg_op = 'UPDATE' then to_jsonb(old) else '{}' end;
  v_sources jsonb := case when tg_op = 'UPDATE' then old.field_sources else '{}' end;
  v_column text;
begin
  for v_column in
    select g.column_name from private.apollo_field_groups g where g.table_name = tg_table_name
  loop
    if coalesce(v_new -> v_column, 'null') is distinct from coalesce(v_old -> v_column, 'null') then
      if v_new ->> v_column is null then
        v_sources := v_sources - v_column;
      else
        v_sources := v_sources || jsonb_build_object(v_column, jsonb_build_object('source', v_source, 'at', now()));
      end if;
    end if;
  end loop;
  new.field_sources := v_sources;
  return new;
end
$$;
comment on function private.track_field_sources() is
  'Trigger: records who set each Apollo-fillable column (a person, or Apollo when app.field_source says so) in field_sources.';
revoke all on function private.track_field_sources() from public;

create trigger track_field_sources before insert or update on public.accounts
  for each row execute function private.track_field_sources();
create trigger track_field_sources before insert or update on public.contacts
  for each row execute function private.track_field_sources();

create function private.apollo_writable_fields(p_table text, p_workspace_id uuid, p_current jsonb, p_fields jsonb)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(f.key, f.value), '{}')
  from jsonb_each(p_fields) f
  join private.apollo_field_groups g on g.table_name = p_table and g.column_name = f.key
  -- a null or blank value is no value: it never replaces one
  where f.value not in ('null'::jsonb, '""'::jsonb)
    and (p_current ->> f.key is null
     or coalesce(p_current -> 'field_sources' -> f.key ->> 'source', 'user') = 'apollo'
     or g.field_group = any (coalesce(
          (select s.apollo_overwrite_groups from public.workspace_settings s where s.workspace_id = p_workspace_id),
          '{}')))
$$;
comment on function private.apollo_writable_fields(text, uuid, jsonb, jsonb) is
  'Of Apollo''s fields for a record (p_current: the row as jsonb), the ones it may write: empty columns, columns Apollo wrote, and groups the workspace lets Apollo win.';
revoke all on function private.apollo_writable_fields(text, uuid, jsonb, jsonb) from public;
grant execute on function private.apollo_writable_fields(text, uuid, jsonb, jsonb) to service_role;

create function private.enrichment_outcome(p_job_id uuid, p_at timestamptz, p_current jsonb, p_fields jsonb, p_writable jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'job_id', p_job_id,
    'at', p_at,
    'changed', coalesce((
      select jsonb_object_agg(w.key, jsonb_build_object('old', p_current -> w.key, 'new', w.value))
      from jsonb_each(p_writable) w
      where coalesce(p_current -> w.key, 'null') is distinct from w.value), '{}'),
    'kept', coalesce((
      select jsonb_object_agg(f.key, jsonb_build_object('value', p_current -> f.key, 'apollo', f.value))
      from jsonb_each(p_fields) f
      where not p_writable ? f.key and f.value not in ('null'::jsonb, '""'::jsonb)
        and p_current -> f.key is distinct from f.value), '{}'))
$$;
comment on function private.enrichment_outcome(uuid, timestamptz, jsonb, jsonb, jsonb) is
  'metadata.last_enrichment: what an enrichment changed (old -> new) and which typed values it kept (with Apollo''s value).';
revoke all on function private.enrichment_outcome(uuid, timestamptz, jsonb, jsonb, jsonb) from public;
grant execute on function private.enrichment_outcome(uuid, timestamptz, jsonb, jsonb, jsonb) to service_role;

-- What both apply functions do first: take the job as its holder, and stop when an earlier
-- attempt of it already wrote the enrichment (and was charged), so a job writes it once.
create function private.held_enrichment_job(p_job_id uuid, p_worker_id text) returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  select * into v_job from public.jobs j
  where j.id = p_job_id and j.status = 'processing' and j.locked_by = p_worker_id
  for update;
  return v_job;
end
$$;
comment on function private.held_enrichment_job(uuid, text) is
  'The enrichment job, locked, when p_worker_id holds it; a row of nulls otherwise (the lease is lost).';
revoke all on function private.held_enrichment_job(uuid, text) from public;
grant execute on function private.held_enrichment_job(uuid, text) to service_role;

create function private.enrichment_already_written(p_job public.jobs) returns boolean
language plpgsql
set search_path = ''
as $$
begin
  if p_job.credits_used = 0 then
    return false;
  end if;
  perform private.write_job_log(p_job.id, p_job.workspace_id, p_job.attempts,
    'The enrichment was already written by an earlier attempt of this job; nothing is written again', 'info',
    jsonb_build_object('already_applied', true));
  return true;
end
$$;
comment on function private.enrichment_already_written(public.jobs) is
  'True (with a log line) when an earlier attempt of the job wrote its enrichment: nothing is written twice.';
revoke all on function private.enrichment_already_written(public.jobs) from public;
grant execute on function private.enrichment_already_written(public.jobs) to service_role;

create or replace function public.apply_account_enrichment(
  job_id uuid,
  worker_id text,
  fields jsonb,
  apollo jsonb,
  now timestamptz default now()
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs := private.held_enrichment_job(apply_account_enrichment.job_id, apply_account_enrichment.worker_id);
  v_account_id uuid := (v_job.payload ->> 'account_id')::uuid;
  v_current jsonb;
  v_fields jsonb;
begin
  if v_job.id is null then
    return false;
  end if;
  if private.enrichment_already_written(v_job) then
    return true;
  end if;

  select to_jsonb(a) into v_current from public.accounts a
  where a.id = v_account_id and a.workspace_id = v_job.workspace_id
  for update;
  if v_current is null then
    raise exception 'Account not found: %', v_account_id using errcode = 'P0002';
  end if;
  v_fields := private.apollo_writable_fields('accounts', v_job.workspace_id, v_current, apply_account_enrichment.fields);

  perform set_config('app.field_source', 'apollo', true);
  update public.accounts a
  set industry = coalesce(v_fields ->> 'industry', a.industry),
      employee_count = coalesce((v_fields ->> 'employee_count')::integer, a.employee_count),
      annual_revenue = coalesce((v_fields ->> 'annual_revenue')::bigint, a.annual_revenue),
      city = coalesce(v_fields ->> 'city', a.city),
      state = coalesce(v_fields ->> 'state', a.state),
      country = coalesce(v_fields ->> 'country', a.country),
      phone = coalesce(v_fields ->> 'phone', a.phone),
      linkedin_url = coalesce(v_fields ->> 'linkedin_url', a.linkedin_url),
      website_url = coalesce(v_fields ->> 'website_url', a.website_url),
      description = coalesce(v_fields ->> 'description', a.description),
      founded_year = coalesce((v_fields ->> 'founded_year')::integer, a.founded_year),
      enriched_at = apply_account_enrichment.now,
      metadata = a.metadata || jsonb_build_object(
        'apollo', apply_account_enrichment.apollo,
        'apollo_enriched_at', apply_account_enrichment.now,
        'last_enrichment', private.enrichment_outcome(apply_account_enrichment.job_id, apply_account_enrichment.now,
          v_current, apply_account_enrichment.fields, v_fields))
  where a.id = v_account_id;
  perform set_config('app.field_source', '', true);

  perform private.charge_enrichment_credit(apply_account_enrichment.job_id, v_job.workspace_id);
  return true;
end
$$;
comment on function public.apply_account_enrichment(uuid, text, jsonb, jsonb, timestamptz) is
  'Worker: writes Apollo''s fields to the job''s account where Apollo may (empty, written by Apollo, or a group the workspace lets Apollo win; typed values are kept), records the change in metadata.last_enrichment and charges one credit, once per job. False when the lease is lost.';

create or replace function public.apply_contact_enrichment(
  job_id uuid,
  worker_id text,
  fields jsonb,
  apollo jsonb,
  now timestamptz default now()
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs := private.held_enrichment_job(apply_contact_enrichment.job_id, apply_contact_enrichment.worker_id);
  v_contact_id uuid := (v_job.payload ->> 'contact_id')::uuid;
  v_current jsonb;
  v_fields jsonb;
begin
  if v_job.id is null then
    return false;
  end if;
  if private.enrichment_already_written(v_job) then
    return true;
  end if;

  select to_jsonb(c) into v_current from public.contacts c
  where c.id = v_contact_id and c.workspace_id = v_job.workspace_id
  for update;
  if v_current is null then
    raise exception 'Contact not found: %', v_contact_id using errcode = 'P0002';
  end if;
  v_fields := private.apollo_writable_fields('contacts', v_job.workspace_id, v_current, apply_contact_enrichment.fields);

  perform set_config('app.field_source', 'apollo', true);
  update public.contacts c
  set first_name = coalesce(v_fields ->> 'first_name', c.first_name),
      last_name = coalesce(v_fields ->> 'last_name', c.last_name),
      email = coalesce(v_fields ->> 'email', c.email),
      title = coalesce(v_fields ->> 'title', c.title),
      seniority = coalesce(v_fields ->> 'seniority', c.seniority),
      linkedin_url = coalesce(v_fields ->> 'linkedin_url', c.linkedin_url),
      city = coalesce(v_fields ->> 'city', c.city),
      state = coalesce(v_fields ->> 'state', c.state),
      country = coalesce(v_fields ->> 'country', c.country),
      enriched_at = apply_contact_enrichment.now,
      metadata = c.metadata || jsonb_build_object(
        'apollo', apply_contact_enrichment.apollo,
        'apollo_enriched_at', apply_contact_enrichment.now,
        'last_enrichment', private.enrichment_outcome(apply_contact_enrichment.job_id, apply_contact_enrichment.now,
          v_current, apply_contact_enrichment.fields, v_fields))
  where c.id = v_contact_id;
  perform set_config('app.field_source', '', true);

  perform private.charge_enrichment_credit(apply_contact_enrichment.job_id, v_job.workspace_id);
  return true;
end
$$;
comment on function public.apply_contact_enrichment(uuid, text, jsonb, jsonb, timestamptz) is
  'Worker: writes Apollo''s fields to the job''s contact where Apollo may (empty, written by Apollo, or a group the workspace lets Apollo win; typed values are kept), records the change in metadata.last_enrichment and charges one credit, once per job. False when the lease is lost.';

-- Deleting an account or a contact cancels its pending or running enrichment first, so no job is
-- left to fail on a record that is gone (the worker stops when it finds its lease cleared).
create function private.cancel_jobs_of_deleted_records() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job record;
  v_by text := coalesce((select u.email from auth.users u where u.id = auth.uid()), 'a user');
begin
  for v_job in
    update public.jobs j
    set status = 'cancelled', cancelled_at = now(), next_retry_at = null, locked_by = null, locked_until = null
    from deleted_records d
    where j.subject_id = d.id::text and j.workspace_id = d.workspace_id and j.status in ('pending', 'processing')
    returning j.id, j.workspace_id, j.attempts
  loop
    perform private.write_job_log(v_job.id, v_job.workspace_id, v_job.attempts,
      format('Cancelled: its %s was deleted by %s', case tg_table_name when 'accounts' then 'account' else 'contact' end, v_by),
      'warn');
  end loop;
  return null;
end
$$;
comment on function private.cancel_jobs_of_deleted_records() is
  'Trigger (per statement, after delete on accounts and contacts): cancels the deleted records'' pending and running jobs, with a log line saying why.';
revoke all on function private.cancel_jobs_of_deleted_records() from public;

create trigger cancel_jobs_of_deleted_records after delete on public.accounts
  referencing old table as deleted_records
  for each statement execute function private.cancel_jobs_of_deleted_records();
create trigger cancel_jobs_of_deleted_records after delete on public.contacts
  referencing old table as deleted_records
  for each statement execute function private.cancel_jobs_of_deleted_records();

-- The view lists its columns, so the new one is added here (pgTAP 019 checks that none is missing).
create or replace view public.accounts_with_enrichment with (security_invoker = true) as
select a.id, a.workspace_id, a.name, a.domain, a.industry, a.employee_count, a.annual_revenue, a.city, a.state,
       a.country, a.phone, a.linkedin_url, a.website_url, a.description, a.founded_year, a.enriched_at, a.metadata,
       a.created_by, a.created_at, a.updated_at,
       latest.job_id as latest_job_id,
       latest.status as latest_job_status,
       latest.error_message as latest_job_error,
       latest.created_at as latest_job_created_at,
       case
         when latest.status in ('pending', 'processing') then 'enriching'
         when latest.status = 'failed' and (a.enriched_at is null or latest.created_at > a.enriched_at) then 'failed'
         when a.enriched_at is not null then 'enriched'
         else 'never'
       end as enrichment_status,
       a.field_sources
from public.accounts a
left join public.latest_account_enrichments latest on latest.account_id = a.id;
