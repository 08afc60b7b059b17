-- Every SQL query of the spec (F044-A testing guide), verbatim, against the seeded database,
-- with the placeholders ('your-workspace-id', 'your-job-id', 'your-account-id', $JOB_ID)
-- substituted by psql variables. Between the queries, this file does what the guide's steps
-- do (save a key, press Enrich, run the worker) through the same SQL functions the app uses,
-- so each query's result can be checked against what the guide expects.
-- Each query is PREPAREd exactly as the guide writes it (unqualified names, upper case), so it
-- is parsed with the search_path a psql session has, and its rows are kept in a temp table.
-- Repeatable read: every query sees one snapshot, whatever other sessions commit meanwhile.
begin isolation level repeatable read;
select plan(32);

-- SETUP: the seeded demo workspace and its Stripe account; the worker id of the guide's example.
\set demo_ws aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
\set demo_user 11111111-1111-4111-8111-111111111111
\set other_ws bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
select id as account from public.accounts where workspace_id = :'demo_ws' and domain = 'stripe.com' \gset
select tests.capture_worker_calls();

-- TEST: the seed is there.
select is((select count(*)::integer from public.accounts where workspace_id = :'demo_ws'), 12, 'the demo workspace has a dozen accounts');
select is((select count(*)::integer from public.workspace_members where user_id = :'demo_user' and workspace_id = :'demo_ws'), 1,
  'the demo user belongs to it');

-- Test 1 ("Configure Apollo API Key"): the apollo-settings function stores the key; then the guide's check.
update public.workspace_settings set apollo_api_key_encrypted = 'v1:aXYxMjM0NTY3ODkw:Y2lwaGVydGV4dA==', apollo_api_key_last4 = '2345'
where workspace_id = :'demo_ws';
prepare spec_test1_settings as
SELECT
  workspace_id,
  apollo_api_key_encrypted IS NOT NULL as has_key,
  apollo_auto_enrich,
  enrichment_credits_used
FROM workspace_settings;
create temporary table spec1 on commit drop as execute spec_test1_settings;
select results_eq(format($$ select has_key, apollo_auto_enrich from spec1 where workspace_id = %L $$, :'demo_ws'),
  $$ values (true, false) $$, 'Test 1 settings query: the demo workspace has a key, auto-enrich off');
select results_eq(format($$ select has_key from spec1 where workspace_id = %L $$, :'other_ws'),
  $$ values (false) $$, 'Test 1 settings query: the other workspace has no key');
select is((select count(*)::integer from spec1), (select count(*)::integer from public.workspaces), 'Test 1 settings query: one row per workspace');

-- Test 2 ("Create Enrichment Job via UI"): the demo user presses Enrich on Stripe.
select tests.authenticate_as(:'demo_user');
select id as job from public.enqueue_enrichment(:'account') \gset
select tests.clear_authentication();
-- (made the newest job even if another session committed one since this transaction began)
update public.jobs set created_at = clock_timestamp() where id = :'job';
prepare spec_test2_job_created as
SELECT id, job_type, status, payload, created_at
FROM jobs
WHERE job_type = 'enrich_account'
ORDER BY created_at DESC
LIMIT 1;
create temporary table spec2 on commit drop as execute spec_test2_job_created;
select results_eq($$ select id, job_type, status, payload ->> 'account_id', payload ->> 'domain' from spec2 $$,
  format($$ values (%L::uuid, 'enrich_account'::text, 'pending'::text, %L::text, 'stripe.com'::text) $$, :'job', :'account'),
  'Test 2 query: the newest enrich_account job is ours, pending, with the account and its domain');

-- Test 3 ("Trigger Worker Manually"): what the worker does, through the worker functions.
select tests.authenticate_as_service_role();
select tests.claim_job(:'job', 'vercel-local-1234567890');
select public.job_progress(:'job', 'vercel-local-1234567890', 10, 'Starting enrichment for account...');
select public.job_progress(:'job', 'vercel-local-1234567890', 20, 'Fetching workspace settings...');
select public.job_progress(:'job', 'vercel-local-1234567890', 30, 'Initializing Apollo client...');
select public.job_progress(:'job', 'vercel-local-1234567890', 50, 'Enriching with domain...');
select public.job_progress(:'job', 'vercel-local-1234567890', 70, 'Processing enrichment data...');
select public.job_progress(:'job', 'vercel-local-1234567890', 90, 'Updating account record...');
select is(public.apply_account_enrichment(:'job', 'vercel-local-1234567890',
  '{"industry": "Financial Services", "employee_count": 8000, "annual_revenue": 14000000000, "city": "South San Francisco", "state": "California"}',
  '{"id": "54a1216b69702d8ccc1e0400", "name": "Stripe", "primary_domain": "stripe.com"}'), true, 'the worker writes the enrichment');
select is(public.complete_job(:'job', 'vercel-local-1234567890', '{"fields_updated": 5}', 'Account enrichment completed successfully'), true,
  'the worker completes the job');
select tests.clear_authentication();

-- Test 4 ("Verify Job Execution"): job status, then its logs.
prepare spec_test4_job_status as
SELECT
  id,
  job_type,
  status,
  progress,
  started_at,
  completed_at,
  error_message
FROM jobs
WHERE job_type = 'enrich_account'
ORDER BY created_at DESC
LIMIT 5;
create temporary table spec4 on commit drop as execute spec_test4_job_status;
select ok((select count(*) from spec4) between 1 and 5, 'Test 4 status query: at most five rows');
select results_eq(format($$ select status, progress ->> 'percentage', started_at is not null, completed_at is not null, error_message from spec4 where id = %L $$, :'job'),
  $$ values ('completed'::text, '100'::text, true, true, null::text) $$,
  'Test 4 status query: status completed, progress->>''percentage'' = ''100'', started and completed, no error');
prepare spec_test4_job_logs as
SELECT
  log_level,
  message,
  metadata,
  created_at
FROM job_logs
WHERE job_id = :'job'
ORDER BY created_at ASC;
create temporary table spec4_logs on commit drop as execute spec_test4_job_logs;
select results_eq($$ select message from spec4_logs $$,
  $$ values ('Starting enrichment for account...'::text), ('Fetching workspace settings...'), ('Initializing Apollo client...'),
            ('Enriching with domain...'), ('Processing enrichment data...'), ('Updating account record...'),
            ('Account enrichment completed successfully') $$,
  'Test 4 logs query: the seven expected log lines, in order');
select is_empty($$ select 1 from spec4_logs where log_level <> 'info' $$, 'Test 4 logs query: all at level info');
select results_eq($$ select (metadata ->> 'percentage')::numeric from spec4_logs $$,
  $$ values (10::numeric), (20), (30), (50), (70), (90), (100) $$, 'Test 4 logs query: each line carries the progress it was written at');

-- Test 5 ("Verify Account Was Enriched").
prepare spec_test5_account as
SELECT
  id,
  name,
  domain,
  industry,
  employee_count,
  annual_revenue,
  city,
  state,
  country,
  enriched_at,
  metadata->>'apollo_enriched_at' as apollo_enriched_at
FROM accounts
WHERE id = :'account';
create temporary table spec5 on commit drop as execute spec_test5_account;
select results_eq($$ select name, domain, industry, employee_count, annual_revenue, city, state, country from spec5 $$,
  $$ values ('Stripe'::text, 'stripe.com'::text, 'Financial Services'::text, 8000, 14000000000::bigint, 'San Francisco'::text,
             'California'::text, 'United States'::text) $$,
  'Test 5 query: the new fields are populated; the city and country the seed typed are kept');
select results_eq($$ select enriched_at is not null, apollo_enriched_at is not null from spec5 $$, $$ values (true, true) $$,
  'Test 5 query: enriched_at and metadata->>''apollo_enriched_at'' are set');
select is((select metadata -> 'apollo' ->> 'name' from public.accounts where id = :'account'), 'Stripe',
  'metadata contains the Apollo enrichment data');
select is((select enrichment_credits_used from spec1 where workspace_id = :'demo_ws') + 1,
          (select enrichment_credits_used from public.workspace_settings where workspace_id = :'demo_ws'),
  'the enrichment cost the workspace one credit');

-- Test 6 ("Job Retry on Failure"): the guide's INSERT, verbatim (a while after the Enrich above).
select tests.forget_wakeups();
prepare spec_test6_insert as
INSERT INTO jobs (workspace_id, job_type, payload, status)
VALUES (
  :'demo_ws',
  'enrich_account',
  '{"account_id": "00000000-0000-0000-0000-000000000000", "domain": "nonexistent.fake"}'::jsonb,
  'pending'
);
select lives_ok('spec_test6_insert', 'Test 6 INSERT runs');
select is(tests.worker_calls('enqueue'), 2, 'and wakes the worker (Enrich woke it once before)');
select id as failing from public.jobs where payload ->> 'account_id' = '00000000-0000-0000-0000-000000000000' \gset
prepare spec_test6_retry as
SELECT
  id,
  status,
  attempts,
  max_attempts,
  next_retry_at,
  error_message
FROM jobs
WHERE payload->>'account_id' = '00000000-0000-0000-0000-000000000000';
-- The worker's first attempt: the account does not exist, a retryable failure.
select tests.claim_job(:'failing', 'vercel-local-1234567890');
select public.fail_job(:'failing', 'vercel-local-1234567890', 'Account not found: 00000000-0000-0000-0000-000000000000');
create temporary table spec6_first on commit drop as execute spec_test6_retry;
select results_eq($$ select status, attempts, max_attempts, error_message from spec6_first $$,
  $$ values ('pending'::text, 1, 5, 'Account not found: 00000000-0000-0000-0000-000000000000'::text) $$,
  'Test 6 query after the first attempt: pending, attempts 1 of 5, error_message says Account not found');
select ok((select next_retry_at between now() + interval '54 seconds' and now() + interval '66 seconds' from spec6_first),
  'Test 6 query after the first attempt: next_retry_at about 60 s in the future');
-- Attempts 2 to 5, each when due.
do $$
declare
  v_job uuid := (select id from public.jobs where payload ->> 'account_id' = '00000000-0000-0000-0000-000000000000');
  v_at timestamptz;
begin
  for i in 2..5 loop
    v_at := (select scheduled_for from public.jobs where id = v_job);
    perform tests.claim_job(v_job, 'vercel-local-1234567890', 60, v_at);
    perform public.fail_job(v_job, 'vercel-local-1234567890', 'Account not found: 00000000-0000-0000-0000-000000000000',
                            true, null, v_at + interval '1 second');
  end loop;
end
$$;
create temporary table spec6_last on commit drop as execute spec_test6_retry;
select results_eq($$ select status, attempts, max_attempts, next_retry_at from spec6_last $$,
  $$ values ('failed'::text, 5, 5, null::timestamptz) $$, 'Test 6 query after 5 attempts: failed, attempts 5');
select ok((select error_message like '%Account not found%' from spec6_last), 'Test 6 query after 5 attempts: error_message contains "Account not found"');

-- Test 8 ("Multiple Jobs Concurrency"): the status counts of the last five minutes.
select tests.authenticate_as(:'demo_user');
select count(*) from public.enqueue_account_enrichments(array(select id from public.accounts where workspace_id = :'demo_ws' and domain <> 'stripe.com'));
select tests.clear_authentication();
prepare spec_test8_counts as
SELECT status, COUNT(*) as count
FROM jobs
WHERE created_at > NOW() - INTERVAL '5 minutes'
GROUP BY status;
create temporary table spec8 on commit drop as execute spec_test8_counts;
select ok((select count >= 11 from spec8 where status = 'pending'), 'Test 8 query: the eleven jobs just queued are counted as pending');
select ok((select count >= 1 from spec8 where status = 'completed') and (select count >= 1 from spec8 where status = 'failed'),
  'Test 8 query: the completed and the failed job are counted');
select is((select count(*)::integer from spec8), (select count(distinct status)::integer from spec8), 'Test 8 query: one row per status');

-- "Jobs Stuck in Pending" diagnosis.
prepare spec_stuck_pending as
SELECT id, job_type, status, created_at, scheduled_for
FROM jobs
WHERE status = 'pending'
ORDER BY created_at ASC;
create temporary table spec_stuck on commit drop as execute spec_stuck_pending;
select is((select count(*)::integer from spec_stuck s join public.jobs j using (id) where j.workspace_id = :'demo_ws'), 11,
  'stuck-jobs query: lists the demo workspace''s eleven pending jobs');
select is_empty($$ select 1 from spec_stuck where status <> 'pending' $$, 'stuck-jobs query: nothing but pending jobs');

-- "RLS Policy Errors": the policies on jobs, job_logs and workspace_settings.
prepare spec_rls_policies as
SELECT schemaname, tablename, policyname, permissive, roles, cmd, qual
FROM pg_policies
WHERE tablename IN ('jobs', 'job_logs', 'workspace_settings');
create temporary table spec_policies on commit drop as execute spec_rls_policies;
select results_eq($$ select tablename::text collate "default", string_agg(cmd, ', ' order by cmd) from spec_policies group by tablename order by tablename $$,
  $$ values ('job_logs'::text, 'SELECT'::text), ('jobs', 'INSERT, SELECT'), ('workspace_settings', 'SELECT, UPDATE') $$,
  'policies query: jobs (SELECT, INSERT; updates go through cancel/retry), job_logs (SELECT), workspace_settings (SELECT, UPDATE)');
select is_empty($$ select 1 from spec_policies where schemaname <> 'public' or permissive <> 'PERMISSIVE' or roles <> '{authenticated}' $$,
  'policies query: every policy is a permissive public policy for authenticated');
select is_empty($$ select 1 from spec_policies where cmd = 'SELECT' and qual not like '%auth.uid()%' $$,
  'policies query: every read policy checks the caller''s membership');

-- "Measure Single Job" (the psql poll in the performance section).
prepare spec_perf_status as
SELECT status FROM jobs WHERE id=:'job';
create temporary table spec_perf on commit drop as execute spec_perf_status;
select results_eq($$ select status from spec_perf $$, $$ values ('completed'::text) $$, 'performance poll query: the enriched job is completed');

select * from finish();
rollback;
