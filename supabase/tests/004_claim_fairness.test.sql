-- claim_jobs is fair across workspaces: one workspace's 10,000 queued jobs do not starve
-- another's one, and several workspaces are served round-robin. A worker that refills one
-- free slot at a time claims one job per call, so that case matters most.
begin;
select plan(10);

-- SETUP: workspace Busy queues 10,000 jobs; a minute later workspace Quiet queues one.
select tests.create_workspace('Busy') as busy \gset
select tests.create_workspace('Quiet') as quiet \gset
select tests.create_jobs(:'busy', 10000, 'fair_test', now() - interval '1 minute');
select tests.create_job(:'quiet', 'fair_test') as quiet_job \gset
create temporary table claims (n integer generated always as identity, id uuid, workspace_id uuid) on commit drop;
-- claim(max_jobs, job_type, times): `times` calls of claim_jobs for at most max_jobs each, every job claimed kept in claims.
create function pg_temp.claim(max_jobs integer, job_type text, times integer default 1) returns void
language plpgsql as $$
begin
  for i in 1..times loop
    insert into claims (id, workspace_id) select c.id, c.workspace_id from public.claim_jobs('w', max_jobs, 60, array[job_type]) c;
  end loop;
end
$$;

-- TEST: a claim of two takes one job from each workspace.
select results_eq(format($$ select workspace_id, count(*)::integer from public.claim_jobs('w', 2, 60, array['fair_test'])
                            group by workspace_id order by workspace_id = %L $$, :'busy'),
  format($$ values (%L::uuid, 1), (%L::uuid, 1) $$, :'quiet', :'busy'),
  'max_jobs 2: one job of each workspace, though Busy''s 10,000 are all older');

-- TEST: claiming one job at a time, Quiet's job does not wait behind Busy's backlog.
select tests.create_job(:'quiet', 'fair_test') as quiet_job2 \gset
select pg_temp.claim(1, 'fair_test', 30);
select is((select count(*)::integer from claims), 30, 'thirty claims of one job each');
select ok((select n from claims where id = :'quiet_job2') is not null,
  'Quiet''s one job is claimed within the first 30 single-job claims (with 9,999 of Busy''s waiting, all older)');

-- TEST: round-robin across several workspaces.
truncate claims;
select tests.create_workspace('RR ' || g) from generate_series(1, 4) g;
select tests.create_jobs(w.id, 3, 'rr_test', now() - make_interval(mins => 10 - g)) from (
  select id, row_number() over (order by name)::integer as g from public.workspaces where name like 'RR %') w;
select pg_temp.claim(4, 'rr_test');
select is((select count(distinct workspace_id)::integer from claims), 4, 'a claim of four takes one job from each of four workspaces');
select pg_temp.claim(8, 'rr_test');
select results_eq($$ select count(*)::integer from claims group by workspace_id $$, $$ values (3), (3), (3), (3) $$,
  'the next claim of eight takes the remaining two of each: nobody gets a third before everyone has a second');
select is((select count(*)::integer from claims c join public.jobs j using (id)
           where j.id <> (select j2.id from public.jobs j2 where j2.workspace_id = j.workspace_id and j2.job_type = 'rr_test'
                          order by j2.scheduled_for limit 1)
             and c.n <= 4), 0,
  'within each workspace the oldest job went first');

-- TEST: one job at a time across three busy workspaces, each gets a share.
truncate claims;
select tests.create_workspace('Share ' || g) from generate_series(1, 3) g;
select tests.create_jobs(id, 40, 'share_test', now() - interval '1 hour' + make_interval(mins => row_number() over (order by name)::integer))
from public.workspaces where name like 'Share %';
select pg_temp.claim(1, 'share_test', 45);
select is((select count(distinct workspace_id)::integer from claims), 3,
  '45 single-job claims over three busy workspaces: every workspace is served');
select cmp_ok((select min(c)::integer from (select count(*) as c from claims group by workspace_id) s), '>=', 5,
  'and none gets fewer than 5 of the 45');

-- TEST: one claim looks at up to 64 workspaces; the others get their turn in the next claims.
select tests.create_job(tests.create_workspace('Cap ' || g), 'cap_test') from generate_series(1, 70) g;
select is((select count(distinct workspace_id)::integer from public.claim_jobs('w', 1000, 60, array['cap_test'])), 64,
  'with 70 busy workspaces, a claim of 1,000 takes one job from each of 64 of them');
select is((select count(distinct workspace_id)::integer from public.claim_jobs('w', 1000, 60, array['cap_test'])), 6,
  'the next claim takes the remaining six');

select * from finish();
rollback;
