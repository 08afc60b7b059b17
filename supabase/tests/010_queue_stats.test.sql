-- queue_stats: the numbers the worker's health check reports. The counts are global, so each
-- test compares with the numbers taken before its jobs were added, in one snapshot (repeatable
-- read), so jobs committed meanwhile by other sessions do not change the differences.
begin isolation level repeatable read;
select plan(8);

-- SETUP: the numbers before; then in a fresh workspace: 2 due pending jobs (one 10 minutes
-- old), 1 scheduled for later, 1 processing, 1 failed and 1 completed today, 1 completed 2 days ago.
create temporary table before_stats on commit drop as select public.queue_stats() as s;
select tests.create_workspace('Stats tests') as ws \gset
select tests.create_job(:'ws', 'pgtap_job', '{}', now() - interval '10 minutes') as old_due \gset
select tests.create_job(:'ws') as due \gset
select tests.create_job(:'ws', 'pgtap_job', '{}', now() + interval '1 hour') as later \gset
select tests.create_job(:'ws') as running \gset
select tests.claim_job(:'running', 'worker-a');
select tests.create_job(:'ws') as failed \gset
select tests.claim_job(:'failed', 'worker-a');
select public.fail_job(:'failed', 'worker-a', 'no', false);
select tests.create_job(:'ws') as completed \gset
select tests.claim_job(:'completed', 'worker-a');
select public.complete_job(:'completed', 'worker-a');
insert into public.jobs (workspace_id, job_type, status, attempts, started_at, completed_at, created_at)
values (:'ws', 'pgtap_job', 'completed', 1, now() - interval '2 days', now() - interval '2 days', now() - interval '2 days');
create temporary table after_stats on commit drop as select public.queue_stats() as s;

-- TEST: the counts.
select is((select (a.s ->> 'pending')::integer - (b.s ->> 'pending')::integer from after_stats a, before_stats b), 3,
  'pending counts every pending job, due or not');
select is((select (a.s ->> 'due')::integer - (b.s ->> 'due')::integer from after_stats a, before_stats b), 2,
  'due counts the pending jobs that may run now');
select is((select (a.s ->> 'processing')::integer - (b.s ->> 'processing')::integer from after_stats a, before_stats b), 1,
  'processing counts running jobs');
select is((select (a.s ->> 'failed_last_24h')::integer - (b.s ->> 'failed_last_24h')::integer from after_stats a, before_stats b), 1,
  'failed_last_24h counts today''s failures');
select is((select (a.s ->> 'completed_last_24h')::integer - (b.s ->> 'completed_last_24h')::integer from after_stats a, before_stats b), 1,
  'completed_last_24h counts today''s completions, not older ones');
select cmp_ok((select (s ->> 'oldest_pending_age_seconds')::integer from after_stats), '>=', 600,
  'oldest_pending_age_seconds is at least the age of our 10-minute-old due job');
select is((select array_agg(k order by k) from after_stats, jsonb_object_keys(s) k),
  array['completed_last_24h', 'due', 'failed_last_24h', 'oldest_pending_age_seconds', 'pending', 'processing', 'waiting_for_disabled_types'],
  'queue_stats reports exactly these keys');
select is((public.queue_stats(now() - interval '1 year') ->> 'oldest_pending_age_seconds')::integer, 0,
  'with nothing due (as of a year ago) the oldest due age is 0');

select * from finish();
rollback;
