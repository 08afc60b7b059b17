-- The job queue's tables. Every rule about a job's state is a constraint here, so no code path,
-- not even a hand-written INSERT, can store a job the worker would misread.
--
-- States: pending -> processing -> completed | failed | cancelled; a failed attempt with
-- attempts left goes back to pending with scheduled_for = next_retry_at = now() + backoff.

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  job_type text not null check (job_type ~ '^[a-z][a-z0-9_]{0,62}$'),
  payload jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
  status text not null default 'pending'
    check (status in ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  priority smallint not null default 0 check (priority between -100 and 100),
  progress jsonb not null default '{"percentage": 0}' check (
    jsonb_typeof(progress) = 'object'
    and progress ? 'percentage' and jsonb_typeof(progress -> 'percentage') = 'number'
    and (progress ->> 'percentage')::numeric between 0 and 100
  ),
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 5 check (max_attempts between 1 and 100),
  scheduled_for timestamptz not null default now(),
  next_retry_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  failed_at timestamptz,
  cancelled_at timestamptz,
  locked_by text,
  locked_until timestamptz,
  error_message text,
  errors jsonb not null default '[]' check (jsonb_typeof(errors) = 'array'),
  result jsonb,
  credits_used integer not null default 0 check (credits_used >= 0),
  -- The record a job works on; one active job per (workspace, job_type, subject).
  subject_id text generated always as (coalesce(payload ->> 'account_id', payload ->> 'contact_id')) stored,
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint attempts_within_max check (attempts <= max_attempts),
  -- claiming counts an attempt, so a pending job without one left would make every claim fail
  constraint pending_has_attempts_left check (status <> 'pending' or attempts < max_attempts),
  constraint processing_holds_a_lease check (
    (status = 'processing') = (locked_by is not null and locked_until is not null)
  ),
  constraint processing_has_started check (status <> 'processing' or started_at is not null),
  constraint completed_has_completed_at check ((status = 'completed') = (completed_at is not null)),
  constraint failed_has_failed_at check ((status = 'failed') = (failed_at is not null)),
  constraint cancelled_has_cancelled_at check ((status = 'cancelled') = (cancelled_at is not null)),
  constraint completed_at_is_after_started_at check (completed_at is null or started_at is null or completed_at >= started_at),
  constraint next_retry_only_when_pending check (next_retry_at is null or status = 'pending')
);
comment on table public.jobs is 'Background jobs: one row per job, claimed by workers with a lease. See supabase/migrations/*_queue_*.sql for the operations.';
comment on column public.jobs.progress is '{"percentage": 0..100, "message": ...} written by the worker while the job runs.';
comment on column public.jobs.attempts is 'Attempts started so far, counted when a worker claims the job.';
comment on column public.jobs.scheduled_for is 'The job is not claimed before this time (retries move it forward).';
comment on column public.jobs.next_retry_at is 'When a failed attempt will be retried; null unless the job waits for a retry.';
comment on column public.jobs.locked_by is 'Worker holding the lease; every worker call is refused unless it names this worker.';
comment on column public.jobs.locked_until is 'Lease expiry: after it the reaper returns the job to the queue.';
comment on column public.jobs.errors is 'Every failed attempt: [{attempt, at, message, retryable}]. error_message is the latest.';
comment on column public.jobs.credits_used is 'Apollo credits this job has charged to its workspace (charged once, however often it runs).';
comment on column public.jobs.subject_id is 'payload.account_id or payload.contact_id: the record the job works on.';

-- Claim: due pending jobs per workspace in priority, time order (also walked to list workspaces).
create index jobs_claim_idx on public.jobs (workspace_id, priority desc, scheduled_for, id) where status = 'pending';
-- Reaper: expired leases.
create index jobs_lease_idx on public.jobs (locked_until) where status = 'processing';
-- Dedupe: one active job per subject.
create unique index jobs_active_subject_key on public.jobs (workspace_id, job_type, subject_id)
  where subject_id is not null and status in ('pending', 'processing');
-- Listing a workspace's jobs, newest first (RLS column first), and a record's history.
create index jobs_workspace_created_idx on public.jobs (workspace_id, created_at desc);
create index jobs_subject_idx on public.jobs (workspace_id, subject_id, created_at desc) where subject_id is not null;
-- Health counts of the last 24 h and retention of finished jobs, by when they finished.
create index jobs_completed_at_idx on public.jobs (completed_at) where status = 'completed';
create index jobs_failed_at_idx on public.jobs (failed_at) where status = 'failed';
create index jobs_cancelled_at_idx on public.jobs (cancelled_at) where status = 'cancelled';
create index jobs_created_by_idx on public.jobs (created_by);

create trigger touch_updated_at before update on public.jobs
  for each row execute function private.touch_updated_at();

create table public.job_logs (
  id bigint generated always as identity primary key,
  job_id uuid not null references public.jobs (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  attempt integer check (attempt >= 0),
  log_level text not null default 'info' check (log_level in ('debug', 'info', 'warn', 'error')),
  message text not null check (length(message) between 1 and 4000),
  metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default clock_timestamp()
);
comment on table public.job_logs is 'The story of each job, line by line, written by the worker and the queue functions. workspace_id is kept so RLS and Realtime filters need no join.';
create index job_logs_job_id_idx on public.job_logs (job_id, id);
create index job_logs_workspace_idx on public.job_logs (workspace_id, created_at);

-- RLS: members read; browsers enqueue through enqueue_* (an INSERT under the policy below)
-- and change a job only through cancel_job/retry_job. Workers use service_role.
alter table public.jobs enable row level security;
alter table public.job_logs enable row level security;
revoke all on public.jobs, public.job_logs from anon;
revoke all on public.jobs, public.job_logs from authenticated;
grant select on public.jobs, public.job_logs to authenticated;
grant insert (workspace_id, job_type, payload, priority, scheduled_for, max_attempts) on public.jobs to authenticated;

create policy "Members can see their workspace's jobs"
  on public.jobs for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));

create policy "Members can queue jobs in their workspace"
  on public.jobs for insert to authenticated
  with check (
    workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid()))
    and status = 'pending' and attempts = 0
  );

create policy "Members can read their workspace's job logs"
  on public.job_logs for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
