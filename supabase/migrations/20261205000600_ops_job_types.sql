-- Monitoring knows about job types: a pending job of a disabled type waits for an operator, not
-- for a worker, so it is reported as waiting for its type (ops.queue_depth.job_type_enabled,
-- health_snapshot.waiting_for_disabled_types, queue_stats.waiting_for_disabled_types) and never
-- raises jobs_overdue or counts as the oldest due job.

create or replace function public.queue_stats(now timestamptz default now()) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'pending', count(*) filter (where j.status = 'pending'),
    'due', count(*) filter (where j.status = 'pending' and t.enabled and j.scheduled_for <= queue_stats.now),
    'processing', count(*) filter (where j.status = 'processing'),
    'failed_last_24h', (select count(*) from public.jobs f
                        where f.status = 'failed' and f.failed_at > queue_stats.now - interval '24 hours'),
    'completed_last_24h', (select count(*) from public.jobs c
                           where c.status = 'completed' and c.completed_at > queue_stats.now - interval '24 hours'),
    'oldest_pending_age_seconds', coalesce(floor(extract(epoch from
        queue_stats.now - min(j.scheduled_for) filter (where j.status = 'pending' and t.enabled and j.scheduled_for <= queue_stats.now))), 0),
    'waiting_for_disabled_types', count(*) filter (where j.status = 'pending' and not t.enabled)
  )
  from public.jobs j
  join public.job_types t on t.name = j.job_type
  where j.status in ('pending', 'processing')
$$;
comment on function public.queue_stats(timestamptz) is
  'Health: counts of pending (and due, of enabled types), processing, failed and completed in the last 24 h, the age of the oldest due job in seconds, and pending jobs waiting for a disabled type.';

create or replace function ops.current_alerts(now timestamptz default now())
returns table (kind text, message text, details jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_due_after integer;
  v_failed_calls integer;
  v_overdue record;
  v_calls record;
  v_missing text[];
  v_hint text;
begin
  select t.alert_due_after_seconds, t.alert_failed_calls into v_due_after, v_failed_calls from ops.alert_thresholds() t;

  -- 1. Jobs due for longer than alert_due_after_seconds: nothing is taking them.
  select count(*)::integer as jobs,
         min(d.due_since) as oldest_due_since,
         (array_agg(d.id order by d.due_since, d.id))[1] as oldest_job_id,
         (array_agg(d.job_type order by d.due_since, d.id))[1] as oldest_job_type
  into v_overdue
  from (
    select j.id, j.job_type, private.due_since(j.scheduled_for, s.jobs_paused_until) as due_since
    from public.jobs j
    join public.job_types t on t.name = j.job_type and t.enabled
    left join public.workspace_settings s on s.workspace_id = j.workspace_id
    where j.status = 'pending' and j.scheduled_for <= current_alerts.now - make_interval(secs => v_due_after)
  ) d
  where d.due_since <= current_alerts.now - make_interval(secs => v_due_after);
  if v_overdue.jobs > 0 then
    kind := 'jobs_overdue';
    message := format('%s job(s) have been due for more than %s s (oldest: %s s, job %s, %s): no worker is taking them; '
                      'check the job-worker cron job and ops.worker_invocations',
                      v_overdue.jobs, v_due_after, floor(extract(epoch from current_alerts.now - v_overdue.oldest_due_since)),
                      v_overdue.oldest_job_id, v_overdue.oldest_job_type);
    details := jsonb_build_object(
      'jobs', v_overdue.jobs,
      'threshold_seconds', v_due_after,
      'oldest_age_seconds', floor(extract(epoch from current_alerts.now - v_overdue.oldest_due_since)),
      'oldest_job_id', v_overdue.oldest_job_id,
      'oldest_job_type', v_overdue.oldest_job_type);
    return next;
  end if;

  -- 2. The database cannot call the worker at all.
  v_missing := array_remove(array[
    case when private.setting('project_url') is null then 'project_url' end,
    case when private.setting('worker_secret_token') is null then 'worker_secret_token' end], null);
  if cardinality(v_missing) > 0 then
    kind := 'worker_not_configured';
    message := format('pg_cron cannot call the worker: the Vault secret(s) %s are missing (select vault.create_secret(...), see docs/deploy.md)',
                      array_to_string(v_missing, ', '));
    details := jsonb_build_object('missing', to_jsonb(v_missing));
    return next;
  end if;

  -- 3. The last alert_failed_calls worker calls that have an outcome all failed.
  select count(*)::integer as considered,
         (count(*) filter (where private.is_failed_outcome(w.outcome)))::integer as failed,
         (array_agg(w.status_code order by w.requested_at desc))[1] as latest_status,
         (array_agg(w.outcome order by w.requested_at desc))[1] as latest_outcome,
         (array_agg(w.detail order by w.requested_at desc))[1] as latest_detail,
         max(w.requested_at) as latest_at
  into v_calls
  from (
    select recent.*
    from (
      select c.requested_at, r.status_code,
             private.worker_call_outcome(r.status_code, r.timed_out, r.error_msg, r.id is not null,
                                         c.requested_at, c.timeout_milliseconds, current_alerts.now) as outcome,
             left(coalesce(r.error_msg, r.content), 200) as detail
      from private.worker_calls c
      left join net._http_response r on r.id = c.request_id and r.created >= c.requested_at
      where c.requested_at <= current_alerts.now
      order by c.requested_at desc
      limit 200
    ) recent
    where recent.outcome not in ('waiting', 'expired')
    order by recent.requested_at desc
    limit v_failed_calls
  ) w;
  if v_calls.considered >= v_failed_calls and v_calls.failed = v_calls.considered then
    v_hint := case
      when v_calls.latest_status = 401 then 'the worker refused the token: the Vault secret worker_secret_token is not the function''s WORKER_SECRET_TOKEN'
      when v_calls.latest_status = 404 then 'no job-worker function answers at project_url: deploy it (supabase functions deploy job-worker --no-verify-jwt) and check the Vault secret project_url'
      when v_calls.latest_status = 500 then 'the worker failed: see its logs (a missing or weak WORKER_SECRET_TOKEN makes it refuse to run)'
      when v_calls.latest_status = 503 then 'the worker could not run its batch (database unreachable?): see its logs'
      when v_calls.latest_outcome = 'timeout' then 'the worker did not answer within the timeout'
      when v_calls.latest_outcome = 'no_response' then 'pg_net recorded no answer: is its background worker running? (select net.worker_restart())'
      else 'the worker could not be reached: check the Vault secret project_url'
    end;
    kind := 'worker_calls_failing';
    message := format('The last %s worker call(s) failed (latest: %s at %s): %s', v_calls.considered,
                      coalesce(v_calls.latest_status::text, v_calls.latest_outcome),
                      to_char(v_calls.latest_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), v_hint);
    details := jsonb_build_object(
      'failed_calls', v_calls.failed,
      'threshold_calls', v_failed_calls,
      'latest_status', v_calls.latest_status,
      'latest_outcome', v_calls.latest_outcome,
      'latest_detail', v_calls.latest_detail,
      'latest_at', v_calls.latest_at);
    return next;
  end if;
end
$$;
comment on function ops.current_alerts(timestamptz) is
  'What is wrong now: jobs_overdue (due longer than alert_due_after_seconds, of enabled types), worker_not_configured (Vault secrets missing), worker_calls_failing (the last alert_failed_calls calls all failed). No rows when all is well.';

create or replace function ops.health_snapshot(now timestamptz default now()) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_oldest record;
  v_last24 record;
  v_top record;
  v_last_call record;
  v_alerts jsonb;
  v_disabled jsonb;
begin
  select floor(extract(epoch from health_snapshot.now - min(private.due_since(j.scheduled_for, s.jobs_paused_until))))::integer as age
  into v_oldest
  from public.jobs j
  join public.job_types t on t.name = j.job_type and t.enabled
  left join public.workspace_settings s on s.workspace_id = j.workspace_id
  where j.status = 'pending' and j.scheduled_for <= health_snapshot.now
    and private.due_since(j.scheduled_for, s.jobs_paused_until) <= health_snapshot.now;

  select coalesce(jsonb_agg(jsonb_build_object('job_type', d.job_type, 'jobs', d.jobs) order by d.job_type), '[]')
  into v_disabled
  from (
    select j.job_type, count(*)::integer as jobs
    from public.jobs j
    join public.job_types t on t.name = j.job_type and not t.enabled
    where j.status = 'pending'
    group by j.job_type
  ) d;

  select (select count(*) from public.jobs c where c.status = 'completed' and c.completed_at > health_snapshot.now - interval '24 hours')::integer as completed,
         (select count(*) from public.jobs f where f.status = 'failed' and f.failed_at > health_snapshot.now - interval '24 hours')::integer as failed
  into v_last24;

  select private.normalize_error(f.error_message) as message, count(*)::integer as jobs
  into v_top
  from public.jobs f
  where f.status = 'failed' and f.failed_at > health_snapshot.now - interval '24 hours'
  group by 1
  order by 2 desc, 1
  limit 1;

  select c.reason, c.requested_at, r.status_code,
         private.worker_call_outcome(r.status_code, r.timed_out, r.error_msg, r.id is not null,
                                     c.requested_at, c.timeout_milliseconds, health_snapshot.now) as outcome,
         (extract(epoch from r.created - c.requested_at) * 1000)::integer as round_trip_ms
  into v_last_call
  from private.worker_calls c
  left join net._http_response r on r.id = c.request_id and r.created >= c.requested_at
  where c.requested_at <= health_snapshot.now
  order by c.requested_at desc
  limit 1;

  select coalesce(jsonb_agg(jsonb_build_object('kind', a.kind, 'message', a.message, 'details', a.details)), '[]')
  into v_alerts
  from ops.current_alerts(health_snapshot.now) a;

  return jsonb_build_object(
    'oldest_due_age_seconds', coalesce(v_oldest.age, 0),
    'waiting_for_disabled_types', v_disabled,
    'last_24h', jsonb_build_object(
      'completed', v_last24.completed,
      'failed', v_last24.failed,
      'failure_rate', round(v_last24.failed::numeric / nullif(v_last24.completed + v_last24.failed, 0), 4),
      'top_error', case when v_top.message is null then null
                        else jsonb_build_object('message', v_top.message, 'jobs', v_top.jobs) end),
    'last_worker_call', case when v_last_call.requested_at is null then null else jsonb_build_object(
      'reason', v_last_call.reason,
      'at', v_last_call.requested_at,
      'status_code', v_last_call.status_code,
      'outcome', v_last_call.outcome,
      'round_trip_ms', v_last_call.round_trip_ms) end,
    'thresholds', (select to_jsonb(t) from ops.alert_thresholds() t),
    'alerts', v_alerts);
end
$$;
comment on function ops.health_snapshot(timestamptz) is
  'The headline numbers for the worker''s health check: oldest due job age (enabled types), pending jobs waiting for disabled types, last 24 h completed/failed/failure rate/top error, the last worker call, the alert thresholds and ops.current_alerts().';

create or replace view ops.queue_depth as
select
  j.status,
  j.job_type,
  count(*)::integer as jobs,
  (count(*) filter (where j.status = 'pending' and private.due_since(j.scheduled_for, s.jobs_paused_until) <= now()))::integer as due,
  (count(*) filter (where j.status = 'pending' and s.jobs_paused_until > now()))::integer as paused,
  floor(extract(epoch from now() - min(private.due_since(j.scheduled_for, s.jobs_paused_until))
    filter (where j.status = 'pending' and private.due_since(j.scheduled_for, s.jobs_paused_until) <= now())))::integer
    as oldest_due_age_seconds,
  bool_and(t.enabled) as job_type_enabled
from public.jobs j
join public.job_types t on t.name = j.job_type
left join public.workspace_settings s on s.workspace_id = j.workspace_id
group by j.status, j.job_type
order by array_position(array['pending', 'processing', 'failed', 'completed', 'cancelled'], j.status), j.job_type;
comment on view ops.queue_depth is
  'Jobs by status and job type: how many, how many are due now and how many wait on a paused workspace (pending only), the age of the oldest due one, and whether the type is enabled (pending jobs of a disabled type wait for it).';

create or replace view ops.oldest_due_job as
select
  j.id as job_id,
  j.workspace_id,
  j.job_type,
  j.attempts,
  j.max_attempts,
  j.scheduled_for,
  private.due_since(j.scheduled_for, s.jobs_paused_until) as due_since,
  floor(extract(epoch from now() - private.due_since(j.scheduled_for, s.jobs_paused_until)))::integer as age_seconds,
  floor(extract(epoch from now() - private.due_since(j.scheduled_for, s.jobs_paused_until)))::integer
    > t.alert_due_after_seconds as overdue,
  j.error_message as last_error
from public.jobs j
join public.job_types jt on jt.name = j.job_type and jt.enabled
left join public.workspace_settings s on s.workspace_id = j.workspace_id
cross join ops.alert_thresholds() t
where j.status = 'pending' and private.due_since(j.scheduled_for, s.jobs_paused_until) <= now()
order by private.due_since(j.scheduled_for, s.jobs_paused_until), j.id
limit 1;
comment on view ops.oldest_due_job is
  'The job of an enabled type that has waited longest since it became due (no row when nothing is due), and whether that is longer than alert_due_after_seconds.';
