-- latest_account_enrichments: the latest enrich_account job of each account, kept by statement
-- triggers on jobs, which accounts_with_enrichment joins on its primary key. It follows every write
-- (insert, status changes, created_at changes, deletes), ignores jobs that name no account, is
-- visible to members only, and a count over the view reads neither it nor jobs.
begin;
select plan(17);

-- SETUP: a member with two accounts, and a stranger.
select tests.create_user('lena@latest.test') as lena \gset
select tests.create_user('sam@latest.test') as sam \gset
select tests.personal_workspace('lena@latest.test') as ws \gset
select tests.create_account(:'ws', 'Alpha', 'alpha.example') as alpha \gset
select tests.create_account(:'ws', 'Beta', 'beta.example') as beta \gset
select tests.create_account(tests.personal_workspace('sam@latest.test'), 'Sam Co', 'sam.example') as sams \gset

create function pg_temp.latest(account_id uuid) returns text
language sql stable set search_path = '' as $$
  select format('%s %s %s', l.job_id, l.status, coalesce(l.error_message, '-'))
  from public.latest_account_enrichments l where l.account_id = latest.account_id
$$;

-- TEST: a new job, then its progress through the queue.
select is(pg_temp.latest(:'alpha'), null, 'an account never enriched has no row');
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'alpha')) as first_job \gset
select is(pg_temp.latest(:'alpha'), :'first_job' || ' pending -', 'queueing a job records it as the latest, pending');
select tests.claim_job(:'first_job', 'w');
select is(pg_temp.latest(:'alpha'), :'first_job' || ' processing -', 'claiming it: processing');
select public.fail_job(:'first_job', 'w', 'Apollo said no', false);
select is(pg_temp.latest(:'alpha'), :'first_job' || ' failed Apollo said no', 'failing it: failed, with its error');

-- TEST: a newer job takes over; created_at decides, as the view's ordering did.
update public.jobs set created_at = now() - interval '1 hour' where id = :'first_job';
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'alpha')) as second_job \gset
select is(pg_temp.latest(:'alpha'), :'second_job' || ' pending -', 'a second job is the latest');
update public.jobs set created_at = now() + interval '1 hour' where id = :'first_job';
select is(pg_temp.latest(:'alpha'), :'first_job' || ' failed Apollo said no', 'moving the first job''s created_at later makes it the latest again');
update public.jobs set created_at = now() - interval '1 hour' where id = :'first_job';

-- TEST: deletes fall back to the latest job left, or to no row.
delete from public.jobs where id = :'second_job';
select is(pg_temp.latest(:'alpha'), :'first_job' || ' failed Apollo said no', 'deleting the latest job shows the one before');
delete from public.jobs where id = :'first_job';
select is(pg_temp.latest(:'alpha'), null, 'deleting the last one removes the row');

-- TEST: jobs that name no account, and other types, are recorded nowhere and fail nothing.
select lives_ok($$ insert into public.jobs (workspace_id, job_type, payload)
                   values (tests.personal_workspace('lena@latest.test'), 'enrich_account',
                           '{"account_id": "00000000-0000-0000-0000-000000000000", "domain": "nonexistent.fake"}') $$,
  'a job for an account that does not exist is queued (the spec''s SQL)');
select lives_ok($$ insert into public.jobs (workspace_id, job_type, payload)
                   values (tests.personal_workspace('lena@latest.test'), 'enrich_account', '{"account_id": "not-a-uuid"}') $$,
  'and one whose account_id is not a uuid');
select tests.create_job(:'ws', 'enrich_contact', jsonb_build_object('contact_id', :'beta'));
select is((select count(*)::integer from public.latest_account_enrichments where workspace_id = :'ws'), 0,
  'none of them is anyone''s latest enrichment');

-- TEST: a bulk enqueue records every account at once; deleting an account deletes its row.
select tests.authenticate_as('lena@latest.test');
select is((select count(*)::integer from public.enqueue_account_enrichments(array[:'alpha', :'beta']::uuid[])), 2,
  'a member enqueues both accounts in one call');
select tests.clear_authentication();
select is((select count(*)::integer from public.latest_account_enrichments where workspace_id = :'ws' and status = 'pending'), 2,
  'both are recorded');
delete from public.accounts where id = :'beta';
select is((select count(*)::integer from public.latest_account_enrichments where account_id = :'beta'), 0,
  'a deleted account''s row goes with it');

-- TEST: only members see the rows; anon nothing.
select tests.create_job(tests.personal_workspace('sam@latest.test'), 'enrich_account', jsonb_build_object('account_id', :'sams'));
select tests.authenticate_as('lena@latest.test');
select results_eq($$ select account_id from public.latest_account_enrichments $$, format($$ values (%L::uuid) $$, :'alpha'),
  'a member sees her workspace''s rows only');
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.latest_account_enrichments $$, '42501', null, 'anon cannot read the table');

-- TEST: the accounts list's count reads accounts alone (the join to the latest job is dropped).
create function pg_temp.plan_of(query text) returns text
language plpgsql set search_path = '' as $$
declare
  v_line text;
  v_plan text := '';
begin
  for v_line in execute 'explain ' || plan_of.query loop
    v_plan := v_plan || v_line || E'\n';
  end loop;
  return v_plan;
end
$$;
select tests.authenticate_as('lena@latest.test');
select ok(pg_temp.plan_of(format('select count(*) from public.accounts_with_enrichment where workspace_id = %L', :'ws'))
            !~ '(jobs|latest_account_enrichments)',
  'counting accounts_with_enrichment touches neither jobs nor latest_account_enrichments');

select * from finish();
rollback;
