-- What a worker calls while it holds a job: job_log, job_progress, complete_job. Each works only
-- for the worker holding the lease; any other worker, and any call once the job has left
-- processing, is refused (false) and changes nothing.
begin;
select plan(33);

-- SETUP: a job claimed by worker-a at t0 with a 60 s lease.
select tests.create_workspace('Worker call tests') as ws \gset
select tests.create_job(:'ws') as job \gset
select tests.claim_job(:'job', 'worker-a');

-- TEST: job_log.
select is(public.job_log(:'job', 'worker-a', 'Fetching workspace settings...'), true, 'the holder can log');
select results_eq(format($$ select workspace_id, attempt, log_level, message, metadata from public.job_logs where job_id = %L $$, :'job'),
  format($$ values (%L::uuid, 1, 'info'::text, 'Fetching workspace settings...'::text, '{}'::jsonb) $$, :'ws'),
  'the line is stored with the job''s workspace, the attempt, level info and empty metadata by default');
select is(public.job_log(:'job', 'worker-a', 'Apollo said 429', 'warn', '{"status": 429}'), true, 'the holder can log a warning with metadata');
select results_eq(format($$ select log_level, metadata from public.job_logs where job_id = %L order by id desc limit 1 $$, :'job'),
  $$ values ('warn'::text, '{"status": 429}'::jsonb) $$, 'level and metadata are kept');
select is(public.job_log(:'job', 'worker-b', 'not mine'), false, 'another worker cannot log on the job');
select is((select count(*)::integer from public.job_logs where job_id = :'job'), 2, 'and its line is not stored');
select throws_ok(format($$ select public.job_log(%L, 'worker-a', 'x', 'fatal') $$, :'job'), '23514', null, 'an unknown level is refused');
select is(public.job_log(:'job', 'worker-a', repeat('x', 5000)), true, 'a very long line is accepted');
select is((select length(message) from public.job_logs where job_id = :'job' order by id desc limit 1), 4000, 'and cut to 4,000 characters');

-- TEST: job_progress.
select is(public.job_progress(:'job', 'worker-a', 30, null, 'info', '{}', 60, now() + interval '10 seconds'), true,
  'the holder can report progress');
select results_eq(format($$ select progress, locked_until from public.jobs where id = %L $$, :'job'),
  $$ values (jsonb_build_object('percentage', 30, 'updated_at', now() + interval '10 seconds'), now() + interval '70 seconds') $$,
  'progress is stored with its time, and the lease runs lease_seconds from the report (a heartbeat)');
select is((select count(*)::integer from public.job_logs where job_id = :'job'), 3, 'progress without a message writes no log line');
select is(public.job_progress(:'job', 'worker-a', 40, 'Enriching with domain...', 'info', '{"step": 4}', 60, now() + interval '20 seconds'), true,
  'the holder can report progress with a message');
select results_eq(format($$ select message, metadata from public.job_logs where job_id = %L order by id desc limit 1 $$, :'job'),
  $$ values ('Enriching with domain...'::text, '{"step": 4, "percentage": 40}'::jsonb) $$,
  'the message is logged with the percentage in its metadata');
select is(public.job_progress(:'job', 'worker-a', 45, null, 'info', '{}', 5, now() + interval '21 seconds'), true, 'a report asking for a shorter lease');
select is((select locked_until from public.jobs where id = :'job'), now() + interval '80 seconds', 'does not shorten the lease');
select is(public.job_progress(:'job', 'worker-a', 33.3), true, 'a fractional percentage is fine');
select throws_ok(format($$ select public.job_progress(%L, 'worker-a', 101) $$, :'job'), '22023',
  'job_progress: percentage must be between 0 and 100, got 101', 'more than 100 % is refused');
select throws_ok(format($$ select public.job_progress(%L, 'worker-a', -1) $$, :'job'), '22023',
  'job_progress: percentage must be between 0 and 100, got -1', 'less than 0 % is refused');
select throws_ok(format($$ select public.job_progress(%L, 'worker-a', null) $$, :'job'), '22023', null, 'a missing percentage is refused');
select is(public.job_progress(:'job', 'worker-b', 90, 'not mine'), false, 'another worker cannot report progress');
select is((select (progress ->> 'percentage')::numeric from public.jobs where id = :'job'), 33.3, 'and the progress is unchanged');

-- TEST: complete_job.
select is(public.complete_job(:'job', 'worker-b', '{"x": 1}'), false, 'another worker cannot complete the job');
select is((select status from public.jobs where id = :'job'), 'processing', 'which is still processing');
select is(public.complete_job(:'job', 'worker-a', '{"fields_updated": 3}', 'Account enrichment completed successfully',
                              now() + interval '30 seconds'), true, 'the holder completes it');
select results_eq(format($$ select status, completed_at, progress, result, locked_by, locked_until, error_message
                            from public.jobs where id = %L $$, :'job'),
  $$ values ('completed'::text, now() + interval '30 seconds', jsonb_build_object('percentage', 100, 'updated_at', now() + interval '30 seconds'),
             '{"fields_updated": 3}'::jsonb, null::text, null::timestamptz, null::text) $$,
  'completed: completed_at set, progress 100 %, result kept, lease released');
select results_eq(format($$ select message, log_level, metadata from public.job_logs where job_id = %L order by id desc limit 1 $$, :'job'),
  $$ values ('Account enrichment completed successfully'::text, 'info'::text, '{"percentage": 100}'::jsonb) $$,
  'the closing message is logged');

-- TEST: once completed, the job is out of every worker's reach.
select is(public.complete_job(:'job', 'worker-a'), false, 'completing twice is refused');
select is(public.job_progress(:'job', 'worker-a', 50), false, 'progress after completion is refused');
select is(public.job_log(:'job', 'worker-a', 'late'), false, 'a log line after completion is refused');
select is(public.fail_job(:'job', 'worker-a', 'late failure'), null, 'a failure after completion is refused');
select is((select status from public.jobs where id = :'job'), 'completed', 'the job stays completed');

-- TEST: a completion without result or message keeps what there was.
select tests.create_job(:'ws') as job2 \gset
select tests.claim_job(:'job2', 'worker-a');
select public.complete_job(:'job2', 'worker-a');
select results_eq(format($$ select status, result from public.jobs where id = %L $$, :'job2'),
  $$ values ('completed'::text, null::jsonb) $$, 'complete_job without a result stores none');

select * from finish();
rollback;
