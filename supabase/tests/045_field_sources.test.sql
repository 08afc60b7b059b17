-- Enrichment never overwrites what a person typed: field_sources records who set each Apollo-fillable
-- value; apply_account_enrichment fills empty columns, refreshes its own, keeps typed ones unless the
-- workspace lets Apollo win for the group, and says what it changed. Deleting a record cancels its jobs.
begin;
select plan(16);

select tests.create_user('fields-owner@example.com') as owner \gset
select tests.create_workspace('Field sources tests', 'fields-owner@example.com') as ws \gset

-- SETUP: an account a person created with a city and a country.
select tests.authenticate_as('fields-owner@example.com');
insert into public.accounts (workspace_id, name, domain, city, country)
values (:'ws', 'Acme', 'acme.example', 'San Francisco', 'United States') returning id as account \gset
select tests.clear_authentication();

-- TEST: typed values are recorded as a person's; empty columns have no entry; browsers cannot write sources.
select is((select field_sources -> 'country' ->> 'source' from public.accounts where id = :'account'), 'user', 'a typed country is the user''s');
select is((select field_sources ? 'industry' from public.accounts where id = :'account'), false, 'an empty column has no source');
select tests.authenticate_as('fields-owner@example.com');
select throws_ok(format($$ update public.accounts set field_sources = '{}' where id = %L $$, :'account'), '42501', null,
  'a browser cannot write field_sources');
select tests.clear_authentication();

-- SETUP: an enrichment that has a value for every column, some differing from the typed ones.
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account', 'domain', 'acme.example')) as job1 \gset
select tests.claim_job(:'job1', 'worker-f');
select ok(public.apply_account_enrichment(:'job1', 'worker-f',
  '{"industry": "Software", "employee_count": 50, "city": "San Francisco", "country": "USA"}'::jsonb, '{"id": "org-1"}'::jsonb),
  'the enrichment is applied');

-- TEST: Apollo filled the empty columns and kept the typed country.
select results_eq(format($$ select industry, employee_count, city, country from public.accounts where id = %L $$, :'account'),
  $$ values ('Software'::text, 50, 'San Francisco'::text, 'United States'::text) $$,
  'empty columns filled, the typed country kept');
select is((select field_sources -> 'industry' ->> 'source' from public.accounts where id = :'account'), 'apollo', 'a filled column is Apollo''s');
select is((select field_sources -> 'country' ->> 'source' from public.accounts where id = :'account'), 'user', 'the kept column is still the user''s');
select is((select metadata -> 'last_enrichment' -> 'changed' from public.accounts where id = :'account'),
  '{"industry": {"old": null, "new": "Software"}, "employee_count": {"old": null, "new": 50}}'::jsonb,
  'last_enrichment says what changed, old -> new');
select is((select metadata -> 'last_enrichment' -> 'kept' from public.accounts where id = :'account'),
  '{"country": {"value": "United States", "apollo": "USA"}}'::jsonb,
  'and which typed value it kept, with Apollo''s value');

-- TEST: a second enrichment refreshes what Apollo wrote.
select public.complete_job(:'job1', 'worker-f');
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account', 'domain', 'acme.example')) as job2 \gset
select tests.claim_job(:'job2', 'worker-f');
select public.apply_account_enrichment(:'job2', 'worker-f', '{"industry": "Fintech", "country": "USA"}'::jsonb, '{}'::jsonb);
select results_eq(format($$ select industry, country from public.accounts where id = %L $$, :'account'),
  $$ values ('Fintech'::text, 'United States'::text) $$, 'Apollo refreshes its own value, still keeps the typed one');

-- TEST: a person editing an Apollo value makes it theirs, and the next enrichment keeps it.
select public.complete_job(:'job2', 'worker-f');
select tests.authenticate_as('fields-owner@example.com');
update public.accounts set industry = 'Payments' where id = :'account';
select tests.clear_authentication();
select is((select field_sources -> 'industry' ->> 'source' from public.accounts where id = :'account'), 'user', 'an edited value is the user''s');
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account', 'domain', 'acme.example')) as job3 \gset
select tests.claim_job(:'job3', 'worker-f');
select public.apply_account_enrichment(:'job3', 'worker-f', '{"industry": "Fintech"}'::jsonb, '{}'::jsonb);
select is((select industry from public.accounts where id = :'account'), 'Payments', 'the next enrichment keeps the edit');

-- TEST: "Apollo wins" for the location group overwrites the typed country, and no other group.
select public.complete_job(:'job3', 'worker-f');
update public.workspace_settings set apollo_overwrite_groups = '{location}' where workspace_id = :'ws';
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account', 'domain', 'acme.example')) as job4 \gset
select tests.claim_job(:'job4', 'worker-f');
select public.apply_account_enrichment(:'job4', 'worker-f', '{"industry": "Fintech", "country": "USA"}'::jsonb, '{}'::jsonb);
select results_eq(format($$ select industry, country, field_sources -> 'country' ->> 'source' from public.accounts where id = %L $$, :'account'),
  $$ values ('Payments'::text, 'USA'::text, 'apollo'::text) $$, 'Apollo wins in the chosen group only');
select throws_ok(format($$ update public.workspace_settings set apollo_overwrite_groups = '{everything}' where workspace_id = %L $$, :'ws'),
  '23514', null, 'only known groups can be chosen');

-- TEST: deleting an account cancels its pending job, with a log line saying why.
select public.complete_job(:'job4', 'worker-f');
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account', 'domain', 'acme.example')) as job5 \gset
select tests.authenticate_as('fields-owner@example.com');
delete from public.accounts where id = :'account';
select tests.clear_authentication();
select is((select status from public.jobs where id = :'job5'), 'cancelled', 'the deleted account''s pending job is cancelled');
select is((select message from public.job_logs where job_id = :'job5' order by id desc limit 1),
  'Cancelled: its account was deleted by fields-owner@example.com', 'its log says why');

select * from finish();
rollback;
