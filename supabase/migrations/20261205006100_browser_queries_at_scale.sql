-- The browser's queries at 100,000 accounts, under the role timeouts of a hosted project (anon 3 s,
-- authenticated 8 s; npm run bench, section browser, measures them).
--
-- 1. The accounts list counts exactly over accounts_with_enrichment, whose latest-job lateral join
--    ran once per account (100,000 index lookups per count, and per row skipped by an OFFSET). The
--    latest enrichment job of each account is now kept in a table, refreshed by statement triggers
--    on jobs with the lateral's own query, for the accounts a statement touched; the view left-joins
--    it on its primary key, which Postgres drops from a count that reads none of its columns.
-- 2. An account's job history filters jobs by subject_id alone: the index on subject leads with it.
-- 3. The jobs list's Active filter, and workspace_activity, read the workspace's active jobs through
--    an index of their own; workspace_activity reads each of its numbers through an index instead
--    of aggregating every job of the workspace.
-- The accounts search (name or domain ilike '%term%') still reads every account of the workspace:
-- under RLS, Postgres uses an index only for leakproof conditions, and ilike is not one, so a
-- trigram index would not serve browsers (about 80 ms of CPU at 100,000 accounts).

-- 1. The latest enrichment job of each account ------------------------------------------------
create table public.latest_account_enrichments (
  account_id uuid primary key references public.accounts (id) on delete cascade,
  workspace_id uuid not null,
  job_id uuid not null references public.jobs (id) on delete cascade,
  status text not null,
  error_message text,
  created_at timestamptz not null
);
comment on table public.latest_account_enrichments is
  'The latest enrich_account job of each account (by created_at), kept by triggers on jobs; accounts_with_enrichment joins it.';
create index latest_account_enrichments_job_id_idx on public.latest_account_enrichments (job_id);
alter table public.latest_account_enrichments enable row level security;
create policy "Members can see their workspace's latest enrichments"
  on public.latest_account_enrichments for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));
revoke all on public.latest_account_enrichments from anon, authenticated;
grant select on public.latest_account_enrichments to authenticated;

-- The account a job's subject_id names, when it is an account id as text (uuid's own spelling,
-- as accounts_with_enrichment compared it); null otherwise, so a job naming no account is fine.
create function private.account_id_of(subject_id text) returns uuid
language sql
immutable
set search_path = ''
as $$
  select case when account_id_of.subject_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then account_id_of.subject_id::uuid end
$$;
comment on function private.account_id_of(text) is 'The uuid a job''s subject_id spells (lower-case, with dashes), else null.';
revoke execute on function private.account_id_of(text) from public, anon, authenticated;

create function private.refresh_latest_account_enrichments(account_ids uuid[]) returns void
language plpgsql
set search_path = ''
as $$
begin
  delete from public.latest_account_enrichments l
  where l.account_id = any(refresh_latest_account_enrichments.account_ids)
    and not exists (select 1 from public.jobs j
                    where j.subject_id = l.account_id::text and j.workspace_id = l.workspace_id and j.job_type = 'enrich_account');
  insert into public.latest_account_enrichments as l (account_id, workspace_id, job_id, status, error_message, created_at)
  select a.id, a.workspace_id, latest.id, latest.status, latest.error_message, latest.created_at
  from public.accounts a
  cross join lateral (
    select j.id, j.status, j.error_message, j.created_at
    from public.jobs j
    where j.subject_id = a.id::text and j.workspace_id = a.workspace_id and j.job_type = 'enrich_account'
    order by j.created_at desc, j.id desc
    limit 1
  ) latest
  where a.id = any(refresh_latest_account_enrichments.account_ids)
  order by a.id
  on conflict (account_id) do update
    set job_id = excluded.job_id, status = excluded.status, error_message = excluded.error_message, created_at = excluded.created_at
    where (l.job_id, l.status, l.error_message, l.created_at)
          is distinct from (excluded.job_id, excluded.status, excluded.error_message, excluded.created_at);
end
$$;
comment on function private.refresh_latest_account_enrichments(uuid[]) is
  'Recomputes latest_account_enrichments for these accounts from their enrich_account jobs (the latest by created_at, then id).';
revoke execute on function private.refresh_latest_account_enrichments(uuid[]) from public, anon, authenticated;

-- Statement triggers: one refresh per statement for the accounts its rows name (a claim of five
-- jobs refreshes five rows; a statement on other job types costs a scan of its transition table).
create function private.refresh_latest_enrichments_after_insert_or_update() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_accounts uuid[] := array(select distinct private.account_id_of(n.subject_id) from new_jobs n
                             where n.job_type = 'enrich_account' and private.account_id_of(n.subject_id) is not null);
begin
  if cardinality(v_accounts) > 0 then
    perform private.refresh_latest_account_enrichments(v_accounts);
  end if;
  return null;
end
$$;
comment on function private.refresh_latest_enrichments_after_insert_or_update() is
  'Trigger (per statement, on jobs): refreshes latest_account_enrichments for the accounts of the written enrich_account jobs.';
revoke execute on function private.refresh_latest_enrichments_after_insert_or_update() from public, anon, authenticated;

create function private.refresh_latest_enrichments_after_delete() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_accounts uuid[] := array(select distinct private.account_id_of(o.subject_id) from old_jobs o
                             where o.job_type = 'enrich_account' and private.account_id_of(o.subject_id) is not null);
begin
  if cardinality(v_accounts) > 0 then
    perform private.refresh_latest_account_enrichments(v_accounts);
  end if;
  return null;
end
$$;
comment on function private.refresh_latest_enrichments_after_delete() is
  'Trigger (per statement, on jobs): after enrich_account jobs are deleted, their accounts show the latest job left, if any.';
revoke execute on function private.refresh_latest_enrichments_after_delete() from public, anon, authenticated;

-- Created before the backfill: creating a trigger locks out writes to jobs until this commits, so
-- nothing written meanwhile is missed.
create trigger refresh_latest_enrichments_after_insert after insert on public.jobs
  referencing new table as new_jobs
  for each statement execute function private.refresh_latest_enrichments_after_insert_or_update();
create trigger refresh_latest_enrichments_after_update after update on public.jobs
  referencing new table as new_jobs
  for each statement execute function private.refresh_latest_enrichments_after_insert_or_update();
create trigger refresh_latest_enrichments_after_delete after delete on public.jobs
  referencing old table as old_jobs
  for each statement execute function private.refresh_latest_enrichments_after_delete();

insert into public.latest_account_enrichments (account_id, workspace_id, job_id, status, error_message, created_at)
select distinct on (a.id) a.id, a.workspace_id, j.id, j.status, j.error_message, j.created_at
from public.jobs j
join public.accounts a on a.id = private.account_id_of(j.subject_id) and a.workspace_id = j.workspace_id
where j.job_type = 'enrich_account'
order by a.id, j.created_at desc, j.id desc;

-- The same columns as before, from the table instead of a lateral join per account.
create or replace view public.accounts_with_enrichment
with (security_invoker = true)
as
select
  a.id,
  a.workspace_id,
  a.name,
  a.domain,
  a.industry,
  a.employee_count,
  a.annual_revenue,
  a.city,
  a.state,
  a.country,
  a.phone,
  a.linkedin_url,
  a.website_url,
  a.description,
  a.founded_year,
  a.enriched_at,
  a.metadata,
  a.created_by,
  a.created_at,
  a.updated_at,
  latest.job_id as latest_job_id,
  latest.status as latest_job_status,
  latest.error_message as latest_job_error,
  latest.created_at as latest_job_created_at,
  case
    when latest.status in ('pending', 'processing') then 'enriching'
    when latest.status = 'failed' and (a.enriched_at is null or latest.created_at > a.enriched_at) then 'failed'
    when a.enriched_at is not null then 'enriched'
    else 'never'
  end as enrichment_status
from public.accounts a
left join public.latest_account_enrichments latest on latest.account_id = a.id;
comment on view public.accounts_with_enrichment is
  'Accounts with their latest enrichment job (latest_account_enrichments) and a derived enrichment_status: never, enriching, enriched or failed.';

-- 2. An account's job history: jobs by subject, newest first ---------------------------------
-- (It replaces jobs_subject_idx, which led with workspace_id; subject ids are unique across
-- workspaces. That one is dropped by the next migration: dropping needs an exclusive lock on jobs,
-- which taken here, after weaker ones, could deadlock with a worker's transaction.)
create index jobs_subject_created_idx on public.jobs (subject_id, created_at desc) where subject_id is not null;

-- 3. Active jobs of a workspace, and workspace_activity through indexes ----------------------
create index jobs_active_workspace_created_idx on public.jobs (workspace_id, created_at desc)
  where status in ('pending', 'processing');
-- Credits are summed by when a job finished (or last changed): completed jobs by completed_at, the
-- few other charged ones (failed after their charge, retrying, cancelled) all together. Plain
-- columns: under RLS an index condition may only use leakproof operations on a column.
create index jobs_completed_credits_idx on public.jobs (workspace_id, completed_at) include (credits_used)
  where status = 'completed' and credits_used > 0;
create index jobs_other_credits_idx on public.jobs (workspace_id) include (credits_used, failed_at, updated_at)
  where status <> 'completed' and credits_used > 0;

create or replace view public.workspace_activity
with (security_invoker = true)
as
select
  w.id as workspace_id,
  w.name as workspace_name,
  coalesce(active.pending, 0) as pending,
  coalesce(active.due, 0) as due,
  coalesce(active.processing, 0) as processing,
  active.oldest_due_age_seconds,
  coalesce(finished.completed_24h, 0) as completed_24h,
  coalesce(finished.failed_24h, 0) as failed_24h,
  round(finished.failed_24h::numeric / nullif(finished.completed_24h + finished.failed_24h, 0), 4) as failure_rate_24h,
  coalesce(credits.credits_today, 0) as credits_today,
  coalesce(credits.credits_7d, 0) as credits_7d,
  coalesce(s.enrichment_credits_used, 0) as credits_total,
  (select max(j.created_at) from public.jobs j where j.workspace_id = w.id) as last_job_at
from public.workspaces w
left join public.workspace_settings s on s.workspace_id = w.id
left join lateral (
  select
    (count(*) filter (where j.status = 'pending'))::integer as pending,
    (count(*) filter (where j.status = 'pending' and j.scheduled_for <= now()))::integer as due,
    (count(*) filter (where j.status = 'processing'))::integer as processing,
    floor(extract(epoch from now() - min(j.scheduled_for) filter (where j.status = 'pending' and j.scheduled_for <= now())))::integer
      as oldest_due_age_seconds
  from public.jobs j
  where j.workspace_id = w.id and j.status in ('pending', 'processing')
) active on true
left join lateral (
  select
    (select count(*) from public.jobs j
     where j.workspace_id = w.id and j.status = 'completed' and j.completed_at > now() - interval '24 hours')::integer
      as completed_24h,
    (select count(*) from public.jobs j
     where j.workspace_id = w.id and j.status = 'failed' and j.failed_at > now() - interval '24 hours')::integer
      as failed_24h
) finished on true
left join lateral (
  -- When a job's credit counts: coalesce(completed_at, failed_at, updated_at), as before; only a
  -- completed job has completed_at, only a failed one failed_at.
  select
    (coalesce(sum(c.credits_used) filter (
      where c.counted_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'), 0))::integer as credits_today,
    (coalesce(sum(c.credits_used), 0))::integer as credits_7d
  from (
    select j.credits_used, j.completed_at as counted_at
    from public.jobs j
    where j.workspace_id = w.id and j.status = 'completed' and j.credits_used > 0
      and j.completed_at > now() - interval '7 days'
    union all
    select j.credits_used, coalesce(j.failed_at, j.updated_at)
    from public.jobs j
    where j.workspace_id = w.id and j.status <> 'completed' and j.credits_used > 0
      and coalesce(j.failed_at, j.updated_at) > now() - interval '7 days'
  ) c
) credits on true
where w.id in (select wm.workspace_id from public.workspace_members wm
               where wm.user_id = (select auth.uid()) and wm.role in ('owner', 'admin'));
comment on view public.workspace_activity is
  'A workspace''s queue and usage numbers for its owners and admins (security_invoker: RLS applies): jobs pending/due/processing, oldest due age, completed/failed and failure rate in 24 h, credits used today (UTC), in 7 days and in all.';
