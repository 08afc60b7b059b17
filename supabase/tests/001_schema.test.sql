-- The schema: the tables and columns the spec's SQL reads, RLS everywhere, comments, indexes
-- for foreign keys, and the constraints that keep nonsense (and states the worker would
-- misread) out of jobs, job_logs, accounts, contacts and workspace_settings.
begin;
select plan(51);

-- SETUP: a workspace without members (created as postgres) and one pending job in it.
select tests.create_workspace('Schema tests') as ws \gset
select tests.create_job(:'ws') as job \gset

-- TEST: the tables exist, and each has every column the spec's SQL reads.
select tables_are('public',
  array['workspaces', 'workspace_members', 'accounts', 'contacts', 'workspace_settings', 'jobs', 'job_logs', 'job_actions', 'job_types',
        'latest_account_enrichments', 'imports', 'import_errors', 'import_quotas'],
  'public has exactly the app''s tables');
select is_empty($$
  select c from unnest(array['id', 'workspace_id', 'job_type', 'payload', 'status', 'progress', 'attempts', 'max_attempts',
                             'scheduled_for', 'next_retry_at', 'started_at', 'completed_at', 'error_message', 'created_at']) c
  where not exists (select 1 from information_schema.columns i
                    where i.table_schema = 'public' and i.table_name = 'jobs' and i.column_name = c)
$$, 'jobs has every column the spec reads');
select is_empty($$
  select c from unnest(array['job_id', 'log_level', 'message', 'metadata', 'created_at']) c
  where not exists (select 1 from information_schema.columns i
                    where i.table_schema = 'public' and i.table_name = 'job_logs' and i.column_name = c)
$$, 'job_logs has every column the spec reads');
select is_empty($$
  select c from unnest(array['id', 'name', 'domain', 'industry', 'employee_count', 'annual_revenue', 'city', 'state',
                             'country', 'enriched_at', 'metadata', 'linkedin_url', 'website_url', 'description',
                             'founded_year', 'phone']) c
  where not exists (select 1 from information_schema.columns i
                    where i.table_schema = 'public' and i.table_name = 'accounts' and i.column_name = c)
$$, 'accounts has every column the spec reads, and the firmographics enrichment fills');
select is_empty($$
  select c from unnest(array['workspace_id', 'apollo_api_key_encrypted', 'apollo_auto_enrich', 'enrichment_credits_used']) c
  where not exists (select 1 from information_schema.columns i
                    where i.table_schema = 'public' and i.table_name = 'workspace_settings' and i.column_name = c)
$$, 'workspace_settings has every column the spec reads');

-- TEST: RLS is on for every table in public, and each has a primary key.
select is_empty($$
  select c.relname from pg_catalog.pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity
$$, 'every table in public has row level security enabled');
select is_empty($$
  select c.relname from pg_catalog.pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
    and not exists (select 1 from pg_catalog.pg_constraint k where k.conrelid = c.oid and k.contype = 'p')
$$, 'every table in public has a primary key');

-- TEST: every table, view and function of the app carries a comment.
select is_empty($$
  select c.oid::regclass::text from pg_catalog.pg_class c
  where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind in ('r', 'v', 'p')
    and obj_description(c.oid, 'pg_class') is null
$$, 'every table and view in public and private has a comment');
select is_empty($$
  select p.oid::regprocedure::text from pg_catalog.pg_proc p
  where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
    and obj_description(p.oid, 'pg_proc') is null
$$, 'every function in public and private has a comment');

-- TEST: every foreign key column is the leading column of an index.
select is_empty($$
  select k.conrelid::regclass::text || '.' || a.attname
  from pg_catalog.pg_constraint k
  join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
  where k.contype = 'f' and k.connamespace = 'public'::regnamespace
    and not exists (select 1 from pg_catalog.pg_index i where i.indrelid = k.conrelid and i.indkey[0] = k.conkey[1])
$$, 'every foreign key column leads an index');
select has_index('public', 'jobs', 'jobs_claimable_idx', array['workspace_id', 'priority', 'scheduled_for', 'id'],
  'claim_jobs has its index: claimable pending jobs by workspace, priority, due time');

-- TEST: the spec's raw INSERT (Test 6) gives a complete job that a worker can claim.
insert into jobs (workspace_id, job_type, payload, status)
values (:'ws', 'enrich_account',
        '{"account_id": "00000000-0000-0000-0000-000000000000", "domain": "nonexistent.fake"}'::jsonb, 'pending');
select results_eq($$
  select status, attempts, max_attempts, priority, progress, errors, subject_id, scheduled_for <= now(),
         next_retry_at, locked_by, locked_until, started_at, error_message
  from public.jobs where workspace_id = (select id from public.workspaces where name = 'Schema tests') and job_type = 'enrich_account'
$$, $$
  values ('pending'::text, 0, 5, 0::smallint, '{"percentage": 0}'::jsonb, '[]'::jsonb,
          '00000000-0000-0000-0000-000000000000'::text, true,
          null::timestamptz, null::text, null::timestamptz, null::timestamptz, null::text)
$$, 'a raw INSERT gets every default: pending, 0 of 5 attempts, progress 0 %, due now, no lease, subject from payload');
select results_eq($$
  select job_type, status, attempts from public.claim_jobs('schema-worker', 10, 60, array['enrich_account'])
  where workspace_id = (select id from public.workspaces where name = 'Schema tests')
$$, $$ values ('enrich_account'::text, 'processing'::text, 1) $$,
  'the raw-inserted job is claimable');

-- TEST: jobs rejects nonsense.
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status) values (%L, 'test_noop', 'done') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_status_check"', 'an unknown status is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, attempts) values (%L, 'test_noop', -1) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_attempts_check"', 'negative attempts are refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, payload) values (%L, 'test_noop', '[1]') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_payload_check"', 'a payload that is not an object is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, payload) values (%L, 'test_noop', '"x"') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_payload_check"', 'a scalar payload is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, payload) values (%L, 'test_noop', null) $$, :'ws'),
  '23502', null, 'a null payload is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status, attempts, max_attempts, failed_at)
                          values (%L, 'test_noop', 'failed', 6, 5, now()) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "attempts_within_max"', 'more attempts than max_attempts are refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, attempts, max_attempts) values (%L, 'test_noop', 3, 3) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "pending_has_attempts_left"',
  'a pending job without attempts left is refused (claiming it could never succeed)');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, max_attempts) values (%L, 'test_noop', 0) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_max_attempts_check"', 'max_attempts below 1 is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type) values (%L, 'Enrich Account') $$, :'ws'),
  '22023', 'Unknown job type "Enrich Account"', 'a job_type that is not a registered type is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, priority) values (%L, 'test_noop', 101) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_priority_check"', 'priority above 100 is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, progress) values (%L, 'test_noop', '{"percentage": 101}') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_progress_check"', 'progress above 100 % is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, progress) values (%L, 'test_noop', '{"message": "x"}') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_progress_check"', 'progress without a percentage is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, progress) values (%L, 'test_noop', '{"percentage": "50"}') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_progress_check"', 'a percentage that is not a number is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, errors) values (%L, 'test_noop', '{}') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "jobs_errors_check"', 'errors that are not an array are refused');

-- TEST: jobs ties each state to its timestamps and lease.
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status, started_at) values (%L, 'test_noop', 'processing', now()) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "processing_holds_a_lease"', 'processing without a lease is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, locked_by, locked_until) values (%L, 'test_noop', 'w', now()) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "processing_holds_a_lease"', 'a lease on a job that is not processing is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status, attempts, locked_by, locked_until)
                          values (%L, 'test_noop', 'processing', 1, 'w', now()) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "processing_has_started"', 'processing without started_at is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status) values (%L, 'test_noop', 'completed') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "completed_has_completed_at"', 'completed without completed_at is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, completed_at) values (%L, 'test_noop', now()) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "completed_has_completed_at"', 'completed_at on a pending job is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status) values (%L, 'test_noop', 'failed') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "failed_has_failed_at"', 'failed without failed_at is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status) values (%L, 'test_noop', 'cancelled') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "cancelled_has_cancelled_at"', 'cancelled without cancelled_at is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status, started_at, completed_at)
                          values (%L, 'test_noop', 'completed', now(), now() - interval '1 second') $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "completed_at_is_after_started_at"', 'completing before starting is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status, completed_at, next_retry_at)
                          values (%L, 'test_noop', 'completed', now(), now()) $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "next_retry_only_when_pending"', 'a retry time on a finished job is refused');
select throws_ok(format($$ update public.jobs set status = 'completed' where id = %L $$, :'job'),
  '23514', 'new row for relation "jobs" violates check constraint "completed_has_completed_at"',
  'an UPDATE is held to the same rules as an INSERT');

-- TEST: job_logs, accounts, contacts and workspace_settings reject nonsense too.
select throws_ok(format($$ insert into public.job_logs (job_id, workspace_id, log_level, message) values (%L, %L, 'fatal', 'x') $$, :'job', :'ws'),
  '23514', 'new row for relation "job_logs" violates check constraint "job_logs_log_level_check"', 'an unknown log level is refused');
select throws_ok(format($$ insert into public.job_logs (job_id, workspace_id, message) values (%L, %L, '') $$, :'job', :'ws'),
  '23514', 'new row for relation "job_logs" violates check constraint "job_logs_message_check"', 'an empty log message is refused');
select throws_ok(format($$ insert into public.job_logs (job_id, workspace_id, message, metadata) values (%L, %L, 'x', '[]') $$, :'job', :'ws'),
  '23514', 'new row for relation "job_logs" violates check constraint "job_logs_metadata_check"', 'log metadata that is not an object is refused');
select throws_ok(format($$ insert into public.accounts (workspace_id, name, domain) values (%L, 'Bad', 'not a domain') $$, :'ws'),
  '23514', 'new row for relation "accounts" violates check constraint "accounts_domain_check"', 'a domain that is not a host name is refused');
select throws_ok(format($$ insert into public.accounts (workspace_id, name) values (%L, '   ') $$, :'ws'),
  '23514', 'new row for relation "accounts" violates check constraint "accounts_name_check"', 'a blank account name is refused');
select throws_ok(format($$ insert into public.accounts (workspace_id, name, metadata) values (%L, 'Meta', '[]') $$, :'ws'),
  '23514', 'new row for relation "accounts" violates check constraint "accounts_metadata_check"', 'account metadata that is not an object is refused');
select throws_ok(format($$ insert into public.accounts (workspace_id, name, domain) values (%L, 'Acme 1', 'acme.com'), (%L, 'Acme 2', 'https://www.ACME.com/') $$, :'ws', :'ws'),
  '23505', null, 'one account per domain in a workspace, whatever form the domain was typed in');
select throws_ok(format($$ insert into public.contacts (workspace_id, title) values (%L, 'CEO') $$, :'ws'),
  '23514', 'new row for relation "contacts" violates check constraint "contacts_identifiable"', 'a contact without email, LinkedIn or name is refused');
select throws_ok(format($$ insert into public.contacts (workspace_id, email) values (%L, 'not-an-email') $$, :'ws'),
  '23514', 'new row for relation "contacts" violates check constraint "contacts_email_check"', 'a malformed email is refused');
select throws_ok(format($$ update public.workspace_settings set enrichment_credits_used = -1 where workspace_id = %L $$, :'ws'),
  '23514', 'new row for relation "workspace_settings" violates check constraint "workspace_settings_enrichment_credits_used_check"',
  'negative credits are refused');
select throws_ok(format($$ update public.workspace_settings set apollo_api_key_encrypted = 'v1:a:b' where workspace_id = %L $$, :'ws'),
  '23514', 'new row for relation "workspace_settings" violates check constraint "key_and_last4_together"',
  'a key without its last four characters is refused');

-- TEST: generated and defaulted columns.
select tests.create_job(:'ws', 'enrich_contact', '{"contact_id": "c-1"}') as contact_job \gset
select is((select subject_id from public.jobs where id = :'contact_job'), 'c-1', 'subject_id is payload.contact_id for contact jobs');
select is((select subject_id from public.jobs where id = :'job'), null, 'a job without account_id or contact_id has no subject');
update public.workspace_settings set apollo_api_key_encrypted = 'v1:a:b', apollo_api_key_last4 = '1234' where workspace_id = :'ws';
select is((select has_apollo_key from public.workspace_settings where workspace_id = :'ws'), true,
  'has_apollo_key follows the ciphertext column');
select * from finish();
rollback;
