-- cancel_job and retry_job, as a member calls them from the browser. Both record a row in
-- job_actions (the audit trail); a trigger applies it under the state rules. Cancelling a
-- running job takes the lease away, so the worker's next call on it is refused.
begin;
select plan(36);

-- SETUP: Ivy in her workspace with an account, and jobs in each state; Oscar in another workspace.
select user_id as ivy, workspace_id as ws from tests.sign_up('ivy@actions.test') \gset
select user_id as oscar, workspace_id as other_ws from tests.sign_up('oscar@actions.test') \gset
select tests.create_account(:'ws', 'Acme', 'acme.com') as acme \gset
select tests.create_job(:'ws') as pending_job \gset
select tests.create_job(:'ws') as running_job \gset
select tests.claim_job(:'running_job', 'worker-a');
select tests.create_job(:'ws') as done_job \gset
select tests.claim_job(:'done_job', 'worker-a');
select public.complete_job(:'done_job', 'worker-a');
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'acme')) as failed_job \gset
select tests.claim_job(:'failed_job', 'worker-a');
select public.fail_job(:'failed_job', 'worker-a', 'Apollo API key not configured for this workspace', false);
select tests.create_job(:'other_ws') as others_job \gset
select tests.capture_worker_calls();

-- TEST: cancelling a pending job.
select tests.authenticate_as('ivy@actions.test');
select results_eq(format($$ select id, status from public.cancel_job(%L) $$, :'pending_job'),
  format($$ values (%L::uuid, 'cancelled'::text) $$, :'pending_job'), 'cancel_job cancels a pending job and returns it');
select results_eq(format($$ select cancelled_at, next_retry_at, locked_by from public.jobs where id = %L $$, :'pending_job'),
  $$ values (now(), null::timestamptz, null::text) $$, 'cancelled_at is set');
select results_eq(format($$ select job_id, workspace_id, action, requested_by from public.job_actions where job_id = %L $$, :'pending_job'),
  format($$ values (%L::uuid, %L::uuid, 'cancel'::text, %L::uuid) $$, :'pending_job', :'ws', :'ivy'),
  'the cancel is recorded in job_actions: which job, who asked');
select results_eq(format($$ select log_level, message from public.job_logs where job_id = %L $$, :'pending_job'),
  $$ values ('warn'::text, 'Cancelled by ivy@actions.test'::text) $$, 'and logged, naming the user');

-- TEST: cancelling a running job fences the worker off.
select is((select status from public.cancel_job(:'running_job')), 'cancelled', 'a processing job can be cancelled');
select results_eq(format($$ select locked_by, locked_until from public.jobs where id = %L $$, :'running_job'),
  $$ values (null::text, null::timestamptz) $$, 'its lease is taken away');
select tests.clear_authentication();
select is(public.job_progress(:'running_job', 'worker-a', 60), false, 'the worker''s next progress report is refused');
select is(public.job_log(:'running_job', 'worker-a', 'still going'), false, 'its log lines are refused');
select is(public.apply_account_enrichment(:'running_job', 'worker-a', '{}', '{}'), false, 'its enrichment results are refused');
select is(public.complete_job(:'running_job', 'worker-a'), false, 'its completion is refused');
select is(public.fail_job(:'running_job', 'worker-a', 'stopped'), null, 'its failure is refused');
select is((select status from public.jobs where id = :'running_job'), 'cancelled', 'the job stays cancelled');
select is_empty(format($$ select * from public.claim_jobs('worker-b', 10, 60, null, now() + interval '1 day') where id in (%L, %L) $$,
                       :'pending_job', :'running_job'), 'cancelled jobs are never claimed');
select is(public.reap_expired_leases(now() + interval '1 hour') >= 0, true, 'the reaper runs');
select is((select status from public.jobs where id = :'running_job'), 'cancelled', 'and leaves a cancelled job alone');

-- TEST: what cannot be cancelled.
select tests.authenticate_as('ivy@actions.test');
select throws_ok(format($$ select public.cancel_job(%L) $$, job), 'PT409', format('This job is %s and can no longer be cancelled', status),
  description)
from (values (:'done_job'::uuid, 'completed', 'a completed job cannot be cancelled (PT409, shown as 409)'),
             (:'failed_job', 'failed', 'nor a failed one'),
             (:'pending_job', 'cancelled', 'nor one cancelled already')) as not_cancellable(job, status, description);
select throws_ok(format($$ select public.cancel_job(%L) $$, gen_random_uuid()), 'PT404', 'Job not found', 'an unknown job: PT404');
select throws_ok(format($$ select public.cancel_job(%L) $$, :'others_job'), 'PT404', 'Job not found', 'another workspace''s job: PT404');
select is((select count(*)::integer from public.job_actions), 2, 'refused actions leave no audit row');

-- TEST: retrying a failed job (a while after the jobs above were queued: its wake-up is not debounced away).
select tests.forget_wakeups();
select results_eq(format($$ select status, attempts, error_message, failed_at, scheduled_for, next_retry_at, progress
                            from public.retry_job(%L) $$, :'failed_job'),
  $$ values ('pending'::text, 0, null::text, null::timestamptz, now(), null::timestamptz, '{"percentage": 0}'::jsonb) $$,
  'retry_job puts a failed job back: pending, attempts from 0, due now, error and progress cleared');
select is((select jsonb_array_length(errors) from public.jobs where id = :'failed_job'), 1, 'the earlier errors are kept');
select results_eq(format($$ select action, requested_by from public.job_actions where job_id = %L $$, :'failed_job'),
  format($$ values ('retry'::text, %L::uuid) $$, :'ivy'), 'the retry is recorded in job_actions');
select is((select message from public.job_logs where job_id = :'failed_job' order by id desc limit 1),
  'Retried by ivy@actions.test: attempts start again from 1', 'and logged');
select is(tests.worker_calls('retry'), 1, 'and the worker is woken once');
select tests.clear_authentication();
select tests.claim_job(:'failed_job', 'worker-b');
select is((select attempts from public.jobs where id = :'failed_job'), 1, 'the retried job runs again as attempt 1');

-- TEST: retrying a cancelled job; what cannot be retried.
select tests.authenticate_as('ivy@actions.test');
select is((select status from public.retry_job(:'pending_job')), 'pending', 'a cancelled job can be retried');
select throws_ok(format($$ select public.retry_job(%L) $$, job), 'PT409', format('This job is %s and cannot be retried', status),
  description)
from (values (:'pending_job'::uuid, 'pending', 'a pending job cannot be retried'),
             (:'failed_job', 'processing', 'nor a processing one'),
             (:'done_job', 'completed', 'nor a completed one')) as not_retryable(job, status, description);
select throws_ok(format($$ select public.retry_job(%L) $$, :'others_job'), 'PT404', 'Job not found', 'nor another workspace''s');
select tests.clear_authentication();
select public.complete_job(:'failed_job', 'worker-b');
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'acme')) as failed_again \gset
select tests.claim_job(:'failed_again', 'worker-a');
select public.fail_job(:'failed_again', 'worker-a', 'no', false);
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'acme')) as newer \gset
select tests.authenticate_as('ivy@actions.test');
select throws_ok(format($$ select public.retry_job(%L) $$, :'failed_again'), 'PT409', 'Another job for the same record is already queued',
  'a job cannot be retried while another job for the same record is queued');

-- TEST: job_actions cannot be forged or rewritten.
select throws_ok(format($$ insert into public.job_actions (job_id, workspace_id, action) values (%L, %L, 'cancel') $$, :'others_job', :'other_ws'),
  '42501', 'new row violates row-level security policy for table "job_actions"', 'no action on another workspace''s job');
select throws_ok(format($$ insert into public.job_actions (job_id, workspace_id, action) values (%L, %L, 'cancel') $$, :'others_job', :'ws'),
  '42501', 'new row violates row-level security policy for table "job_actions"', 'not even by claiming it is in one''s own workspace');
select throws_ok($$ delete from public.job_actions $$, '42501', 'permission denied for table job_actions', 'the audit trail cannot be deleted');

select * from finish();
rollback;
