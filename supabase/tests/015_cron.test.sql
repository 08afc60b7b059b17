-- The pg_cron schedule: job-worker every minute (one POST to the job-worker Edge Function
-- through pg_net, via private.invoke_worker), job-reaper every minute, job-retention daily.
-- The URL and secret come from Vault only (the secrets project_url and worker_secret_token).
begin;
select plan(24);
set local client_min_messages = warning; -- invoke_worker's notice when unconfigured is expected here

-- SETUP: point the worker URL at an address of this transaction's own.
select tests.capture_worker_calls() as project_url \gset

-- TEST: the three jobs and their schedules.
select results_eq($$ select jobname::text collate "default", schedule::text collate "default", active from cron.job where jobname like 'job-%' order by jobname $$,
  $$ values ('job-reaper'::text, '* * * * *'::text, true), ('job-retention', '17 3 * * *', true), ('job-worker', '* * * * *', true) $$,
  'job-worker and job-reaper run every minute, job-retention once a day');
select results_eq($$ select jobname::text collate "default", command collate "default" from cron.job where jobname like 'job-%' order by jobname $$,
  $$ values ('job-reaper'::text, 'select public.reap_expired_leases()'::text),
            ('job-retention', 'select private.purge_old_jobs()'),
            ('job-worker', 'select private.invoke_worker(''cron'')') $$,
  'each runs the function it is named after');
select is_empty($$ select 1 from cron.job where jobname like 'job-%' and (database <> current_database() or username <> 'postgres') $$,
  'they run in this database as postgres');
select is((select count(*)::integer from cron.job where jobname in ('job-worker', 'job-reaper', 'job-retention')), 3, 'each is scheduled once');

-- TEST: what job-worker's command does: exactly one POST to the worker with the secret.
do $$ begin execute (select command from cron.job where jobname = 'job-worker'); end $$;
select is(tests.worker_calls('cron'), 1, 'running job-worker queues exactly one HTTP request through pg_net');
select results_eq(format($$ select method::text, url, headers, timeout_milliseconds from net.http_request_queue where url like %L $$, :'project_url' || '%'),
  format($$ values ('POST'::text, %L::text, '{"Content-Type": "application/json", "Authorization": "Bearer pgtap-secret-token"}'::jsonb, 60000) $$,
         :'project_url' || '/functions/v1/job-worker'),
  'a POST to <project_url>/functions/v1/job-worker with Authorization: Bearer <worker_secret_token>, JSON, 60 s timeout');
select is((select convert_from(body, 'UTF8')::jsonb ->> 'reason' from net.http_request_queue where url like :'project_url' || '%'), 'cron',
  'its body says the cron sent it');
select isnt(private.invoke_worker('manual'), null, 'invoke_worker returns the pg_net request id');
select is(tests.worker_calls(), 2, 'one more request per call');
select tests.set_vault_secret('project_url', :'project_url' || '/');
select private.invoke_worker('manual');
select is(tests.worker_calls('manual'), 2, 'a trailing slash on project_url does not double the slash');

-- TEST: without configuration, no request (and no error: cron must not fail every minute).
select tests.delete_vault_secret('worker_secret_token');
select is(private.invoke_worker('cron'), null, 'without a worker secret invoke_worker does nothing and returns null');
select is(tests.worker_calls(), 3, 'no request was queued');

-- TEST: Vault is the only source of the worker's URL and secret, and keeps them encrypted.
select tests.set_vault_secret('project_url', :'project_url' || '-from-vault');
select tests.set_vault_secret('worker_secret_token', 'vault-token');
select is(private.setting('project_url'), :'project_url' || '-from-vault', 'private.setting reads project_url from Vault');
select ok((select v.secret !~ 'vault-token' and v.secret !~ 'from-vault' from vault.secrets v where v.name = 'worker_secret_token'),
  'vault.secrets holds the token encrypted');
select throws_ok($$ insert into private.settings (key, value) values ('worker_secret_token', 'plain-token') $$, '23514', null,
  'private.settings refuses the worker secret: it belongs in Vault');
-- Even a row that got past the check (constraint dropped in this transaction) is not read.
alter table private.settings drop constraint settings_worker_url_and_secret_live_in_vault;
insert into private.settings (key, value) values ('project_url', 'http://from-the-table.invalid'), ('worker_secret_token', 'table-token');
select is(private.setting('project_url'), :'project_url' || '-from-vault', 'Vault''s URL wins over a table row');
select tests.delete_vault_secret('worker_secret_token');
select is(private.setting('worker_secret_token'), null, 'without the Vault secret there is no token, whatever the table holds');
select tests.set_vault_secret('worker_secret_token', 'vault-token');

-- TEST: other settings: Vault first, then private.settings.
insert into private.settings (key, value) values ('job_retention_days', '9');
select is(private.setting('job_retention_days'), '9', 'a threshold falls back to private.settings');
select tests.set_vault_secret('job_retention_days', '11');
select is(private.setting('job_retention_days'), '11', 'and a Vault secret of the same name wins');

-- TEST: an enqueue by a signed-in user wakes the worker with Vault's URL and secret (the path a
-- hosted project runs: the trigger reads Vault as the function owner, not as the user).
select tests.forget_wakeups();
select tests.create_user('vera@vault.test') as vera \gset
select tests.create_account(tests.personal_workspace('vera@vault.test'), 'Vault Co', 'vault.example') as vault_account \gset
select tests.authenticate_as('vera@vault.test');
select lives_ok(format('select public.enqueue_enrichment(%L)', :'vault_account'), 'a member enqueues an enrichment');
select tests.clear_authentication();
select results_eq(format($$ select url, headers ->> 'Authorization', convert_from(body, 'UTF8')::jsonb ->> 'reason'
                            from net.http_request_queue where url like %L $$, :'project_url' || '-from-vault%'),
  format($$ values (%L::text, 'Bearer vault-token'::text, 'enqueue'::text) $$, :'project_url' || '-from-vault/functions/v1/job-worker'),
  'the wake-up is a POST to Vault''s project_url with Vault''s worker_secret_token');

-- TEST: job-reaper's and job-retention's commands run.
select tests.create_workspace('Cron tests') as ws \gset
select tests.create_job(:'ws', 'pgtap_job', '{}', now() - interval '2 hours') as job \gset
select tests.claim_job(:'job', 'worker-a', 1, now() - interval '1 hour');
select lives_ok((select command from cron.job where jobname = 'job-reaper'), 'job-reaper''s command runs');
select is((select status from public.jobs where id = :'job'), 'pending', 'and reaps a job whose lease has expired');
select lives_ok((select command from cron.job where jobname = 'job-retention'), 'job-retention''s command runs');

select * from finish();
rollback;
