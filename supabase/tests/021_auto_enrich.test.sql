-- Auto-enrich: accounts created with a domain in a workspace with apollo_auto_enrich on are
-- queued at once (one job each, one wake-up per statement); otherwise nothing is queued.
begin;
select plan(6);

-- SETUP
select tests.create_workspace('Auto on') as ws_on \gset
select tests.create_workspace('Auto off') as ws_off \gset
update public.workspace_settings set apollo_auto_enrich = true where workspace_id = :'ws_on';
select tests.capture_worker_calls() as capture \gset

-- TEST: a workspace with auto-enrich on.
insert into public.accounts (workspace_id, name, domain) values
  (:'ws_on', 'Acme', 'acme.example'), (:'ws_on', 'Beta', 'beta.example'), (:'ws_on', 'No domain', null);
select is((select count(*)::integer from public.jobs where workspace_id = :'ws_on'), 2,
  'each new account with a domain is queued, the one without is not');
select results_eq(
  format($$ select j.job_type, j.status, j.payload ->> 'domain' from public.jobs j where j.workspace_id = %L order by 3 $$, :'ws_on'),
  $$ values ('enrich_account'::text, 'pending'::text, 'acme.example'::text), ('enrich_account', 'pending', 'beta.example') $$,
  'as enrich_account jobs, pending, with the account''s domain');
select is(tests.worker_calls(), 1, 'the worker is woken once for the whole statement');
select is((select count(*)::integer from public.jobs j join public.accounts a on a.id::text = j.subject_id
           where j.workspace_id = :'ws_on' and a.workspace_id = j.workspace_id), 2, 'the jobs point at the new accounts');

-- TEST: off (the default) queues nothing.
insert into public.accounts (workspace_id, name, domain) values (:'ws_off', 'Gamma', 'gamma.example');
select is((select count(*)::integer from public.jobs where workspace_id = :'ws_off'), 0, 'with auto-enrich off nothing is queued');

-- TEST: a browser user's insert queues it too (the trigger runs as its owner).
select tests.create_user('auto-enrich-owner@example.com') as owner_id \gset
update public.workspace_settings set apollo_auto_enrich = true
  where workspace_id = tests.personal_workspace('auto-enrich-owner@example.com');
select tests.authenticate_as('auto-enrich-owner@example.com');
insert into public.accounts (workspace_id, name, domain)
  values (tests.personal_workspace('auto-enrich-owner@example.com'), 'Delta', 'delta.example');
select tests.clear_authentication();
select is((select count(*)::integer from public.jobs where workspace_id = tests.personal_workspace('auto-enrich-owner@example.com')), 1,
  'an account a member adds is queued as well');

select * from finish();
rollback;
