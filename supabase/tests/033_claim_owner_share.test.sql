-- claim_jobs shares capacity between owners, not workspaces (workspaces are free to create, so a
-- user with 40 of them used to get 40 shares), and walks only work that can run now: a pending
-- job scheduled for later, waiting for a retry, or of a disabled type is out of the claim index
-- until it is due. (Before: 300,000 far-future rows made every claim walk past them.)
begin;
select plan(24);

-- SETUP: Mallory owns 40 workspaces with 25 old jobs each; Val owns one with 10 newer jobs.
select tests.create_user('mallory@share.test') as mallory \gset
select tests.create_user('val@share.test') as val \gset
select tests.create_workspace('Mallory ' || g, 'mallory@share.test') from generate_series(1, 40) g;
select tests.create_jobs(w.id, 25, 'fair_test', now() - interval '1 hour')
from public.workspaces w where w.name like 'Mallory %';
select tests.personal_workspace('val@share.test') as val_ws \gset
select tests.create_jobs(:'val_ws', 10, 'fair_test');
create temporary table claims (n integer generated always as identity, id uuid, workspace_id uuid, batch integer) on commit drop;

-- TEST: owners take turns: a claim of two takes one of Val's and one of Mallory's.
insert into claims (id, workspace_id, batch) select c.id, c.workspace_id, 1 from public.claim_jobs('w', 2, 60, array['fair_test']) c;
select is((select count(*)::integer from claims where workspace_id = :'val_ws'), 1,
  'a claim of 2: one job of the user with 1 workspace, though the user with 40 has 1,000 older ones');
do $$
begin
  for i in 2..10 loop
    insert into claims (id, workspace_id, batch) select c.id, c.workspace_id, i from public.claim_jobs('w', 2, 60, array['fair_test']) c;
  end loop;
end
$$;
select is((select count(*)::integer from claims where workspace_id = tests.personal_workspace('val@share.test')), 10,
  'ten claims of 2 take all 10 of Val''s jobs: half the capacity, not 1/41 of it');
select is((select count(*)::integer from claims where workspace_id <> tests.personal_workspace('val@share.test')), 10,
  'and ten of Mallory''s');

-- TEST: an owner's turns go round its workspaces.
truncate claims;
insert into claims (id, workspace_id) select c.id, c.workspace_id from public.claim_jobs('w', 30, 60, array['fair_test']) c;
select is((select count(distinct workspace_id)::integer from claims), 30,
  'with Val''s jobs all taken, a claim of 30 takes one job from each of 30 of Mallory''s workspaces');

-- TEST: an owner with jobs running gets its turns after those with fewer: the slots that free
-- go to whoever has least running.
select tests.create_user('nina@share.test') as nina \gset
select tests.create_jobs(tests.personal_workspace('nina@share.test'), 6, 'fair_test');
select is((select count(*)::integer from public.claim_jobs('w', 5, 60, array['fair_test']) c
           where c.workspace_id = tests.personal_workspace('nina@share.test')), 5,
  'with Mallory running 40 jobs and Nina none, a claim of 5 takes all 5 of Nina''s first');
select is((select count(*)::integer from public.claim_jobs('w', 4, 60, array['fair_test']) c
           where c.workspace_id = tests.personal_workspace('nina@share.test')), 1,
  'the next claim gives Nina her last job and the rest of the slots to Mallory');

-- TEST: a workspace without a creator is an owner of its own (as before).
truncate claims;
select tests.create_workspace('Ownerless') as ownerless \gset
select tests.create_jobs(:'ownerless', 3, 'fair_test');
insert into claims (id, workspace_id) select c.id, c.workspace_id from public.claim_jobs('w', 2, 60, array['fair_test']) c;
select is((select count(*)::integer from claims where workspace_id = :'ownerless'), 2,
  'an ownerless workspace is an owner of its own: with nothing running it gets both slots before Mallory');

-- SETUP: a workspace with one due job behind 3,000 jobs for later.
select tests.create_workspace('Later') as later \gset
select tests.create_jobs(:'later', 3000, 'claim_order', now() + interval '1 day');
select tests.create_job(:'later', 'claim_order', '{}', now() - interval '1 second', 0::smallint) as due_now \gset

-- TEST: jobs for later are out of the claim index; the due one is in it.
select is((select count(*)::integer from public.jobs where workspace_id = :'later' and claimable), 1,
  'of 3,001 pending jobs only the due one is claimable');
select results_eq($$ select id from public.claim_jobs('w-later', 5, 60, array['claim_order']) $$,
  format($$ values (%L::uuid) $$, :'due_now'), 'claim_jobs takes the due job');
select is((select count(*)::integer from public.claim_jobs('w-later', 5, 60, array['claim_order'], now() + interval '2 days')), 5,
  'two days later they are due: the claim finds them and takes them');
select is((select count(*)::integer from public.jobs where workspace_id = :'later' and status = 'pending' and claimable), 995,
  'a claim marks at most 1,000 newly due jobs at a time: 5 taken, 995 claimable, the rest on the next claims');

-- TEST: the newly due batch is chosen once, whatever the plan: a join that rescans its inner side
-- (hash and merge joins, sorts and materialization off) once marked another 1,000 at each rescan.
set local enable_hashjoin = off;
set local enable_mergejoin = off;
set local enable_material = off;
set local enable_hashagg = off;
set local enable_sort = off;
discard plans; -- claim_jobs' statements are planned again, under these settings
select is((select count(*)::integer from public.claim_jobs('w-later', 5, 60, array['claim_order'], now() + interval '2 days')), 5,
  'the next claim takes 5 of the claimable');
select is((select count(*)::integer from public.jobs where workspace_id = :'later' and status = 'pending' and claimable), 1990,
  'and marks at most 1,000 more, whatever the plan: 990 + 1,000 claimable');
reset enable_hashjoin;
reset enable_mergejoin;
reset enable_material;
reset enable_hashagg;
reset enable_sort;
discard plans;

-- TEST: a retry, a release and a reap move a job out of and back into the claim index.
select tests.create_job(:'later', 'pgtap_job') as moving \gset
select tests.claim_job(:'moving', 'w-move');
select public.fail_job(:'moving', 'w-move', 'boom', true);
select results_eq(format($$ select status, claimable from public.jobs where id = %L $$, :'moving'),
  $$ values ('pending'::text, false) $$, 'a job waiting for its retry is not claimable');
select is_empty($$ select 1 from public.claim_jobs('w-move', 1, 60, array['pgtap_job']) $$, 'nor claimed before its time');
select is((select count(*)::integer from public.claim_jobs('w-move', 1, 60, array['pgtap_job'], now() + interval '2 minutes')), 1,
  'after the backoff it is claimed');
select public.release_job(:'moving', 'w-move', 30, 'Apollo rate limit');
select is((select claimable from public.jobs where id = :'moving'), false, 'a released job waits out its delay off the index');
select tests.claim_job(:'moving', 'w-move', 60, now() + interval '31 seconds');
update public.jobs set locked_until = now() - interval '1 second' where id = :'moving';
select public.reap_expired_leases();
select results_eq(format($$ select status, claimable from public.jobs where id = %L $$, :'moving'),
  $$ values ('pending'::text, true) $$, 'a reaped job is due at once, so claimable');

-- TEST: how long until work that cannot be claimed now can be (what a worker with nothing to do waits for).
select is(public.seconds_until_due(array['type_c']), null, 'nothing waiting: null, not 0');
select tests.create_job(:'later', 'type_c', '{}', now() + interval '7 seconds');
select is(public.seconds_until_due(array['type_c']), 7::double precision, 'a job scheduled 7 s ahead: 7');
select tests.create_job(:'ownerless', 'type_c', '{}', now());
update public.workspace_settings set jobs_paused_until = now() + interval '3 seconds' where workspace_id = :'ownerless';
select is(public.seconds_until_due(array['type_c']), 3::double precision, 'a workspace paused for 3 s with work due: 3');

-- TEST: claimable is only ever set for pending jobs.
select is_empty($$ select 1 from public.jobs where claimable and status <> 'pending' $$, 'no job that is not pending is claimable');
select col_not_null('public', 'jobs', 'claimable', 'claimable is never null');
select has_index('public', 'jobs', 'jobs_waiting_idx', array['job_type', 'scheduled_for'],
  'jobs not yet claimable are indexed by type and time, so finding the newly due ones stops at the first that is not');

select * from finish();
rollback;
