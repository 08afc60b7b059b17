-- Waking the worker once, not once per statement. Every statement that queued due work used to
-- start an Edge Function invocation (20 single-row inserts: 20 billed invocations). Now:
--
--   * A running invocation registers itself in private.worker_runs (begin_worker_run) and keeps
--     claiming until nothing is due. While one is registered, enqueueing wakes nobody: that
--     invocation will see the new job. It can promise that because it stops only through
--     end_worker_run, which takes the wake-up lock exclusively, so it waits for every transaction
--     that skipped waking it (they hold the lock shared until they end), and then claims once more.
--   * With no invocation registered, at most one wake-up call goes out per
--     wakeup_debounce_milliseconds (private.settings, default 250): the invocation it starts will
--     see whatever is queued meanwhile (its end_worker_run waits for those enqueuers too).
--   * A transaction that cannot take the lock shared (an invocation is stopping right now) wakes
--     the worker itself, so no job is left waiting for the next pg_cron tick.
-- pg_cron's minute call and operators' calls are not debounced (private.invoke_worker).

create unlogged table private.worker_runs (
  worker_id text primary key check (length(worker_id) between 1 and 200),
  started_at timestamptz not null default clock_timestamp(),
  expires_at timestamptz not null
);
comment on table private.worker_runs is
  'Worker invocations that are claiming now and will look for new jobs before they stop (begin_worker_run / end_worker_run). A row past expires_at is a crashed invocation and is ignored. Unlogged: after a crash it is empty, which only means a wake-up too many.';
revoke all on private.worker_runs from public, anon, authenticated;

create unlogged table private.worker_wakeups (
  id boolean primary key default true check (id),
  last_sent_at timestamptz not null default '-infinity'
);
comment on table private.worker_wakeups is
  'When the last debounced wake-up call was sent (one row). Reset when the last running invocation stops, so the next enqueue wakes a new one at once.';
revoke all on private.worker_wakeups from public, anon, authenticated;
insert into private.worker_wakeups (id) values (true);

insert into private.settings (key, value) values ('wakeup_debounce_milliseconds', '250') on conflict (key) do nothing;

-- The lock enqueuers hold shared and a stopping invocation takes exclusively.
create function private.wakeup_lock_key() returns bigint
language sql
immutable
set search_path = ''
as $$
  select 7305416630121475001::bigint
$$;
comment on function private.wakeup_lock_key() is 'The advisory lock between enqueuers that skip a wake-up and a worker invocation that is stopping.';
revoke execute on function private.wakeup_lock_key() from public, anon, authenticated;

-- At most one call per wakeup_debounce_milliseconds, whoever asks.
create function private.send_debounced_wakeup(reason text) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_debounce integer := private.int_setting('wakeup_debounce_milliseconds', 250, 0, 60000);
  v_last timestamptz;
begin
  select w.last_sent_at into v_last from private.worker_wakeups w where w.id for update skip locked;
  if not found then
    if exists (select 1 from private.worker_wakeups) then
      return null; -- another transaction is sending one right now
    end if;
    -- the row is gone (an unlogged table is emptied by a crash): start again
    insert into private.worker_wakeups (id, last_sent_at) values (true, clock_timestamp()) on conflict (id) do nothing;
    return private.invoke_worker(send_debounced_wakeup.reason);
  end if;
  if v_last > clock_timestamp() - make_interval(secs => v_debounce / 1000.0) then
    return null; -- sent moments ago: the invocation it starts sees this work too
  end if;
  update private.worker_wakeups w set last_sent_at = clock_timestamp() where w.id;
  return private.invoke_worker(send_debounced_wakeup.reason);
end
$$;
comment on function private.send_debounced_wakeup(text) is
  'Calls the worker (private.invoke_worker) unless a call went out less than wakeup_debounce_milliseconds ago or another transaction is sending one; returns the pg_net request id or null.';
revoke execute on function private.send_debounced_wakeup(text) from public, anon, authenticated;

create function private.request_wakeup(reason text) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not pg_try_advisory_xact_lock_shared(private.wakeup_lock_key()) then
    -- an invocation is stopping and cannot promise to see this job: start another
    return private.invoke_worker(request_wakeup.reason);
  end if;
  if exists (select 1 from private.worker_runs r where r.expires_at > clock_timestamp()) then
    return null; -- a running invocation claims again before it stops, after this transaction ends
  end if;
  return private.send_debounced_wakeup(request_wakeup.reason);
end
$$;
comment on function private.request_wakeup(text) is
  'Wakes the worker for new due work unless a running invocation will see it, or a wake-up went out less than wakeup_debounce_milliseconds ago; returns the pg_net request id, or null when none was needed.';
revoke execute on function private.request_wakeup(text) from public, anon, authenticated;

create function public.wake_another_worker(reason text, max_running integer) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select count(*) from private.worker_runs r where r.expires_at > clock_timestamp()) >= wake_another_worker.max_running then
    return null;
  end if;
  if not exists (select 1 from public.jobs j where j.status = 'pending' and j.claimable and j.scheduled_for <= now()) then
    return null;
  end if;
  return private.send_debounced_wakeup(wake_another_worker.reason);
end
$$;
comment on function public.wake_another_worker(text, integer) is
  'Worker: starts one more invocation (debounced) when due work is waiting and fewer than max_running invocations are registered: fan-out when the backlog is larger than the running ones take, and hand-off when an invocation''s time is up.';
revoke execute on function public.wake_another_worker(text, integer) from public, anon, authenticated;
grant execute on function public.wake_another_worker(text, integer) to service_role;

create function public.begin_worker_run(worker_id text, seconds integer) returns void
language sql
security definer
set search_path = ''
as $$
  insert into private.worker_runs (worker_id, expires_at)
  values (begin_worker_run.worker_id, clock_timestamp() + make_interval(secs => greatest(begin_worker_run.seconds, 1)))
  on conflict (worker_id) do update set expires_at = excluded.expires_at
$$;
comment on function public.begin_worker_run(text, integer) is
  'Worker: registers a running invocation for the next seconds: until it calls end_worker_run, enqueueing does not wake another.';
revoke execute on function public.begin_worker_run(text, integer) from public, anon, authenticated;
grant execute on function public.begin_worker_run(text, integer) to service_role;

create function public.end_worker_run(worker_id text) returns void
language plpgsql
security definer
set search_path = ''
-- Waits for enqueuers that skipped their wake-up; one stuck for longer than this is left to
-- pg_cron's minute call.
set lock_timeout = '5s'
as $$
begin
  begin
    perform pg_advisory_xact_lock(private.wakeup_lock_key());
  exception when lock_not_available then
    raise warning 'end_worker_run: enqueuers held the wake-up lock for over 5 s; stopping without waiting for them';
  end;
  -- this invocation, and registrations of crashed ones long past their expiry
  delete from private.worker_runs r
  where r.worker_id = end_worker_run.worker_id or r.expires_at < clock_timestamp() - interval '1 hour';
  if not exists (select 1 from private.worker_runs r where r.expires_at > clock_timestamp()) then
    update private.worker_wakeups w set last_sent_at = '-infinity' where w.id;
  end if;
end
$$;
comment on function public.end_worker_run(text) is
  'Worker: unregisters an invocation once every transaction that skipped waking it has ended; the worker then claims once more before it stops.';
revoke execute on function public.end_worker_run(text) from public, anon, authenticated;
grant execute on function public.end_worker_run(text) to service_role;

create or replace function private.wake_worker_after_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from inserted_jobs i where i.status = 'pending' and i.scheduled_for <= now() + interval '1 second') then
    perform private.request_wakeup('enqueue');
  end if;
  return null;
end
$$;
comment on function private.wake_worker_after_insert() is
  'Trigger (per statement): when the statement queued due jobs, asks for a wake-up (debounced: private.request_wakeup).';

-- A retried job wakes the worker the same debounced way.
create or replace function private.apply_job_action() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  select * into v_job from public.jobs j where j.id = new.job_id and j.workspace_id = new.workspace_id for update;
  if not found then
    raise exception 'Job not found' using errcode = 'PT404';
  end if;

  if new.action = 'cancel' then
    if v_job.status not in ('pending', 'processing') then
      raise exception 'This job is % and can no longer be cancelled', v_job.status using errcode = 'PT409',
        hint = 'Only pending or processing jobs can be cancelled.';
    end if;
    -- Clearing the lease makes the worker's next call on this job fail, so it stops.
    update public.jobs j
    set status = 'cancelled', cancelled_at = now(), next_retry_at = null, locked_by = null, locked_until = null
    where j.id = v_job.id;
    perform private.write_job_log(v_job.id, v_job.workspace_id, v_job.attempts,
      format('Cancelled by %s', coalesce((select u.email from auth.users u where u.id = new.requested_by), 'a user')), 'warn');
    return new;
  end if;

  -- retry
  if v_job.status not in ('failed', 'cancelled') then
    raise exception 'This job is % and cannot be retried', v_job.status using errcode = 'PT409',
      hint = 'Only failed or cancelled jobs can be retried.';
  end if;
  begin
    update public.jobs j
    set status = 'pending', attempts = 0, scheduled_for = now(), next_retry_at = null,
        failed_at = null, cancelled_at = null, completed_at = null, error_message = null,
        progress = '{"percentage": 0}'
    where j.id = v_job.id;
  exception when unique_violation then
    raise exception 'Another job for the same record is already queued' using errcode = 'PT409',
      hint = 'Wait for it to finish, or cancel it first.';
  end;
  perform private.write_job_log(v_job.id, v_job.workspace_id, 0,
    format('Retried by %s: attempts start again from 1', coalesce((select u.email from auth.users u where u.id = new.requested_by), 'a user')));
  perform private.request_wakeup('retry');
  return new;
end
$$;
comment on function private.apply_job_action() is 'Trigger: applies a cancel or retry request to its job, or rejects it with the reason; a retry asks for a (debounced) wake-up.';
