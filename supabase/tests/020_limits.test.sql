-- Limits that protect Apollo: a global cap on jobs in flight across all workers
-- (claim_jobs' max_in_flight), per-workspace pauses after a rate limit (pause_workspace_jobs),
-- and release_job, which puts a rate-limited job back without using up an attempt.
begin;
select plan(14);

-- SETUP: two workspaces with jobs of a type nobody else claims.
select tests.create_workspace('Limits A') as ws_a \gset
select tests.create_workspace('Limits B') as ws_b \gset
select tests.create_jobs(:'ws_a', 10, 'pgtap_limit');
select tests.create_jobs(:'ws_b', 2, 'pgtap_limit');
select count(*)::integer as busy from public.jobs where status = 'processing' \gset

-- TEST: the cap counts every processing job, whoever holds it.
select is((select count(*)::integer from public.claim_jobs('w1', 5, 60, array['pgtap_limit'], now(), :busy + 3)), 3,
  'with room for 3 more in flight, a claim of 5 takes 3');
select is((select count(*)::integer from public.claim_jobs('w2', 5, 60, array['pgtap_limit'], now(), :busy + 3)), 0,
  'at the cap, another worker gets nothing');
select is((select count(*)::integer from public.claim_jobs('w2', 5, 60, array['pgtap_limit'], now(), :busy + 5)), 2,
  'a higher cap lets it take the difference');
select is((select count(*)::integer from public.claim_jobs('w3', 2, 60, array['pgtap_limit'])), 2,
  'without max_in_flight there is no global cap');
select throws_ok($$ select public.claim_jobs('w', 1, 60, null, now(), 0) $$, '22023',
  'claim_jobs: max_in_flight must be at least 1, got 0', 'a cap below 1 is refused');

-- SETUP: back to a clean slate of pending jobs in both workspaces.
delete from public.jobs where job_type = 'pgtap_limit';
select tests.create_jobs(:'ws_a', 3, 'pgtap_limit');
select tests.create_jobs(:'ws_b', 3, 'pgtap_limit');

-- TEST: a paused workspace's jobs wait; the others' do not.
select public.pause_workspace_jobs(:'ws_a', now() + interval '30 seconds', 'Apollo rate limit (retry-after 30 s)');
select is((select count(*)::integer from public.claim_jobs('w4', 6, 60, array['pgtap_limit']) c where c.workspace_id = :'ws_a'), 0,
  'no job of the paused workspace is claimed');
select is((select count(*)::integer from public.jobs where job_type = 'pgtap_limit' and workspace_id = :'ws_b' and status = 'processing'), 3,
  'the other workspace''s jobs are claimed as usual');
select is((select count(*)::integer from public.claim_jobs('w4', 6, 60, array['pgtap_limit'], now() + interval '31 seconds')), 3,
  'after the pause the workspace''s jobs are claimed again');

-- TEST: pauses extend but never shorten.
select public.pause_workspace_jobs(:'ws_b', now() + interval '60 seconds', 'first');
select public.pause_workspace_jobs(:'ws_b', now() + interval '10 seconds', 'second');
select is((select jobs_paused_until from public.workspace_settings where workspace_id = :'ws_b'), now() + interval '60 seconds',
  'a shorter pause does not cut a longer one short');

-- SETUP: a claimed job to release.
select tests.create_job(:'ws_b', 'pgtap_release') as job \gset
select tests.claim_job(:'job', 'w5', 60, now() + interval '61 seconds');

-- TEST: release_job puts the job back without counting the attempt.
select is(public.release_job(:'job', 'someone-else', 30, 'Apollo rate limit reached'), false,
  'another worker cannot release the job');
select is(public.release_job(:'job', 'w5', 30, 'Apollo rate limit reached'), true, 'its worker can');
select results_eq(format($$ select status, attempts, scheduled_for, next_retry_at, locked_by from public.jobs where id = %L $$, :'job'),
  $$ values ('pending'::text, 0, now() + interval '30 seconds', now() + interval '30 seconds', null::text) $$,
  'pending again after the delay, attempt not counted, lease cleared');
select is((select message from public.job_logs where job_id = :'job'),
  'Apollo rate limit reached. Waiting 30 s; this attempt is not counted.', 'the log line says why and for how long');
select is((select log_level from public.job_logs where job_id = :'job'), 'warn', 'logged as a warning');

select * from finish();
rollback;
