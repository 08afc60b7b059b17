-- What a worker calls while it holds a job: progress, log lines, complete, fail.
-- Each call names the worker and does nothing (returns false/null) unless the job is still
-- processing under that worker's lease: a job that was reaped, cancelled or re-claimed can
-- no longer be touched by the worker that lost it.
--
-- "Still processing under that worker's lease" is written `locked_by = worker and locked_until
-- is not null`: by the constraint processing_holds_a_lease that is exactly status = 'processing'
-- for that worker, but it leaves the planner no reason to walk the partial index jobs_lease_idx
-- (every job processing, and every dead entry since the last vacuum) instead of the primary key.
-- With status = 'processing' in the WHERE, the planner picked jobs_lease_idx whenever its
-- statistics said few jobs were processing, and each call cost O(jobs processing + recently
-- finished): 0.43 ms instead of 0.06 ms per complete_job with 2,000 in flight (scripts/bench).

create function private.write_job_log(
  job_id uuid, workspace_id uuid, attempt integer, message text,
  log_level text default 'info', metadata jsonb default '{}'
) returns void
language sql
set search_path = ''
as $$
  insert into public.job_logs (job_id, workspace_id, attempt, log_level, message, metadata)
  values (write_job_log.job_id, write_job_log.workspace_id, write_job_log.attempt,
          coalesce(write_job_log.log_level, 'info'), left(write_job_log.message, 4000),
          coalesce(write_job_log.metadata, '{}'))
$$;
comment on function private.write_job_log(uuid, uuid, integer, text, text, jsonb) is 'Appends one line to a job''s log.';

create function public.job_log(
  job_id uuid,
  worker_id text,
  message text,
  log_level text default 'info',
  metadata jsonb default '{}'
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job record;
begin
  select j.workspace_id, j.attempts into v_job
  from public.jobs j
  where j.id = job_log.job_id and j.locked_by = job_log.worker_id and j.locked_until is not null;
  if not found then
    return false;
  end if;
  perform private.write_job_log(job_log.job_id, v_job.workspace_id, v_job.attempts, job_log.message,
                                job_log.log_level, job_log.metadata);
  return true;
end
$$;
comment on function public.job_log(uuid, text, text, text, jsonb) is
  'Worker: appends a log line to a job it holds. False when the lease is no longer this worker''s.';
revoke execute on function public.job_log(uuid, text, text, text, jsonb) from public, anon, authenticated;
grant execute on function public.job_log(uuid, text, text, text, jsonb) to service_role;

create function public.job_progress(
  job_id uuid,
  worker_id text,
  percentage numeric,
  message text default null,
  log_level text default 'info',
  metadata jsonb default '{}',
  lease_seconds integer default 60,
  now timestamptz default now()
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job record;
begin
  if job_progress.percentage is null or job_progress.percentage not between 0 and 100 then
    raise exception 'job_progress: percentage must be between 0 and 100, got %', job_progress.percentage
      using errcode = '22023';
  end if;
  update public.jobs j
  set progress = jsonb_strip_nulls(jsonb_build_object(
        'percentage', job_progress.percentage,
        'message', job_progress.message,
        'updated_at', job_progress.now)),
      -- progress is a heartbeat: it extends the lease
      locked_until = greatest(j.locked_until, job_progress.now + make_interval(secs => job_progress.lease_seconds))
  where j.id = job_progress.job_id and j.locked_by = job_progress.worker_id and j.locked_until is not null
  returning j.workspace_id, j.attempts into v_job;
  if not found then
    return false;
  end if;
  if job_progress.message is not null then
    perform private.write_job_log(job_progress.job_id, v_job.workspace_id, v_job.attempts, job_progress.message,
                                  job_progress.log_level,
                                  coalesce(job_progress.metadata, '{}') || jsonb_build_object('percentage', job_progress.percentage));
  end if;
  return true;
end
$$;
comment on function public.job_progress(uuid, text, numeric, text, text, jsonb, integer, timestamptz) is
  'Worker: sets a held job''s progress (0-100), optionally logs message with it, and extends the lease. False when the lease is lost.';
revoke execute on function public.job_progress(uuid, text, numeric, text, text, jsonb, integer, timestamptz) from public, anon, authenticated;
grant execute on function public.job_progress(uuid, text, numeric, text, text, jsonb, integer, timestamptz) to service_role;

create function public.complete_job(
  job_id uuid,
  worker_id text,
  result jsonb default null,
  message text default null,
  now timestamptz default now()
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job record;
begin
  update public.jobs j
  set status = 'completed',
      completed_at = complete_job.now,
      progress = jsonb_build_object('percentage', 100, 'updated_at', complete_job.now),
      result = coalesce(complete_job.result, j.result),
      error_message = null,
      locked_by = null,
      locked_until = null
  where j.id = complete_job.job_id and j.locked_by = complete_job.worker_id and j.locked_until is not null
  returning j.workspace_id, j.attempts into v_job;
  if not found then
    return false;
  end if;
  if complete_job.message is not null then
    perform private.write_job_log(complete_job.job_id, v_job.workspace_id, v_job.attempts, complete_job.message,
                                  'info', jsonb_build_object('percentage', 100));
  end if;
  return true;
end
$$;
comment on function public.complete_job(uuid, text, jsonb, text, timestamptz) is
  'Worker: marks a held job completed (progress 100), stores its result and optionally a last log line. False when the lease is lost.';
revoke execute on function public.complete_job(uuid, text, jsonb, text, timestamptz) from public, anon, authenticated;
grant execute on function public.complete_job(uuid, text, jsonb, text, timestamptz) to service_role;

-- Backoff: 60 s x 2^(attempt-1), +-10% jitter, capped at a day. attempt 1 -> ~60 s, 4 -> ~480 s.
-- The 60 is a setting (retry_backoff_base_seconds) only so the chaos soak (npm run soak) can
-- run hours of retries in minutes; nothing in production sets it.
create function private.retry_backoff_base_seconds() returns double precision
language sql
stable
-- private.settings is closed to every API role (service_role included); the number is all that leaves.
security definer
set search_path = ''
as $$
  select private.int_setting('retry_backoff_base_seconds', 60, 1, 3600)::double precision
$$;
comment on function private.retry_backoff_base_seconds() is
  'Base of the retry backoff in seconds: private.settings retry_backoff_base_seconds (1..3600, a test knob used by the chaos soak), else 60 (the spec).';
revoke execute on function private.retry_backoff_base_seconds() from public, anon, authenticated;
grant execute on function private.retry_backoff_base_seconds() to service_role;

create function public.retry_backoff_seconds(attempt integer, jitter double precision default random())
returns double precision
language sql
volatile
set search_path = ''
as $$
  select least(86400, private.retry_backoff_base_seconds() * power(2, greatest(retry_backoff_seconds.attempt, 1) - 1))
         * (0.9 + 0.2 * least(greatest(retry_backoff_seconds.jitter, 0), 1))
$$;
comment on function public.retry_backoff_seconds(integer, double precision) is
  'Seconds to wait before retrying after failed attempt n: 60 x 2^(n-1) with +-10% jitter (jitter in [0,1]), at most a day. The 60 is private.settings retry_backoff_base_seconds when set (a test knob, see above).';
revoke execute on function public.retry_backoff_seconds(integer, double precision) from public, anon, authenticated;
grant execute on function public.retry_backoff_seconds(integer, double precision) to service_role;

create function public.fail_job(
  job_id uuid,
  worker_id text,
  error_message text,
  retryable boolean default true,
  retry_after_seconds double precision default null,
  now timestamptz default now()
) returns text
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_message text := left(coalesce(nullif(btrim(fail_job.error_message), ''), 'Unknown error'), 2000);
  v_delay double precision;
  v_errors jsonb;
begin
  select * into v_job from public.jobs j
  where j.id = fail_job.job_id and j.locked_by = fail_job.worker_id and j.locked_until is not null
  for update;
  if not found then
    return null;
  end if;

  v_errors := v_job.errors || jsonb_build_array(jsonb_build_object(
    'attempt', v_job.attempts, 'at', fail_job.now, 'message', v_message, 'retryable', fail_job.retryable));

  if fail_job.retryable and v_job.attempts < v_job.max_attempts then
    v_delay := greatest(coalesce(fail_job.retry_after_seconds, public.retry_backoff_seconds(v_job.attempts)), 0);
    update public.jobs j
    set status = 'pending',
        scheduled_for = fail_job.now + make_interval(secs => v_delay),
        next_retry_at = fail_job.now + make_interval(secs => v_delay),
        error_message = v_message,
        errors = v_errors,
        locked_by = null,
        locked_until = null
    where j.id = v_job.id;
    perform private.write_job_log(v_job.id, v_job.workspace_id, v_job.attempts,
      format('Attempt %s of %s failed: %s. Retrying in %s s.', v_job.attempts, v_job.max_attempts, v_message, round(v_delay::numeric)),
      'warn', jsonb_build_object('retry_at', fail_job.now + make_interval(secs => v_delay), 'retryable', true));
    return 'pending';
  end if;

  update public.jobs j
  set status = 'failed',
      failed_at = fail_job.now,
      error_message = v_message,
      errors = v_errors,
      locked_by = null,
      locked_until = null
  where j.id = v_job.id;
  perform private.write_job_log(v_job.id, v_job.workspace_id, v_job.attempts,
    case when fail_job.retryable
         then format('Job failed after %s of %s attempts: %s', v_job.attempts, v_job.max_attempts, v_message)
         else format('Job failed: %s (not retryable)', v_message) end,
    'error', jsonb_build_object('retryable', fail_job.retryable));
  return 'failed';
end
$$;
comment on function public.fail_job(uuid, text, text, boolean, double precision, timestamptz) is
  'Worker: records a failed attempt of a held job. Retryable with attempts left: back to pending after the backoff (or retry_after_seconds); otherwise failed. Returns the new status, or null when the lease is lost.';
revoke execute on function public.fail_job(uuid, text, text, boolean, double precision, timestamptz) from public, anon, authenticated;
grant execute on function public.fail_job(uuid, text, text, boolean, double precision, timestamptz) to service_role;

-- Rate limits are not the job's fault: a job that hit one goes back to the queue without
-- using up an attempt, and its workspace's other jobs wait until Apollo's retry-after.

create function public.release_job(
  job_id uuid,
  worker_id text,
  delay_seconds double precision,
  reason text,
  now timestamptz default now()
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job record;
  v_delay double precision := greatest(coalesce(release_job.delay_seconds, 0), 0);
begin
  update public.jobs j
  set status = 'pending',
      attempts = j.attempts - 1,
      scheduled_for = release_job.now + make_interval(secs => v_delay),
      next_retry_at = release_job.now + make_interval(secs => v_delay),
      locked_by = null,
      locked_until = null
  where j.id = release_job.job_id and j.locked_by = release_job.worker_id and j.locked_until is not null
  returning j.workspace_id, j.attempts into v_job;
  if not found then
    return false;
  end if;
  perform private.write_job_log(release_job.job_id, v_job.workspace_id, v_job.attempts + 1,
    format('%s. Waiting %s s; this attempt is not counted.', coalesce(release_job.reason, 'Released'), round(v_delay::numeric)),
    'warn', jsonb_build_object('retry_at', release_job.now + make_interval(secs => v_delay), 'released', true));
  return true;
end
$$;
comment on function public.release_job(uuid, text, double precision, text, timestamptz) is
  'Worker: puts a held job back in the queue after delay_seconds without counting the attempt (rate limits). False when the lease is lost.';
revoke execute on function public.release_job(uuid, text, double precision, text, timestamptz) from public, anon, authenticated;
grant execute on function public.release_job(uuid, text, double precision, text, timestamptz) to service_role;

create function public.pause_workspace_jobs(
  workspace_id uuid,
  until timestamptz,
  reason text
) returns void
language sql
set search_path = ''
as $$
  update public.workspace_settings s
  set jobs_paused_until = greatest(coalesce(s.jobs_paused_until, pause_workspace_jobs.until), pause_workspace_jobs.until),
      jobs_paused_reason = pause_workspace_jobs.reason
  where s.workspace_id = pause_workspace_jobs.workspace_id
$$;
comment on function public.pause_workspace_jobs(uuid, timestamptz, text) is
  'Worker: no job of the workspace is claimed before until (extends, never shortens, a pause already set).';
revoke execute on function public.pause_workspace_jobs(uuid, timestamptz, text) from public, anon, authenticated;
grant execute on function public.pause_workspace_jobs(uuid, timestamptz, text) to service_role;
