-- Job types are data (public.job_types): a job must name a known, enabled type; claim_jobs takes
-- only enabled types; a disabled type's pending jobs wait, and monitoring says they wait for
-- their type instead of calling them overdue. (Before: any member could queue a made-up type
-- that sat pending forever and held the health check at 503.)
-- Repeatable read: ops counts every workspace, so other sessions' commits stay out of the numbers.
begin isolation level repeatable read;
select plan(21);
set local client_min_messages = error;

-- SETUP: a member with a workspace; a second test type to disable.
select tests.create_user('tara@types.test') as tara \gset
select tests.personal_workspace('tara@types.test') as ws \gset
insert into public.job_types (name, description) values ('pgtap_switchable', 'Test type: pgTAP');
update private.settings set value = '300' where key = 'alert_due_after_seconds';

-- TEST: the product's types are registered, with what they act on.
select results_eq($$ select name, subject, batchable, default_max_attempts, enabled from public.job_types
                     where name in ('enrich_account', 'enrich_contact') order by name $$,
  $$ values ('enrich_account'::text, 'account'::text, true, 5, true), ('enrich_contact', 'contact', true, 5, true) $$,
  'enrich_account and enrich_contact are registered and enabled');
select col_is_fk('public', 'jobs', 'job_type', 'jobs.job_type references job_types');

-- TEST: a browser user cannot queue a made-up or disabled type, and is told which types exist.
select tests.authenticate_as('tara@types.test');
select is((select count(*)::integer from public.job_types where name in ('enrich_account', 'enrich_contact')), 2,
  'a signed-in user can read the job types');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type) values (%L, 'mine_bitcoin') $$, :'ws'),
  '22023', 'Unknown job type "mine_bitcoin"', 'a REST insert of an unknown type is refused');
select throws_like(format($$ select public.enqueue_job(%L, 'mine_bitcoin') $$, :'ws'),
  '%Unknown job type%', 'enqueue_job refuses it too');
do $$
begin
  perform public.enqueue_job(tests.personal_workspace('tara@types.test'), 'mine_bitcoin');
exception when others then
  declare v_hint text;
  begin
    get stacked diagnostics v_hint = pg_exception_hint;
    perform set_config('tests.hint', v_hint, true);
  end;
end
$$;
select matches(current_setting('tests.hint'), 'enrich_account, enrich_contact', 'the hint names the known types');
select tests.clear_authentication();
update public.job_types set enabled = false where name = 'pgtap_switchable';
select tests.authenticate_as('tara@types.test');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type) values (%L, 'pgtap_switchable') $$, :'ws'),
  '22023', 'Job type "pgtap_switchable" is disabled: no new jobs of it are accepted', 'a disabled type is refused');
select tests.clear_authentication();
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type) values (%L, 'mine_bitcoin') $$, :'ws'),
  '22023', 'Unknown job type "mine_bitcoin"', 'the worker and operators cannot queue an unknown type either');

-- TEST: the worker's claim takes enabled types only; disabling a type parks its pending jobs.
update public.job_types set enabled = true where name = 'pgtap_switchable';
select tests.create_job(:'ws', 'pgtap_switchable') as parked \gset
select tests.create_job(:'ws', 'pgtap_switchable', '{}', now() - interval '10 minutes') as old_parked \gset
select is((select claimable from public.jobs where id = :'parked'), true, 'a due job of an enabled type is claimable');
update public.job_types set enabled = false where name = 'pgtap_switchable';
select is((select count(*)::integer from public.jobs where job_type = 'pgtap_switchable' and claimable), 0,
  'disabling the type takes its pending jobs out of the claim index');
select is_empty($$ select 1 from public.claim_jobs('w-types', 10, 60, array['pgtap_switchable']) $$,
  'claim_jobs takes no job of a disabled type, even when asked for it by name');

-- TEST: monitoring reports them as waiting for their type, not as overdue.
select is((public.queue_stats() ->> 'waiting_for_disabled_types')::integer, 2, 'queue_stats counts them as waiting for a disabled type');
select is(
  (select jsonb_path_query_array(ops.health_snapshot() -> 'waiting_for_disabled_types', '$[*] ? (@.job_type == "pgtap_switchable").jobs')),
  '[2]'::jsonb, 'health_snapshot names the type and how many wait for it');
select is((select job_type_enabled from ops.queue_depth where status = 'pending' and job_type = 'pgtap_switchable'), false,
  'ops.queue_depth shows the type is disabled');
select is_empty($$ select 1 from ops.current_alerts() a
                   where a.kind = 'jobs_overdue' and a.details ->> 'oldest_job_type' = 'pgtap_switchable' $$,
  'a 10-minute-old job of a disabled type raises no jobs_overdue alert');
select isnt((select job_id from ops.oldest_due_job), :'old_parked'::uuid, 'nor is it the oldest due job');

-- TEST: enabling it again: the next claim finds its jobs due and takes them.
update public.job_types set enabled = true where name = 'pgtap_switchable';
select set_eq($$ select id from public.claim_jobs('w-types', 10, 60, array['pgtap_switchable']) $$,
  format($$ values (%L::uuid), (%L::uuid) $$, :'parked', :'old_parked'),
  'once enabled, its pending jobs are claimed');

-- TEST: a job type cannot be deleted while jobs use it; job types follow the naming rule.
select throws_ok($$ delete from public.job_types where name = 'pgtap_switchable' $$, '23503', null,
  'a type with jobs cannot be deleted');
select throws_ok($$ insert into public.job_types (name, description) values ('Bad Name', 'x') $$, '23514', null,
  'a job type name is snake_case');

-- TEST: browsers cannot change job types.
select tests.authenticate_as('tara@types.test');
select throws_ok($$ update public.job_types set enabled = false where name = 'enrich_account' $$, '42501', null,
  'a signed-in user cannot disable a job type');
select throws_ok($$ insert into public.job_types (name, description) values ('sneaky', 'x') $$, '42501', null,
  'nor add one');
select tests.clear_authentication();

select * from finish();
rollback;
