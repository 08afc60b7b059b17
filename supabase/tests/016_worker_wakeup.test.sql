-- Queueing wakes the worker at once: an AFTER INSERT ... FOR EACH STATEMENT trigger queues one
-- net.http_post per inserting statement that queued due work, however many rows it inserted,
-- and none when every inserted job is for later.
begin;
select plan(16);

-- SETUP: the worker URL points at an address of this transaction's own; a user with accounts.
select tests.capture_worker_calls() as project_url \gset
select tests.create_user('wendy@wakeup.test') as wendy \gset
select tests.personal_workspace('wendy@wakeup.test') as ws \gset
select tests.create_account(:'ws', 'Acme', 'acme.com') as acme \gset
insert into public.accounts (workspace_id, name, domain) select :'ws', 'Bulk ' || g, 'bulk' || g || '.com' from generate_series(1, 5) g;

-- TEST: one statement, one wake-up.
select is(tests.worker_calls(), 0, 'no calls yet');
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 1, 'a single-row INSERT queues exactly one worker call');
insert into public.jobs (workspace_id, job_type, payload) select :'ws', 'pgtap_job', jsonb_build_object('n', g) from generate_series(1, 100) g;
select is(tests.worker_calls('enqueue'), 2, 'a 100-row INSERT queues exactly one more (one per statement, not per row)');
insert into public.jobs (workspace_id, job_type, scheduled_for) select :'ws', 'pgtap_job', now() + interval '1 hour' from generate_series(1, 10);
select is(tests.worker_calls('enqueue'), 2, 'an INSERT of only jobs scheduled for later queues none');
insert into public.jobs (workspace_id, job_type, scheduled_for)
select :'ws', 'pgtap_job', case when g = 1 then now() else now() + interval '1 hour' end from generate_series(1, 10) g;
select is(tests.worker_calls('enqueue'), 3, 'an INSERT with one due job among later ones queues one');
insert into public.jobs (workspace_id, job_type, scheduled_for) values (:'ws', 'pgtap_job', now() - interval '1 day');
select is(tests.worker_calls('enqueue'), 4, 'a job scheduled in the past is due: one call');
insert into public.jobs (workspace_id, job_type) select :'ws', 'pgtap_job' where false;
select is(tests.worker_calls('enqueue'), 4, 'an INSERT of no rows queues none');

-- TEST: the request itself.
select results_eq(format($$ select distinct method::text, url, headers ->> 'Authorization', headers ->> 'Content-Type' from net.http_request_queue where url like %L $$,
                         :'project_url' || '%'),
  format($$ values ('POST'::text, %L::text, 'Bearer pgtap-secret-token'::text, 'application/json'::text) $$, :'project_url' || '/functions/v1/job-worker'),
  'each call is a POST to <project_url>/functions/v1/job-worker with the worker secret as bearer token');

-- TEST: the browser functions wake the worker once per call, and only when they queued something.
select tests.authenticate_as('wendy@wakeup.test');
select public.enqueue_enrichment(:'acme');
select is(tests.worker_calls('enqueue'), 5, 'enqueue_enrichment by a browser user queues one call');
select public.enqueue_enrichment(:'acme');
select is(tests.worker_calls('enqueue'), 5, 'enqueueing it again (the job exists) queues none');
select count(*) from public.enqueue_account_enrichments(array(select id from public.accounts where name like 'Bulk %'));
select is(tests.worker_calls('enqueue'), 6, 'enqueue_account_enrichments over five accounts queues one call');
select public.enqueue_job(:'ws', 'pgtap_job', '{}', 0::smallint, now() + interval '1 day');
select is(tests.worker_calls('enqueue'), 6, 'enqueue_job for tomorrow queues none');
select public.cancel_job((select id from public.jobs where subject_id = :'acme'));
select is(tests.worker_calls(), 6, 'cancelling queues none');
select public.retry_job((select id from public.jobs where subject_id = :'acme'));
select is(tests.worker_calls('retry'), 1, 'retrying queues one, with reason retry');

-- TEST: requests go out only after commit (pg_net semantics): this transaction's are invisible to others.
select tests.clear_authentication();
create extension if not exists dblink with schema extensions;
select is((select n from extensions.dblink(
    format('host=%s port=%s dbname=%s user=postgres', split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()),
    format('select count(*)::integer from net.http_request_queue where url like %L', :'project_url' || '%')) as t(n integer)), 0,
  'another session (the pg_net dispatcher) sees none of the calls before this transaction commits');
select is((select count(*)::integer from net.http_request_queue where url like :'project_url' || '%'), 7, 'seven calls in all');

select * from finish();
rollback;
