-- Queueing wakes the worker at once, but not once per statement: an AFTER INSERT ... FOR EACH
-- STATEMENT trigger asks for a wake-up when the statement queued due work, and
-- private.request_wakeup sends one only when no registered invocation will see the job and no
-- wake-up went out in the last wakeup_debounce_milliseconds. A worker invocation registers while
-- it runs (begin_worker_run) and unregisters through end_worker_run, which waits for the
-- enqueuers that skipped their wake-up (they hold the wake-up lock shared until they end).
begin;
select plan(31);

-- SETUP: the worker URL points at an address of this transaction's own; a user with accounts.
select tests.capture_worker_calls() as project_url \gset
select tests.create_user('wendy@wakeup.test') as wendy \gset
select tests.personal_workspace('wendy@wakeup.test') as ws \gset
select tests.create_account(:'ws', 'Acme', 'acme.com') as acme \gset
insert into public.accounts (workspace_id, name, domain) select :'ws', 'Bulk ' || g, 'bulk' || g || '.com' from generate_series(1, 5) g;

-- TEST: while an invocation is stopping (it holds the wake-up lock exclusively), an enqueuer cannot
-- count on it and wakes the worker itself. (First: afterwards this transaction holds the lock shared.)
create extension if not exists dblink with schema extensions;
select extensions.dblink_connect('stopper', tests.dblink_connstr('pgtap_stopper'));
select * from extensions.dblink('stopper', format('select pg_advisory_lock(%s)::text', private.wakeup_lock_key())) as t(locked text);
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 1, 'the worker is woken at once');
update private.worker_wakeups set last_sent_at = clock_timestamp();
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 2, 'even inside the debounce window');
select * from extensions.dblink('stopper', format('select pg_advisory_unlock(%s)::text', private.wakeup_lock_key())) as t(unlocked text);
select extensions.dblink_disconnect('stopper');

select tests.forget_wakeups();

-- TEST: which statements ask for a wake-up (each after the debounce window has passed).
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 3, 'a single-row INSERT queues a worker call');
select tests.forget_wakeups();
insert into public.jobs (workspace_id, job_type, payload) select :'ws', 'pgtap_job', jsonb_build_object('n', g) from generate_series(1, 100) g;
select is(tests.worker_calls('enqueue'), 4, 'a 100-row INSERT queues exactly one (one per statement, not per row)');
select tests.forget_wakeups();
insert into public.jobs (workspace_id, job_type, scheduled_for) select :'ws', 'pgtap_job', now() + interval '1 hour' from generate_series(1, 10);
select is(tests.worker_calls('enqueue'), 4, 'an INSERT of only jobs scheduled for later queues none');
insert into public.jobs (workspace_id, job_type, scheduled_for)
select :'ws', 'pgtap_job', case when g = 1 then now() else now() + interval '1 hour' end from generate_series(1, 10) g;
select is(tests.worker_calls('enqueue'), 5, 'an INSERT with one due job among later ones queues one');
select tests.forget_wakeups();
insert into public.jobs (workspace_id, job_type, scheduled_for) values (:'ws', 'pgtap_job', now() - interval '1 day');
select is(tests.worker_calls('enqueue'), 6, 'a job scheduled in the past is due: one call');
select tests.forget_wakeups();
insert into public.jobs (workspace_id, job_type) select :'ws', 'pgtap_job' where false;
select is(tests.worker_calls('enqueue'), 6, 'an INSERT of no rows queues none');

-- TEST: the request itself.
select results_eq(format($$ select distinct method::text, url, headers ->> 'Authorization', headers ->> 'Content-Type' from net.http_request_queue where url like %L $$,
                         :'project_url' || '%'),
  format($$ values ('POST'::text, %L::text, 'Bearer pgtap-secret-token'::text, 'application/json'::text) $$, :'project_url' || '/functions/v1/job-worker'),
  'each call is a POST to <project_url>/functions/v1/job-worker with the worker secret as bearer token');

-- TEST: debounced: within wakeup_debounce_milliseconds of a wake-up, more statements send none.
select tests.forget_wakeups();
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
do $$ begin for i in 1..20 loop insert into public.jobs (workspace_id, job_type) values (tests.personal_workspace('wendy@wakeup.test'), 'pgtap_job'); end loop; end $$;
select is(tests.worker_calls('enqueue'), 7, '21 single-row INSERTs in a row: one wake-up, not 21');
update private.worker_wakeups set last_sent_at = clock_timestamp() - interval '300 milliseconds';
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 8, 'once the window (250 ms by default) has passed, the next one wakes the worker again');
update private.settings set value = '5000' where key = 'wakeup_debounce_milliseconds';
update private.worker_wakeups set last_sent_at = clock_timestamp() - interval '1 second';
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 8, 'the window is the setting wakeup_debounce_milliseconds');
update private.settings set value = '250' where key = 'wakeup_debounce_milliseconds';

-- TEST: a registered (running) invocation takes new jobs itself: no wake-up while it runs.
select tests.forget_wakeups();
select public.begin_worker_run('pgtap-worker-1', 60);
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 8, 'while an invocation is registered, enqueueing wakes none');
select ok(exists (select 1 from pg_catalog.pg_locks l
                  where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.mode = 'ShareLock'
                    and ((l.classid::bigint << 32) | l.objid::bigint) = private.wakeup_lock_key()),
  'the enqueuer that skipped its wake-up holds the wake-up lock shared until it ends (end_worker_run waits for it)');
update private.worker_runs set expires_at = clock_timestamp() - interval '1 second' where worker_id = 'pgtap-worker-1';
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 9, 'an invocation past its expiry (crashed) does not count: the worker is woken');
select public.begin_worker_run('pgtap-worker-1', 60);
select is((select count(*)::integer from private.worker_runs where worker_id = 'pgtap-worker-1'), 1, 'registering again renews the run');
select is(public.begin_worker_run('pgtap-worker-2', 60, 1), false, 'with one invocation running and a cap of one, another is refused');
select is(public.begin_worker_run('pgtap-worker-1', 60, 1), true, 'the running one may always renew');
select public.end_worker_run('pgtap-worker-1');
select is((select count(*)::integer from private.worker_runs where worker_id = 'pgtap-worker-1'), 0, 'end_worker_run unregisters it');
select is((select last_sent_at from private.worker_wakeups), '-infinity'::timestamptz,
  'with no invocation left, the debounce window is reset: the next enqueue wakes a new one at once');
insert into public.jobs (workspace_id, job_type) values (:'ws', 'pgtap_job');
select is(tests.worker_calls('enqueue'), 10, 'and it does');

-- TEST: the browser functions ask once per call, and only when they queued something.
select tests.forget_wakeups();
select tests.authenticate_as('wendy@wakeup.test');
select public.enqueue_enrichment(:'acme');
select is(tests.worker_calls('enqueue'), 11, 'enqueue_enrichment by a browser user queues one call');
select tests.forget_wakeups();
select public.enqueue_enrichment(:'acme');
select is(tests.worker_calls('enqueue'), 11, 'enqueueing it again (the job exists) queues none');
select count(*) from public.enqueue_account_enrichments(array(select id from public.accounts where name like 'Bulk %'));
select is(tests.worker_calls('enqueue'), 12, 'enqueue_account_enrichments over five accounts queues one call');
select tests.forget_wakeups();
select public.enqueue_job(:'ws', 'pgtap_job', '{}', 0::smallint, now() + interval '1 day');
select is(tests.worker_calls('enqueue'), 12, 'enqueue_job for tomorrow queues none');
select public.cancel_job((select id from public.jobs where subject_id = :'acme'));
select is(tests.worker_calls(), 12, 'cancelling queues none');
select public.retry_job((select id from public.jobs where subject_id = :'acme'));
select is(tests.worker_calls('retry'), 1, 'retrying queues one, with reason retry');
select public.cancel_job((select id from public.jobs where subject_id = :'acme'));
select public.retry_job((select id from public.jobs where subject_id = :'acme'));
select is(tests.worker_calls('retry'), 1, 'retrying again at once is debounced like an enqueue');

-- TEST: the worker's side is the service role's (the role worker functions are granted to).
-- (Last: end_worker_run takes the wake-up lock exclusively until this transaction ends.)
select tests.authenticate_as_service_role();
select lives_ok($$ select public.begin_worker_run('pgtap-service', 5); select public.end_worker_run('pgtap-service');
                   select public.wake_another_worker('fan_out', 0) $$,
  'the service role can register, unregister and ask for another invocation');
select tests.clear_authentication();

-- TEST: requests go out only after commit (pg_net semantics): this transaction's are invisible to others.
select tests.clear_authentication();
select is((select n from extensions.dblink(
    tests.dblink_connstr('pgtap_dispatcher'),
    format('select count(*)::integer from net.http_request_queue where url like %L', :'project_url' || '%')) as t(n integer)), 0,
  'another session (the pg_net dispatcher) sees none of the calls before this transaction commits');
select is((select count(*)::integer from net.http_request_queue where url like :'project_url' || '%'), 13, 'thirteen calls in all');

select * from finish();
rollback;
