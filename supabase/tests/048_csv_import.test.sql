-- CSV import: the Storage policies of the imports bucket (a member of another workspace can neither
-- read nor write the object), start_import, and import_account_rows writing each row once, with
-- duplicates (in the file and against the workspace) and bad rows accounted for; finish_import.
begin;
select plan(18);

select tests.create_user('importer@example.com');
select tests.create_user('outsider@example.com');
select tests.create_workspace('Import tests', 'importer@example.com') as ws \gset
select tests.create_workspace('Outsider''s', 'outsider@example.com') as other_ws \gset
select tests.create_account(:'ws', 'Already here', 'here.example') as existing \gset
select :'ws' || '/accounts.csv' as path \gset

-- TEST: Storage policies.
select tests.authenticate_as('importer@example.com');
select lives_ok(format($$ insert into storage.objects (bucket_id, name, metadata) values ('imports', %L, '{"size": 120}') $$, :'path'),
  'a member uploads into the workspace''s folder');
select is((select count(*)::integer from storage.objects where bucket_id = 'imports' and name = :'path'), 1, 'and reads it');
select tests.authenticate_as('outsider@example.com');
select is((select count(*)::integer from storage.objects where bucket_id = 'imports' and name = :'path'), 0,
  'a member of another workspace cannot read it');
select throws_ok(format($$ insert into storage.objects (bucket_id, name) values ('imports', %L) $$, :'ws' || '/theirs.csv'),
  '42501', null, 'nor write into its folder');
delete from storage.objects where name = :'path';
select tests.clear_authentication();
select is((select count(*)::integer from storage.objects where name = :'path'), 1, 'nor remove it');
select tests.authenticate_as('outsider@example.com');
select throws_ok(format($$ insert into storage.objects (bucket_id, name) values ('imports', %L) $$, 'not-a-workspace/x.csv'),
  '42501', null, 'a folder that is no workspace is refused');
select tests.authenticate_as_anon();
select is((select count(*)::integer from storage.objects where bucket_id = 'imports'), 0, 'anon reads nothing');

-- TEST: start_import.
select tests.authenticate_as('outsider@example.com');
select throws_ok(format($$ select public.start_import(%L, 'accounts.csv', '{"name": "Company"}') $$, :'path'),
  'PT404', null, 'only the workspace''s members can import its file (others do not see it)');
select tests.authenticate_as('importer@example.com');
select throws_ok(format($$ select public.start_import(%L, 'x.csv', '{"name": "Company"}') $$, :'ws' || '/missing.csv'),
  'PT404', null, 'a file that was not uploaded is refused');
select (public.start_import(:'path', 'accounts.csv', '{"name": "Company", "domain": "Website"}', 'skip', true)).id as import \gset
select tests.clear_authentication();
select results_eq(format($$ select j.job_type, j.status, j.payload ->> 'import_id' from public.imports i join public.jobs j on j.id = i.job_id where i.id = %L $$, :'import'),
  format($$ values ('import_accounts'::text, 'pending'::text, %L::text) $$, :'import'), 'the import is queued as an import_accounts job');

-- TEST: a batch: good, bad, a duplicate in the file, one already in the workspace.
select job_id as job from public.imports where id = :'import' \gset
select tests.claim_job(:'job', 'worker-i');
select (public.import_account_rows(:'job', 'worker-i', '[
  {"row": 2, "name": "Acme", "domain": "acme.example", "city": "Berlin"},
  {"row": 3, "name": "", "domain": "bad-.example", "errors": [{"column_name": "name", "value": "", "reason": "a name is required"},
                                                            {"column_name": "domain", "value": "bad-.example", "reason": "not a domain"}]},
  {"row": 4, "name": "Acme again", "domain": "acme.example"},
  {"row": 5, "name": "Here", "domain": "here.example", "industry": "Cargo"},
  {"row": 6, "name": "No domain Co"}
]', 5, 400, array['Company', 'Website'])).rows_done as done \gset
select results_eq(format($$ select created_count, updated_count, skipped_count, failed_count, rows_done, bytes_done, headers from public.imports where id = %L $$, :'import'),
  $$ values (2, 0, 2, 1, 5, 400::bigint, array['Company', 'Website']) $$, 'counts: 2 created, 2 duplicates skipped, 1 failed; the checkpoint moved');
select results_eq(format($$ select name, city, metadata -> 'import' ->> 'row' from public.accounts where workspace_id = %L and metadata ? 'import' order by name $$, :'ws'),
  $$ values ('Acme'::text, 'Berlin'::text, '2'::text), ('No domain Co', null, '6') $$, 'the new accounts, each with the row it came from');
select is((select industry from public.accounts where id = :'existing'), null, 'skip leaves the existing account alone');
select results_eq(format($$ select row_number, column_name, reason from public.import_errors where import_id = %L order by column_name $$, :'import'),
  $$ values (3, 'domain'::text, 'not a domain'::text), (3, 'name', 'a name is required') $$, 'every problem of the bad row is kept');

-- TEST: the same batch again (a resumed worker) writes nothing twice.
select public.import_account_rows(:'job', 'worker-i', '[{"row": 2, "name": "Acme", "domain": "acme.example"}, {"row": 6, "name": "No domain Co"}]', 5, 400);
select results_eq(format($$ select created_count, (select count(*)::integer from public.accounts where workspace_id = %L) from public.imports where id = %L $$, :'ws', :'import'),
  $$ values (2, 3) $$, 'a resumed batch writes no row twice');
select is(public.import_account_rows(:'job', 'worker-other', '[]', 6, 500), null, 'another worker''s batch is refused (lease)');

-- TEST: a later batch meets the file's own accounts as duplicates; finish_import queues enrichment of what it created.
select public.import_account_rows(:'job', 'worker-i', '[{"row": 7, "name": "Acme third", "domain": "acme.example"}]', 6, 450);
select is((select skipped_count from public.imports where id = :'import'), 3, 'a domain the file already created is a duplicate in a later batch too');
select results_eq(format($$ select enrich_jobs, finished_at is not null from public.finish_import(%L, 'worker-i') $$, :'job'),
  $$ values (1, true) $$, 'finishing queues enrichment of the created accounts that have a domain');

select * from finish();
rollback;
