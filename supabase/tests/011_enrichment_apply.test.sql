-- apply_account_enrichment / apply_contact_enrichment: the worker writes Apollo's answer into the
-- job's record in one transaction. Values are filled in or updated, never replaced by null; the
-- raw Apollo data goes under metadata.apollo with apollo_enriched_at; a job writes its record once
-- and the workspace is charged one credit per job, however often the job runs (an attempt whose
-- worker died after writing is followed by one that writes nothing again).
begin;
select plan(27);

-- SETUP: an account with a city and some metadata, a contact, and an enrichment job for each.
select tests.create_workspace('Apply tests') as ws \gset
select tests.create_workspace('Elsewhere') as other_ws \gset
select tests.create_account(:'ws', 'Stripe', 'stripe.com') as account \gset
update public.accounts set city = 'San Francisco', metadata = '{"source": "csv"}' where id = :'account';
select tests.create_contact(:'ws', :'account', 'Maya', null, 'maya@stripe.com') as contact \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account', 'domain', 'stripe.com')) as job \gset
select tests.claim_job(:'job', 'worker-a');
create temporary table settings_before on commit drop as
  select enrichment_credits_used from public.workspace_settings where workspace_id = :'ws';

-- TEST: the account is enriched.
select is(public.apply_account_enrichment(:'job', 'worker-a',
  '{"industry": "Financial Services", "employee_count": 8000, "annual_revenue": 14000000000, "city": null,
    "country": "United States", "linkedin_url": "https://linkedin.com/company/stripe", "website_url": "https://stripe.com",
    "description": "Payments infrastructure", "founded_year": 2010, "phone": "+1 888 926 2289"}',
  '{"id": "apollo-org-1", "name": "Stripe", "primary_domain": "stripe.com"}', now()), true,
  'the holder applies the enrichment');
select results_eq(format($$ select industry, employee_count, annual_revenue, city, state, country, linkedin_url, website_url,
                                   description, founded_year, phone, enriched_at from public.accounts where id = %L $$, :'account'),
  $$ values ('Financial Services'::text, 8000, 14000000000::bigint, 'San Francisco'::text, null::text, 'United States'::text,
             'https://linkedin.com/company/stripe'::text, 'https://stripe.com'::text, 'Payments infrastructure'::text, 2010,
             '+1 888 926 2289'::text, now()) $$,
  'fields are written; a null (city) or missing (state) value leaves what was there; enriched_at is set');
select results_eq(format($$ select metadata -> 'apollo', metadata ->> 'apollo_enriched_at', metadata ->> 'source' from public.accounts where id = %L $$, :'account'),
  $$ values ('{"id": "apollo-org-1", "name": "Stripe", "primary_domain": "stripe.com"}'::jsonb, to_jsonb(now()) #>> '{}', 'csv'::text) $$,
  'metadata.apollo holds Apollo''s organization, metadata.apollo_enriched_at the time; other metadata is kept');
select is((select s.enrichment_credits_used - b.enrichment_credits_used from public.workspace_settings s, settings_before b
           where s.workspace_id = :'ws'), 1, 'the workspace is charged one credit');
select is((select credits_used from public.jobs where id = :'job'), 1, 'and the job records that it charged it');

-- TEST: running again (a retried attempt) writes nothing twice and does not charge again.
select is(public.apply_account_enrichment(:'job', 'worker-a', '{"employee_count": 8100}', '{"id": "apollo-org-1"}', now()), true,
  'applying a second time answers true (the job may go on and complete)');
select is((select employee_count from public.accounts where id = :'account'), 8000, 'but writes nothing again');
select is((select s.enrichment_credits_used - b.enrichment_credits_used from public.workspace_settings s, settings_before b
           where s.workspace_id = :'ws'), 1, 'and the credit is not charged twice');
select public.fail_job(:'job', 'worker-a', 'crashed after writing', true, 0);
select tests.claim_job(:'job', 'worker-b');
select is(public.apply_account_enrichment(:'job', 'worker-b', '{"industry": "Fintech"}', '{"id": "apollo-org-1"}', now()), true,
  'the next attempt, by another worker, is told the enrichment is there');
select is((select industry from public.accounts where id = :'account'), 'Financial Services',
  'and the account keeps what the first attempt wrote: a job enriches its account once');
select ok((select count(*) = 1 from public.job_logs where job_id = :'job' and metadata ->> 'already_applied' = 'true' and attempt = 2),
  'the job''s log says so, for attempt 2');
select is((select s.enrichment_credits_used - b.enrichment_credits_used from public.workspace_settings s, settings_before b
           where s.workspace_id = :'ws'), 1, 'still one credit for the job');
select public.complete_job(:'job', 'worker-b');

-- TEST: a new job is a new charge.
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'account', 'domain', 'stripe.com')) as job2 \gset
select tests.claim_job(:'job2', 'worker-a');
select public.apply_account_enrichment(:'job2', 'worker-a', '{}', '{"id": "apollo-org-1"}');
select is((select s.enrichment_credits_used - b.enrichment_credits_used from public.workspace_settings s, settings_before b
           where s.workspace_id = :'ws'), 2, 'enriching the account again later is charged again');

-- TEST: fencing and missing records.
select is(public.apply_account_enrichment(:'job2', 'worker-b', '{"industry": "Hijacked"}', '{}'), false,
  'another worker cannot write the results');
select isnt((select industry from public.accounts where id = :'account'), 'Hijacked', 'and nothing was written');
select public.complete_job(:'job2', 'worker-a');
select is(public.apply_account_enrichment(:'job2', 'worker-a', '{"industry": "Late"}', '{}'), false,
  'nor can the worker once the job is completed');
select tests.create_account(:'ws', 'Gone', 'gone.com') as gone \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'gone', 'domain', 'gone.com')) as gone_job \gset
select tests.claim_job(:'gone_job', 'worker-a');
delete from public.accounts where id = :'gone';
select is(public.apply_account_enrichment(:'gone_job', 'worker-a', '{}', '{}'), false,
  'an account deleted meanwhile: its job was cancelled with it, so nothing is written');
select tests.create_account(:'other_ws', 'Foreign', 'foreign.com') as foreign_account \gset
select tests.create_job(:'ws', 'enrich_account', jsonb_build_object('account_id', :'foreign_account')) as sneaky \gset
select tests.claim_job(:'sneaky', 'worker-a');
select throws_ok(format($$ select public.apply_account_enrichment(%L, 'worker-a', '{"industry": "Pwned"}', '{}') $$, :'sneaky'), 'P0002', null,
  'a job cannot write to another workspace''s account named in its payload');
select is((select industry from public.accounts where id = :'foreign_account'), null, 'which stays untouched');

-- TEST: the contact is enriched; names and email it has are kept.
select tests.create_job(:'ws', 'enrich_contact', jsonb_build_object('contact_id', :'contact')) as cjob \gset
select tests.claim_job(:'cjob', 'worker-a');
create temporary table credits_mid on commit drop as
  select enrichment_credits_used from public.workspace_settings where workspace_id = :'ws';
select is(public.apply_contact_enrichment(:'cjob', 'worker-a',
  '{"first_name": "M.", "last_name": "Lindqvist", "email": "other@stripe.com", "title": "Head of RevOps", "seniority": "head",
    "linkedin_url": "https://linkedin.com/in/maya", "city": "Dublin", "country": "Ireland", "phone": null}',
  '{"id": "apollo-person-1"}', now()), true, 'the holder applies the contact enrichment');
select results_eq(format($$ select first_name, last_name, email, title, seniority, linkedin_url, city, country, enriched_at,
                                   metadata -> 'apollo' from public.contacts where id = %L $$, :'contact'),
  $$ values ('Maya'::text, 'Lindqvist'::text, 'maya@stripe.com'::text, 'Head of RevOps'::text, 'head'::text,
             'https://linkedin.com/in/maya'::text, 'Dublin'::text, 'Ireland'::text, now(), '{"id": "apollo-person-1"}'::jsonb) $$,
  'a name and email the contact has are kept, a missing last name is filled, the rest updated, Apollo''s person under metadata.apollo');
select is(public.apply_contact_enrichment(:'cjob', 'worker-a', '{"title": "CRO"}', '{"id": "apollo-person-1"}'), true, 'applying twice');
select is((select title from public.contacts where id = :'contact'), 'Head of RevOps', 'writes the contact once');
select is((select s.enrichment_credits_used - m.enrichment_credits_used from public.workspace_settings s, credits_mid m
           where s.workspace_id = :'ws'), 1, 'charges one credit for the contact job');
select is(public.apply_contact_enrichment(:'cjob', 'worker-b', '{"title": "Hijacked"}', '{}'), false,
  'another worker cannot write the contact');
select tests.create_contact(:'ws', null, 'No', 'Email') as noemail \gset
select tests.create_job(:'ws', 'enrich_contact', jsonb_build_object('contact_id', :'noemail')) as cjob2 \gset
select tests.claim_job(:'cjob2', 'worker-a');
select public.apply_contact_enrichment(:'cjob2', 'worker-a', '{"email": ""}', '{}');
select is((select email from public.contacts where id = :'noemail'), null, 'an empty email from Apollo is not stored');
select public.complete_job(:'cjob2', 'worker-a');
select tests.create_job(:'ws', 'enrich_contact', jsonb_build_object('contact_id', :'noemail')) as cjob3 \gset
select tests.claim_job(:'cjob3', 'worker-a');
select public.apply_contact_enrichment(:'cjob3', 'worker-a', '{"email": "no.email@x.io"}', '{}');
select is((select email from public.contacts where id = :'noemail'), 'no.email@x.io', 'a real one (a later job) fills the gap');

select * from finish();
rollback;
