-- accounts_with_enrichment: each account with its latest enrichment job and a derived status
-- (never, enriching, enriched, failed), under the caller's RLS (security_invoker).
begin;
select plan(10);

-- TEST: the view has every column of accounts. It selects a.*, which Postgres expands when the view is
-- created: a column added to accounts later is missing from the view until a migration recreates it.
select is_empty($$
  select c.column_name from information_schema.columns c where c.table_schema = 'public' and c.table_name = 'accounts'
  except
  select v.column_name from information_schema.columns v where v.table_schema = 'public' and v.table_name = 'accounts_with_enrichment'
$$, 'accounts_with_enrichment has every column of accounts (recreate the view in the migration that adds one)');

-- SETUP: a user with four accounts in different enrichment states.
select tests.create_user('vic@view.test') as vic \gset
select tests.create_user('walt@view.test') as walt \gset
select tests.personal_workspace('vic@view.test') as ws \gset
select tests.create_account(:'ws', 'Never', 'never.com') as never \gset
select tests.create_account(:'ws', 'Busy', 'busy.com') as busy \gset
select tests.create_account(:'ws', 'Done', 'done.com') as done \gset
select tests.create_account(:'ws', 'Broken', 'broken.com') as broken \gset
select tests.create_account(tests.personal_workspace('walt@view.test'), 'Walt Co', 'walt.com') as walts \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'busy')) as busy_job \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'done')) as done_job \gset
select tests.claim_job(:'done_job', 'w');
select public.apply_account_enrichment(:'done_job', 'w', '{"industry": "Software"}', '{}');
select public.complete_job(:'done_job', 'w');
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'broken')) as broken_job \gset
select tests.claim_job(:'broken_job', 'w');
select public.fail_job(:'broken_job', 'w', 'Apollo has no such organization', false);

-- TEST: the derived status, as the user sees it.
select tests.authenticate_as('vic@view.test');
select results_eq($$ select name, enrichment_status from public.accounts_with_enrichment order by name $$,
  $$ values ('Broken'::text, 'failed'::text), ('Busy', 'enriching'), ('Done', 'enriched'), ('Never', 'never') $$,
  'never enriched, enriching (pending job), enriched, failed');
select results_eq(format($$ select latest_job_id, latest_job_status, latest_job_error from public.accounts_with_enrichment where id = %L $$, :'broken'),
  format($$ values (%L::uuid, 'failed'::text, 'Apollo has no such organization'::text) $$, :'broken_job'),
  'the latest job, its status and its error are shown');
select is((select industry from public.accounts_with_enrichment where id = :'done'), 'Software', 'the account''s own columns come along');
select is_empty(format($$ select 1 from public.accounts_with_enrichment where id = %L $$, :'walts'), 'another workspace''s accounts are not shown');

-- TEST: a failed attempt after an earlier success shows as failed; an older failure after a later success does not.
select tests.clear_authentication();
update public.jobs set created_at = now() - interval '1 day' where id = :'done_job';
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'done')) as done_retry \gset
select tests.claim_job(:'done_retry', 'w');
select public.fail_job(:'done_retry', 'w', 'rate limited', false);
update public.jobs set created_at = now() + interval '1 second' where id = :'done_retry';
select is((select enrichment_status from public.accounts_with_enrichment where id = :'done'), 'failed',
  'enriched before, but the latest attempt failed: failed');
update public.jobs set created_at = now() - interval '2 days' where id = :'done_retry';
select is((select enrichment_status from public.accounts_with_enrichment where id = :'done'), 'enriched',
  'a failure older than the last enrichment: enriched');
select tests.claim_job(:'busy_job', 'w');
select is((select enrichment_status from public.accounts_with_enrichment where id = :'busy'), 'enriching', 'a processing job: enriching');
select tests.create_job(:'ws', 'enrich_contact', jsonb_build_object('contact_id', :'never'));
select is((select enrichment_status from public.accounts_with_enrichment where id = :'never'), 'never',
  'jobs of other types for the same id are not enrichment of the account');

-- TEST: anon cannot use the view.
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.accounts_with_enrichment $$, '42501', null, 'anon cannot read the view');

select * from finish();
rollback;
