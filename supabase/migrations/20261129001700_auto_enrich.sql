-- Auto-enrich: in a workspace with apollo_auto_enrich on, every account created with a domain
-- is queued for enrichment at once, whatever created it (the SPA, the API, an import).
-- One INSERT for the whole statement, so the worker is woken once however many rows came in.

create function private.auto_enrich_new_accounts() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.jobs (workspace_id, job_type, payload, created_by)
  select a.workspace_id, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain), a.created_by
  from new_accounts a
  join public.workspace_settings s on s.workspace_id = a.workspace_id
  where s.apollo_auto_enrich and a.domain is not null
  on conflict (workspace_id, job_type, subject_id)
    where subject_id is not null and status in ('pending', 'processing')
    do nothing;
  return null;
end
$$;
comment on function private.auto_enrich_new_accounts() is
  'Trigger (per statement): queues enrichment of new accounts with a domain in workspaces that have auto-enrich on.';

create trigger auto_enrich after insert on public.accounts
  referencing new table as new_accounts
  for each statement execute function private.auto_enrich_new_accounts();
