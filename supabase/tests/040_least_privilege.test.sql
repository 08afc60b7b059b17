-- Least privilege by default: what a migration adds later is closed until it grants it, no
-- function outside public is executable through PUBLIC, sequences are not the browsers' to move,
-- and members write only the columns a user edits (never ids, attribution, timestamps or the
-- enrichment state the worker owns). The service role still reaches what the worker functions call.
begin;
select plan(43);

-- SETUP: Ada owns a workspace with an account, a contact and a pending job; Ben owns another.
select user_id as ada, workspace_id as ws from tests.sign_up('ada@least.test') \gset
select user_id as ben, workspace_id as ws_ben from tests.sign_up('ben@least.test') \gset
select tests.create_account(:'ws', 'Acme', 'acme-least.test') as account \gset
select tests.create_contact(:'ws', :'account', 'Ann', 'Acme', 'ann@acme-least.test') as contact \gset
select tests.create_job(:'ws', 'pgtap_job', '{}', now() + interval '1 day') as job \gset

-- Objects a later migration might add (created as postgres, as migrations are; rolled back at the end).
create table public.pgtap_added_later (id bigint generated always as identity primary key, n bigserial, secret text);
create function public.pgtap_added_later() returns integer language sql set search_path = '' as $$ select 1 $$;
create function private.pgtap_added_later() returns integer language sql set search_path = '' as $$ select 1 $$;

-- TEST: a table, sequence or function added to public later is closed to anon and authenticated.
select is_empty($$
  select r.rolname || ' ' || p.privilege_type
  from (values ('anon'), ('authenticated')) r(rolname),
       unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(privilege_type)
  where has_table_privilege(r.rolname, 'public.pgtap_added_later', p.privilege_type)
$$, 'a table added to public later grants nothing to anon or authenticated');
select ok(has_table_privilege('service_role', 'public.pgtap_added_later', 'select, insert, update, delete'),
  'the service role keeps its default on new tables in public (as on Supabase)');
select is_empty($$
  select r.rolname || ' ' || p.privilege_type
  from (values ('anon'), ('authenticated')) r(rolname), unnest(array['USAGE', 'SELECT', 'UPDATE']) p(privilege_type)
  where has_sequence_privilege(r.rolname, 'public.pgtap_added_later_n_seq', p.privilege_type)
$$, 'a sequence added to public later is not usable by anon or authenticated');
select is_empty($$
  select p.oid::regprocedure::text || ' to ' || case a.grantee when 0 then 'PUBLIC' else a.grantee::regrole::text end
  from pg_catalog.pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
  where p.oid in ('public.pgtap_added_later()'::regprocedure, 'private.pgtap_added_later()'::regprocedure)
    and a.privilege_type = 'EXECUTE' and a.grantee in (0, 'anon'::regrole, 'authenticated'::regrole)
$$, 'a function added later (in public or private) is executable by neither PUBLIC, anon nor authenticated');
select is_empty($$
  select d.defaclnamespace::regnamespace::text || ' ' || d.defaclobjtype::text || ' to ' || a.grantee::regrole::text
  from pg_catalog.pg_default_acl d, aclexplode(d.defaclacl) a
  where d.defaclrole = 'postgres'::regrole and a.grantee in ('anon'::regrole, 'authenticated'::regrole)
    and d.defaclnamespace in ('public'::regnamespace, 'private'::regnamespace, 'ops'::regnamespace, 0)
$$, 'no default privilege of postgres in public, private or ops names anon or authenticated');

-- TEST: no browser may TRUNCATE (it skips row level security), REFERENCES or TRIGGER a table in public.
select is_empty($$
  select c.oid::regclass::text || ' ' || r.rolname || ' ' || p.privilege_type
  from pg_catalog.pg_class c, (values ('anon'), ('authenticated')) r(rolname), unnest(array['TRUNCATE', 'REFERENCES', 'TRIGGER']) p(privilege_type)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
    and has_table_privilege(r.rolname, c.oid, p.privilege_type)
$$, 'no table or view in public grants TRUNCATE, REFERENCES or TRIGGER to anon or authenticated');

-- TEST: sequences in public are not the browsers' (identity columns draw from them without USAGE).
select is_empty($$
  select c.oid::regclass::text || ' ' || r.rolname || ' ' || p.privilege_type
  from pg_catalog.pg_class c, (values ('anon'), ('authenticated')) r(rolname), unnest(array['USAGE', 'SELECT', 'UPDATE']) p(privilege_type)
  where c.relkind = 'S' and c.relnamespace = 'public'::regnamespace and c.relname <> 'pgtap_added_later_n_seq'
    and has_sequence_privilege(r.rolname, c.oid, p.privilege_type)
$$, 'no sequence in public is usable, readable or settable by anon or authenticated');
select tests.authenticate_as('ada@least.test');
select throws_ok($$ select setval('public.job_actions_id_seq', 1000000) $$, '42501',
  'permission denied for sequence job_actions_id_seq', 'a member cannot move the job_actions sequence');
select lives_ok(format($$ insert into public.job_actions (job_id, workspace_id, action) values (%L, %L, 'cancel') $$, :'job', :'ws'),
  'a member still records a cancel in job_actions (its identity column needs no sequence grant)');
select tests.clear_authentication();
select is((select status from public.jobs where id = :'job'), 'cancelled', 'and the cancel was applied');

-- TEST: nothing in private or ops is executable through PUBLIC, nor by the browser roles.
select is_empty($$
  select p.oid::regprocedure::text from pg_catalog.pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
  where p.pronamespace in ('private'::regnamespace, 'ops'::regnamespace) and a.grantee = 0 and a.privilege_type = 'EXECUTE'
    and p.proname <> 'pgtap_added_later'
$$, 'no function in private or ops grants EXECUTE to PUBLIC');
select is_empty($$
  select p.oid::regprocedure::text || ' by ' || r.rolname
  from pg_catalog.pg_proc p, (values ('anon'), ('authenticated')) r(rolname)
  where p.pronamespace in ('private'::regnamespace, 'ops'::regnamespace) and has_function_privilege(r.rolname, p.oid, 'execute')
$$, 'no function in private or ops is executable by anon or authenticated, whatever the schema''s USAGE');
select is_empty($$
  select p.oid::regprocedure::text from pg_catalog.pg_proc p
  where p.pronamespace = 'private'::regnamespace and p.prosecdef and has_function_privilege('service_role', p.oid, 'execute')
    and p.prorettype <> 'trigger'::regtype
    and p.oid not in ('private.retry_backoff_base_seconds()'::regprocedure, 'private.record_queue_alerts(timestamptz)'::regprocedure)
$$, 'the only SECURITY DEFINER functions of private the service role may call are those a worker function calls');
select ok(not has_function_privilege('service_role', 'private.invoke_worker(text)', 'execute'),
  'the service role cannot call the worker wake-up directly');
select ok(not has_function_privilege('service_role', 'private.setting(text)', 'execute'),
  'nor read settings (the worker token) through private.setting');
select ok(not has_function_privilege('service_role', 'private.purge_old_jobs(timestamptz)', 'execute'),
  'nor run the retention purge');

-- TEST: what the service role does call still works: the worker functions, and the ops views.
select tests.create_account(:'ws', 'Worker Co', 'worker-least.test') as worker_account \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'worker_account')) as worker_job \gset
select tests.claim_job(:'worker_job', 'worker-least');
select tests.authenticate_as_service_role();
select lives_ok(format($$ select public.job_log(%L, 'worker-least', 'a line') $$, :'worker_job'),
  'as the service role: job_log (writes through private.write_job_log)');
select lives_ok(format($$ select public.apply_account_enrichment(%L, 'worker-least', '{"industry": "Software"}', '{"name": "Acme"}') $$, :'worker_job'),
  'apply_account_enrichment (charges through private.charge_enrichment_credit)');
select lives_ok(format($$ select public.complete_job(%L, 'worker-least') $$, :'worker_job'), 'complete_job');
select lives_ok($$ select public.retry_backoff_seconds(2, 0.5) $$, 'retry_backoff_seconds (reads its knob through a definer helper)');
select lives_ok($$ select public.reap_expired_leases() $$, 'reap_expired_leases (records alerts through private.record_queue_alerts)');
select lives_ok($$ select count(*) from ops.worker_invocations, ops.queue_depth, ops.oldest_due_job, ops.top_errors_24h $$,
  'the ops views (their private helpers are granted to the service role)');
select tests.clear_authentication();

-- TEST: members write only user-editable columns of accounts and contacts; workspace_id only on insert.
select set_eq($$ select column_name::text from information_schema.column_privileges
                 where table_schema = 'public' and table_name = 'accounts' and grantee = 'authenticated' and privilege_type = 'INSERT' $$,
  array['workspace_id', 'name', 'domain', 'industry', 'employee_count', 'annual_revenue', 'city', 'state', 'country', 'phone',
        'linkedin_url', 'website_url', 'description', 'founded_year'],
  'authenticated inserts into accounts only the workspace and the editable fields');
select set_eq($$ select column_name::text from information_schema.column_privileges
                 where table_schema = 'public' and table_name = 'accounts' and grantee = 'authenticated' and privilege_type = 'UPDATE' $$,
  array['name', 'domain', 'industry', 'employee_count', 'annual_revenue', 'city', 'state', 'country', 'phone',
        'linkedin_url', 'website_url', 'description', 'founded_year'],
  'authenticated updates only the editable fields of accounts');
select set_eq($$ select column_name::text from information_schema.column_privileges
                 where table_schema = 'public' and table_name = 'contacts' and grantee = 'authenticated' and privilege_type = 'INSERT' $$,
  array['workspace_id', 'account_id', 'first_name', 'last_name', 'email', 'title', 'seniority', 'phone', 'linkedin_url',
        'city', 'state', 'country'],
  'authenticated inserts into contacts only the workspace and the editable fields');
select set_eq($$ select column_name::text from information_schema.column_privileges
                 where table_schema = 'public' and table_name = 'contacts' and grantee = 'authenticated' and privilege_type = 'UPDATE' $$,
  array['account_id', 'first_name', 'last_name', 'email', 'title', 'seniority', 'phone', 'linkedin_url', 'city', 'state', 'country'],
  'authenticated updates only the editable fields of contacts');
select set_eq($$ select column_name::text from information_schema.column_privileges
                 where table_schema = 'public' and table_name = 'workspaces' and grantee = 'authenticated' and privilege_type in ('INSERT', 'UPDATE') $$,
  array['name'], 'authenticated names a workspace, nothing else (id, created_by and timestamps are the server''s)');

select tests.authenticate_as('ada@least.test');
select lives_ok(format($$ insert into public.accounts (workspace_id, name, domain, industry, employee_count, city, country)
                          values (%L, 'Spa Shaped', 'spa-shaped.test', 'Retail', 12, 'Oslo', 'Norway') $$, :'ws'),
  'a member adds an account the way the SPA does');
select throws_ok(format($$ insert into public.accounts (workspace_id, name, enriched_at) values (%L, 'Forged', now()) $$, :'ws'),
  '42501', 'permission denied for table accounts', 'but cannot create it already "enriched"');
select throws_ok(format($$ insert into public.accounts (workspace_id, name, metadata) values (%L, 'Forged', '{"apollo": {}}') $$, :'ws'),
  '42501', 'permission denied for table accounts', 'nor with Apollo metadata of its own');
select throws_ok(format($$ insert into public.accounts (workspace_id, name, created_by) values (%L, 'Forged', %L) $$, :'ws', :'ben'),
  '42501', 'permission denied for table accounts', 'nor in another user''s name');
select throws_ok(format($$ insert into public.accounts (id, workspace_id, name, created_at) values (gen_random_uuid(), %L, 'Forged', '2001-01-01') $$, :'ws'),
  '42501', 'permission denied for table accounts', 'nor choose its id or creation time');
select lives_ok(format($$ update public.accounts set city = 'Bergen', description = 'edited' where id = %L $$, :'account'),
  'a member edits an account''s fields');
select throws_ok(format($$ update public.accounts set enriched_at = now() where id = %L $$, :'account'),
  '42501', 'permission denied for table accounts', 'but cannot mark it enriched');
select throws_ok(format($$ update public.accounts set metadata = '{"apollo": {"forged": true}}' where id = %L $$, :'account'),
  '42501', 'permission denied for table accounts', 'nor rewrite its enrichment metadata');
select throws_ok(format($$ update public.accounts set workspace_id = %L where id = %L $$, :'ws', :'account'),
  '42501', 'permission denied for table accounts', 'nor set its workspace, even to the same one');
select throws_ok(format($$ update public.accounts set created_by = null, updated_at = '2001-01-01' where id = %L $$, :'account'),
  '42501', 'permission denied for table accounts', 'nor its attribution or timestamps');
select lives_ok(format($$ insert into public.contacts (workspace_id, account_id, first_name, email, title) values (%L, %L, 'Bo', 'bo@acme-least.test', 'CTO') $$,
                       :'ws', :'account'), 'a member adds a contact');
select throws_ok(format($$ insert into public.contacts (workspace_id, email, enriched_at, metadata) values (%L, 'x@acme-least.test', now(), '{}') $$, :'ws'),
  '42501', 'permission denied for table contacts', 'but not one already enriched');
select throws_ok(format($$ update public.contacts set enriched_at = now() where id = %L $$, :'contact'),
  '42501', 'permission denied for table contacts', 'nor mark a contact enriched');
select throws_ok(format($$ update public.contacts set workspace_id = %L where id = %L $$, :'ws_ben', :'contact'),
  '42501', 'permission denied for table contacts', 'nor move it to another workspace');
select throws_ok($$ insert into public.workspaces (id, name) values (gen_random_uuid(), 'Chosen id') $$,
  '42501', 'permission denied for table workspaces', 'nor choose a new workspace''s id');
select tests.clear_authentication();
select results_eq(format($$ select city, description, enriched_at, metadata, created_by from public.accounts where id = %L $$, :'account'),
  $$ values ('Bergen'::text, 'edited'::text, null::timestamptz, '{}'::jsonb, null::uuid) $$,
  'the account has the member''s edits and nothing forged (it was created by a fixture, so created_by stays null)');

select * from finish();
rollback;
