-- Realtime: the browser follows jobs, their log lines and enriched accounts live, so those
-- tables are in publication supabase_realtime; the settings (with the key ciphertext) are not.
begin;
select plan(5);

-- TEST: publication membership.
select results_eq($$ select tablename::text collate "default" from pg_catalog.pg_publication_tables
                     where pubname = 'supabase_realtime' and schemaname = 'public' order by tablename $$,
  $$ values ('accounts'::text), ('job_logs'), ('jobs') $$, 'jobs, job_logs and accounts are published to Realtime, and nothing else of public');
select is((select pubinsert and pubupdate and pubdelete from pg_catalog.pg_publication where pubname = 'supabase_realtime'), true,
  'inserts, updates and deletes are all published');
select has_pk('public', 'jobs', 'jobs has a primary key (Realtime needs one)');
select has_pk('public', 'job_logs', 'job_logs has a primary key');
select has_pk('public', 'accounts', 'accounts has a primary key');

select * from finish();
rollback;
