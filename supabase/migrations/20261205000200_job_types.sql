-- Job types are data, in one place. A job's type must be a row here: jobs.job_type references
-- it, enqueueing checks it (unknown or disabled: a clear error naming the types that exist), and
-- claim_jobs reads which types may run. The worker's processor registry is tested against this
-- table (supabase/functions/tests), so a type without a processor, or a processor without a type,
-- fails the tests instead of leaving jobs pending forever.
--
-- Disabling a type (update public.job_types set enabled = false ...) stops new jobs of that type
-- from being queued and leaves its pending jobs waiting (reported by ops.queue_depth and the
-- health check as waiting for a disabled type, not as overdue) until it is enabled again.

create table public.job_types (
  name text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  subject text check (subject in ('account', 'contact')),
  description text not null check (length(btrim(description)) between 1 and 500),
  batchable boolean not null default false,
  default_max_attempts integer not null default 5 check (default_max_attempts between 1 and 100),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.job_types is
  'The kinds of job the system runs: what each acts on, whether jobs of it may be batched into one Apollo call, its default attempts, and whether it is enabled. Every job''s job_type is one of these.';
comment on column public.job_types.subject is 'The record a job of this type works on (payload.account_id or payload.contact_id), or null when none.';
comment on column public.job_types.batchable is 'Whether the worker may run several due jobs of this type in one Apollo bulk call.';
comment on column public.job_types.default_max_attempts is 'max_attempts given to jobs of this type queued through enqueue_job when the caller names none.';
comment on column public.job_types.enabled is 'Disabled: no new jobs of this type are accepted and pending ones are not claimed until it is enabled again.';

create trigger touch_updated_at before update on public.job_types
  for each row execute function private.touch_updated_at();

insert into public.job_types (name, subject, description, batchable, default_max_attempts) values
  ('enrich_account', 'account', 'Fill an account''s firmographics from Apollo''s organization enrichment (by domain).', true, 5),
  ('enrich_contact', 'contact', 'Fill a contact''s title, seniority, location and links from Apollo''s people match.', true, 5);

-- Every job names a known type. Existing jobs of a type nobody registered (possible before this
-- migration: the browser could queue any name) are registered as disabled, so the constraint holds
-- and an operator sees them in ops.queue_depth instead of them sitting pending unexplained.
insert into public.job_types (name, description, enabled)
select distinct j.job_type, 'Found in jobs when job types became a table; not run by the worker.', false
from public.jobs j
where not exists (select 1 from public.job_types t where t.name = j.job_type)
on conflict (name) do nothing;

alter table public.jobs
  add constraint jobs_job_type_fkey foreign key (job_type) references public.job_types (name) on update cascade;

alter table public.job_types enable row level security;
revoke all on public.job_types from anon;
revoke all on public.job_types from authenticated;
grant select on public.job_types to authenticated;
grant select on public.job_types to service_role;

create policy "Signed-in users can see the job types"
  on public.job_types for select to authenticated
  using (true);

-- The names a caller may queue, for error messages.
create function private.enabled_job_type_names() returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(string_agg(t.name, ', ' order by t.name), '(none)') from public.job_types t where t.enabled
$$;
comment on function private.enabled_job_type_names() is 'The enabled job types as a comma-separated list, for error messages.';
revoke execute on function private.enabled_job_type_names() from public, anon, authenticated;
