-- What a browser user may queue (checked in SQL, whatever the path): a real scheduled_for within
-- a year, a small priority range, a few attempts, a payload of at most 8 KB; and quotas: pending
-- jobs per workspace, enqueueing statements per workspace per minute, workspaces per user.
-- (Before: one REST insert with scheduled_for = '-infinity' broke every monitoring function.)
begin;
select plan(29);
set local client_min_messages = error;

-- SETUP: a member with a workspace and accounts.
select tests.create_user('rita@rules.test') as rita \gset
select tests.personal_workspace('rita@rules.test') as ws \gset
insert into public.accounts (workspace_id, name, domain) select :'ws', 'Rules ' || g, 'rules' || g || '.test' from generate_series(1, 8) g;

-- TEST: times that are not times, or too far away.
select tests.authenticate_as('rita@rules.test');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', '-infinity') $$, :'ws'),
  '22008', 'scheduled_for must be a date and time, not -infinity', '-infinity is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', 'infinity') $$, :'ws'),
  '22008', 'scheduled_for must be a date and time, not infinity', 'infinity is refused');
select throws_like(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', '9999-12-31') $$, :'ws'),
  'scheduled_for must be between now and a year from now%', 'the year 9999 is refused');
select throws_like(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', '0001-01-01') $$, :'ws'),
  'scheduled_for must be between now and a year from now%', 'the year 1 is refused');
select throws_like(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', now() - interval '2 minutes') $$, :'ws'),
  'scheduled_for must be between now and a year from now%', 'two minutes ago is refused');
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', now() + interval '364 days') $$, :'ws'),
  'within the year is fine');
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', now() - interval '30 seconds') $$, :'ws'),
  'a clock a little behind is fine');

-- TEST: priority, attempts, payload.
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, priority) values (%L, 'pgtap_job', 11) $$, :'ws'),
  '22023', 'priority must be between -10 and 10, got 11', 'priority above 10 is refused');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, priority) values (%L, 'pgtap_job', -11) $$, :'ws'),
  '22023', 'priority must be between -10 and 10, got -11', 'priority below -10 is refused');
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type, priority) values (%L, 'pgtap_job', -10) $$, :'ws'),
  'priority -10 is fine');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, max_attempts) values (%L, 'pgtap_job', 11) $$, :'ws'),
  '22023', 'max_attempts must be between 1 and 10, got 11', 'more than 10 attempts is refused');
select throws_like(format($$ insert into public.jobs (workspace_id, job_type, payload) values (%L, 'pgtap_job', jsonb_build_object('x', repeat('a', 9000))) $$, :'ws'),
  'The job payload is too large: % bytes (at most 8192)', 'a payload over 8 KB is refused');
select throws_like(format($$ select public.enqueue_job(%L, 'pgtap_job', '{}', 0::smallint, 'infinity') $$, :'ws'),
  'scheduled_for must be a date and time%', 'enqueue_job goes through the same rules');

-- TEST: the worker and operators get the table's wider limits, but never an infinite time or a huge payload.
select tests.clear_authentication();
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type, priority, scheduled_for, max_attempts)
                          values (%L, 'pgtap_job', 100, now() + interval '2 years', 50) $$, :'ws'),
  'postgres may queue with priority 100, two years ahead, 50 attempts');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, scheduled_for) values (%L, 'pgtap_job', '-infinity') $$, :'ws'),
  '22008', 'scheduled_for must be a date and time, not -infinity', 'but not at -infinity');
select throws_ok(format($$ update public.jobs set scheduled_for = 'infinity' where workspace_id = %L $$, :'ws'),
  '23514', 'new row for relation "jobs" violates check constraint "scheduled_for_is_finite"', 'nor can a job be moved to infinity later');
select throws_like(format($$ insert into public.jobs (workspace_id, job_type, payload) values (%L, 'pgtap_job', jsonb_build_object('x', repeat('a', 9000))) $$, :'ws'),
  'The job payload is too large%', 'nor with a huge payload');

-- TEST: at most max_pending_jobs_per_workspace pending jobs (PT429), counted per statement.
update private.settings set value = '12' where key = 'max_pending_jobs_per_workspace';
select is((select count(*)::integer from public.jobs where workspace_id = :'ws' and status = 'pending'), 4, 'four pending so far');
select tests.authenticate_as('rita@rules.test');
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type) select %L, 'pgtap_job' from generate_series(1, 8) $$, :'ws'),
  'up to the quota is fine (12 pending)');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type) values (%L, 'pgtap_job') $$, :'ws'),
  'PT429', 'This workspace has too many jobs waiting: 12 pending, at most 12', 'one more is refused with PT429 (HTTP 429)');
select throws_like(format($$ select count(*) from public.enqueue_account_enrichments(array(select id from public.accounts where workspace_id = %L)) $$, :'ws'),
  'This workspace has too many jobs waiting%', 'a bulk Enrich over the quota is refused whole (no partial queue)');
select tests.clear_authentication();
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type) values (%L, 'pgtap_job') $$, :'ws'),
  'the worker and operators are not held to the quota');

-- TEST: auto-enrich over the quota keeps the user's accounts and queues nothing.
update public.workspace_settings set apollo_auto_enrich = true where workspace_id = :'ws';
select tests.authenticate_as('rita@rules.test');
select lives_ok(format($$ insert into public.accounts (workspace_id, name, domain) values (%L, 'Kept', 'kept.test') $$, :'ws'),
  'creating an account in a workspace at its quota works');
select is((select count(*)::integer from public.jobs j join public.accounts a on a.id::text = j.subject_id where a.domain = 'kept.test'), 0,
  'and auto-enrich queued no job for it');
select tests.clear_authentication();
update public.workspace_settings set apollo_auto_enrich = false where workspace_id = :'ws';
delete from public.jobs where workspace_id = :'ws';
update private.settings set value = '10000' where key = 'max_pending_jobs_per_workspace';

-- TEST: at most max_enqueues_per_workspace_minute enqueueing statements per workspace per minute.
update private.settings set value = '3' where key = 'max_enqueues_per_workspace_minute';
delete from private.rate_limit_windows where bucket = 'enqueue:' || :'ws';
select tests.authenticate_as('rita@rules.test');
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type) select %L, 'pgtap_job' from generate_series(1, 50) $$, :'ws'),
  'one statement of 50 jobs counts once');
select lives_ok(format($$ select public.enqueue_job(%L, 'pgtap_job'); select public.enqueue_job(%L, 'pgtap_job') $$, :'ws', :'ws'),
  'two more statements: three in the minute');
select throws_like(format($$ select public.enqueue_job(%L, 'pgtap_job') $$, :'ws'),
  'Too many requests to queue jobs in this workspace: at most 3 per minute', 'the fourth is refused with PT429');
select tests.clear_authentication();
update private.settings set value = '120' where key = 'max_enqueues_per_workspace_minute';

-- TEST: at most max_workspaces_per_user workspaces per user.
update private.settings set value = '2' where key = 'max_workspaces_per_user';
select tests.authenticate_as('rita@rules.test');
select lives_ok($$ insert into public.workspaces (name) values ('Second') $$, 'a second workspace is fine');
select throws_ok($$ insert into public.workspaces (name) values ('Third') $$, 'PT429',
  'You have created 2 workspaces, the most one user may create', 'a third is refused with PT429');
select tests.clear_authentication();

select * from finish();
rollback;
