-- Demo data for the local stack: a demo user in a demo workspace with a dozen accounts and
-- some contacts, and a second user in a second workspace, so isolation can be seen.
-- Log in as demo@example.com / demo-password (or other@example.com / other-password).
-- Fixed ids make the examples in the README copy-pasteable.

begin;

create temporary table seed_users (id uuid, email text, password text, workspace_id uuid, workspace_name text) on commit drop;
insert into seed_users values
  ('11111111-1111-4111-8111-111111111111', 'demo@example.com', 'demo-password',
   'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Demo Workspace'),
  ('22222222-2222-4222-8222-222222222222', 'other@example.com', 'other-password',
   'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'Other Workspace');

insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', s.id, 'authenticated', 'authenticated', s.email,
       extensions.crypt(s.password, extensions.gen_salt('bf', 10)), now(),
       '{"provider": "email", "providers": ["email"]}', jsonb_build_object('workspace_name', s.workspace_name), now(), now()
from seed_users s
on conflict (id) do nothing;

insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select s.id::text, s.id, jsonb_build_object('sub', s.id::text, 'email', s.email, 'email_verified', true), 'email', now(), now()
from seed_users s
on conflict (provider_id, provider) do nothing;

-- Signing up created a personal workspace for each user; give it the well-known id instead.
delete from public.workspaces w using seed_users s
where w.created_by = s.id and w.id <> s.workspace_id;
insert into public.workspaces (id, name, created_by)
select s.workspace_id, s.workspace_name, s.id from seed_users s
on conflict (id) do nothing;

insert into public.accounts (workspace_id, name, domain, city, country) values
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Stripe', 'stripe.com', 'San Francisco', 'United States'),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Notion', 'notion.so', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Figma', 'figma.com', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Linear', 'linear.app', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Vercel', 'vercel.com', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Supabase', 'supabase.com', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Airtable', 'airtable.com', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'HubSpot', 'hubspot.com', 'Cambridge', 'United States'),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Gong', 'gong.io', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Segment', 'segment.com', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Intercom', 'intercom.com', null, null),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Zapier', 'zapier.com', null, null),
  ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'Shopify', 'shopify.com', 'Ottawa', 'Canada'),
  ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'Atlassian', 'atlassian.com', 'Sydney', 'Australia'),
  ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'Canva', 'canva.com', null, null)
on conflict (workspace_id, domain) do nothing;

insert into public.contacts (workspace_id, account_id, first_name, last_name, email, title)
select a.workspace_id, a.id, c.first_name, c.last_name, c.email, c.title
from (values
  ('stripe.com', 'Maya', 'Lindqvist', 'maya.lindqvist@stripe.com', 'Head of Revenue Operations'),
  ('stripe.com', 'Daniel', 'Okafor', 'daniel.okafor@stripe.com', null),
  ('notion.so', 'Priya', 'Raman', 'priya.raman@notion.so', 'VP Sales'),
  ('figma.com', 'Tom', 'Becker', 'tom.becker@figma.com', null),
  ('linear.app', 'Sofia', 'Marchetti', 'sofia.marchetti@linear.app', 'Account Executive'),
  ('supabase.com', 'Kenji', 'Watanabe', 'kenji.watanabe@supabase.com', null),
  ('hubspot.com', 'Laura', 'Nguyen', 'laura.nguyen@hubspot.com', 'Sales Director'),
  ('shopify.com', 'Ethan', 'Clarke', 'ethan.clarke@shopify.com', 'Partnerships Lead')
) as c(domain, first_name, last_name, email, title)
join public.accounts a on a.domain = c.domain
where not exists (select 1 from public.contacts x where x.email = c.email);

commit;
