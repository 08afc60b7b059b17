-- Who may call what. Worker-only functions are executable by service_role alone; the browser
-- functions by authenticated (and service_role), never by anon; nothing in private is reachable
-- by an API role; no SECURITY DEFINER function can be called by anon or authenticated.
begin;
select plan(50);

-- SETUP: the expected EXECUTE rights of every function in public, per role.
create temporary table expected_execute (fn regprocedure, anon boolean, authenticated boolean, service_role boolean) on commit drop;
insert into expected_execute values
  -- worker-only (service_role)
  ('public.claim_jobs(text, integer, integer, text[], timestamptz, integer, uuid)', false, false, true),
  ('public.release_job(uuid, text, double precision, text, timestamptz)', false, false, true),
  ('public.reserve_enrichment_credit(uuid, text, timestamptz)', false, false, true),
  ('public.import_account_rows(uuid, text, jsonb, integer, bigint, text[], text)', false, false, true),
  ('public.finish_import(uuid, text)', false, false, true),
  ('public.import_contact_rows(uuid, text, jsonb, integer, bigint, text[], text)', false, false, true),
  ('public.pause_workspace_jobs(uuid, timestamptz, text)', false, false, true),
  ('public.job_log(uuid, text, text, text, jsonb)', false, false, true),
  ('public.job_progress(uuid, text, numeric, text, text, jsonb, integer, timestamptz)', false, false, true),
  ('public.complete_job(uuid, text, jsonb, text, timestamptz)', false, false, true),
  ('public.complete_jobs(text, jsonb, timestamptz)', false, false, true),
  ('public.fail_job(uuid, text, text, boolean, double precision, timestamptz)', false, false, true),
  ('public.retry_backoff_seconds(integer, double precision)', false, false, true),
  ('public.reap_expired_leases(timestamptz)', false, false, true),
  ('public.queue_stats(timestamptz)', false, false, true),
  ('public.apply_account_enrichment(uuid, text, jsonb, jsonb, timestamptz)', false, false, true),
  ('public.apply_contact_enrichment(uuid, text, jsonb, jsonb, timestamptz)', false, false, true),
  ('public.begin_worker_run(text, integer, integer)', false, false, true),
  ('public.end_worker_run(text)', false, false, true),
  ('public.wake_another_worker(text, integer, double precision)', false, false, true),
  ('public.seconds_until_due(text[], timestamptz)', false, false, true),
  ('public.take_apollo_permit(text, text, timestamptz)', false, false, true),
  ('public.record_apollo_answer(text, text, jsonb, double precision, timestamptz)', false, false, true),
  ('public.pause_apollo_key(text, timestamptz, text)', false, false, true),
  ('public.set_apollo_pacing_key(uuid, text)', false, false, true),
  -- browser (authenticated), and the service role for the jobs API
  ('public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer)', false, true, true),
  ('public.enqueue_enrichment(uuid, smallint)', false, true, true),
  ('public.enqueue_account_enrichments(uuid[])', false, true, true),
  ('public.enqueue_contact_enrichment(uuid, smallint)', false, true, true),
  ('public.cancel_job(uuid)', false, true, true),
  ('public.start_import(text, text, jsonb, text, boolean, text)', false, true, true),
  ('public.workspace_credits_used_since(uuid, timestamptz)', false, true, true),
  ('public.utc_month_start(timestamptz)', false, true, true),
  ('public.workspace_credit_budget(uuid)', false, true, true),
  ('public.workspace_daily_usage(uuid, integer)', false, true, true),
  ('public.workspace_top_errors(uuid, integer, integer)', false, true, true),
  ('public.retry_job(uuid)', false, true, true);

-- TEST: every function in public is listed above (a new one must say who may call it).
select set_eq($$ select p.oid::regprocedure::text from pg_catalog.pg_proc p where p.pronamespace = 'public'::regnamespace $$,
              $$ select fn::text from expected_execute $$,
  'every function in public has its expected privileges listed in this test');

-- TEST: has_function_privilege for each function and each API role.
select results_eq(
  format($$ select has_function_privilege('anon', %L, 'execute'), has_function_privilege('authenticated', %L, 'execute'),
                   has_function_privilege('service_role', %L, 'execute') $$, e.fn, e.fn, e.fn),
  format($$ values (%L::boolean, %L::boolean, %L::boolean) $$, e.anon, e.authenticated, e.service_role),
  format('%s: executable by %s', (e.fn::regproc)::text,
         case when e.authenticated then 'authenticated and service_role, not anon' else 'service_role alone' end))
from expected_execute e
order by e.authenticated, e.fn::text;

-- TEST: nothing in public is executable through PUBLIC (which every role, anon included, belongs to).
select is_empty($$
  select p.oid::regprocedure::text from pg_catalog.pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
  where p.pronamespace = 'public'::regnamespace and a.grantee = 0 and a.privilege_type = 'EXECUTE'
$$, 'no function in public grants EXECUTE to PUBLIC');

-- TEST: private is closed to API roles; service_role reaches what workers need.
select schema_privs_are('private', 'anon', array[]::text[], 'anon has no access to schema private');
select schema_privs_are('private', 'authenticated', array[]::text[], 'authenticated has no access to schema private');
select schema_privs_are('private', 'service_role', array['USAGE'], 'service_role may use schema private (worker functions call into it)');
select table_privs_are('private', 'settings', 'service_role', array[]::text[], 'private.settings (worker secret) is not readable even by service_role');

-- TEST: no SECURITY DEFINER function can be called by anon or authenticated.
select is_empty($$
  select p.oid::regprocedure::text || ' by ' || r.rolname
  from pg_catalog.pg_proc p, (values ('anon'), ('authenticated')) r(rolname)
  where p.prosecdef
    and p.pronamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'tests'::regnamespace)
    and has_schema_privilege(r.rolname, p.pronamespace, 'usage')
    and has_function_privilege(r.rolname, p.oid, 'execute')
$$, 'no SECURITY DEFINER function is callable by anon or authenticated');
select is_empty($$
  select p.oid::regprocedure::text from pg_catalog.pg_proc p
  where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
    and not coalesce(p.proconfig @> array['search_path=""'], false)
$$, 'every function in public and private runs with search_path = ''''');

-- TEST: table privileges of the API roles.
select is_empty($$
  select c.relname || ': ' || p.privilege_type from pg_catalog.pg_class c, lateral (
    select unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as privilege_type) p
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v')
    and has_table_privilege('anon', c.oid, p.privilege_type)
$$, 'anon has no privilege on any table or view in public');
select table_privs_are('public', 'jobs', 'authenticated', array['SELECT'], 'authenticated may only select jobs (inserts are column-limited)');
select table_privs_are('public', 'job_logs', 'authenticated', array['SELECT'], 'authenticated may only select job_logs');
select column_privs_are('public', 'workspace_settings', 'apollo_api_key_encrypted', 'authenticated', array[]::text[],
  'authenticated has no privilege at all on the key ciphertext');
select is((select array_agg(column_name::text order by column_name::text) from information_schema.column_privileges
           where table_schema = 'public' and table_name = 'jobs' and grantee = 'authenticated' and privilege_type = 'INSERT'),
  array['job_type', 'max_attempts', 'payload', 'priority', 'scheduled_for', 'workspace_id'],
  'a browser inserting a job sets only what queueing needs: never status, attempts, lease or results');

select * from finish();
rollback;
