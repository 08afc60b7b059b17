-- private.purge_old_jobs (the daily job-retention cron job): finished jobs older than
-- job_retention_days (30 by default) go, with their logs; unfinished jobs stay whatever their
-- age; pg_cron's own history is kept cron_history_retention_days (7 by default).
begin;
select plan(13);

-- SETUP: finished and unfinished jobs of various ages, each with a log line.
select tests.create_workspace('Retention tests') as ws \gset
create temporary table fixture (name text, id uuid) on commit drop;
insert into public.jobs (workspace_id, job_type, payload, status, attempts, started_at, completed_at, failed_at, cancelled_at, created_at)
select :'ws', 'pgtap_job', jsonb_build_object('fixture', f.name), f.status, 1, now() - f.age,
       case when f.status = 'completed' then now() - f.age end,
       case when f.status = 'failed' then now() - f.age end,
       case when f.status = 'cancelled' then now() - f.age end, now() - f.age
from (values
  ('completed_31d', 'completed', interval '31 days'), ('completed_29d', 'completed', interval '29 days'),
  ('failed_31d', 'failed', interval '31 days'), ('cancelled_31d', 'cancelled', interval '31 days'),
  ('completed_8d', 'completed', interval '8 days'), ('completed_6d', 'completed', interval '6 days')
) as f(name, status, age);
insert into fixture select payload ->> 'fixture', id from public.jobs where workspace_id = :'ws';
insert into fixture select 'pending_60d', tests.create_job(:'ws', 'pgtap_job', '{}', now() - interval '60 days');
insert into public.job_logs (job_id, workspace_id, message) select id, :'ws', 'line of ' || name from fixture;
insert into cron.job_run_details (jobid, runid, status, return_message, start_time, end_time)
values (1, -1001, 'succeeded', 'pgtap old run', now() - interval '8 days', now() - interval '8 days'),
       (1, -1002, 'succeeded', 'pgtap recent run', now() - interval '6 days', now() - interval '6 days');

-- TEST: with the defaults.
create temporary table purge1 on commit drop as select private.purge_old_jobs() as r;
select results_eq($$ select name from fixture where id not in (select id from public.jobs) order by name $$,
  $$ values ('cancelled_31d'::text), ('completed_31d'), ('failed_31d') $$,
  'finished jobs (completed, failed, cancelled) older than 30 days are deleted');
select results_eq($$ select name from fixture where id in (select id from public.jobs) order by name $$,
  $$ values ('completed_29d'::text), ('completed_6d'), ('completed_8d'), ('pending_60d') $$,
  'younger finished jobs stay, and so does an unfinished job however old');
select is((select count(*)::integer from public.job_logs where workspace_id = :'ws'), 4, 'the logs of deleted jobs are deleted with them');
select cmp_ok((select (r ->> 'jobs_deleted')::integer from purge1), '>=', 3, 'the result counts the deleted jobs');
select results_eq($$ select (r ->> 'job_retention_days')::integer, (r ->> 'cron_history_retention_days')::integer from purge1 $$,
  $$ values (30, 7) $$, 'and reports the retention in force: 30 days of jobs, 7 of cron history');
select is((select count(*)::integer from cron.job_run_details where runid = -1001), 0, 'cron runs older than 7 days are deleted');
select is((select count(*)::integer from cron.job_run_details where runid = -1002), 1, 'younger ones stay');
select cmp_ok((select (r ->> 'cron_runs_deleted')::integer from purge1), '>=', 1, 'the result counts them');

-- TEST: the retention is configurable in private.settings.
insert into private.settings (key, value) values ('job_retention_days', '7'), ('cron_history_retention_days', '1')
on conflict (key) do update set value = excluded.value;
create temporary table purge2 on commit drop as select private.purge_old_jobs() as r;
select results_eq($$ select name from fixture where id in (select id from public.jobs) order by name $$,
  $$ values ('completed_6d'::text), ('pending_60d') $$, 'with job_retention_days = 7, jobs finished 8 and 29 days ago go too');
select is((select count(*)::integer from cron.job_run_details where runid = -1002), 0, 'with cron_history_retention_days = 1, the 6-day-old run goes');
select results_eq($$ select (r ->> 'job_retention_days')::integer, (r ->> 'cron_history_retention_days')::integer from purge2 $$,
  $$ values (7, 1) $$, 'the result reports the configured retention');

-- TEST: a time argument makes it testable and repeatable.
select is((private.purge_old_jobs(now() + interval '6 days') ->> 'jobs_deleted')::integer >= 0, true, 'purging as of a later date works');
select results_eq($$ select name from fixture where id in (select id from public.jobs) order by name $$,
  $$ values ('pending_60d'::text) $$, 'as of 6 days later, the job completed 6 days ago is past the 7 days and goes');

select * from finish();
rollback;
