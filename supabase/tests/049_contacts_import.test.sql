-- CSV import of contacts: start_import with kind 'contacts' (an email column required),
-- import_contact_rows matching contacts by email (in the file and against the workspace), linking
-- each to the account of its company domain (created when new), writing each row once, and
-- finish_import queueing enrichment of the created contacts.
begin;
select plan(14);

select tests.create_user('people@example.com');
select tests.create_workspace('People import', 'people@example.com') as ws \gset
select tests.create_account(:'ws', 'Acme', 'acme.example') as acme \gset
insert into public.contacts (workspace_id, email, first_name) values (:'ws', 'known@acme.example', 'Known');
select :'ws' || '/people.csv' as path \gset

select tests.authenticate_as('people@example.com');
insert into storage.objects (bucket_id, name, metadata) values ('imports', :'path', '{"size": 300}');

-- TEST: start_import.
select throws_ok(format($$ select public.start_import(%L, 'people.csv', '{"first_name": "First"}', 'skip', false, 'contacts') $$, :'path'),
  '22023', 'Map a column to the contact''s email', 'a contacts import needs an email column');
select throws_ok(format($$ select public.start_import(%L, 'people.csv', '{"email": "Email"}', 'skip', false, 'deals') $$, :'path'),
  '22023', null, 'an unknown kind is refused');
select (public.start_import(:'path', 'people.csv', '{"email": "Email", "account_domain": "Website"}', 'fill_empty', true, 'contacts')).id as import \gset
select tests.clear_authentication();
select results_eq(format($$ select i.kind, j.job_type from public.imports i join public.jobs j on j.id = i.job_id where i.id = %L $$, :'import'),
  $$ values ('contacts'::text, 'import_contacts'::text) $$, 'the import is queued as an import_contacts job');
select throws_ok(format($$ insert into public.imports (workspace_id, kind, object_path, file_name, mapping) values (%L, 'contacts', %L, 'x.csv', '{"name": "Name"}') $$, :'ws', :'path'),
  '23514', null, 'the table itself refuses a contacts import without an email column');

-- TEST: a batch: new, bad, a duplicate in the file, one already a contact (fill_empty), a new company.
select job_id as job from public.imports where id = :'import' \gset
select tests.claim_job(:'job', 'worker-p');
select public.import_contact_rows(:'job', 'worker-p', '[
  {"row": 2, "email": "ana@acme.example", "first_name": "Ana", "account_domain": "acme.example"},
  {"row": 3, "email": null, "first_name": "Bo", "errors": [{"column_name": "Email", "value": "bo@", "reason": "not an email address"}]},
  {"row": 4, "email": "ana@acme.example", "first_name": "Ana again"},
  {"row": 5, "email": "known@acme.example", "first_name": "Not me", "title": "CFO", "account_domain": "acme.example"},
  {"row": 6, "email": "cy@newco.example", "last_name": "Cy", "account_domain": "newco.example", "account_name": "NewCo"},
  {"row": 7, "email": "di@newco.example", "last_name": "Di", "account_domain": "newco.example"}
]', 6, 300, array['Email', 'Website']);
select results_eq(format($$ select created_count, updated_count, skipped_count, failed_count, accounts_created, rows_done from public.imports where id = %L $$, :'import'),
  $$ values (3, 1, 1, 1, 1, 6) $$, 'counts: 3 created, 1 updated, 1 duplicate, 1 failed, 1 account for a new company');
select results_eq(format($$ select c.email, c.first_name, a.name from public.contacts c left join public.accounts a on a.id = c.account_id
                            where c.workspace_id = %L order by c.email $$, :'ws'),
  $$ values ('ana@acme.example'::text, 'Ana'::text, 'Acme'::text), ('cy@newco.example', null, 'NewCo'), ('di@newco.example', null, 'NewCo'),
            ('known@acme.example', 'Known', 'Acme') $$,
  'new contacts linked to their company''s account; the known contact keeps its name and gains the account');
select is((select title from public.contacts where email = 'known@acme.example' and workspace_id = :'ws'), 'CFO', 'fill_empty fills an empty field');
select is((select count(*)::integer from public.accounts where workspace_id = :'ws' and domain = 'newco.example'), 1,
  'one account for the new company, however many of its people the file has');
select results_eq(format($$ select row_number, column_name, reason from public.import_errors where import_id = %L $$, :'import'),
  $$ values (3, 'Email'::text, 'not an email address'::text) $$, 'the bad row is kept with its reason');

-- TEST: resumed and later batches write nothing twice.
select public.import_contact_rows(:'job', 'worker-p', '[{"row": 2, "email": "ana@acme.example"}, {"row": 6, "email": "cy@newco.example"}]', 6, 300);
select is((select count(*)::integer from public.contacts where workspace_id = :'ws'), 4, 'a resumed batch writes no row twice');
select public.import_contact_rows(:'job', 'worker-p', '[{"row": 8, "email": "ana@acme.example", "first_name": "Ana"}]', 7, 340);
select results_eq(format($$ select updated_count, skipped_count from public.imports where id = %L $$, :'import'),
  $$ values (2, 1) $$, 'an email the file already created meets it as an existing contact in a later batch');
select is(public.import_contact_rows(:'job', 'worker-other', '[]', 8, 400), null, 'another worker''s batch is refused (lease)');

-- TEST: finish_import queues enrichment of the contacts it created.
select results_eq(format($$ select enrich_jobs, finished_at is not null from public.finish_import(%L, 'worker-p') $$, :'job'),
  $$ values (3, true) $$, 'finishing queues enrichment of the 3 created contacts');
select is((select count(*)::integer from public.jobs where workspace_id = :'ws' and job_type = 'enrich_contact'), 3, 'as enrich_contact jobs');

select * from finish();
rollback;
