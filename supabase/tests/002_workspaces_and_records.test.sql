-- Workspaces, members, accounts and contacts: what the triggers do for a user who signs up,
-- creates a workspace, and adds records from the browser (as role authenticated).
begin;
select plan(24);

-- SETUP: two users; signing up gave each a personal workspace.
select tests.create_user('ada@records.test', 'Ada''s Team') as ada \gset
select tests.create_user('ben@records.test') as ben \gset
select tests.personal_workspace('ada@records.test') as ada_ws \gset

-- TEST: signing up creates a personal workspace, owned by the user, with a settings row.
select is((select name from public.workspaces where id = :'ada_ws'), 'Ada''s Team',
  'the personal workspace takes the name given at sign-up');
select is((select name from public.workspaces where id = tests.personal_workspace('ben@records.test')), 'ben''s workspace',
  'without a name it is called after the email''s local part');
select results_eq(format($$ select user_id, role from public.workspace_members where workspace_id = %L $$, :'ada_ws'),
  format($$ values (%L::uuid, 'owner'::text) $$, :'ada'), 'the new user is the owner and only member of it');
select results_eq(format($$ select apollo_auto_enrich, enrichment_credits_used, has_apollo_key from public.workspace_settings where workspace_id = %L $$, :'ada_ws'),
  $$ values (false, 0, false) $$, 'the workspace has a settings row from the start: no key, no auto-enrich, no credits used');

-- TEST: a signed-in user creates a workspace and becomes its owner.
select tests.authenticate_as('ada@records.test');
select lives_ok($$ insert into public.workspaces (name) values ('Side project') $$, 'a user can create a workspace');
select is((select role from public.workspace_members m join public.workspaces w on w.id = m.workspace_id
           where w.name = 'Side project'), 'owner', 'its creator is its owner (created_by defaults to the caller)');
select throws_ok(format($$ insert into public.workspaces (name, created_by) values ('Not mine', %L) $$, :'ben'),
  '42501', 'permission denied for table workspaces', 'nobody creates a workspace in another user''s name (created_by is not theirs to set)');
select lives_ok($$ update public.workspaces set name = 'Side project 2' where name = 'Side project' $$, 'the owner can rename it');
select throws_ok($$ update public.workspaces set created_by = null $$, '42501', 'permission denied for table workspaces',
  'only the name of a workspace can be changed');

-- TEST: accounts added from the browser are normalised (the normalize trigger works for authenticated).
select lives_ok(format($$ insert into public.accounts (workspace_id, name, domain) values (%L, '  Acme Inc  ', 'HTTPS://www.Acme.com/about?x=1') $$, :'ada_ws'),
  'a member can add an account to their workspace');
select results_eq(format($$ select name, domain, created_by from public.accounts where workspace_id = %L $$, :'ada_ws'),
  format($$ values ('Acme Inc'::text, 'acme.com'::text, %L::uuid) $$, :'ada'),
  'the name is trimmed, the domain stored bare and lower-case, and created_by is the caller');
select lives_ok(format($$ update public.accounts set domain = 'http://Globex.io:8080' where workspace_id = %L $$, :'ada_ws'),
  'a member can edit an account');
select is((select domain from public.accounts where workspace_id = :'ada_ws'), 'globex.io', 'an edited domain is normalised too');
select is((select updated_at >= created_at from public.accounts where workspace_id = :'ada_ws'), true, 'updated_at is kept current');
select lives_ok(format($$ insert into public.accounts (workspace_id, name, domain) values (%L, 'Blank domain', '   ') $$, :'ada_ws'),
  'a blank domain is stored as no domain');
select is((select domain from public.accounts where name = 'Blank domain'), null, 'the blank domain became null');

-- TEST: contacts added from the browser.
select lives_ok(format($$ insert into public.contacts (workspace_id, account_id, first_name, last_name, email)
                          select %L, id, 'Grace', 'Hopper', '  Grace.Hopper@Acme.COM ' from public.accounts where domain = 'globex.io' $$, :'ada_ws'),
  'a member can add a contact at one of their accounts');
select is((select email from public.contacts where last_name = 'Hopper'), 'grace.hopper@acme.com', 'the email is stored trimmed and lower-case');
select tests.clear_authentication();
select tests.create_account(tests.personal_workspace('ben@records.test'), 'Ben Co', 'ben.co') as ben_account \gset
select tests.authenticate_as('ada@records.test');
select throws_ok(format($$ insert into public.contacts (workspace_id, account_id, last_name) values (%L, %L, 'Smith') $$, :'ada_ws', :'ben_account'),
  '23503', 'The contact''s account is not in the same workspace', 'a contact cannot point at another workspace''s account');
select lives_ok(format($$ delete from public.accounts where domain = 'globex.io' $$), 'a member can delete an account');
select is((select account_id from public.contacts where last_name = 'Hopper'), null, 'its contacts stay, without an account');

-- TEST: normalize_domain on its own.
select tests.clear_authentication();
select is(private.normalize_domain('https://www.Example.COM/path#x'), 'example.com', 'normalize_domain strips scheme, www and path');
select is(private.normalize_domain('sub.example.co.uk:443'), 'sub.example.co.uk', 'normalize_domain strips a port and keeps subdomains');
select is(private.normalize_domain(''), null, 'normalize_domain of an empty string is null');

select * from finish();
rollback;
