-- Work that is not due yet but soon: a retry a few seconds out, a workspace paused until Apollo's
-- minute window opens again. An invocation with nothing to claim now waits for it (within its time
-- budget) instead of stopping and leaving it to the next pg_cron tick, and one whose time is up
-- starts its successor when work falls due within the successor's budget. Without this a team
-- that spends its per-minute Apollo budget in 20 s would sit idle for up to a minute every minute.

create function public.seconds_until_due(job_types text[] default null, now timestamptz default now())
returns double precision
language sql
stable
set search_path = ''
as $$
  select greatest(extract(epoch from least(
    -- the next job scheduled for later (or waiting for its retry), of an enabled type
    (select min(j.scheduled_for) from public.jobs j
     where j.status = 'pending' and not j.claimable
       and j.job_type in (select t.name from public.job_types t
                          where t.enabled and (seconds_until_due.job_types is null or t.name = any (seconds_until_due.job_types)))),
    -- the end of a pause of a workspace that has claimable work (its Apollo budget is spent)
    (select min(s.jobs_paused_until) from public.workspace_settings s
     where s.jobs_paused_until > seconds_until_due.now
       and exists (select 1 from public.jobs j
                   where j.workspace_id = s.workspace_id and j.status = 'pending' and j.claimable
                     and (seconds_until_due.job_types is null or j.job_type = any (seconds_until_due.job_types))))
  ) - seconds_until_due.now), 0)
$$;
comment on function public.seconds_until_due(text[], timestamptz) is
  'Worker: seconds until pending work that cannot be claimed now becomes claimable (a later scheduled_for, or the end of a workspace''s pause); null when there is none.';
revoke execute on function public.seconds_until_due(text[], timestamptz) from public, anon, authenticated;
grant execute on function public.seconds_until_due(text[], timestamptz) to service_role;

drop function public.wake_another_worker(text, integer);
create function public.wake_another_worker(reason text, max_running integer, due_within_seconds double precision default 0)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select count(*) from private.worker_runs r where r.expires_at > clock_timestamp()) >= wake_another_worker.max_running then
    return null;
  end if;
  if not exists (select 1 from public.jobs j where j.status = 'pending' and j.claimable and j.scheduled_for <= now())
     and coalesce(public.seconds_until_due() > wake_another_worker.due_within_seconds, true) then
    return null;
  end if;
  return private.send_debounced_wakeup(wake_another_worker.reason);
end
$$;
comment on function public.wake_another_worker(text, integer, double precision) is
  'Worker: starts one more invocation (debounced) when work is due (or falls due within due_within_seconds) and fewer than max_running invocations are registered: fan-out when the backlog is larger than the running ones take, and hand-off when an invocation''s time is up.';
revoke execute on function public.wake_another_worker(text, integer, double precision) from public, anon, authenticated;
grant execute on function public.wake_another_worker(text, integer, double precision) to service_role;
