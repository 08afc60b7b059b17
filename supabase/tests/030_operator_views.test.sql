-- Operator views (schema ops), the record of worker calls, the alerting hook in the reaper, and the
-- workspace_activity view a workspace's owners and admins see. ops is for postgres and the service
-- role only. Repeatable read: the views count every workspace, so the snapshot keeps other
-- sessions' commits (cron, other tests) out of the numbers compared here.
begin isolation level repeatable read;
select plan(52);
set local client_min_messages = error; -- the alerting hook's WARNING lines are expected here

-- TEST: who may read ops (service_role only) ---------------------------------------------------
select schema_privs_are('ops', 'anon', array[]::text[], 'anon has no access to schema ops');
select schema_privs_are('ops', 'authenticated', array[]::text[], 'authenticated has no access to schema ops');
select schema_privs_are('ops', 'service_role', array['USAGE'], 'service_role may use schema ops');
select results_eq($$
  select c.relname::text collate "default", has_table_privilege('anon', c.oid, 'select'), has_table_privilege('authenticated', c.oid, 'select'),
         has_table_privilege('service_role', c.oid, 'select')
  from pg_catalog.pg_class c where c.relnamespace = 'ops'::regnamespace and c.relkind in ('r', 'v') order by 1 $$,
  $$ values ('alerts'::text, false, false, true), ('credits_daily', false, false, true), ('job_failure_rate_24h', false, false, true),
            ('oldest_due_job', false, false, true), ('queue_depth', false, false, true), ('top_errors_24h', false, false, true),
            ('worker_invocations', false, false, true) $$,
  'every table and view in ops is selectable by service_role, and by neither anon nor authenticated');
select table_privs_are('ops', 'alerts', 'service_role', array['SELECT'], 'service_role only reads ops.alerts (the reaper writes it)');
select results_eq($$
  select p.proname::text collate "default", has_function_privilege('anon', p.oid, 'execute'), has_function_privilege('authenticated', p.oid, 'execute'),
         has_function_privilege('service_role', p.oid, 'execute')
  from pg_catalog.pg_proc p where p.pronamespace = 'ops'::regnamespace order by 1 $$,
  $$ values ('alert_thresholds'::text, false, false, true), ('current_alerts', false, false, true), ('health_snapshot', false, false, true) $$,
  'the ops functions are executable by service_role alone');
select is_empty($$
  select p.oid::regprocedure::text from pg_catalog.pg_proc p
  where p.pronamespace = 'ops'::regnamespace and not coalesce(p.proconfig @> array['search_path=""'], false)
$$, 'every ops function runs with search_path = ''''');
select table_privs_are('private', 'worker_calls', 'service_role', array[]::text[], 'private.worker_calls is not readable even by service_role');
select is((select reloptions from pg_catalog.pg_class where oid = 'public.workspace_activity'::regclass), array['security_invoker=true'],
  'public.workspace_activity is security_invoker (the caller''s RLS applies)');
select is_empty($$
  select c.relname from pg_catalog.pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
    and not coalesce(c.reloptions @> array['security_invoker=true'], false)
$$, 'no view in the exposed schema public runs with its owner''s rights');

select tests.authenticate_as_service_role();
select lives_ok($$ select * from ops.worker_invocations, ops.alerts limit 1 $$, 'service_role reads ops.worker_invocations and ops.alerts');
select lives_ok($$ select (select count(*) from ops.queue_depth) + (select count(*) from ops.oldest_due_job)
                        + (select count(*) from ops.job_failure_rate_24h) + (select count(*) from ops.top_errors_24h)
                        + (select count(*) from ops.credits_daily) $$, 'service_role reads the queue, failure and credit views');
select lives_ok($$ select ops.health_snapshot(), (select count(*) from ops.current_alerts()) $$, 'service_role runs ops.health_snapshot and ops.current_alerts');
select tests.clear_authentication();
select tests.create_user('eve@ops.test');
select tests.authenticate_as('eve@ops.test');
select throws_ok($$ select * from ops.worker_invocations $$, '42501', null, 'a signed-in user cannot read ops.worker_invocations');
select throws_ok($$ select ops.health_snapshot() $$, '42501', null, 'nor call ops.health_snapshot');
select tests.clear_authentication();
select tests.authenticate_as_anon();
select throws_ok($$ select * from ops.queue_depth $$, '42501', null, 'anon cannot read ops.queue_depth');
select throws_ok($$ select * from public.workspace_activity $$, '42501', null, 'anon cannot read public.workspace_activity');
select tests.clear_authentication();

-- TEST: private.invoke_worker records each call it queues -------------------------------------
select tests.capture_worker_calls() as project_url \gset
select private.invoke_worker('pgtap') as ok_call \gset
select private.invoke_worker('pgtap') as refused_call \gset
select results_eq(format($$ select reason, url, timeout_milliseconds from private.worker_calls where request_id = %s $$, :ok_call),
  format($$ values ('pgtap'::text, %L::text, 60000) $$, :'project_url' || '/functions/v1/job-worker'),
  'each call is recorded with its pg_net request id, reason, endpoint and timeout');
select is(tests.worker_calls('pgtap'), 2, 'and still queued exactly once through pg_net');

-- pg_net's answers (as net._http_response rows) to the two calls, and what the view makes of them.
insert into net._http_response (id, status_code, content_type, content, timed_out, created)
values (:ok_call, 200, 'application/json', '{"success":true,"duration_ms":42,"claimed":0}', false, clock_timestamp() + interval '50 milliseconds'),
       (:refused_call, 401, 'application/json', '{"error":"Unauthorized"}', false, clock_timestamp() + interval '50 milliseconds');
select results_eq(format($$ select request_id, status_code, outcome, worker_duration_ms, round_trip_ms >= 0 from ops.worker_invocations
                            where request_id in (%s, %s) order by request_id $$, :ok_call, :refused_call),
  format($$ values (%s::bigint, 200, 'ok'::text, 42, true), (%s::bigint, 401, 'http_error'::text, null::integer, true) $$, :ok_call, :refused_call),
  'ops.worker_invocations joins each call to its answer: status, outcome, the worker''s duration_ms, the round trip');
select results_eq($$
  select private.worker_call_outcome(s, t, e, a, now() - age, 60000, now())
  from (values (200, false, null, true, interval '1 s'), (204, false, null, true, interval '1 s'), (503, false, null, true, interval '1 s'),
               (null, true, 'Timeout of 60000 ms reached', true, interval '1 min'),
               (null, null, 'Timeout of 5000 ms reached', true, interval '1 min'),
               (null, null, 'Couldn''t connect to server', true, interval '1 s'),
               (null, null, null, false, interval '90 s'), (null, null, null, false, interval '3 min'),
               (null, null, null, false, interval '7 hours')) v(s, t, e, a, age) $$,
  $$ values ('ok'::text), ('ok'), ('http_error'), ('timeout'), ('timeout'), ('error'), ('waiting'), ('no_response'), ('expired') $$,
  'outcomes: 2xx ok, other statuses http_error, timeouts (pg_net''s too), connection errors, waiting within timeout + 60 s, then no_response, expired after pg_net''s 6 h');

-- TEST: the queue, failure and credit views ----------------------------------------------------
select tests.create_workspace('pgtap ops views') as ws \gset
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 1}', now() - interval '10 minutes') as old_due \gset
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 2}') as due \gset
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 3}', now() + interval '1 hour') as later \gset
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 4}') as running \gset
select tests.claim_job(:'running', 'worker-ops');
select tests.create_completed_job(:'ws', 'pgtap_ops', '{"n": 5}', 1);
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 6}', now(), 0::smallint, 1) as broken_a \gset
select tests.claim_job(:'broken_a', 'worker-ops');
select public.fail_job(:'broken_a', 'worker-ops', 'pgtap ops boom for ' || gen_random_uuid(), true);
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 7}', now(), 0::smallint, 1) as broken_b \gset
select tests.claim_job(:'broken_b', 'worker-ops');
select public.fail_job(:'broken_b', 'worker-ops', 'pgtap ops boom for ' || gen_random_uuid(), true);
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 8}') as retried \gset
select tests.claim_job(:'retried', 'worker-ops');
select public.fail_job(:'retried', 'worker-ops', 'pgtap ops boom for ' || gen_random_uuid(), true, 3600);

select results_eq($$ select status, jobs, due, paused, oldest_due_age_seconds from ops.queue_depth where job_type = 'pgtap_ops' $$,
  $$ values ('pending'::text, 4, 2, 0, 600), ('processing', 1, 0, 0, null), ('failed', 2, 0, 0, null), ('completed', 1, 0, 0, null) $$,
  'queue_depth: jobs by status (pending first), due ones, and the oldest due one''s age');
select results_eq($$ select job_id, age_seconds, overdue from ops.oldest_due_job $$,
  format($$ values (%L::uuid, 600, true) $$, :'old_due'), 'oldest_due_job: the job due for 10 minutes, overdue (over 300 s)');
select results_eq($$ select completed, failed, cancelled, failure_rate, failed_attempts from ops.job_failure_rate_24h where job_type = 'pgtap_ops' $$,
  $$ values (1, 2, 0, 0.6667::numeric, 3) $$, 'job_failure_rate_24h: finished jobs of the last 24 h, failed / (completed + failed), failed attempts (retried one too)');
select ok((select failed >= 2 and completed >= 1 from ops.job_failure_rate_24h where job_type = '(all)'), 'and an (all) row over every job type');
select results_eq($$ select occurrences, jobs, job_types from ops.top_errors_24h where message = 'pgtap ops boom for <id>' $$,
  $$ values (3, 3, array['pgtap_ops'::text]) $$, 'top_errors_24h: the same error with different ids counts as one message');
select is(private.normalize_error('Worker supabase-local-1795930500041-89ba1b2c stopped responding: its lease expired at 2026-11-29T05:35:00Z'),
  'Worker supabase-local-<n> stopped responding: its lease expired at <time>', 'worker ids and timestamps are normalised too');
select results_eq(format($$ select day, credits_used, jobs_charged from ops.credits_daily where workspace_id = %L $$, :'ws'),
  $$ values ((now() at time zone 'UTC')::date, 1, 1) $$, 'credits_daily: credits per workspace per UTC day');

-- TEST: the alerts ------------------------------------------------------------------------------
select ok(exists(select 1 from ops.current_alerts() where kind = 'jobs_overdue' and (details ->> 'jobs')::integer >= 1),
  'a job due for 10 minutes raises jobs_overdue (default threshold 300 s)');
select matches((select message from ops.current_alerts() where kind = 'jobs_overdue'), 'have been due for more than 300 s',
  'saying how long and what to check');
update private.settings set value = '3600' where key = 'alert_due_after_seconds';
select is_empty($$ select 1 from ops.current_alerts() where kind = 'jobs_overdue' $$, 'with alert_due_after_seconds = 3600 it does not');
select is((select alert_due_after_seconds from ops.alert_thresholds()), 3600, 'ops.alert_thresholds reports the setting in effect');
update private.settings set value = 'soon' where key = 'alert_due_after_seconds';
select is((select alert_due_after_seconds from ops.alert_thresholds()), 300, 'an invalid setting falls back to the default');
update private.settings set value = '300' where key = 'alert_due_after_seconds';
update public.workspace_settings set jobs_paused_until = now() + interval '10 minutes' where workspace_id = :'ws';
select is_empty($$ select 1 from ops.current_alerts() where kind = 'jobs_overdue' $$,
  'jobs of a workspace paused for Apollo''s rate limit are not overdue');
update public.workspace_settings set jobs_paused_until = now() - interval '1 minute' where workspace_id = :'ws';
select is_empty($$ select 1 from ops.current_alerts() where kind = 'jobs_overdue' $$,
  'nor right after the pause ends: they are due since the pause ended');
update public.workspace_settings set jobs_paused_until = null where workspace_id = :'ws';

-- Worker calls 30 s ahead, so they are the newest whatever else is recorded; judged at now() + 40 s,
-- when this test's own enqueue wake-ups (never answered: rolled back) are still waiting, not failed.
create temporary table fake_calls on commit drop as
  select 9000000000 + g as request_id, now() + interval '30 seconds' + make_interval(secs => g) as at from generate_series(1, 4) g;
insert into private.worker_calls (request_id, reason, url, timeout_milliseconds, requested_at)
  select request_id, 'cron', 'http://pgtap.invalid/functions/v1/job-worker', 60000, at from fake_calls where request_id < 9000000004;
insert into net._http_response (id, status_code, content, created)
  select request_id, 401, '{"error":"Unauthorized"}', at + interval '1 second' from fake_calls where request_id < 9000000004;
select results_eq($$ select kind, details ->> 'latest_status', details ->> 'failed_calls' from ops.current_alerts(now() + interval '40 seconds')
                     where kind = 'worker_calls_failing' $$,
  $$ values ('worker_calls_failing'::text, '401'::text, '3'::text) $$, 'three failed calls in a row raise worker_calls_failing');
select matches((select message from ops.current_alerts(now() + interval '40 seconds') where kind = 'worker_calls_failing'),
  'worker_secret_token is not the function''s WORKER_SECRET_TOKEN', 'with what a 401 means');
update private.settings set value = '5' where key = 'alert_failed_calls';
select is_empty($$ select 1 from ops.current_alerts(now() + interval '40 seconds') where kind = 'worker_calls_failing' $$,
  'with alert_failed_calls = 5, three are not enough');
update private.settings set value = '3' where key = 'alert_failed_calls';
insert into private.worker_calls (request_id, reason, url, timeout_milliseconds, requested_at)
  select request_id, 'cron', 'http://pgtap.invalid/functions/v1/job-worker', 60000, at from fake_calls where request_id = 9000000004;
select ok(exists(select 1 from ops.current_alerts(now() + interval '40 seconds') where kind = 'worker_calls_failing'),
  'a newer call still waiting for its answer does not count either way');
insert into net._http_response (id, status_code, content, created)
  select request_id, 200, '{"success":true}', at + interval '1 second' from fake_calls where request_id = 9000000004;
select is_empty($$ select 1 from ops.current_alerts(now() + interval '40 seconds') where kind = 'worker_calls_failing' $$,
  'one answered call clears it');
select is((ops.health_snapshot(now() + interval '40 seconds') -> 'last_worker_call' ->> 'status_code'), '200',
  'health_snapshot reports the last worker call');

select ok(ops.health_snapshot() -> 'alerts' @> '[{"kind": "jobs_overdue"}]', 'health_snapshot lists the current alerts');

-- TEST: the reaper records alerts in ops.alerts -------------------------------------------------
select public.reap_expired_leases();
select results_eq($$ select checks, resolved_at is null from ops.alerts where kind = 'jobs_overdue' and first_seen_at = now() $$,
  $$ values (1, true) $$, 'the reaper opens a jobs_overdue alert');
select public.reap_expired_leases();
select results_eq($$ select count(*)::integer, max(checks) from ops.alerts where kind = 'jobs_overdue' and resolved_at is null $$,
  $$ values (1, 2) $$, 'and refreshes the same row while it lasts');
delete from public.jobs where id = :'old_due';
select public.reap_expired_leases();
select results_eq($$ select resolved_at from ops.alerts where kind = 'jobs_overdue' and first_seen_at = now() $$,
  $$ values (now()) $$, 'and resolves it once no job is overdue');
select tests.delete_vault_secret('project_url');
select tests.delete_vault_secret('worker_secret_token');
select ok(exists(select 1 from ops.current_alerts() where kind = 'worker_not_configured' and message ~ 'project_url, worker_secret_token'),
  'without the worker''s URL and secret: worker_not_configured');
select tests.capture_worker_calls();

-- A broken alerting hook never stops the reaping.
alter table ops.alerts rename to alerts_gone;
select tests.create_job(:'ws', 'pgtap_ops', '{"n": 9}', now() - interval '1 hour') as lost \gset
select tests.claim_job(:'lost', 'crashed-worker', 1, now() - interval '30 minutes');
select cmp_ok(public.reap_expired_leases(), '>=', 1, 'with the alerting hook broken, the reaper still reaps');
select is((select status from public.jobs where id = :'lost'), 'pending', 'the lost job is back in the queue');
alter table ops.alerts_gone rename to alerts;

-- TEST: workspace_activity, as owners, members and strangers see it ---------------------------
select user_id as ada, workspace_id as ws_ada from tests.sign_up('ada@ops.test') \gset
select tests.create_user('ben@ops.test') as ben \gset
select user_id as cy, workspace_id as ws_cy from tests.sign_up('cy@ops.test') \gset
select tests.add_member(:'ws_ada', 'ben@ops.test', 'member');
select tests.create_job(:'ws_ada', 'pgtap_ops', '{"n": 1}', now() - interval '10 minutes');
select tests.create_job(:'ws_ada', 'pgtap_ops', '{"n": 2}', now() + interval '1 hour');
select tests.create_job(:'ws_ada', 'pgtap_ops', '{"n": 3}') as ada_running \gset
select tests.claim_job(:'ada_running', 'w');
select tests.create_completed_job(:'ws_ada', 'pgtap_ops', '{"n": 4}', 1);
select tests.create_job(:'ws_ada', 'pgtap_ops', '{"n": 5}', now(), 0::smallint, 1) as ada_failed \gset
select tests.claim_job(:'ada_failed', 'w');
select public.fail_job(:'ada_failed', 'w', 'no', false);
update public.workspace_settings set enrichment_credits_used = 7 where workspace_id = :'ws_ada';

select tests.authenticate_as('ada@ops.test');
select results_eq($$ select workspace_id, pending, due, processing, oldest_due_age_seconds, completed_24h, failed_24h, failure_rate_24h,
                            credits_today, credits_7d, credits_total from public.workspace_activity $$,
  format($$ values (%L::uuid, 2, 1, 1, 600, 1, 1, 0.5000::numeric, 1, 1, 7) $$, :'ws_ada'),
  'the owner sees her workspace''s numbers: pending, due, processing, oldest due age, 24 h outcomes and rate, credits');
select tests.authenticate_as('ben@ops.test');
select is_empty(format($$ select 1 from public.workspace_activity where workspace_id = %L $$, :'ws_ada'),
  'a plain member does not see the numbers of a workspace he is only a member of');
select tests.authenticate_as('cy@ops.test');
select results_eq($$ select workspace_id, pending from public.workspace_activity $$, format($$ values (%L::uuid, 0) $$, :'ws_cy'),
  'another owner sees only his own workspace');
select tests.clear_authentication();
select tests.add_member(:'ws_ada', 'cy@ops.test', 'admin');
select tests.authenticate_as('cy@ops.test');
select is((select count(*)::integer from public.workspace_activity), 2, 'an admin of a second workspace sees both');
select tests.clear_authentication();

select * from finish();
rollback;
