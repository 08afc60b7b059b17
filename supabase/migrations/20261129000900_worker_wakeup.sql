-- Calling the job-worker Edge Function from the database through pg_net: from pg_cron every
-- minute, and at once after jobs are queued so a new job starts in well under a second.
-- The URL and the worker's secret come from Vault on Supabase (secrets 'project_url' and
-- 'worker_secret_token', see docs) and from private.settings where there is no Vault
-- (the local stack fills it; see *_settings.sql). Every call is recorded in private.worker_calls,
-- because pg_net keeps only the request id with an answer, not the URL: the record is how the
-- worker's answers are found (ops.worker_invocations, verify:deploy).

create table private.worker_calls (
  id bigint generated always as identity primary key,
  request_id bigint not null,
  reason text not null,
  url text not null,
  timeout_milliseconds integer not null,
  requested_at timestamptz not null default clock_timestamp()
);
comment on table private.worker_calls is
  'Every POST private.invoke_worker queued through pg_net (cron, enqueue, retry, verify): its pg_net request id, so the answer can be found in net._http_response. Kept cron_history_retention_days (default 7).';
comment on column private.worker_calls.request_id is 'net.http_post''s request id = net._http_response.id of its answer.';
comment on column private.worker_calls.url is 'The endpoint called (<project_url>/functions/v1/job-worker); never the secret.';
create index worker_calls_requested_at_idx on private.worker_calls (requested_at desc);
create index worker_calls_request_id_idx on private.worker_calls (request_id);
revoke all on private.worker_calls from public, anon, authenticated;

create function private.invoke_worker(reason text default 'manual') returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_url text := private.setting('project_url');
  v_token text := private.setting('worker_secret_token');
  v_endpoint text;
  v_request_id bigint;
begin
  if v_url is null or v_token is null then
    raise notice 'job-worker not called: set the project_url and worker_secret_token secrets (see docs/deploy.md)';
    return null;
  end if;
  v_endpoint := rtrim(v_url, '/') || '/functions/v1/job-worker';
  v_request_id := net.http_post(
    url := v_endpoint,
    body := jsonb_build_object('reason', invoke_worker.reason, 'at', now()),
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_token),
    -- the worker answers when its batch is done (time budget 50 s)
    timeout_milliseconds := 60000
  );
  insert into private.worker_calls (request_id, reason, url, timeout_milliseconds)
  values (v_request_id, invoke_worker.reason, v_endpoint, 60000);
  return v_request_id;
end
$$;
comment on function private.invoke_worker(text) is
  'Queues one POST to the job-worker Edge Function through pg_net and records it in private.worker_calls; returns the pg_net request id (null when not configured).';

-- One wake-up per inserting statement (not per row), and only when something is due now.
create function private.wake_worker_after_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from inserted_jobs i where i.status = 'pending' and i.scheduled_for <= now() + interval '1 second') then
    perform private.invoke_worker('enqueue');
  end if;
  return null;
end
$$;
comment on function private.wake_worker_after_insert() is 'Trigger (per statement): wakes the worker once when the statement queued due jobs.';

create trigger wake_worker after insert on public.jobs
  referencing new table as inserted_jobs
  for each statement execute function private.wake_worker_after_insert();
