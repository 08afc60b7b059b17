-- Accounts (companies) and contacts (people), the records that enrichment fills in.

-- Domains are stored bare ("acme.com"), the form Apollo's organization enrichment expects,
-- whatever the user typed ("https://www.Acme.com/about").
create function private.normalize_domain(domain text) returns text
language sql immutable
set search_path = ''
as $$
  select nullif(
    regexp_replace(
      regexp_replace(lower(btrim(normalize_domain.domain)), '^([a-z][a-z0-9+.-]*://)?(www\.)?', ''),
      '[/?#:].*$', ''),
    '')
$$;
comment on function private.normalize_domain(text) is 'Bare lower-case host of a domain or URL: https://www.Acme.com/x -> acme.com.';

create table public.accounts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  domain text check (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  industry text,
  employee_count integer check (employee_count >= 0),
  annual_revenue bigint check (annual_revenue >= 0),
  city text,
  state text,
  country text,
  phone text,
  linkedin_url text,
  website_url text,
  description text,
  founded_year integer check (founded_year between 1000 and 2200),
  enriched_at timestamptz,
  metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.accounts is 'Companies a workspace sells to. Enrichment fills the firmographic columns and keeps Apollo''s organization under metadata.apollo.';
comment on column public.accounts.domain is 'Bare domain (acme.com), normalised on write; the key for Apollo organization enrichment.';
comment on column public.accounts.metadata is 'Free-form data; enrichment writes apollo (the organization) and apollo_enriched_at.';
create unique index accounts_workspace_domain_key on public.accounts (workspace_id, domain);
create index accounts_workspace_name_idx on public.accounts (workspace_id, name);
create index accounts_created_by_idx on public.accounts (created_by);

create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  account_id uuid references public.accounts (id) on delete set null,
  first_name text,
  last_name text,
  email text check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  title text,
  seniority text,
  phone text,
  linkedin_url text,
  city text,
  state text,
  country text,
  enriched_at timestamptz,
  metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contacts_identifiable check (
    coalesce(email, linkedin_url, nullif(btrim(coalesce(first_name, '') || coalesce(last_name, '')), '')) is not null
  )
);
comment on table public.contacts is 'People at accounts. Enrichment (Apollo people match) fills title, seniority, location and links.';
create index contacts_workspace_idx on public.contacts (workspace_id, last_name, first_name);
create index contacts_account_id_idx on public.contacts (account_id);
create index contacts_created_by_idx on public.contacts (created_by);

-- Security definer: browsers insert accounts as authenticated, which has no usage on schema private,
-- so calling private.normalize_domain as the invoker would fail with "permission denied for schema private".
create function private.normalize_account() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.domain := private.normalize_domain(new.domain);
  new.name := btrim(new.name);
  return new;
end
$$;
comment on function private.normalize_account() is 'Trigger: trims the name and stores the domain bare.';

create trigger normalize before insert or update of name, domain on public.accounts
  for each row execute function private.normalize_account();
create trigger touch_updated_at before update on public.accounts
  for each row execute function private.touch_updated_at();

create function private.normalize_contact() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.email := nullif(lower(btrim(new.email)), '');
  if new.account_id is not null and not exists (
    select 1 from public.accounts a where a.id = new.account_id and a.workspace_id = new.workspace_id
  ) then
    raise exception 'The contact''s account is not in the same workspace' using errcode = '23503';
  end if;
  return new;
end
$$;
comment on function private.normalize_contact() is 'Trigger: lower-cases the email and keeps a contact''s account in its own workspace.';

create trigger normalize before insert or update of email, account_id, workspace_id on public.contacts
  for each row execute function private.normalize_contact();
create trigger touch_updated_at before update on public.contacts
  for each row execute function private.touch_updated_at();

alter table public.accounts enable row level security;
alter table public.contacts enable row level security;
revoke all on public.accounts, public.contacts from anon;
revoke all on public.accounts, public.contacts from authenticated;
grant select, insert, update, delete on public.accounts, public.contacts to authenticated;

create policy "Members can see their workspace's accounts"
  on public.accounts for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members can add accounts to their workspace"
  on public.accounts for insert to authenticated
  with check (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members can edit their workspace's accounts"
  on public.accounts for update to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())))
  with check (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members can delete their workspace's accounts"
  on public.accounts for delete to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));

create policy "Members can see their workspace's contacts"
  on public.contacts for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members can add contacts to their workspace"
  on public.contacts for insert to authenticated
  with check (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members can edit their workspace's contacts"
  on public.contacts for update to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())))
  with check (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
create policy "Members can delete their workspace's contacts"
  on public.contacts for delete to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
