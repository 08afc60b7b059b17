-- What a new job must be, checked in the database so that no path (REST insert, enqueue_*, the
-- jobs function, a trigger) can queue a job the queue or its monitoring would choke on.
--
-- For every writer:
--   * job_type is a known, enabled type (public.job_types);
--   * scheduled_for is a real time (not 'infinity' or '-infinity': the age arithmetic of every
--     monitoring function would fail on it);
--   * the payload is at most 8 KB of JSON (a job names its record; it does not carry data).
-- For browser users (the authenticated role, directly or through enqueue_* and the jobs function):
--   * scheduled_for within [now - 1 minute, now + 1 year], priority within [-10, 10],
--     max_attempts within [1, 10];
--   * quotas, each a private.settings value with a default:
--       max_pending_jobs_per_workspace      10000  pending jobs a workspace may have at once
--       max_enqueues_per_workspace_minute     120  enqueueing statements per workspace per minute
--       max_workspaces_per_user                10  workspaces a user may create
--     Over a quota the statement fails with SQLSTATE PT429 (HTTP 429 over the API) and a message
--     that says which limit and what to do.
-- The worker and operators (service_role, postgres) are trusted with the wider table limits.

-- Data written before these rules: a job whose scheduled_for is infinite would make every
-- monitoring function fail, so it is brought back to a real time first.
update public.jobs j
set scheduled_for = case when j.status = 'pending' then now() else j.created_at end
where not isfinite(j.scheduled_for);
alter table public.jobs add constraint scheduled_for_is_finite check (isfinite(scheduled_for));

insert into private.settings (key, value) values
  ('max_pending_jobs_per_workspace', '10000'),
  ('max_enqueues_per_workspace_minute', '120'),
  ('max_workspaces_per_user', '10')
on conflict (key) do nothing;

-- A request from a browser user: PostgREST (and the jobs function, and the pgTAP personas) run it
-- with role authenticated in request.jwt.claims. Triggers that run as their owner see the same claims.
create function private.is_browser_request() returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.role()), '') in ('authenticated', 'anon')
$$;
comment on function private.is_browser_request() is
  'True when the current request is a browser user''s (request.jwt.claims role authenticated or anon), whoever owns the running function.';
revoke execute on function private.is_browser_request() from public, anon, authenticated;

create function private.check_new_job() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_type public.job_types;
  v_payload_bytes integer;
begin
  select * into v_type from public.job_types t where t.name = new.job_type;
  if not found then
    raise exception 'Unknown job type "%"', new.job_type using errcode = '22023',
      hint = format('Known job types: %s.', private.enabled_job_type_names());
  end if;
  if not v_type.enabled then
    raise exception 'Job type "%" is disabled: no new jobs of it are accepted', new.job_type using errcode = '22023',
      hint = format('Enabled job types: %s.', private.enabled_job_type_names());
  end if;
  if not isfinite(new.scheduled_for) then
    raise exception 'scheduled_for must be a date and time, not %', new.scheduled_for using errcode = '22008',
      hint = 'Leave it out to run the job now.';
  end if;
  v_payload_bytes := octet_length(new.payload::text);
  if v_payload_bytes > 8192 then
    raise exception 'The job payload is too large: % bytes (at most 8192)', v_payload_bytes using errcode = 'PT413',
      hint = 'A payload names the record to work on (e.g. {"account_id": ...}); it does not carry the data.';
  end if;

  if private.is_browser_request() then
    if new.scheduled_for not between now() - interval '1 minute' and now() + interval '1 year' then
      raise exception 'scheduled_for must be between now and a year from now, got %', new.scheduled_for
        using errcode = '22008', hint = 'Leave it out to run the job now.';
    end if;
    if new.priority not between -10 and 10 then
      raise exception 'priority must be between -10 and 10, got %', new.priority using errcode = '22023',
        hint = 'Higher runs first within a workspace; 0 is normal.';
    end if;
    if new.max_attempts not between 1 and 10 then
      raise exception 'max_attempts must be between 1 and 10, got %', new.max_attempts using errcode = '22023';
    end if;
  end if;
  return new;
end
$$;
comment on function private.check_new_job() is
  'Trigger: a new job must have a known, enabled type, a finite scheduled_for and a payload of at most 8 KB; a browser user''s job also a scheduled_for within a year, priority -10..10 and max_attempts 1..10.';

create trigger check_new_job before insert on public.jobs
  for each row execute function private.check_new_job();

-- Pending jobs per workspace are counted on every browser enqueue.
create index jobs_pending_workspace_idx on public.jobs (workspace_id) where status = 'pending';

create function private.enforce_enqueue_quotas() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_max_pending integer := private.int_setting('max_pending_jobs_per_workspace', 10000);
  v_max_per_minute integer := private.int_setting('max_enqueues_per_workspace_minute', 120);
  v_workspace record;
  v_wait double precision;
  v_pending integer;
begin
  if not private.is_browser_request() then
    return null;
  end if;
  for v_workspace in select distinct i.workspace_id from inserted_jobs i loop
    v_wait := private.take_rate_limit('enqueue:' || v_workspace.workspace_id, v_max_per_minute, 60);
    if v_wait > 0 then
      raise exception 'Too many requests to queue jobs in this workspace: at most % per minute', v_max_per_minute
        using errcode = 'PT429', hint = format('Try again in %s s, or queue many records in one request.', ceil(v_wait));
    end if;
    select count(*)::integer into v_pending from public.jobs j
    where j.workspace_id = v_workspace.workspace_id and j.status = 'pending';
    if v_pending > v_max_pending then
      raise exception 'This workspace has too many jobs waiting: % pending, at most %', v_pending - (
          select count(*) from inserted_jobs i where i.workspace_id = v_workspace.workspace_id), v_max_pending
        using errcode = 'PT429', hint = 'Wait for queued jobs to finish, or cancel some, then queue more.';
    end if;
  end loop;
  return null;
end
$$;
comment on function private.enforce_enqueue_quotas() is
  'Trigger (per statement): for browser users, at most max_enqueues_per_workspace_minute enqueueing statements per workspace per minute and max_pending_jobs_per_workspace pending jobs; PT429 otherwise.';

-- Named to run before wake_worker (statement triggers fire in name order): nothing is woken for a refused statement.
create trigger enforce_enqueue_quotas after insert on public.jobs
  referencing new table as inserted_jobs
  for each statement execute function private.enforce_enqueue_quotas();

-- The insert policy checks the type too, so a browser can never queue a disabled or unknown type,
-- whatever the trigger above does.
drop policy "Members can queue jobs in their workspace" on public.jobs;
create policy "Members can queue jobs of enabled types in their workspace"
  on public.jobs for insert to authenticated
  with check (
    workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid()))
    and status = 'pending' and attempts = 0
    and job_type in (select t.name from public.job_types t where t.enabled)
  );

-- Workspaces a user may create.
create function private.check_new_workspace() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_max integer := private.int_setting('max_workspaces_per_user', 10);
begin
  if private.is_browser_request() and (
       select count(*) from public.workspaces w where w.created_by = (select auth.uid())) >= v_max then
    raise exception 'You have created % workspaces, the most one user may create', v_max using errcode = 'PT429',
      hint = 'Delete a workspace you no longer use, or ask to have the limit raised.';
  end if;
  return new;
end
$$;
comment on function private.check_new_workspace() is 'Trigger: a browser user may create at most max_workspaces_per_user workspaces (PT429 otherwise).';

create trigger check_new_workspace before insert on public.workspaces
  for each row execute function private.check_new_workspace();

-- enqueue_job: the type's default attempts when the caller names none.
drop function public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer);
create function public.enqueue_job(
  workspace_id uuid,
  job_type text,
  payload jsonb default '{}',
  priority smallint default 0,
  scheduled_for timestamptz default now(),
  max_attempts integer default null
) returns public.jobs
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_job public.jobs;
  v_max_attempts integer := enqueue_job.max_attempts;
begin
  if (select auth.role()) = 'authenticated' and not exists (
    select 1 from public.workspace_members wm
    where wm.workspace_id = enqueue_job.workspace_id and wm.user_id = (select auth.uid())
  ) then
    raise exception 'You are not a member of this workspace' using errcode = '42501';
  end if;
  if v_max_attempts is null then
    select t.default_max_attempts into v_max_attempts from public.job_types t where t.name = enqueue_job.job_type;
  end if;

  for i in 1..3 loop
    insert into public.jobs (workspace_id, job_type, payload, priority, scheduled_for, max_attempts)
    values (enqueue_job.workspace_id, enqueue_job.job_type, coalesce(enqueue_job.payload, '{}'),
            coalesce(enqueue_job.priority, 0), coalesce(enqueue_job.scheduled_for, now()),
            coalesce(v_max_attempts, 5))
    on conflict (workspace_id, job_type, subject_id)
      where subject_id is not null and status in ('pending', 'processing')
      do nothing
    returning * into v_job;
    if v_job.id is not null then
      return v_job;
    end if;
    -- Already queued: hand back the active job (unless it finished in between; then try again).
    select * into v_job from public.jobs j
    where j.workspace_id = enqueue_job.workspace_id and j.job_type = enqueue_job.job_type
      and j.subject_id = coalesce(enqueue_job.payload ->> 'account_id', enqueue_job.payload ->> 'contact_id')
      and j.status in ('pending', 'processing');
    if v_job.id is not null then
      return v_job;
    end if;
  end loop;
  raise exception 'Could not queue the job: it kept finishing while being queued; try again' using errcode = '40001';
end
$$;
comment on function public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer) is
  'Queues a job in a workspace the caller belongs to (max_attempts defaults to the job type''s); returns it, or the already active job for the same subject.';
revoke execute on function public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer) from public, anon, authenticated;
grant execute on function public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer) to authenticated, service_role;

-- Auto-enrich queues jobs for accounts a user creates; over a quota the accounts are still created
-- (never lose a user's rows for a job), and no job is queued for them.
create or replace function private.auto_enrich_new_accounts() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    insert into public.jobs (workspace_id, job_type, payload, created_by)
    select a.workspace_id, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain), a.created_by
    from new_accounts a
    join public.workspace_settings s on s.workspace_id = a.workspace_id
    where s.apollo_auto_enrich and a.domain is not null
    on conflict (workspace_id, job_type, subject_id)
      where subject_id is not null and status in ('pending', 'processing')
      do nothing;
  exception when sqlstate 'PT429' then
    raise warning 'auto-enrich skipped: %', sqlerrm;
  end;
  return null;
end
$$;
comment on function private.auto_enrich_new_accounts() is
  'Trigger (per statement): queues enrichment of new accounts with a domain in workspaces that have auto-enrich on (skipped, with a warning, when a queue quota is reached: the accounts are kept).';
