-- Queueing jobs: enqueue_job (generic), enqueue_enrichment, enqueue_account_enrichments and
-- enqueue_contact_enrichment, called by a signed-in member as the browser does. One active job
-- per (workspace, job type, subject): queueing again returns the job already pending or
-- processing; once it has finished, a new one is created.
begin;
select plan(36);

-- SETUP: Eve with accounts and contacts in her workspace; Mallory in another.
select user_id as eve, workspace_id as ws from tests.sign_up('eve@enqueue.test') \gset
select user_id as mallory, workspace_id as other_ws from tests.sign_up('mallory@enqueue.test') \gset
select tests.create_account(:'ws', 'Acme', 'acme.com') as acme \gset
select tests.create_account(:'ws', 'Globex', 'globex.com') as globex \gset
select tests.create_account(:'ws', 'No Domain Ltd') as nodomain \gset
select tests.create_account(:'other_ws', 'Initech', 'initech.com') as initech \gset
select tests.create_contact(:'ws', :'acme', 'Wile', 'Coyote', 'wile@acme.com') as wile \gset
select tests.create_contact(:'ws', :'acme', 'Road', 'Runner') as road \gset
select tests.create_contact(:'ws', null, 'Cher') as cher \gset
select tests.create_contact(:'ws', null, null, null, null, 'https://linkedin.com/in/someone') as linked \gset
select tests.create_contact(:'other_ws', null, 'Peter', 'Gibbons', 'peter@initech.com') as peter \gset
select tests.authenticate_as('eve@enqueue.test');

-- TEST: enqueue_enrichment queues a pending job for the account.
select id as job from public.enqueue_enrichment(:'acme') \gset
select results_eq(format($$ select workspace_id, job_type, status, payload, attempts, max_attempts, created_by from public.jobs where id = %L $$, :'job'),
  format($$ values (%L::uuid, 'enrich_account'::text, 'pending'::text, jsonb_build_object('account_id', %L::uuid, 'domain', 'acme.com'), 0, 5, %L::uuid) $$,
         :'ws', :'acme', :'eve'),
  'enqueue_enrichment queues enrich_account for the account''s workspace, with account_id and domain, by the caller');

-- TEST: dedupe.
select is((select id from public.enqueue_enrichment(:'acme')), :'job'::uuid, 'enriching again while it is pending returns the same job');
select is((select count(*)::integer from public.jobs where subject_id = :'acme'), 1, 'and queues nothing new');
select tests.clear_authentication();
select tests.claim_job(:'job', 'worker-a');
select tests.authenticate_as('eve@enqueue.test');
select is((select id from public.enqueue_enrichment(:'acme')), :'job'::uuid, 'while it is processing, the same job again');
select tests.clear_authentication();
select public.complete_job(:'job', 'worker-a');
select tests.authenticate_as('eve@enqueue.test');
select id as job2 from public.enqueue_enrichment(:'acme') \gset
select isnt(:'job2'::uuid, :'job'::uuid, 'once it has completed, enriching again queues a new job');
select tests.clear_authentication();
select tests.claim_job(:'job2', 'worker-a');
select public.fail_job(:'job2', 'worker-a', 'no', false);
select tests.authenticate_as('eve@enqueue.test');
select id as job3 from public.enqueue_enrichment(:'acme') \gset
select ok(:'job3'::uuid not in (:'job'::uuid, :'job2'::uuid), 'once it has failed, enriching again queues a new job');
select public.cancel_job(:'job3');
select isnt((select id from public.enqueue_enrichment(:'acme')), :'job3'::uuid, 'once it was cancelled, enriching again queues a new job');
select is((select count(*)::integer from public.jobs where subject_id = :'acme' and status in ('pending', 'processing')), 1,
  'there is never more than one active job for the account');

-- TEST: enqueue_enrichment refuses what it cannot do, with the codes PostgREST turns into 404 and 400.
select throws_ok(format($$ select public.enqueue_enrichment(%L) $$, gen_random_uuid()), 'PT404', 'Account not found',
  'an unknown account: PT404 Account not found');
select throws_ok(format($$ select public.enqueue_enrichment(%L) $$, :'initech'), 'PT404', 'Account not found',
  'another workspace''s account: PT404 too (it is invisible, not forbidden)');
select throws_ok(format($$ select public.enqueue_enrichment(%L) $$, :'nodomain'), 'P0001', 'This account has no domain',
  'an account without a domain: P0001 This account has no domain');
select is((select count(*)::integer from public.jobs where subject_id in (:'initech', :'nodomain')), 0, 'none of those queued anything');

-- TEST: priority passes through.
select is((select priority from public.enqueue_enrichment(:'globex', 7::smallint)), 7::smallint, 'enqueue_enrichment passes a priority on');

-- TEST: enqueue_account_enrichments queues a selection in one go.
select tests.clear_authentication();
update public.jobs set status = 'cancelled', cancelled_at = now() where subject_id in (:'acme', :'globex') and status = 'pending';
select tests.create_account(:'ws', 'Umbrella', 'umbrella.com') as umbrella \gset
select tests.authenticate_as('eve@enqueue.test');
select id as acme_job from public.enqueue_enrichment(:'acme') \gset
select results_eq(format($$ select payload ->> 'account_id', status from public.enqueue_account_enrichments(array[%L, %L, %L, %L, %L, %L]::uuid[])
                            order by 1 $$, :'acme', :'globex', :'umbrella', :'nodomain', :'initech', :'acme'),
  format($$ values (%L, 'pending'), (%L, 'pending'), (%L, 'pending') $$,
         least(:'acme', :'globex', :'umbrella'),
         (select x from unnest(array[:'acme', :'globex', :'umbrella']) x order by x offset 1 limit 1),
         greatest(:'acme', :'globex', :'umbrella')),
  'one active job per account with a domain, each account once; no domain or another workspace''s: skipped');
select is((select count(*)::integer from public.jobs where subject_id = :'acme' and status = 'pending'), 1,
  'the account that already had a pending job still has just that one');
select ok(:'acme_job'::uuid in (select id from public.enqueue_account_enrichments(array[:'acme']::uuid[])),
  'and the existing job is what comes back for it');
select is_empty($$ select * from public.enqueue_account_enrichments('{}') $$, 'an empty selection queues nothing');
select throws_ok($$ select public.enqueue_account_enrichments(array(select gen_random_uuid() from generate_series(1, 501))) $$,
  '22023', 'At most 500 accounts can be enriched at once', 'more than 500 accounts at once is refused');

-- TEST: enqueue_contact_enrichment.
select results_eq(format($$ select job_type, status, payload from public.enqueue_contact_enrichment(%L) $$, :'wile'),
  format($$ values ('enrich_contact'::text, 'pending'::text, jsonb_build_object('contact_id', %L::uuid, 'email', 'wile@acme.com')) $$, :'wile'),
  'a contact with an email: enrich_contact with contact_id and email');
select is((select id from public.enqueue_contact_enrichment(:'wile')),
          (select id from public.jobs where subject_id = :'wile'), 'enriching the contact again returns the same job');
select results_eq(format($$ select payload from public.enqueue_contact_enrichment(%L) $$, :'road'),
  format($$ values (jsonb_build_object('contact_id', %L::uuid)) $$, :'road'),
  'a full name at an account with a domain is enough (no email in the payload then)');
select lives_ok(format($$ select public.enqueue_contact_enrichment(%L) $$, :'linked'), 'a LinkedIn URL alone is enough');
select throws_ok(format($$ select public.enqueue_contact_enrichment(%L) $$, :'cher'), 'P0001', 'Not enough to identify this contact',
  'a first name alone is not: P0001');
select throws_ok(format($$ select public.enqueue_contact_enrichment(%L) $$, gen_random_uuid()), 'PT404', 'Contact not found',
  'an unknown contact: PT404');
select throws_ok(format($$ select public.enqueue_contact_enrichment(%L) $$, :'peter'), 'PT404', 'Contact not found',
  'another workspace''s contact: PT404');

-- TEST: enqueue_job, the generic way in (the jobs API).
select results_eq(format($$ select workspace_id, job_type, payload, priority, scheduled_for, max_attempts, status
                            from public.enqueue_job(%L, 'import_csv', '{"file": "a.csv"}', 3::smallint, now() + interval '1 hour', 2) $$, :'ws'),
  format($$ values (%L::uuid, 'import_csv'::text, '{"file": "a.csv"}'::jsonb, 3::smallint, now() + interval '1 hour', 2, 'pending'::text) $$, :'ws'),
  'enqueue_job queues any job type with the given payload, priority, time and attempts');
select isnt((select id from public.enqueue_job(:'ws', 'import_csv', '{"file": "a.csv"}')),
            (select id from public.enqueue_job(:'ws', 'import_csv', '{"file": "a.csv"}')),
  'jobs without a subject (no account_id or contact_id) are never merged');
select is((select id from public.enqueue_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'acme'))), :'acme_job'::uuid,
  'enqueue_job dedupes on the subject as well');
select isnt((select id from public.enqueue_job(:'ws', 'score_account', jsonb_build_object('account_id', :'acme'))), :'acme_job'::uuid,
  'another job type for the same account is a job of its own');
select results_eq(format($$ select payload, priority, max_attempts from public.enqueue_job(%L, 'defaults_test', null, null, null, null) $$, :'ws'),
  $$ values ('{}'::jsonb, 0::smallint, 5) $$, 'nulls fall back to the defaults');
select throws_ok(format($$ select public.enqueue_job(%L, 'import_csv') $$, :'other_ws'), '42501', 'You are not a member of this workspace',
  'nobody queues a job in a workspace they do not belong to');
select throws_ok(format($$ select public.enqueue_job(%L, 'Bad Type') $$, :'ws'), '22023', 'Unknown job type "Bad Type"', 'a malformed job type is refused');
select throws_ok(format($$ select public.enqueue_job(%L, 'import_csv', '[]') $$, :'ws'), '23514', null, 'a payload that is not an object is refused');

-- TEST: the service role (the jobs API with the service key) may queue anywhere.
select tests.authenticate_as_service_role();
select is((select workspace_id from public.enqueue_job(:'other_ws', 'import_csv')), :'other_ws'::uuid,
  'the service role queues in any workspace');
select is((select created_by from public.enqueue_enrichment(:'initech')), null, 'and its jobs have no creator');

-- TEST: two jobs for the same subject cannot be active at once, whoever inserts them.
select tests.clear_authentication();
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, payload) values (%L, 'enrich_account', jsonb_build_object('account_id', %L::text)) $$,
                        :'ws', :'acme'),
  '23505', 'duplicate key value violates unique constraint "jobs_active_subject_key"',
  'a plain INSERT of a second active job for the same account is refused');

select * from finish();
rollback;
