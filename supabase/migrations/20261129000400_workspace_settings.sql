-- Per-workspace enrichment settings. The Apollo key is stored encrypted (AES-256-GCM, by the
-- apollo-settings Edge Function with APOLLO_KEY_ENCRYPTION_KEY); its ciphertext column is not
-- selectable by browser roles, which see only has_apollo_key and the key's last four characters.

create table public.workspace_settings (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  apollo_api_key_encrypted text,
  apollo_api_key_last4 text check (length(apollo_api_key_last4) <= 4),
  apollo_key_updated_at timestamptz,
  apollo_key_updated_by uuid references auth.users (id) on delete set null,
  has_apollo_key boolean generated always as (apollo_api_key_encrypted is not null) stored,
  apollo_auto_enrich boolean not null default false,
  enrichment_credits_used integer not null default 0 check (enrichment_credits_used >= 0),
  jobs_paused_until timestamptz,
  jobs_paused_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint key_and_last4_together check ((apollo_api_key_encrypted is null) = (apollo_api_key_last4 is null))
);
comment on table public.workspace_settings is 'Enrichment settings of a workspace: the encrypted Apollo key, auto-enrich, credits used.';
comment on column public.workspace_settings.apollo_api_key_encrypted is 'v1:<iv>:<ciphertext> (base64, AES-256-GCM). Never selectable by anon or authenticated.';
comment on column public.workspace_settings.enrichment_credits_used is 'Apollo credits spent by this workspace: one per enriched record, counted once per job.';
comment on column public.workspace_settings.jobs_paused_until is 'No job of this workspace is claimed before this time: set when Apollo rate-limits its key (retry-after), so queued jobs wait instead of each burning an attempt.';
create index workspace_settings_key_updated_by_idx on public.workspace_settings (apollo_key_updated_by);

create trigger touch_updated_at before update on public.workspace_settings
  for each row execute function private.touch_updated_at();

-- Every workspace has a settings row from the start, so reads never need an upsert.
create function private.create_workspace_settings() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.workspace_settings (workspace_id) values (new.id) on conflict do nothing;
  return new;
end
$$;
comment on function private.create_workspace_settings() is 'Trigger: gives a new workspace its settings row.';

create trigger create_settings after insert on public.workspaces
  for each row execute function private.create_workspace_settings();

alter table public.workspace_settings enable row level security;
revoke all on public.workspace_settings from anon;
revoke all on public.workspace_settings from authenticated;
-- Column grants: everything but the ciphertext is readable; only auto-enrich is writable.
grant select (workspace_id, apollo_api_key_last4, apollo_key_updated_at, has_apollo_key, apollo_auto_enrich,
              enrichment_credits_used, jobs_paused_until, jobs_paused_reason, created_at, updated_at)
  on public.workspace_settings to authenticated;
grant update (apollo_auto_enrich) on public.workspace_settings to authenticated;

create policy "Members can see their workspace's settings"
  on public.workspace_settings for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));

create policy "Owners and admins can change their workspace's settings"
  on public.workspace_settings for update to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm
                          where wm.user_id = (select auth.uid()) and wm.role in ('owner', 'admin')))
  with check (workspace_id in (select wm.workspace_id from public.workspace_members wm
                               where wm.user_id = (select auth.uid()) and wm.role in ('owner', 'admin')));
