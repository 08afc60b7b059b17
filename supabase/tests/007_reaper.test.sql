-- reap_expired_leases: a job whose worker stopped answering (lease expired) goes back to
-- pending, due at once, or to failed when it has no attempts left; either way with a log line
-- naming the lost worker. The lost worker can no longer touch the job.
begin;
select plan(22);

-- SETUP: jobs claimed at t0 with a 60 s lease.
select tests.create_workspace('Reaper tests') as ws \gset
select tests.create_job(:'ws') as job \gset
select tests.claim_job(:'job', 'crashed-worker', 60);
select tests.create_job(:'ws', 'pgtap_job', '{}', now(), 0::smallint, 1) as last_try \gset
select tests.claim_job(:'last_try', 'crashed-worker', 60);
select tests.create_job(:'ws') as alive \gset
select tests.claim_job(:'alive', 'live-worker', 60);

-- TEST: nothing is reaped while leases run.
-- (The reaper sees every workspace; other sessions' jobs may be reaped along with ours, inside
-- this transaction only, so the checks look at our jobs.)
select public.reap_expired_leases(now() + interval '59 seconds');
select is((select count(*)::integer from public.jobs where workspace_id = :'ws' and status = 'processing'), 3,
  'no lease has expired after 59 s: nothing of ours reaped');
select is(public.job_progress(:'alive', 'live-worker', 50, null, 'info', '{}', 60, now() + interval '59 seconds'), true,
  'the live worker reports progress, which extends its lease');

-- TEST: expired leases are reaped.
select cmp_ok(public.reap_expired_leases(now() + interval '61 seconds'), '>=', 2, 'after 61 s the reaper reports (at least) our two silent jobs reaped');
select results_eq(format($$ select id, status from public.jobs where workspace_id = %L and status = 'processing' $$, :'ws'),
  format($$ values (%L::uuid, 'processing'::text) $$, :'alive'), 'the two silent jobs were reaped, the live one was not');
select results_eq(format($$ select status, attempts, scheduled_for, next_retry_at, locked_by, locked_until from public.jobs where id = %L $$, :'job'),
  $$ values ('pending'::text, 1, now() + interval '61 seconds', null::timestamptz, null::text, null::timestamptz) $$,
  'a job with attempts left is pending again, due at once, its attempt still counted, lease cleared');
select matches((select error_message from public.jobs where id = :'job'),
  '^Worker crashed-worker stopped responding: its lease expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$',
  'error_message names the lost worker and when its lease expired');
select results_eq(format($$ select e ->> 'attempt', (e ->> 'retryable')::boolean from public.jobs j, jsonb_array_elements(j.errors) e where j.id = %L $$, :'job'),
  $$ values ('1'::text, true) $$, 'errors records the lost attempt');
select results_eq(format($$ select log_level, metadata from public.job_logs where job_id = %L $$, :'job'),
  $$ values ('warn'::text, '{"reaped_from": "crashed-worker"}'::jsonb) $$, 'a warning is logged, naming the worker');
select matches((select message from public.job_logs where job_id = :'job'),
  'The job is back in the queue \(attempt 1 of 5 used\)\.$', 'the log line says the job is back in the queue');
select results_eq(format($$ select status, attempts, failed_at, locked_by from public.jobs where id = %L $$, :'last_try'),
  $$ values ('failed'::text, 1, now() + interval '61 seconds', null::text) $$, 'a job without attempts left is failed');
select results_eq(format($$ select log_level, message ~ 'No attempts left \(1 of 1\): the job failed\.$' from public.job_logs where job_id = %L $$, :'last_try'),
  $$ values ('error'::text, true) $$, 'with an error line saying no attempts are left');
select is((select status from public.jobs where id = :'alive'), 'processing', 'the job whose worker reported progress is still processing');

-- TEST: the lost worker is fenced off, even after another worker claims the job.
select is(public.complete_job(:'job', 'crashed-worker'), false, 'the lost worker cannot complete the reaped job');
select tests.claim_job(:'job', 'new-worker', 60, now() + interval '62 seconds');
select is((select attempts from public.jobs where id = :'job'), 2, 'the reaped job is claimed again at once, as attempt 2');
select is(public.complete_job(:'job', 'crashed-worker'), false, 'the lost worker still cannot complete it');
select is(public.job_progress(:'job', 'crashed-worker', 90), false, 'nor report progress');
select is(public.job_log(:'job', 'crashed-worker', 'I am back'), false, 'nor log');
select is(public.fail_job(:'job', 'crashed-worker', 'late'), null, 'nor fail it');
select is(public.apply_account_enrichment(:'job', 'crashed-worker', '{}', '{}'), false, 'nor write enrichment results');
select is(public.complete_job(:'job', 'new-worker', null, null, now() + interval '63 seconds'), true, 'the new holder completes it');

-- TEST: a job that kills its worker every time ends after max_attempts.
select tests.create_job(:'ws') as doomed \gset
do $$
declare
  v_job uuid := (select id from public.jobs where workspace_id = (select id from public.workspaces where name = 'Reaper tests')
                 and status = 'pending' and job_type = 'pgtap_job');
  v_at timestamptz := now();
begin
  for i in 1..5 loop
    perform tests.claim_job(v_job, 'crash-' || i, 30, v_at);
    v_at := v_at + interval '31 seconds';
    perform public.reap_expired_leases(v_at);
  end loop;
end
$$;
select results_eq(format($$ select status, attempts, jsonb_array_length(errors) from public.jobs where id = %L $$, :'doomed'),
  $$ values ('failed'::text, 5, 5) $$, 'five lost leases: failed after 5 attempts, each one in errors');
select is((select count(*)::integer from public.jobs where workspace_id = :'ws' and status = 'processing'), 0,
  'the live job, silent since its last report, was reaped along the way: nothing of ours is left processing');

select * from finish();
rollback;
