-- Helpers for the pgTAP suite (supabase/tests/*.test.sql), in a schema of their own.
-- scripts/test/pgtap.ts installs this file before pg_prove runs and drops the schema right after,
-- so none of it is ever deployed, nor seen by `supabase db advisors`.
--
-- Shape after basejump's supabase-test-helpers: create users (signing up gives each one a
-- personal workspace, through the auth.users trigger), act as one of them the way PostgREST
-- does (`set local role` + `request.jwt.claims`), and build fixtures in a line.
-- Every test file runs in a transaction that rolls back, so fixtures vanish with it.

create schema tests;
comment on schema tests is 'pgTAP helpers; installed and dropped by scripts/test/pgtap.ts, never deployed.';
grant usage on schema tests to anon, authenticated, service_role;
-- Functions start closed to PUBLIC (the migrations set it so); these are called while acting as any role.
alter default privileges in schema tests grant execute on functions to anon, authenticated, service_role;

-- Job types the tests queue: every job's type must be registered (public.job_types). They are
-- committed with the helpers and deleted with them by scripts/test/pgtap.ts.
insert into public.job_types (name, description)
select t.name, 'Test type: pgTAP'
from unnest(array['test_noop', 'pgtap_job', 'pgtap_ops', 'pgtap_limit', 'pgtap_release', 'pgtap_skip_locked',
                  'pgtap_claim_this_one', 'claim_test', 'claim_many', 'claim_order', 'cap_test', 'fair_test', 'rr_test',
                  'share_test', 'import_csv', 'score_account', 'defaults_test', 'type_a', 'type_b', 'type_c']) as t(name)
on conflict (name) do nothing;

-- A second session (dblink) -------------------------------------------------------------------
-- postgres is not a superuser, so dblink lets it connect only with a password the server asks
-- for (over TCP): scripts/test/pgtap.ts passes the stack's as the psql variable db_password.
create table tests.connection (password text not null);
comment on table tests.connection is 'The password of the connecting role, for dblink (installed with the helpers).';
insert into tests.connection (password) values (:'db_password');

create function tests.dblink_connstr(application_name text default 'pgtap') returns text
language sql
stable
set search_path = ''
as $$
  select format('host=127.0.0.1 port=%s dbname=%s user=%s password=%s application_name=%s',
                current_setting('port'), current_database(), session_user, c.password, dblink_connstr.application_name)
  from tests.connection c
$$;
comment on function tests.dblink_connstr(text) is 'A dblink connection string for another session as the connecting role (with its password).';

-- Users and workspaces ------------------------------------------------------------------------

create function tests.create_user(email text, workspace_name text default null) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid := gen_random_uuid();
begin
  insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at,
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', v_id, 'authenticated', 'authenticated', lower(create_user.email), now(),
          '{"provider": "email", "providers": ["email"]}',
          case when create_user.workspace_name is null then '{}'::jsonb
               else jsonb_build_object('workspace_name', create_user.workspace_name) end,
          now(), now());
  return v_id;
end
$$;
comment on function tests.create_user(text, text) is 'Signs a user up (auth.users row); the trigger gives them a personal workspace. Returns the user id.';

-- Security definer so it also works while acting as a user (authenticated cannot read auth.users).
create function tests.get_user_id(identifier text) returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if get_user_id.identifier ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select u.id into v_id from auth.users u where u.id = get_user_id.identifier::uuid;
  else
    select u.id into v_id from auth.users u where u.email = lower(get_user_id.identifier);
  end if;
  if v_id is null then
    raise exception 'tests: no user %', get_user_id.identifier;
  end if;
  return v_id;
end
$$;
comment on function tests.get_user_id(text) is 'The id of a user given by email or id; raises when there is none.';

create function tests.personal_workspace(identifier text) returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select w.id from public.workspaces w
  where w.created_by = tests.get_user_id(personal_workspace.identifier)
  order by w.created_at, w.id
  limit 1
$$;
comment on function tests.personal_workspace(text) is 'The workspace created for a user when they signed up.';

create function tests.sign_up(email text, out user_id uuid, out workspace_id uuid)
language plpgsql
set search_path = ''
as $$
begin
  sign_up.user_id := tests.create_user(sign_up.email);
  sign_up.workspace_id := tests.personal_workspace(sign_up.user_id::text);
end
$$;
comment on function tests.sign_up(text) is
  'Signs a user up; returns their id (user_id) and the personal workspace they got (workspace_id).';

create function tests.create_workspace(name text, owner text default null) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into public.workspaces (name, created_by)
  values (create_workspace.name, case when create_workspace.owner is null then null
                                      else tests.get_user_id(create_workspace.owner) end)
  returning id into v_id;
  return v_id;
end
$$;
comment on function tests.create_workspace(text, text) is 'Creates a workspace (owned by owner, who becomes its owner member; no members without one).';

create function tests.add_member(workspace_id uuid, member text, role text default 'member') returns void
language sql
set search_path = ''
as $$
  insert into public.workspace_members (workspace_id, user_id, role)
  values (add_member.workspace_id, tests.get_user_id(add_member.member), add_member.role)
$$;
comment on function tests.add_member(uuid, text, text) is 'Adds a user to a workspace as owner, admin or member.';

-- Records -----------------------------------------------------------------------------------

create function tests.create_account(workspace_id uuid, name text, domain text default null) returns uuid
language sql
set search_path = ''
as $$
  insert into public.accounts (workspace_id, name, domain)
  values (create_account.workspace_id, create_account.name, create_account.domain)
  returning id
$$;
comment on function tests.create_account(uuid, text, text) is 'Creates an account; returns its id.';

create function tests.create_contact(
  workspace_id uuid, account_id uuid default null, first_name text default null, last_name text default null,
  email text default null, linkedin_url text default null
) returns uuid
language sql
set search_path = ''
as $$
  insert into public.contacts (workspace_id, account_id, first_name, last_name, email, linkedin_url)
  values (create_contact.workspace_id, create_contact.account_id, create_contact.first_name, create_contact.last_name,
          create_contact.email, create_contact.linkedin_url)
  returning id
$$;
comment on function tests.create_contact(uuid, uuid, text, text, text, text) is 'Creates a contact; returns its id.';

-- Jobs --------------------------------------------------------------------------------------

create function tests.create_job(
  workspace_id uuid,
  job_type text default 'pgtap_job',
  payload jsonb default '{}',
  scheduled_for timestamptz default now(),
  priority smallint default 0,
  max_attempts integer default 5
) returns uuid
language sql
set search_path = ''
as $$
  insert into public.jobs (workspace_id, job_type, payload, scheduled_for, priority, max_attempts)
  values (create_job.workspace_id, create_job.job_type, create_job.payload, create_job.scheduled_for,
          create_job.priority, create_job.max_attempts)
  returning id
$$;
comment on function tests.create_job(uuid, text, jsonb, timestamptz, smallint, integer) is
  'Queues one job with a plain INSERT (as a worker or an admin would); returns its id.';

create function tests.create_jobs(
  workspace_id uuid,
  how_many integer,
  job_type text default 'pgtap_job',
  scheduled_for timestamptz default now()
) returns integer
language sql
set search_path = ''
as $$
  with inserted as (
    insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
    select create_jobs.workspace_id, create_jobs.job_type, jsonb_build_object('n', g),
           -- one second apart, oldest first, so "oldest first" has something to go by
           create_jobs.scheduled_for - make_interval(secs => create_jobs.how_many - g)
    from generate_series(1, create_jobs.how_many) g
    returning 1
  )
  select count(*)::integer from inserted
$$;
comment on function tests.create_jobs(uuid, integer, text, timestamptz) is
  'Queues how_many jobs in one INSERT, scheduled one second apart and ending at scheduled_for; returns how many.';

create function tests.claim_job(job_id uuid, worker_id text, lease_seconds integer default 60, now timestamptz default now())
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_job_type text;
begin
  -- Give the job a type of its own for the claim, so claim_jobs can only pick this one; then put it back.
  update public.jobs j set job_type = 'pgtap_claim_this_one' where j.id = claim_job.job_id and j.status = 'pending'
  returning (select o.job_type from public.jobs o where o.id = claim_job.job_id) into v_job_type;
  if not exists (
    select 1 from public.claim_jobs(claim_job.worker_id, 1, claim_job.lease_seconds, array['pgtap_claim_this_one'], claim_job.now) c
    where c.id = claim_job.job_id
  ) then
    raise exception 'tests: job % could not be claimed (not pending, or not due at %)', claim_job.job_id, claim_job.now;
  end if;
  update public.jobs j set job_type = v_job_type where j.id = claim_job.job_id;
end
$$;
comment on function tests.claim_job(uuid, text, integer, timestamptz) is
  'Claims one given pending job for worker_id through claim_jobs (raises when that job is not the one claimed).';

create function tests.create_completed_job(
  workspace_id uuid,
  job_type text default 'pgtap_job',
  payload jsonb default '{}',
  credits_used integer default 0
) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_job uuid := tests.create_job(create_completed_job.workspace_id, create_completed_job.job_type, create_completed_job.payload);
begin
  perform tests.claim_job(v_job, 'pgtap-worker');
  -- Charged while it ran, as a worker's charge_enrichment_credit would.
  update public.jobs j set credits_used = create_completed_job.credits_used where j.id = v_job;
  perform public.complete_job(v_job, 'pgtap-worker');
  return v_job;
end
$$;
comment on function tests.create_completed_job(uuid, text, jsonb, integer) is
  'Queues one job, claims it and completes it, charged credits_used credits; returns its id.';

-- Acting as someone --------------------------------------------------------------------------
-- These set transaction-local settings, as PostgREST does for each request. (A SET clause on a
-- function restores only its own parameter on exit, so role and claims stay set.)

-- The one place that switches: the role (set_config('role', …) is SET LOCAL ROLE) and the claims.
create function tests.act_as(role text, claims text) returns void
language sql
set search_path = ''
as $$
  select set_config('role', act_as.role, true);
  select set_config('request.jwt.claims', act_as.claims, true);
$$;
comment on function tests.act_as(text, text) is 'Sets the role and request.jwt.claims until the transaction ends, as PostgREST does.';

create function tests.authenticate_as(identifier text) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid := tests.get_user_id(authenticate_as.identifier);
  v_email text := (select tests.user_email(v_id));
begin
  perform tests.act_as('authenticated', jsonb_build_object(
    'sub', v_id, 'role', 'authenticated', 'aud', 'authenticated', 'email', v_email,
    'app_metadata', jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')),
    'user_metadata', '{}'::jsonb, 'is_anonymous', false)::text);
end
$$;
comment on function tests.authenticate_as(text) is 'Acts as a signed-in user (email or id): role authenticated with their JWT claims, until the transaction ends.';

create function tests.user_email(user_id uuid) returns text
language sql
stable
security definer
set search_path = ''
as $$
  select u.email::text from auth.users u where u.id = user_email.user_id
$$;
comment on function tests.user_email(uuid) is 'A user''s email.';

create function tests.authenticate_as_service_role() returns void
language sql
set search_path = ''
as $$
  select tests.act_as('service_role', '{"role": "service_role"}')
$$;
comment on function tests.authenticate_as_service_role() is 'Acts as the service role (workers, Edge Functions), as PostgREST does for the service key.';

create function tests.authenticate_as_anon() returns void
language sql
set search_path = ''
as $$
  select tests.act_as('anon', '{"role": "anon"}')
$$;
comment on function tests.authenticate_as_anon() is 'Acts as an anonymous caller (the anon key without a session).';

create function tests.clear_authentication() returns void
language sql
set search_path = ''
as $$
  select tests.act_as('none', '')
$$;
comment on function tests.clear_authentication() is 'Back to the connecting role (postgres) without JWT claims.';

-- Worker wake-ups ---------------------------------------------------------------------------
-- The database calls the worker through pg_net (net.http_request_queue). To count only the calls
-- made by the current test, point project_url at an address of this transaction's own.

-- As if no worker invocation were running and the last wake-up long past (wake-ups are debounced:
-- private.request_wakeup), so the next enqueue sends one. Within this transaction only; the stack's
-- own worker cannot register meanwhile (it waits for this transaction), so the test sees only itself.
create function tests.forget_wakeups() returns void
language sql
security definer
set search_path = ''
as $$
  lock table private.worker_runs in share row exclusive mode;
  delete from private.worker_runs;
  update private.worker_wakeups set last_sent_at = '-infinity';
$$;
comment on function tests.forget_wakeups() is 'Clears the wake-up state (no invocation running, no recent wake-up) for this transaction.';

-- Vault secrets are written as an operator writes them (vault.create_secret / update_secret);
-- within a test's transaction, so the stack's own values come back when it rolls back.
create function tests.set_vault_secret(name text, value text) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid := (select s.id from vault.secrets s where s.name = set_vault_secret.name);
begin
  if v_id is null then
    perform vault.create_secret(set_vault_secret.value, set_vault_secret.name);
  else
    perform vault.update_secret(v_id, set_vault_secret.value);
  end if;
end
$$;
comment on function tests.set_vault_secret(text, text) is 'Creates the Vault secret of that name, or replaces its value.';

create function tests.delete_vault_secret(name text) returns void
language sql
set search_path = ''
as $$
  delete from vault.secrets s where s.name = delete_vault_secret.name;
$$;
comment on function tests.delete_vault_secret(text) is 'Removes the Vault secret of that name (as an operator may, by mistake).';

create function tests.capture_worker_calls() returns text
language plpgsql
set search_path = ''
as $$
declare
  v_url text := 'http://pgtap-' || replace(gen_random_uuid()::text, '-', '') || '.invalid';
begin
  perform tests.set_vault_secret('project_url', v_url);
  perform tests.set_vault_secret('worker_secret_token', 'pgtap-secret-token');
  perform set_config('tests.project_url', v_url, true);
  perform tests.forget_wakeups();
  return v_url;
end
$$;
comment on function tests.capture_worker_calls() is
  'Points the Vault secrets project_url (and worker_secret_token = pgtap-secret-token) at an address unique to this transaction, with no wake-up sent or invocation running; returns it.';

create function tests.worker_calls(reason text default null) returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)::integer from net.http_request_queue q
  where q.url = current_setting('tests.project_url') || '/functions/v1/job-worker'
    and (worker_calls.reason is null or convert_from(q.body, 'UTF8')::jsonb ->> 'reason' = worker_calls.reason)
$$;
comment on function tests.worker_calls(text) is
  'How many worker calls (of a given reason: enqueue, retry, cron) were queued since tests.capture_worker_calls().';
