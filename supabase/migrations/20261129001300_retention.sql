-- Keeping history bounded: finished jobs (with their logs) and pg_cron's run history are
-- deleted after a configurable number of days (private.settings: job_retention_days, default 30;
-- cron_history_retention_days, default 7).

create function private.purge_old_jobs(now timestamptz default now()) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_job_days integer := coalesce(private.setting('job_retention_days')::integer, 30);
  v_cron_days integer := coalesce(private.setting('cron_history_retention_days')::integer, 7);
  v_jobs integer := 0;
  v_count integer;
  v_cron integer := 0;
begin
  delete from public.jobs j where j.status = 'completed' and j.completed_at < purge_old_jobs.now - make_interval(days => v_job_days);
  get diagnostics v_count = row_count;
  v_jobs := v_jobs + v_count;
  delete from public.jobs j where j.status = 'failed' and j.failed_at < purge_old_jobs.now - make_interval(days => v_job_days);
  get diagnostics v_count = row_count;
  v_jobs := v_jobs + v_count;
  delete from public.jobs j where j.status = 'cancelled' and j.cancelled_at < purge_old_jobs.now - make_interval(days => v_job_days);
  get diagnostics v_count = row_count;
  v_jobs := v_jobs + v_count;

  delete from cron.job_run_details d where d.end_time < purge_old_jobs.now - make_interval(days => v_cron_days);
  get diagnostics v_cron = row_count;
  return jsonb_build_object('jobs_deleted', v_jobs, 'cron_runs_deleted', v_cron,
                            'job_retention_days', v_job_days, 'cron_history_retention_days', v_cron_days);
end
$$;
comment on function private.purge_old_jobs(timestamptz) is 'Cron (daily): deletes finished jobs (and, by cascade, their logs) older than job_retention_days, and old pg_cron run history.';
