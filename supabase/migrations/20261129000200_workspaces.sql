-- Workspaces and their members. A user sees only the workspaces they belong to.

create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 100),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.workspaces is 'A team''s space: accounts, contacts, jobs and settings all belong to one workspace.';
create index workspaces_created_by_idx on public.workspaces (created_by);

create table public.workspace_members (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'admin', 'member')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
comment on table public.workspace_members is 'Who belongs to which workspace, and as what: owner and admin may change settings, member may not.';
create index workspace_members_user_id_idx on public.workspace_members (user_id, workspace_id);

alter table public.workspaces enable row level security;
alter table public.workspace_members enable row level security;

revoke all on public.workspaces, public.workspace_members from anon;
revoke all on public.workspaces, public.workspace_members from authenticated;
grant select, insert on public.workspaces to authenticated;
grant update (name) on public.workspaces to authenticated;
grant select on public.workspace_members to authenticated;

create policy "Members can see their workspaces"
  on public.workspaces for select to authenticated
  using (id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));

create policy "Signed-in users can create a workspace of their own"
  on public.workspaces for insert to authenticated
  with check (created_by = (select auth.uid()));

create policy "Owners and admins can rename their workspace"
  on public.workspaces for update to authenticated
  using (id in (select wm.workspace_id from public.workspace_members wm
                where wm.user_id = (select auth.uid()) and wm.role in ('owner', 'admin')));

create policy "Users can see their own memberships"
  on public.workspace_members for select to authenticated
  using (user_id = (select auth.uid()));

-- Helpers for functions (policies use the equivalent inline subquery, which Postgres runs once per statement).
create function private.is_member(workspace_id uuid) returns boolean
language sql stable
set search_path = ''
as $$
  select exists (
    select 1 from public.workspace_members wm
    where wm.workspace_id = is_member.workspace_id and wm.user_id = (select auth.uid())
  )
$$;
comment on function private.is_member(uuid) is 'True when the calling user (auth.uid()) belongs to the workspace.';

-- The creator of a workspace becomes its owner. Runs as the table owner, so the insert
-- policy on workspace_members (there is none: members are not added from the browser) does not apply.
create function private.add_workspace_owner() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.created_by is not null then
    insert into public.workspace_members (workspace_id, user_id, role)
    values (new.id, new.created_by, 'owner')
    on conflict do nothing;
  end if;
  return new;
end
$$;
comment on function private.add_workspace_owner() is 'Trigger: makes the creator of a new workspace its owner.';

create trigger add_owner after insert on public.workspaces
  for each row execute function private.add_workspace_owner();

-- Every new user gets a workspace of their own, so signing up leads straight to a usable app.
create function private.create_personal_workspace() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.workspaces (name, created_by)
  values (
    coalesce(nullif(btrim(new.raw_user_meta_data ->> 'workspace_name'), ''),
             split_part(coalesce(new.email, 'My'), '@', 1) || '''s workspace'),
    new.id
  );
  return new;
end
$$;
comment on function private.create_personal_workspace() is 'Trigger on auth.users: creates a personal workspace owned by the new user.';

create trigger create_personal_workspace after insert on auth.users
  for each row execute function private.create_personal_workspace();

create function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.touch_updated_at() is 'Trigger: keeps updated_at current.';

create trigger touch_updated_at before update on public.workspaces
  for each row execute function private.touch_updated_at();
