-- Credit budgets and fresh data.
--
-- A workspace owner sets a monthly Apollo credit budget (monthly_credit_budget, null: none). Before
-- each Apollo call the worker reserves the job's credit (reserve_enrichment_credit): granted while
-- this month's credits plus the credits reserved by jobs in flight stay under the budget, so
-- concurrent workers cannot overrun it together. When the budget is reached, the job waits (the
-- attempt does not count) and the workspace's jobs pause until the month turns, with a reason the
-- SPA shows ("Credit budget reached: 500 of 500 credits used this month ..."); raising or clearing
-- the budget resumes them at once.
--
-- Fresh data: a workspace may opt in to re-enrich accounts whose enrichment is older than
-- stale_after_days (null: off); pg_cron queues them in small daily batches, within the budget.

alter table public.workspace_settings
  add column monthly_credit_budget integer
    constraint workspace_settings_monthly_credit_budget_check check (monthly_credit_budget >= 0),
  add column stale_after_days integer
    constraint workspace_settings_stale_after_days_check check (stale_after_days between 1 and 3650);
comment on column public.workspace_settings.monthly_credit_budget is
  'Apollo credits the workspace may spend per calendar month (UTC); null: no budget. Jobs past it wait for the next month or a raised budget.';
comment on column public.workspace_settings.stale_after_days is
  'Re-enrich accounts whose enrichment is older than this many days (pg_cron, daily, in small batches); null: off.';
grant select (monthly_credit_budget, stale_after_days), update (monthly_credit_budget, stale_after_days)
  on public.workspace_settings to authenticated;

alter table public.jobs add column credit_reserved boolean not null default false;
comment on column public.jobs.credit_reserved is
  'The job holds a reservation of one credit of its workspace''s monthly budget while it runs (reserve_enrichment_credit).';

-- Credits are counted where ops.credits_daily and workspace_activity count them: completed jobs by
-- completed_at, others (failed after writing) by failed_at or updated_at; two parts, one per index.
-- Security invoker: a browser calling it sees its own workspaces' jobs only (RLS).
create function public.workspace_credits_used_since(workspace_id uuid, since timestamptz) returns integer
language sql
stable
set search_path = ''
as $$
  select ((select coalesce(sum(j.credits_used), 0) from public.jobs j
           where j.workspace_id = workspace_credits_used_since.workspace_id and j.status = 'completed'
             and j.credits_used > 0 and j.completed_at >= workspace_credits_used_since.since)
        + (select coalesce(sum(j.credits_used), 0) from public.jobs j
           where j.workspace_id = workspace_credits_used_since.workspace_id and j.status <> 'completed'
             and j.credits_used > 0 and coalesce(j.failed_at, j.updated_at) >= workspace_credits_used_since.since))::integer
$$;
comment on function public.workspace_credits_used_since(uuid, timestamptz) is
  'Credits the workspace''s jobs were charged since `since` (as ops.credits_daily counts them; RLS applies).';
revoke all on function public.workspace_credits_used_since(uuid, timestamptz) from public, anon;
grant execute on function public.workspace_credits_used_since(uuid, timestamptz) to authenticated, service_role;

create function public.utc_month_start(at timestamptz) returns timestamptz
language sql
immutable
set search_path = ''
as $$ select date_trunc('month', utc_month_start.at at time zone 'UTC') at time zone 'UTC' $$;
comment on function public.utc_month_start(timestamptz) is 'The start of the calendar month (UTC) of `at`: credit budgets are per UTC month.';
revoke all on function public.utc_month_start(timestamptz) from public, anon;
grant execute on function public.utc_month_start(timestamptz) to authenticated, service_role;

-- The words of a budget pause, in one place: the trigger below recognizes its own pauses by them.
create function private.credit_budget_reason(p_used integer, p_budget integer, p_resumes timestamptz) returns text
language sql
immutable
set search_path = ''
as $$
  select format('Credit budget reached: %s of %s credits used this month; resumes %s UTC, or when an owner raises the budget',
                p_used, p_budget, to_char(p_resumes at time zone 'UTC', 'Mon FMDD HH24:MI'))
$$;
comment on function private.credit_budget_reason(integer, integer, timestamptz) is
  'The reason a workspace''s jobs wait for its credit budget (shown on the job and in the SPA).';
revoke all on function private.credit_budget_reason(integer, integer, timestamptz) from public;

create function public.reserve_enrichment_credit(job_id uuid, worker_id text, now timestamptz default now())
returns table (granted boolean, reason text, resumes_at timestamptz)
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_budget integer;
  v_used integer;
  v_reserved integer;
  v_next_month timestamptz := public.utc_month_start(reserve_enrichment_credit.now) + interval '1 month';
begin
  select * into v_job from public.jobs j
  where j.id = reserve_enrichment_credit.job_id and j.status = 'processing' and j.locked_by = reserve_enrichment_credit.worker_id;
  if not found or v_job.credits_used > 0 then
    -- a lost lease is found out by the job's next write; a job already charged spends nothing
    return query select true, null::text, null::timestamptz;
    return;
  end if;
  -- one reservation at a time per workspace: concurrent workers see each other's
  select s.monthly_credit_budget into v_budget from public.workspace_settings s
  where s.workspace_id = v_job.workspace_id
  for update;
  if v_budget is not null then
    v_used := public.workspace_credits_used_since(v_job.workspace_id, public.utc_month_start(reserve_enrichment_credit.now));
    select count(*)::integer into v_reserved from public.jobs j
    where j.workspace_id = v_job.workspace_id and j.status = 'processing' and j.credit_reserved and j.credits_used = 0
      and j.id <> v_job.id;
    if v_used + v_reserved >= v_budget then
      update public.jobs j set credit_reserved = false where j.id = v_job.id and j.credit_reserved;
      return query select false, private.credit_budget_reason(v_used + v_reserved, v_budget, v_next_month), v_next_month;
      return;
    end if;
  end if;
  update public.jobs j set credit_reserved = true where j.id = v_job.id and not j.credit_reserved;
  return query select true, null::text, null::timestamptz;
end
$$;
comment on function public.reserve_enrichment_credit(uuid, text, timestamptz) is
  'Worker, before an Apollo call: reserves the job''s credit within its workspace''s monthly budget, or says why not and when the month turns.';
revoke all on function public.reserve_enrichment_credit(uuid, text, timestamptz) from public, anon, authenticated;
grant execute on function public.reserve_enrichment_credit(uuid, text, timestamptz) to service_role;
grant execute on function private.credit_budget_reason(integer, integer, timestamptz) to service_role;

-- Raising (or clearing) the budget while the workspace waits for it resumes its jobs at once.
create function private.resume_after_budget_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_month timestamptz := public.utc_month_start(now());
begin
  if new.jobs_paused_reason like 'Credit budget reached:%'
     and (new.monthly_credit_budget is null
          or public.workspace_credits_used_since(new.workspace_id, v_month) < new.monthly_credit_budget) then
    new.jobs_paused_until := null;
    new.jobs_paused_reason := null;
    -- the jobs that waited for the budget were put back for the start of next month (to the
    -- worker's clock: within a minute of it)
    update public.jobs j set scheduled_for = now(), next_retry_at = null
    where j.workspace_id = new.workspace_id and j.status = 'pending'
      and j.scheduled_for >= v_month + interval '1 month' - interval '1 minute'
      and j.scheduled_for < v_month + interval '1 month' + interval '1 minute';
    perform private.request_wakeup('credit budget raised');
  end if;
  return new;
end
$$;
comment on function private.resume_after_budget_change() is
  'Trigger: when a workspace waiting for its credit budget gets a higher (or no) budget, its jobs resume at once.';
revoke all on function private.resume_after_budget_change() from public;

create trigger resume_after_budget_change before update of monthly_credit_budget on public.workspace_settings
  for each row when (new.monthly_credit_budget is distinct from old.monthly_credit_budget)
  execute function private.resume_after_budget_change();

-- What the settings and Activity pages show: the month's credits against the budget, per day,
-- and the workspace's jobs per day by outcome and its most frequent errors (security invoker:
-- RLS on jobs decides, so members see their own workspaces only).
create function public.workspace_daily_usage(workspace_id uuid, days integer default 30)
returns table (day date, completed integer, failed integer, cancelled integer, credits integer)
language sql
stable
set search_path = ''
as $$
  with span as (
    select g::date as day
    from generate_series((now() at time zone 'UTC')::date - (least(greatest(workspace_daily_usage.days, 1), 366) - 1),
                         (now() at time zone 'UTC')::date, interval '1 day') g
  ), finished as (
    select (coalesce(j.completed_at, j.failed_at, j.cancelled_at, j.updated_at) at time zone 'UTC')::date as day,
           j.status, j.credits_used
    from public.jobs j
    where j.workspace_id = workspace_daily_usage.workspace_id
      and j.status in ('completed', 'failed', 'cancelled')
      and coalesce(j.completed_at, j.failed_at, j.cancelled_at, j.updated_at)
          >= (select min(s.day) from span s)::timestamp at time zone 'UTC'
  )
  select s.day,
         (count(f.*) filter (where f.status = 'completed'))::integer,
         (count(f.*) filter (where f.status = 'failed'))::integer,
         (count(f.*) filter (where f.status = 'cancelled'))::integer,
         coalesce(sum(f.credits_used), 0)::integer
  from span s left join finished f on f.day = s.day
  group by s.day
  order by s.day
$$;
comment on function public.workspace_daily_usage(uuid, integer) is
  'Browser: the workspace''s finished jobs per UTC day by outcome and the credits they used, for the last `days` days (RLS applies).';
revoke all on function public.workspace_daily_usage(uuid, integer) from public, anon;
grant execute on function public.workspace_daily_usage(uuid, integer) to authenticated, service_role;

create function public.workspace_credit_budget(workspace_id uuid)
returns table (month_start timestamptz, credits_used integer, budget integer)
language sql
stable
set search_path = ''
as $$
  select public.utc_month_start(now()),
         public.workspace_credits_used_since(s.workspace_id, public.utc_month_start(now())),
         s.monthly_credit_budget
  from public.workspace_settings s
  where s.workspace_id = workspace_credit_budget.workspace_id
$$;
comment on function public.workspace_credit_budget(uuid) is
  'Browser: this month''s credits and the budget of a workspace the caller is a member of (RLS: no row otherwise).';
revoke all on function public.workspace_credit_budget(uuid) from public, anon;
grant execute on function public.workspace_credit_budget(uuid) to authenticated, service_role;

create function public.workspace_top_errors(workspace_id uuid, days integer default 30, how_many integer default 5)
returns table (error_message text, jobs integer, last_failed_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select j.error_message, count(*)::integer, max(j.failed_at)
  from public.jobs j
  where j.workspace_id = workspace_top_errors.workspace_id and j.status = 'failed'
    and j.failed_at >= now() - make_interval(days => least(greatest(workspace_top_errors.days, 1), 366))
  group by j.error_message
  order by count(*) desc, max(j.failed_at) desc
  limit least(greatest(workspace_top_errors.how_many, 1), 50)
$$;
comment on function public.workspace_top_errors(uuid, integer, integer) is
  'Browser: the workspace''s most frequent job errors of the last `days` days (RLS applies).';
revoke all on function public.workspace_top_errors(uuid, integer, integer) from public, anon;
grant execute on function public.workspace_top_errors(uuid, integer, integer) to authenticated, service_role;

-- Fresh data --------------------------------------------------------------------------------

create function private.enqueue_stale_enrichments(per_workspace integer default 50) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_queued integer := 0;
  v_count integer;
  v_ws record;
begin
  for v_ws in
    select s.workspace_id, s.stale_after_days, s.monthly_credit_budget
    from public.workspace_settings s
    where s.stale_after_days is not null
  loop
    begin
      with room as (
        select case when v_ws.monthly_credit_budget is null then enqueue_stale_enrichments.per_workspace
                    else greatest(0, least(enqueue_stale_enrichments.per_workspace,
                      v_ws.monthly_credit_budget - public.workspace_credits_used_since(v_ws.workspace_id, public.utc_month_start(now()))))
               end as n
      ), stale as (
        select a.id, a.domain from public.accounts a
        where a.workspace_id = v_ws.workspace_id and a.domain is not null
          and a.enriched_at < now() - make_interval(days => v_ws.stale_after_days)
          and not exists (select 1 from public.jobs j
                          where j.workspace_id = a.workspace_id and j.subject_id = a.id::text
                            and j.status in ('pending', 'processing'))
        order by a.enriched_at, a.id
        limit (select n from room)
      ), queued as (
        insert into public.jobs (workspace_id, job_type, payload, priority)
        select v_ws.workspace_id, 'enrich_account', jsonb_build_object('account_id', st.id, 'domain', st.domain), -1
        from stale st
        on conflict (workspace_id, job_type, subject_id) where subject_id is not null and status in ('pending', 'processing')
          do nothing
        returning 1
      )
      select count(*)::integer into v_count from queued;
      v_queued := v_queued + v_count;
    exception when sqlstate 'PT429' then
      raise warning 'stale re-enrichment of workspace % skipped: %', v_ws.workspace_id, sqlerrm;
    end;
  end loop;
  return v_queued;
end
$$;
comment on function private.enqueue_stale_enrichments(integer) is
  'pg_cron, daily: queues re-enrichment (low priority) of accounts older than their workspace''s stale_after_days, at most per_workspace each and never past the credit budget; returns how many.';
revoke all on function private.enqueue_stale_enrichments(integer) from public;

select cron.schedule('refresh-stale-enrichments', '41 4 * * *', $$select private.enqueue_stale_enrichments()$$);

-- The accounts list and page say when an account's data is past its workspace's age.
create or replace view public.accounts_with_enrichment with (security_invoker = true) as
select a.id, a.workspace_id, a.name, a.domain, a.industry, a.employee_count, a.annual_revenue, a.city, a.state,
       a.country, a.phone, a.linkedin_url, a.website_url, a.description, a.founded_year, a.enriched_at, a.metadata,
       a.created_by, a.created_at, a.updated_at,
       latest.job_id as latest_job_id,
       latest.status as latest_job_status,
       latest.error_message as latest_job_error,
       latest.created_at as latest_job_created_at,
       case
         when latest.status in ('pending', 'processing') then 'enriching'
         when latest.status = 'failed' and (a.enriched_at is null or latest.created_at > a.enriched_at) then 'failed'
         when a.enriched_at is not null then 'enriched'
         else 'never'
       end as enrichment_status,
       a.field_sources,
       coalesce(a.enriched_at < now() - make_interval(days => s.stale_after_days), false) as stale
from public.accounts a
left join public.latest_account_enrichments latest on latest.account_id = a.id
left join public.workspace_settings s on s.workspace_id = a.workspace_id;
