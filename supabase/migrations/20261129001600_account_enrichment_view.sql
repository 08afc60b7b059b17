-- What the accounts list shows: each account with the state of its latest enrichment.
-- security_invoker, so the caller's RLS on accounts and jobs applies.

create view public.accounts_with_enrichment
with (security_invoker = true)
as
select
  a.*,
  latest.id as latest_job_id,
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
left join lateral (
  select j.id, j.status, j.error_message, j.created_at
  from public.jobs j
  where j.workspace_id = a.workspace_id and j.subject_id = a.id::text and j.job_type = 'enrich_account'
  order by j.created_at desc
  limit 1
) latest on true;
comment on view public.accounts_with_enrichment is
  'Accounts with their latest enrichment job and a derived enrichment_status: never, enriching, enriched or failed.';
revoke all on public.accounts_with_enrichment from anon;
revoke all on public.accounts_with_enrichment from authenticated;
grant select on public.accounts_with_enrichment to authenticated;
