-- Running it in production: a record of every worker call, operator views, and the alerting hook.
--
-- * Schema ops: views and functions for operators (SQL editor or psql as postgres, or the
--   service role). It is not in config.toml's [api] schemas, so PostgREST never exposes it, and
--   anon/authenticated have no USAGE on it. Its views run with their owner's rights (they read
--   net and private, and every workspace's jobs), which is safe only because the schema is closed:
--   never add ops to the API's exposed schemas.
-- * private.worker_calls: pg_net deletes a request from net.http_request_queue once it is sent,
--   and net._http_response keeps only the request id, not the URL. The only way to know which
--   responses are the worker's is to keep the ids: private.invoke_worker records every call it
--   queues in private.worker_calls (both in 20261129000900_worker_wakeup.sql).
-- * Alerting: ops.current_alerts() says what is wrong now (jobs due for longer than
--   alert_due_after_seconds, the last alert_failed_calls worker calls failed, the worker's URL or
--   secret missing). The job-worker health check answers "degraded" (HTTP 503) with those
--   reasons, and the reaper (cron job job-reaper, every minute) records them in ops.alerts.
--   Settings in private.settings (or Vault): alert_due_after_seconds (default 300),
--   alert_failed_calls (default 3).
--
-- The reaper (20261129000800) calls private.record_queue_alerts, defined here.

create schema if not exists ops;
comment on schema ops is
  'Operator views and health functions: service_role and postgres only, never exposed over the API (keep it out of [api] schemas).';
revoke all on schema ops from public, anon, authenticated;
grant usage on schema ops to service_role;
alter default privileges in schema ops revoke execute on functions from public, anon, authenticated;
alter default privileges in schema ops revoke all on tables from public, anon, authenticated;

-- Settings --------------------------------------------------------------------------------------

insert into private.settings (key, value) values
  ('alert_due_after_seconds', '300'),
  ('alert_failed_calls', '3')
on conflict (key) do nothing;


-- The record of worker calls ------------------------------------------------------------------



-- What happened to a call, from its pg_net answer (or the lack of one) at a given time.
create function private.worker_call_outcome(
  status_code integer, timed_out boolean, error_msg text, answered boolean,
  requested_at timestamptz, timeout_milliseconds integer, at timestamptz
) returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when worker_call_outcome.status_code between 200 and 299 then 'ok'
    when worker_call_outcome.status_code is not null then 'http_error'
    when coalesce(worker_call_outcome.timed_out, false) or worker_call_outcome.error_msg ~* 'time(d)? ?out' then 'timeout'
    when worker_call_outcome.error_msg is not null then 'error'
    when worker_call_outcome.answered then 'error'
    -- no answer yet: still within its timeout (plus a minute for pg_net to get to it)
    when worker_call_outcome.requested_at > worker_call_outcome.at
         - make_interval(secs => worker_call_outcome.timeout_milliseconds / 1000.0 + 60) then 'waiting'
    -- pg_net keeps answers 6 hours (pg_net.ttl); an unanswered call younger than that was never answered
    when worker_call_outcome.requested_at > worker_call_outcome.at - interval '6 hours' then 'no_response'
    else 'expired'
  end
$$;
comment on function private.worker_call_outcome(integer, boolean, text, boolean, timestamptz, integer, timestamptz) is
  'ok (2xx), http_error (other status), timeout, error (connection), waiting (no answer yet), no_response (none within timeout + 60 s: is pg_net''s worker running?), expired (older than pg_net''s 6 h ttl).';

create function private.is_failed_outcome(outcome text) returns boolean
language sql
immutable
set search_path = ''
as $$
  select is_failed_outcome.outcome in ('http_error', 'timeout', 'error', 'no_response')
$$;
comment on function private.is_failed_outcome(text) is 'True for the outcomes that count as a failed worker call.';

-- Error messages grouped: ids, timestamps and worker ids replaced, so the same error counts once.
create function private.normalize_error(message text) returns text
language sql
immutable
set search_path = ''
as $$
  select regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    coalesce(normalize_error.message, ''),
    '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '<id>', 'g'),
    '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?', '<time>', 'g'),
    '[0-9]{6,}(-[0-9a-f]{8})?', '<n>', 'g'),
    '\s+', ' ', 'g')
$$;
comment on function private.normalize_error(text) is 'An error message with ids, timestamps and long numbers replaced by <id>, <time>, <n>, for grouping.';

-- When a pending job could first run: its scheduled_for, or the end of its workspace's pause.
create function private.due_since(scheduled_for timestamptz, paused_until timestamptz) returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select greatest(due_since.scheduled_for, due_since.paused_until)
$$;
comment on function private.due_since(timestamptz, timestamptz) is
  'When a pending job became claimable: scheduled_for, or later if its workspace was paused (Apollo rate limit) until then.';

-- Pure helpers the ops views call: a view's user needs EXECUTE on the functions it calls.
grant execute on function private.worker_call_outcome(integer, boolean, text, boolean, timestamptz, integer, timestamptz),
  private.is_failed_outcome(text), private.normalize_error(text), private.due_since(timestamptz, timestamptz) to service_role;

create function ops.alert_thresholds()
returns table (alert_due_after_seconds integer, alert_failed_calls integer)
language sql
stable
security definer
set search_path = ''
as $$
  select private.int_setting('alert_due_after_seconds', 300), private.int_setting('alert_failed_calls', 3, 1, 100)
$$;
comment on function ops.alert_thresholds() is
  'The alert thresholds in effect: alert_due_after_seconds (default 300) and alert_failed_calls (default 3), from private.settings or Vault; invalid values fall back to the defaults.';
revoke execute on function ops.alert_thresholds() from public, anon, authenticated;
grant execute on function ops.alert_thresholds() to service_role;

-- Operator views ----------------------------------------------------------------------------------

create view ops.worker_invocations as
select
  c.request_id,
  c.reason,
  c.requested_at,
  r.created as answered_at,
  r.status_code,
  private.worker_call_outcome(r.status_code, r.timed_out, r.error_msg, r.id is not null,
                              c.requested_at, c.timeout_milliseconds, now()) as outcome,
  (extract(epoch from r.created - c.requested_at) * 1000)::integer as round_trip_ms,
  substring(r.content from '"duration_ms":\s*([0-9]{1,9})')::integer as worker_duration_ms,
  coalesce(r.error_msg, left(r.content, 500)) as detail,
  c.url
from private.worker_calls c
left join net._http_response r on r.id = c.request_id and r.created >= c.requested_at
order by c.requested_at desc;
comment on view ops.worker_invocations is
  'Worker calls made through pg_net, newest first: reason (cron, enqueue, retry, verify), HTTP status, outcome, round trip (queued -> answer recorded) and the worker''s own duration_ms. Answers are kept 6 h by pg_net, the calls 7 days.';

create view ops.queue_depth as
select
  j.status,
  j.job_type,
  count(*)::integer as jobs,
  (count(*) filter (where j.status = 'pending' and private.due_since(j.scheduled_for, s.jobs_paused_until) <= now()))::integer as due,
  (count(*) filter (where j.status = 'pending' and s.jobs_paused_until > now()))::integer as paused,
  floor(extract(epoch from now() - min(private.due_since(j.scheduled_for, s.jobs_paused_until))
    filter (where j.status = 'pending' and private.due_since(j.scheduled_for, s.jobs_paused_until) <= now())))::integer
    as oldest_due_age_seconds
from public.jobs j
left join public.workspace_settings s on s.workspace_id = j.workspace_id
group by j.status, j.job_type
order by array_position(array['pending', 'processing', 'failed', 'completed', 'cancelled'], j.status), j.job_type;
comment on view ops.queue_depth is
  'Jobs by status and job type: how many, how many are due now and how many wait on a paused workspace (pending only), and the age of the oldest due one.';

create view ops.oldest_due_job as
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
left join public.workspace_settings s on s.workspace_id = j.workspace_id
cross join ops.alert_thresholds() t
where j.status = 'pending' and private.due_since(j.scheduled_for, s.jobs_paused_until) <= now()
order by private.due_since(j.scheduled_for, s.jobs_paused_until), j.id
limit 1;
comment on view ops.oldest_due_job is
  'The job that has waited longest since it became due (no row when nothing is due), and whether that is longer than alert_due_after_seconds.';

create view ops.job_failure_rate_24h as
with finished as (
  select j.job_type, j.status
  from public.jobs j
  where (j.status = 'completed' and j.completed_at > now() - interval '24 hours')
     or (j.status = 'failed' and j.failed_at > now() - interval '24 hours')
     or (j.status = 'cancelled' and j.cancelled_at > now() - interval '24 hours')
), attempts as (
  select j.job_type, count(*) as failed_attempts
  from public.jobs j, jsonb_array_elements(j.errors) e
  where j.updated_at > now() - interval '24 hours' and (e ->> 'at')::timestamptz > now() - interval '24 hours'
  group by j.job_type
), per_type as (
  select f.job_type,
         count(*) filter (where f.status = 'completed') as completed,
         count(*) filter (where f.status = 'failed') as failed,
         count(*) filter (where f.status = 'cancelled') as cancelled
  from finished f
  group by f.job_type
), combined as (
  select coalesce(p.job_type, a.job_type) as job_type, coalesce(p.completed, 0) as completed,
         coalesce(p.failed, 0) as failed, coalesce(p.cancelled, 0) as cancelled, coalesce(a.failed_attempts, 0) as failed_attempts
  from per_type p
  full join attempts a on a.job_type = p.job_type
)
select c.job_type, c.completed::integer, c.failed::integer, c.cancelled::integer,
       round(c.failed::numeric / nullif(c.completed + c.failed, 0), 4) as failure_rate,
       c.failed_attempts::integer
from combined c
union all
select '(all)', coalesce(sum(c.completed), 0)::integer, coalesce(sum(c.failed), 0)::integer, coalesce(sum(c.cancelled), 0)::integer,
       round(sum(c.failed)::numeric / nullif(sum(c.completed + c.failed), 0), 4), coalesce(sum(c.failed_attempts), 0)::integer
from combined c;
comment on view ops.job_failure_rate_24h is
  'Per job type and in all ((all) row): jobs completed, failed and cancelled in the last 24 h, failure_rate = failed / (completed + failed), and failed attempts (retried ones included).';

create view ops.top_errors_24h as
select
  private.normalize_error(e ->> 'message') as message,
  count(*)::integer as occurrences,
  count(distinct j.id)::integer as jobs,
  array_agg(distinct j.job_type) as job_types,
  max((e ->> 'at')::timestamptz) as last_seen_at,
  (array_agg(j.id order by (e ->> 'at')::timestamptz desc))[1] as latest_job_id
from public.jobs j, jsonb_array_elements(j.errors) e
where j.updated_at > now() - interval '24 hours' and (e ->> 'at')::timestamptz > now() - interval '24 hours'
group by private.normalize_error(e ->> 'message')
order by count(*) desc, max((e ->> 'at')::timestamptz) desc
limit 20;
comment on view ops.top_errors_24h is
  'The 20 most frequent errors of failed attempts in the last 24 h (ids and timestamps normalised), with how many jobs had them and the latest one.';

create view ops.credits_daily as
select
  (coalesce(j.completed_at, j.failed_at, j.updated_at) at time zone 'UTC')::date as day,
  j.workspace_id,
  w.name as workspace_name,
  sum(j.credits_used)::integer as credits_used,
  count(*)::integer as jobs_charged
from public.jobs j
join public.workspaces w on w.id = j.workspace_id
where j.credits_used > 0
group by 1, j.workspace_id, w.name
order by 1 desc, 4 desc;
comment on view ops.credits_daily is
  'Apollo credits used per workspace per day (UTC, by when the job finished), from jobs (kept job_retention_days, default 30); workspace_settings.enrichment_credits_used is the all-time total.';

grant select on ops.worker_invocations, ops.queue_depth, ops.oldest_due_job, ops.job_failure_rate_24h,
  ops.top_errors_24h, ops.credits_daily to service_role;

-- Alerts --------------------------------------------------------------------------------------

create table ops.alerts (
  id bigint generated always as identity primary key,
  kind text not null check (kind ~ '^[a-z][a-z0-9_]*$'),
  message text not null,
  details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  checks integer not null default 1 check (checks >= 1),
  resolved_at timestamptz,
  constraint resolved_after_first_seen check (resolved_at is null or resolved_at >= first_seen_at)
);
comment on table ops.alerts is
  'Alert episodes recorded by the reaper every minute: one row per kind while it lasts (last_seen_at, checks), resolved_at set when it clears. Open ones: select * from ops.alerts where resolved_at is null.';
create unique index alerts_open_kind_key on ops.alerts (kind) where resolved_at is null;
create index alerts_first_seen_at_idx on ops.alerts (first_seen_at desc);
grant select on ops.alerts to service_role;

create function ops.current_alerts(now timestamptz default now())
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
  'What is wrong now: jobs_overdue (due longer than alert_due_after_seconds), worker_not_configured (Vault secrets missing), worker_calls_failing (the last alert_failed_calls calls all failed). No rows when all is well.';
revoke execute on function ops.current_alerts(timestamptz) from public, anon, authenticated;
grant execute on function ops.current_alerts(timestamptz) to service_role;

create function ops.health_snapshot(now timestamptz default now()) returns jsonb
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
begin
  select floor(extract(epoch from health_snapshot.now - min(private.due_since(j.scheduled_for, s.jobs_paused_until))))::integer as age
  into v_oldest
  from public.jobs j
  left join public.workspace_settings s on s.workspace_id = j.workspace_id
  where j.status = 'pending' and j.scheduled_for <= health_snapshot.now
    and private.due_since(j.scheduled_for, s.jobs_paused_until) <= health_snapshot.now;

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
  'The headline numbers for the worker''s health check: oldest due job age, last 24 h completed/failed/failure rate/top error, the last worker call, the alert thresholds and ops.current_alerts().';
revoke execute on function ops.health_snapshot(timestamptz) from public, anon, authenticated;
grant execute on function ops.health_snapshot(timestamptz) to service_role;

-- Called by the reaper every minute: opens, refreshes and resolves alert episodes, and keeps the
-- operator records bounded.
create function private.record_queue_alerts(now timestamptz default now()) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_alert record;
  v_kinds text[] := array[]::text[];
  v_inserted boolean;
begin
  for v_alert in select a.kind, a.message, a.details from ops.current_alerts(record_queue_alerts.now) a loop
    v_kinds := v_kinds || v_alert.kind;
    insert into ops.alerts as o (kind, message, details, first_seen_at, last_seen_at)
    values (v_alert.kind, v_alert.message, v_alert.details, record_queue_alerts.now, record_queue_alerts.now)
    on conflict (kind) where resolved_at is null
    do update set message = excluded.message, details = excluded.details,
                  last_seen_at = greatest(o.last_seen_at, excluded.last_seen_at), checks = o.checks + 1
    returning (xmax = 0) into v_inserted;
    if v_inserted then
      raise warning 'queue alert % raised: %', v_alert.kind, v_alert.message;
    end if;
  end loop;

  update ops.alerts o
  set resolved_at = greatest(record_queue_alerts.now, o.first_seen_at)
  where o.resolved_at is null and not (o.kind = any (v_kinds));

  delete from private.worker_calls c
  where c.requested_at < record_queue_alerts.now - make_interval(days => private.int_setting('cron_history_retention_days', 7));
  delete from ops.alerts o
  where o.resolved_at < record_queue_alerts.now - make_interval(days => private.int_setting('job_retention_days', 30));

  return cardinality(v_kinds);
end
$$;
comment on function private.record_queue_alerts(timestamptz) is
  'Reaper hook: records ops.current_alerts() in ops.alerts (one open row per kind, resolved when it clears; a WARNING in the Postgres log when one opens) and trims private.worker_calls and old resolved alerts. Returns how many alerts are open.';
-- the reaper may be run by the service role too (it is granted public.reap_expired_leases)
grant execute on function private.record_queue_alerts(timestamptz) to service_role;


-- A workspace's own numbers, for its owners and admins in the SPA ---------------------------------
-- security_invoker: the caller's RLS on workspaces, jobs and workspace_settings decides what is
-- counted, and the membership filter shows owners and admins their workspaces only.

create view public.workspace_activity
with (security_invoker = true)
as
select
  w.id as workspace_id,
  w.name as workspace_name,
  coalesce(q.pending, 0) as pending,
  coalesce(q.due, 0) as due,
  coalesce(q.processing, 0) as processing,
  q.oldest_due_age_seconds,
  coalesce(q.completed_24h, 0) as completed_24h,
  coalesce(q.failed_24h, 0) as failed_24h,
  round(q.failed_24h::numeric / nullif(q.completed_24h + q.failed_24h, 0), 4) as failure_rate_24h,
  coalesce(q.credits_today, 0) as credits_today,
  coalesce(q.credits_7d, 0) as credits_7d,
  coalesce(s.enrichment_credits_used, 0) as credits_total,
  q.last_job_at
from public.workspaces w
left join public.workspace_settings s on s.workspace_id = w.id
left join lateral (
  select
    (count(*) filter (where j.status = 'pending'))::integer as pending,
    (count(*) filter (where j.status = 'pending' and j.scheduled_for <= now()))::integer as due,
    (count(*) filter (where j.status = 'processing'))::integer as processing,
    floor(extract(epoch from now() - min(j.scheduled_for) filter (where j.status = 'pending' and j.scheduled_for <= now())))::integer
      as oldest_due_age_seconds,
    (count(*) filter (where j.status = 'completed' and j.completed_at > now() - interval '24 hours'))::integer as completed_24h,
    (count(*) filter (where j.status = 'failed' and j.failed_at > now() - interval '24 hours'))::integer as failed_24h,
    (coalesce(sum(j.credits_used) filter (
      where coalesce(j.completed_at, j.failed_at, j.updated_at) >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'), 0))::integer
      as credits_today,
    (coalesce(sum(j.credits_used) filter (
      where coalesce(j.completed_at, j.failed_at, j.updated_at) > now() - interval '7 days'), 0))::integer as credits_7d,
    max(j.created_at) as last_job_at
  from public.jobs j
  where j.workspace_id = w.id
) q on true
where w.id in (select wm.workspace_id from public.workspace_members wm
               where wm.user_id = (select auth.uid()) and wm.role in ('owner', 'admin'));
comment on view public.workspace_activity is
  'A workspace''s queue and usage numbers for its owners and admins (security_invoker: RLS applies): jobs pending/due/processing, oldest due age, completed/failed and failure rate in 24 h, credits used today (UTC), in 7 days and in all.';
revoke all on public.workspace_activity from anon;
revoke all on public.workspace_activity from authenticated;
grant select on public.workspace_activity to authenticated;

-- Nothing in ops for the browser roles, whatever default privileges the platform has.
revoke all on all tables in schema ops from anon, authenticated;
revoke all on all functions in schema ops from public, anon, authenticated;
