-- Row level security, as two users in two workspaces (plus a plain member and an anonymous
-- caller): nobody reads, changes or queues anything in a workspace they do not belong to;
-- nobody reads the Apollo key's ciphertext; browsers change jobs only through cancel/retry.
begin;
select plan(64);

-- SETUP: Alice owns workspace A, Bob owns workspace B; Carol is a plain member of A.
-- Each workspace has an account, a contact, a job with a log line, and an Apollo key.
select user_id as alice, workspace_id as ws_a from tests.sign_up('alice@rls.test') \gset
select user_id as bob, workspace_id as ws_b from tests.sign_up('bob@rls.test') \gset
select tests.create_user('carol@rls.test') as carol \gset
select tests.add_member(:'ws_a', 'carol@rls.test', 'member');
select tests.create_account(:'ws_a', 'Alpha', 'alpha.com') as account_a \gset
select tests.create_account(:'ws_b', 'Beta', 'beta.com') as account_b \gset
select tests.create_contact(:'ws_a', :'account_a', 'Ann', 'Alpha', 'ann@alpha.com') as contact_a \gset
select tests.create_contact(:'ws_b', :'account_b', 'Bea', 'Beta', 'bea@beta.com') as contact_b \gset
select tests.create_job(:'ws_a', 'enrich_account', jsonb_build_object('account_id', :'account_a')) as job_a \gset
select tests.create_job(:'ws_b', 'enrich_account', jsonb_build_object('account_id', :'account_b')) as job_b \gset
select tests.claim_job(:'job_a', 'worker-a');
select tests.claim_job(:'job_b', 'worker-a');
select public.job_log(:'job_a', 'worker-a', 'log of A');
select public.job_log(:'job_b', 'worker-a', 'log of B');
select public.fail_job(:'job_b', 'worker-a', 'failed in B', false);
update public.workspace_settings set apollo_api_key_encrypted = 'v1:aXY=:c2VjcmV0QQ==', apollo_api_key_last4 = 'AAAA' where workspace_id = :'ws_a';
update public.workspace_settings set apollo_api_key_encrypted = 'v1:aXY=:c2VjcmV0Qg==', apollo_api_key_last4 = 'BBBB' where workspace_id = :'ws_b';

-- TEST: Alice reads her workspace's rows and none of Bob's.
select tests.authenticate_as('alice@rls.test');
select results_eq($$ select id from public.workspaces $$, format($$ values (%L::uuid) $$, :'ws_a'), 'Alice sees only her workspace');
select results_eq($$ select workspace_id, user_id from public.workspace_members $$, format($$ values (%L::uuid, %L::uuid) $$, :'ws_a', :'alice'),
  'Alice sees only her own membership');
select results_eq($$ select id from public.accounts $$, format($$ values (%L::uuid) $$, :'account_a'), 'Alice sees only her accounts');
select results_eq($$ select id from public.accounts_with_enrichment $$, format($$ values (%L::uuid) $$, :'account_a'),
  'and only them through the accounts_with_enrichment view');
select results_eq($$ select id from public.contacts $$, format($$ values (%L::uuid) $$, :'contact_a'), 'Alice sees only her contacts');
select results_eq($$ select id from public.jobs $$, format($$ values (%L::uuid) $$, :'job_a'), 'Alice sees only her jobs');
select results_eq($$ select message from public.job_logs $$, $$ values ('log of A'::text) $$, 'Alice sees only her job logs');
select results_eq($$ select workspace_id, apollo_api_key_last4, has_apollo_key from public.workspace_settings $$,
  format($$ values (%L::uuid, 'AAAA'::text, true) $$, :'ws_a'), 'Alice sees only her settings: whether there is a key and its last 4');
select is_empty(format($$ select 1 from public.jobs where id = %L $$, :'job_b'), 'asking for Bob''s job by id finds nothing');
select is_empty(format($$ select 1 from public.job_logs where job_id = %L $$, :'job_b'), 'nor his job''s log');
select is_empty(format($$ select 1 from public.accounts where id = %L $$, :'account_b'), 'nor his account');

-- TEST: the key's ciphertext is not readable by browsers, not even their own.
select throws_ok($$ select apollo_api_key_encrypted from public.workspace_settings $$, '42501',
  'permission denied for table workspace_settings', 'the ciphertext column cannot be selected');
select throws_ok($$ select * from public.workspace_settings $$, '42501',
  'permission denied for table workspace_settings', 'nor with select *');
select throws_ok($$ select 1 from public.workspace_settings where apollo_api_key_encrypted is not null $$, '42501',
  'permission denied for table workspace_settings', 'nor used in a filter');

-- TEST: Alice changes nothing of Bob's.
select is_empty(format($$ update public.accounts set name = 'Hacked' where id = %L returning id $$, :'account_b'),
  'updating Bob''s account changes no row');
select is_empty(format($$ delete from public.accounts where id = %L returning id $$, :'account_b'), 'deleting it deletes no row');
select is_empty(format($$ update public.contacts set title = 'Hacked' where id = %L returning id $$, :'contact_b'),
  'updating Bob''s contact changes no row');
select is_empty(format($$ delete from public.contacts where id = %L returning id $$, :'contact_b'), 'deleting it deletes no row');
select is_empty(format($$ update public.workspaces set name = 'Hacked' where id = %L returning id $$, :'ws_b'), 'renaming Bob''s workspace changes nothing');
select is_empty(format($$ update public.workspace_settings set apollo_auto_enrich = true where workspace_id = %L returning workspace_id $$, :'ws_b'),
  'changing Bob''s settings changes nothing');
select throws_ok(format($$ insert into public.accounts (workspace_id, name) values (%L, 'Planted') $$, :'ws_b'),
  '42501', 'new row violates row-level security policy for table "accounts"', 'Alice cannot add an account to Bob''s workspace');
select throws_ok(format($$ insert into public.contacts (workspace_id, last_name) values (%L, 'Planted') $$, :'ws_b'),
  '42501', 'new row violates row-level security policy for table "contacts"', 'nor a contact');
select throws_ok(format($$ update public.accounts set workspace_id = %L where id = %L $$, :'ws_b', :'account_a'),
  '42501', 'permission denied for table accounts', 'nor move her account into it (workspace_id is set once, on insert)');
select throws_ok(format($$ insert into public.workspace_members (workspace_id, user_id) values (%L, %L) $$, :'ws_b', :'alice'),
  '42501', 'permission denied for table workspace_members', 'nor join Bob''s workspace');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type) values (%L, 'enrich_account') $$, :'ws_b'),
  '42501', 'new row violates row-level security policy for table "jobs"', 'nor queue a job in it');

-- TEST: Alice cannot queue, cancel or retry anything of Bob's through the functions either.
select throws_ok(format($$ select public.enqueue_enrichment(%L) $$, :'account_b'), 'PT404', 'Account not found',
  'enqueue_enrichment of Bob''s account: not found');
select throws_ok(format($$ select public.enqueue_contact_enrichment(%L) $$, :'contact_b'), 'PT404', 'Contact not found',
  'enqueue_contact_enrichment of Bob''s contact: not found');
select is_empty(format($$ select * from public.enqueue_account_enrichments(array[%L]::uuid[]) $$, :'account_b'),
  'enqueue_account_enrichments skips Bob''s account');
select throws_ok(format($$ select public.enqueue_job(%L, 'enrich_account', jsonb_build_object('account_id', %L)) $$, :'ws_b', :'account_b'),
  '42501', 'You are not a member of this workspace', 'enqueue_job in Bob''s workspace: refused');
select throws_ok(format($$ select public.cancel_job(%L) $$, :'job_b'), 'PT404', 'Job not found', 'cancel_job of Bob''s job: not found');
select throws_ok(format($$ select public.retry_job(%L) $$, :'job_b'), 'PT404', 'Job not found', 'retry_job of Bob''s job: not found');

-- TEST: browsers never write jobs or job logs directly.
select throws_ok(format($$ update public.jobs set status = 'completed' where id = %L $$, :'job_a'), '42501',
  'permission denied for table jobs', 'Alice cannot update her own job');
select throws_ok(format($$ delete from public.jobs where id = %L $$, :'job_a'), '42501',
  'permission denied for table jobs', 'nor delete it');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, status) values (%L, 'x', 'completed') $$, :'ws_a'), '42501',
  'permission denied for table jobs', 'nor insert a job in another state than pending');
select throws_ok(format($$ insert into public.jobs (workspace_id, job_type, attempts) values (%L, 'x', 4) $$, :'ws_a'), '42501',
  'permission denied for table jobs', 'nor with attempts used');
select throws_ok(format($$ insert into public.job_logs (job_id, workspace_id, message) values (%L, %L, 'fake') $$, :'job_a', :'ws_a'), '42501',
  'permission denied for table job_logs', 'nor write a log line');
select throws_ok($$ update public.job_logs set message = 'edited' $$, '42501', 'permission denied for table job_logs', 'nor edit one');
select throws_ok($$ delete from public.job_logs $$, '42501', 'permission denied for table job_logs', 'nor delete one');
select lives_ok(format($$ insert into public.jobs (workspace_id, job_type, payload) values (%L, 'import_csv', '{"file": "x.csv"}') $$, :'ws_a'),
  'a plain pending job in her own workspace she may insert');

-- TEST: settings: owners change auto-enrich only; members change nothing.
select results_eq(format($$ update public.workspace_settings set apollo_auto_enrich = true where workspace_id = %L returning apollo_auto_enrich $$, :'ws_a'),
  $$ values (true) $$, 'the owner can switch auto-enrich on');
select throws_ok(format($$ update public.workspace_settings set enrichment_credits_used = 0 where workspace_id = %L $$, :'ws_a'), '42501',
  'permission denied for table workspace_settings', 'but cannot reset the credits used');
select throws_ok(format($$ update public.workspace_settings set apollo_api_key_encrypted = null, apollo_api_key_last4 = null where workspace_id = %L $$, :'ws_a'),
  '42501', 'permission denied for table workspace_settings', 'nor write the key (the apollo-settings function does that)');
select tests.authenticate_as('carol@rls.test');
select results_eq($$ select id from public.accounts $$, format($$ values (%L::uuid) $$, :'account_a'), 'Carol, a member of A, sees A''s accounts');
select results_eq(format($$ select apollo_auto_enrich from public.workspace_settings where workspace_id = %L $$, :'ws_a'),
  $$ values (true) $$, 'and A''s settings');
select is_empty(format($$ update public.workspace_settings set apollo_auto_enrich = false where workspace_id = %L returning 1 $$, :'ws_a'),
  'but as a plain member she cannot change them');
select is_empty(format($$ update public.workspaces set name = 'Renamed' where id = %L returning 1 $$, :'ws_a'),
  'nor rename the workspace');
select lives_ok(format($$ select public.enqueue_enrichment(%L) $$, :'account_a'), 'she can enrich A''s accounts');

-- TEST: Bob sees his side only, including the job that failed.
select tests.authenticate_as('bob@rls.test');
select results_eq($$ select id, status, error_message from public.jobs $$,
  format($$ values (%L::uuid, 'failed'::text, 'failed in B'::text) $$, :'job_b'), 'Bob sees his job and why it failed, nothing of A');
select is_empty($$ select 1 from public.job_actions $$, 'Bob sees none of A''s job actions');
select lives_ok(format($$ select public.retry_job(%L) $$, :'job_b'), 'Bob can retry his failed job');

-- TEST: an anonymous caller sees nothing and can call nothing.
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.jobs $$, '42501', 'permission denied for table jobs', 'anon cannot read jobs');
select throws_ok($$ select * from public.job_logs $$, '42501', 'permission denied for table job_logs', 'anon cannot read job logs');
select throws_ok($$ select * from public.accounts $$, '42501', 'permission denied for table accounts', 'anon cannot read accounts');
select throws_ok($$ select * from public.contacts $$, '42501', 'permission denied for table contacts', 'anon cannot read contacts');
select throws_ok($$ select * from public.workspaces $$, '42501', 'permission denied for table workspaces', 'anon cannot read workspaces');
select throws_ok($$ select workspace_id from public.workspace_settings $$, '42501', 'permission denied for table workspace_settings', 'anon cannot read settings');
select throws_ok($$ select * from public.accounts_with_enrichment $$, '42501', 'permission denied for view accounts_with_enrichment', 'anon cannot read the accounts view');
select throws_ok(format($$ select public.enqueue_enrichment(%L) $$, :'account_a'), '42501', 'permission denied for function enqueue_enrichment',
  'anon cannot queue an enrichment');
select throws_ok(format($$ select public.cancel_job(%L) $$, :'job_a'), '42501', 'permission denied for function cancel_job',
  'anon cannot cancel a job');

-- TEST: browsers cannot call worker-only functions.
select tests.authenticate_as('alice@rls.test');
select throws_ok($$ select public.claim_jobs('sneaky') $$, '42501', 'permission denied for function claim_jobs', 'Alice cannot claim jobs');
select throws_ok(format($$ select public.complete_job(%L, 'worker-a') $$, :'job_a'), '42501', 'permission denied for function complete_job',
  'nor complete one, even naming its worker');
select throws_ok(format($$ select public.apply_account_enrichment(%L, 'worker-a', '{}', '{}') $$, :'job_a'), '42501',
  'permission denied for function apply_account_enrichment', 'nor write enrichment results');
select throws_ok($$ select private.purge_old_jobs() $$, '42501', 'permission denied for schema private', 'nor reach anything in private');

-- TEST: the service role (workers) sees every workspace.
select tests.authenticate_as_service_role();
select is((select count(*)::integer from public.jobs where id in (:'job_a', :'job_b')), 2, 'the service role sees both workspaces'' jobs');

select * from finish();
rollback;
