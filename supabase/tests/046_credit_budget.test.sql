-- Credit budgets: reserve_enrichment_credit grants a job's credit while this month's credits plus
-- the reservations of jobs in flight stay under the budget; raising the budget resumes a workspace
-- that waits for it. Fresh data: enqueue_stale_enrichments picks the right accounts.
begin;
select plan(18);

select workspace_id as ws from tests.sign_up('budget-owner@example.com') \gset
select tests.create_user('budget-outsider@example.com');
select tests.create_account(:'ws', 'Charged', 'charged.example') as charged_account \gset
select tests.create_completed_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'charged_account'), 1);

select tests.create_account(:'ws', 'A', 'a.example') as account_a \gset
select tests.create_account(:'ws', 'B', 'b.example') as account_b \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account_a')) as job_a \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account_b')) as job_b \gset
select tests.claim_job(:'job_a', 'worker-b');
select tests.claim_job(:'job_b', 'worker-b');

-- TEST: no budget, every reservation is granted.
select is((select granted from public.reserve_enrichment_credit(:'job_a', 'worker-b')), true, 'no budget: granted');
select is((select credit_reserved from public.jobs where id = :'job_a'), true, 'and the job holds a reservation');

-- TEST: a budget of 2 with 1 credit used: A's reservation fits, B's does not (A is in flight).
update public.workspace_settings set monthly_credit_budget = 2 where workspace_id = :'ws';
select is((select granted from public.reserve_enrichment_credit(:'job_a', 'worker-b')), true, '1 used + A = 2: A keeps its reservation');
select results_eq(format($$ select granted, reason like 'Credit budget reached: 2 of 2 credits used this month; resumes %%', resumes_at
                           from public.reserve_enrichment_credit(%L, 'worker-b') $$, :'job_b'),
  $$ values (false, true, date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' + interval '1 month') $$,
  'B would pass the budget: refused, with the reason and the start of next month');
select is((select credit_reserved from public.jobs where id = :'job_b'), false, 'B holds no reservation');
select is((select granted from public.reserve_enrichment_credit(:'job_b', 'worker-other')), true,
  'a worker that does not hold the job is not refused (its next write finds the lease lost)');

-- TEST: A failing frees its reservation; B now fits.
select public.fail_job(:'job_a', 'worker-b', 'no match', false);
select is((select granted from public.reserve_enrichment_credit(:'job_b', 'worker-b')), true, 'A no longer in flight: B fits');

-- TEST: a workspace waiting for its budget resumes when an owner raises it.
select tests.create_account(:'ws', 'C', 'c.example') as account_c \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account_c')) as job_c \gset
select tests.claim_job(:'job_c', 'worker-b');
select public.release_job(:'job_c', 'worker-b',
  extract(epoch from (date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' + interval '1 month') - now()), 'Credit budget reached');
update public.workspace_settings
set jobs_paused_until = date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' + interval '1 month',
    jobs_paused_reason = private.credit_budget_reason(2, 2, now())
where workspace_id = :'ws';
select tests.capture_worker_calls();
update public.workspace_settings set monthly_credit_budget = 1 where workspace_id = :'ws';
select isnt((select jobs_paused_until from public.workspace_settings where workspace_id = :'ws'), null,
  'lowering the budget keeps the pause');
update public.workspace_settings set monthly_credit_budget = 10 where workspace_id = :'ws';
select results_eq(format($$ select s.jobs_paused_until, s.jobs_paused_reason, j.scheduled_for <= now()
                           from public.workspace_settings s, public.jobs j where s.workspace_id = %L and j.id = %L $$, :'ws', :'job_c'),
  $$ values (null::timestamptz, null::text, true) $$, 'raising it lifts the pause and makes the waiting job due now');
select is(tests.worker_calls('credit budget raised'), 1, 'and wakes the worker');

-- TEST: the usage the pages show.
select tests.authenticate_as('budget-owner@example.com');
select results_eq(format($$ select credits_used, budget from public.workspace_credit_budget(%L) $$, :'ws'),
  $$ values (1, 10) $$, 'workspace_credit_budget: this month''s credits and the budget, for a member');
select tests.authenticate_as('budget-outsider@example.com');
select is_empty(format($$ select 1 from public.workspace_credit_budget(%L) $$, :'ws'), 'and nothing for anyone else');
select tests.clear_authentication();
select results_eq(format($$ select completed, failed, credits from public.workspace_daily_usage(%L, 7) where day = (now() at time zone 'UTC')::date $$, :'ws'),
  $$ values (1, 1, 1) $$, 'workspace_daily_usage: today''s jobs by outcome and credits');
select is((select count(*)::integer from public.workspace_daily_usage(:'ws', 7)), 7, 'one row per day, days without jobs too');
select results_eq(format($$ select error_message, jobs from public.workspace_top_errors(%L) $$, :'ws'),
  $$ values ('no match'::text, 1) $$, 'workspace_top_errors: the errors and how often');

-- TEST: fresh data picks accounts past the age, with a domain and no active job, in opted-in workspaces only.
select tests.create_workspace('Fresh data tests') as fresh_ws \gset
select tests.create_workspace('Not opted in') as off_ws \gset
update public.workspace_settings set stale_after_days = 90 where workspace_id = :'fresh_ws';
select tests.create_account(:'fresh_ws', 'Old', 'old.example') as old_account \gset
select tests.create_account(:'fresh_ws', 'Recent', 'recent.example') as recent_account \gset
select tests.create_account(:'fresh_ws', 'Never', 'never.example') as never_account \gset
select tests.create_account(:'fresh_ws', 'Busy', 'busy.example') as busy_account \gset
select tests.create_account(:'off_ws', 'Old elsewhere', 'old-elsewhere.example') as off_account \gset
update public.accounts set enriched_at = now() - interval '100 days' where id in (:'old_account', :'busy_account', :'off_account');
update public.accounts set enriched_at = now() - interval '10 days' where id = :'recent_account';
select tests.create_job(:'fresh_ws', 'enrich_account', jsonb_build_object('account_id', :'busy_account')) as busy_job \gset
select is(private.enqueue_stale_enrichments(), 1, 'one account is queued');
select results_eq(format($$ select subject_id, priority from public.jobs where workspace_id in (%L, %L) and id <> %L $$, :'fresh_ws', :'off_ws', :'busy_job'),
  format($$ values (%L::text, -1::smallint) $$, :'old_account'), 'the old one, at low priority');
select is((select stale from public.accounts_with_enrichment where id = :'old_account'), true, 'and the accounts view calls it stale');

select * from finish();
rollback;
