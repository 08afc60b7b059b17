-- Recovering jobs from workers that died, and the numbers the health check reports.

create function public.reap_expired_leases(now timestamptz default now()) returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_job record;
  v_count integer := 0;
  v_message text;
  v_final boolean;
begin
  for v_job in
    select j.id, j.workspace_id, j.attempts, j.max_attempts, j.locked_by, j.locked_until
    from public.jobs j
    where j.status = 'processing' and j.locked_until < reap_expired_leases.now
    order by j.locked_until
    for update skip locked
  loop
    v_final := v_job.attempts >= v_job.max_attempts;
    v_message := format('Worker %s stopped responding: its lease expired at %s', v_job.locked_by,
                        to_char(v_job.locked_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
    -- A crash is not the job's fault, so it is due again at once; its attempt still counts,
    -- so a job that kills its worker every time ends after max_attempts.
    update public.jobs j
    set status = case when v_final then 'failed' else 'pending' end,
        scheduled_for = case when v_final then j.scheduled_for else reap_expired_leases.now end,
        failed_at = case when v_final then reap_expired_leases.now end,
        error_message = v_message,
        errors = j.errors || jsonb_build_array(jsonb_build_object(
          'attempt', j.attempts, 'at', reap_expired_leases.now, 'message', v_message, 'retryable', true)),
        locked_by = null,
        locked_until = null
    where j.id = v_job.id;
    perform private.write_job_log(v_job.id, v_job.workspace_id, v_job.attempts,
      case when v_final
           then format('%s. No attempts left (%s of %s): the job failed.', v_message, v_job.attempts, v_job.max_attempts)
           else format('%s. The job is back in the queue (attempt %s of %s used).', v_message, v_job.attempts, v_job.max_attempts) end,
      case when v_final then 'error' else 'warn' end,
      jsonb_build_object('reaped_from', v_job.locked_by));
    v_count := v_count + 1;
  end loop;

  -- Alerting hook: the reaper runs every minute, so it also records what is wrong with the
  -- queue in ops.alerts. Whatever happens there must never stop the reaping above.
  begin
    perform private.record_queue_alerts(reap_expired_leases.now);
  exception when others then
    raise warning 'queue alerts could not be recorded: %', sqlerrm;
  end;
  return v_count;
end
$$;
comment on function public.reap_expired_leases(timestamptz) is
  'Cron: returns jobs whose lease expired to pending (due at once), or to failed when no attempts are left, with a log line naming the lost worker; then records queue alerts (ops.alerts). Returns how many were reaped.';
revoke execute on function public.reap_expired_leases(timestamptz) from public, anon, authenticated;
grant execute on function public.reap_expired_leases(timestamptz) to service_role;

create function public.queue_stats(now timestamptz default now()) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'pending', count(*) filter (where j.status = 'pending'),
    'due', count(*) filter (where j.status = 'pending' and j.scheduled_for <= queue_stats.now),
    'processing', count(*) filter (where j.status = 'processing'),
    'failed_last_24h', (select count(*) from public.jobs f
                        where f.status = 'failed' and f.failed_at > queue_stats.now - interval '24 hours'),
    'completed_last_24h', (select count(*) from public.jobs c
                           where c.status = 'completed' and c.completed_at > queue_stats.now - interval '24 hours'),
    'oldest_pending_age_seconds', coalesce(floor(extract(epoch from
        queue_stats.now - min(j.scheduled_for) filter (where j.status = 'pending' and j.scheduled_for <= queue_stats.now))), 0)
  )
  from public.jobs j
  where j.status in ('pending', 'processing')
$$;
comment on function public.queue_stats(timestamptz) is
  'Health: counts of pending (and due), processing, failed and completed in the last 24 h, and the age of the oldest due job in seconds.';
revoke execute on function public.queue_stats(timestamptz) from public, anon, authenticated;
grant execute on function public.queue_stats(timestamptz) to service_role;
