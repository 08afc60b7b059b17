-- claim_jobs: which jobs a worker gets (due, by priority then age, of the types it handles),
-- what a claim does to them (lease, attempt counted), argument checks, and that a job locked
-- by another session is skipped instead of waited for (FOR UPDATE SKIP LOCKED).
begin;
select plan(28);

-- SETUP: a workspace of our own; all times are relative to t0 = now() (fixed in a transaction).
select tests.create_workspace('Claim tests') as ws \gset
create temporary table claimed (id uuid, worker text) on commit drop;

-- TEST: arguments are checked.
select throws_ok($$ select public.claim_jobs(null) $$, '22023', 'claim_jobs: worker_id is required', 'a worker must name itself');
select throws_ok($$ select public.claim_jobs('   ') $$, '22023', 'claim_jobs: worker_id is required', 'a blank worker id is refused');
select throws_ok($$ select public.claim_jobs('w', 0) $$, '22023', 'claim_jobs: max_jobs must be between 1 and 1000, got 0', 'max_jobs 0 is refused');
select throws_ok($$ select public.claim_jobs('w', 1001) $$, '22023', 'claim_jobs: max_jobs must be between 1 and 1000, got 1001', 'max_jobs above 1000 is refused');
select throws_ok($$ select public.claim_jobs('w', null) $$, '22023', null, 'a null max_jobs is refused');
select throws_ok($$ select public.claim_jobs('w', 1, 0) $$, '22023', 'claim_jobs: lease_seconds must be between 1 and 3600, got 0', 'a lease of 0 s is refused');
select throws_ok($$ select public.claim_jobs('w', 1, 3601) $$, '22023', 'claim_jobs: lease_seconds must be between 1 and 3600, got 3601', 'a lease over an hour is refused');
select throws_ok($$ select public.claim_jobs('w', 1, null) $$, '22023', null, 'a null lease is refused');

-- TEST: nothing due, nothing claimed.
select is_empty($$ select * from public.claim_jobs('w', 5, 60, array['claim_test']) $$, 'with nothing queued a claim returns no rows');

-- TEST: a job is claimed once it is due, not before.
select tests.create_job(:'ws', 'claim_test', '{}', now() + interval '10 minutes') as later \gset
select is_empty($$ select * from public.claim_jobs('w', 5, 60, array['claim_test']) $$, 'a job scheduled for later is not claimed now');
select is_empty($$ select * from public.claim_jobs('w', 5, 60, array['claim_test'], now() + interval '9 minutes 59 seconds') $$,
  'nor a second before it is due');
select results_eq($$ select id from public.claim_jobs('w', 5, 60, array['claim_test'], now() + interval '10 minutes') $$,
  format($$ values (%L::uuid) $$, :'later'), 'it is claimed once due');

-- TEST: the claim takes the lease and counts the attempt.
select results_eq(format($$ select status, attempts, locked_by, locked_until, started_at, next_retry_at from public.jobs where id = %L $$, :'later'),
  $$ values ('processing'::text, 1, 'w'::text, now() + interval '11 minutes', now() + interval '10 minutes', null::timestamptz) $$,
  'the job is processing, attempt 1, leased to the worker for lease_seconds from the claim, started at the claim');
select is_empty($$ select * from public.claim_jobs('w2', 5, 60, array['claim_test'], now() + interval '1 hour') $$,
  'a job being processed is not claimed again');

-- TEST: priority first, then the oldest due time, then id.
select tests.create_job(:'ws', 'claim_order', '{}', now() - interval '3 minutes') as old_low \gset
select tests.create_job(:'ws', 'claim_order', '{}', now() - interval '1 minute', 5::smallint) as new_high \gset
select tests.create_job(:'ws', 'claim_order', '{}', now() - interval '2 minutes') as mid_low \gset
select tests.create_job(:'ws', 'claim_order', '{}', now() - interval '10 minutes', (-1)::smallint) as oldest_lowest \gset
insert into claimed select id, 'first' from public.claim_jobs('w', 1, 60, array['claim_order']);
insert into claimed select id, 'second' from public.claim_jobs('w', 1, 60, array['claim_order']);
insert into claimed select id, 'third' from public.claim_jobs('w', 1, 60, array['claim_order']);
insert into claimed select id, 'fourth' from public.claim_jobs('w', 1, 60, array['claim_order']);
select results_eq($$ select worker from claimed order by case worker when 'first' then 1 when 'second' then 2 when 'third' then 3 else 4 end $$,
  $$ values ('first'::text), ('second'), ('third'), ('fourth') $$, 'four claims of one job each took one job each');
select is((select worker from claimed where id = :'new_high'), 'first', 'the highest priority goes first, though it is the newest');
select is((select worker from claimed where id = :'old_low'), 'second', 'then the oldest of equal priority');
select is((select worker from claimed where id = :'mid_low'), 'third', 'then the next oldest');
select is((select worker from claimed where id = :'oldest_lowest'), 'fourth', 'a lower priority waits, however old');

-- TEST: job_types limits the claim to the types the worker handles; null means any type.
select tests.create_job(:'ws', 'type_a') as a \gset
select tests.create_job(:'ws', 'type_b') as b \gset
select results_eq($$ select job_type from public.claim_jobs('w', 5, 60, array['type_b', 'type_c']) $$,
  $$ values ('type_b'::text) $$, 'only jobs of the requested types are claimed');
select is_empty($$ select * from public.claim_jobs('w', 5, 60, array[]::text[]) $$, 'an empty list of types claims nothing');
select results_eq(format($$ select id from public.claim_jobs('w', 1000, 60) where workspace_id = %L $$, :'ws'),
  format($$ values (%L::uuid) $$, :'a'), 'without a list every type is claimed');

-- TEST: max_jobs caps the claim.
select tests.create_jobs(:'ws', 7, 'claim_many');
select is((select count(*)::integer from public.claim_jobs('w', 5, 60, array['claim_many'])), 5, 'max_jobs 5 of 7 due jobs: 5 claimed');
select is((select count(*)::integer from public.claim_jobs('w', 5, 60, array['claim_many'])), 2, 'the next claim gets the other 2');

-- TEST: a job locked by another session is skipped, not waited for (FOR UPDATE SKIP LOCKED).
-- Another session (dblink, autocommit) queues three jobs; this one locks the oldest; the other
-- session claims with a 3 s statement timeout: it must get the other two at once.
create extension if not exists dblink with schema extensions;
select extensions.dblink_connect('other_session', tests.dblink_connstr('pgtap_skip_locked'));
select ws2 from extensions.dblink('other_session', $$
  with w as (insert into public.workspaces (name) values ('pgtap skip-locked fixture') returning id),
       j as (insert into public.jobs (workspace_id, job_type, scheduled_for)
             select w.id, 'pgtap_skip_locked', now() - make_interval(mins => g) from w, generate_series(1, 3) g returning 1)
  select w.id from w, (select count(*) from j) c
$$) as t(ws2 uuid) \gset
savepoint hold_lock;
select id as locked_job from public.jobs where workspace_id = :'ws2' order by scheduled_for limit 1 for update \gset
select extensions.dblink_exec('other_session', 'set statement_timeout = ''3s''');
select coalesce(array_agg(id), '{}')::text as other_claim from extensions.dblink('other_session',
    $$ select id from public.claim_jobs('pgtap-other-session', 3, 60, array['pgtap_skip_locked']) $$) as t(id uuid) \gset
rollback to savepoint hold_lock;
select is(cardinality(:'other_claim'::uuid[]), 2, 'the other session claimed the two unlocked jobs without waiting');
select is(:'locked_job' = any (:'other_claim'::uuid[]), false, 'the locked job was skipped');
select results_eq($$ select id from extensions.dblink('other_session',
    'select id from public.claim_jobs(''pgtap-other-session'', 3, 60, array[''pgtap_skip_locked''])') as t(id uuid) $$,
  format($$ values (%L::uuid) $$, :'locked_job'), 'once the lock is gone, the skipped job is claimed');
select extensions.dblink_exec('other_session', format('delete from public.workspaces where id = %L', :'ws2'));
select extensions.dblink_disconnect('other_session');
select is((select count(*)::integer from public.workspaces where id = :'ws2'), 0, 'the other session''s fixture is gone');

select * from finish();
rollback;
