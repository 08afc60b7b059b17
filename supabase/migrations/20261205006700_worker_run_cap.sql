-- Invocations register with a cap: begin_worker_run(worker_id, seconds, max_running) refuses
-- (false) when max_running other invocations are registered already, so invocations started
-- together (fan-out, hand-off, cron, wake-ups) never exceed the number that fills
-- MAX_GLOBAL_CONCURRENCY. Registering (or renewing) without a cap works as before.
drop function public.begin_worker_run(text, integer);

create function public.begin_worker_run(worker_id text, seconds integer, max_running integer default null) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if begin_worker_run.max_running is not null then
    -- one registration at a time, so that invocations started together cannot all squeeze in
    perform pg_advisory_xact_lock(private.wakeup_lock_key() + 1);
    if (select count(*) from private.worker_runs r
        where r.expires_at > clock_timestamp() and r.worker_id <> begin_worker_run.worker_id) >= begin_worker_run.max_running then
      return false;
    end if;
  end if;
  insert into private.worker_runs (worker_id, expires_at)
  values (begin_worker_run.worker_id, clock_timestamp() + make_interval(secs => greatest(begin_worker_run.seconds, 1)))
  on conflict on constraint worker_runs_pkey do update set expires_at = excluded.expires_at;
  return true;
end
$$;
comment on function public.begin_worker_run(text, integer, integer) is
  'Worker: registers (or renews) a running invocation for the next seconds: until it calls end_worker_run, enqueueing does not wake another. With max_running, refuses (false) when that many others are registered already: enough invocations are running.';
revoke execute on function public.begin_worker_run(text, integer, integer) from public, anon, authenticated;
grant execute on function public.begin_worker_run(text, integer, integer) to service_role;
