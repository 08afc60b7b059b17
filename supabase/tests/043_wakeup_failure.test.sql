-- An unreadable Vault, or a wake-up that fails, never takes a user's job down with it: queueing
-- and retrying still work, the job waits for pg_cron's next call, and what is missing is reported.
-- (Its own file: private.invoke_worker is swapped for a failing one before anything in this
-- session has called it, so no cached plan still points at the real one.)
begin;
select plan(7);
set local client_min_messages = error; -- the WARNINGs are expected

-- TEST: private.setting, for a caller that may not read Vault (as postgres on some projects).
create role pgtap_no_vault nologin;
grant pgtap_no_vault to current_user; -- postgres may create roles, then switch to them once a member
grant usage on schema private to pgtap_no_vault;
grant select on private.settings to pgtap_no_vault;
grant execute on function private.setting(text) to pgtap_no_vault;
insert into private.settings (key, value) values ('job_retention_days', '9')
on conflict (key) do update set value = excluded.value;
set local role pgtap_no_vault;
select has_schema_privilege('vault', 'usage') as can_use_vault,
       private.setting('job_retention_days') as retention,
       coalesce(private.setting('worker_secret_token'), '(none)') as token \gset
reset role;
select is(:'can_use_vault'::boolean, false, 'this role cannot read Vault');
select is(:'retention'::text, '9', 'a threshold falls back to private.settings');
select is(:'token'::text, '(none)', 'the worker token is missing, not an error');

-- SETUP: a member with an account; the worker's URL points at this transaction's own address.
select tests.capture_worker_calls() as project_url \gset
select tests.create_user('fay@wakeup-failure.test') as fay \gset
select tests.create_account(tests.personal_workspace('fay@wakeup-failure.test'), 'Fail Co', 'fail.example') as account \gset

-- The wake-up fails from now on (until this transaction rolls back), as if pg_net refused the call.
alter function private.invoke_worker(text) rename to invoke_worker_while_it_fails;
create function private.invoke_worker(reason text default 'manual') returns bigint
language plpgsql set search_path = '' as $$
begin
  raise exception 'relation "net.http_request_queue" does not exist' using errcode = '42P01';
end
$$;

-- TEST: a member's enqueue still queues the job.
select tests.authenticate_as('fay@wakeup-failure.test');
select lives_ok(format('select public.enqueue_enrichment(%L)', :'account'), 'enqueueing works while the wake-up fails');
select tests.clear_authentication();
select is((select status from public.jobs where subject_id = :'account'), 'pending', 'the job is queued');

-- TEST: a retry too.
update public.jobs set status = 'failed', failed_at = now(), attempts = 5 where subject_id = :'account';
select tests.forget_wakeups();
select tests.authenticate_as('fay@wakeup-failure.test');
select lives_ok(format($$ insert into public.job_actions (job_id, workspace_id, action)
                          select j.id, j.workspace_id, 'retry' from public.jobs j where j.subject_id = %L $$, :'account'),
  'retrying a failed job works while the wake-up fails');
select tests.clear_authentication();
select is((select status from public.jobs where subject_id = :'account'), 'pending', 'the job is queued again');

select * from finish();
rollback;
