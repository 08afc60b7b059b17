-- Queueing jobs. Browser users call these over /rest/v1/rpc; they run as the caller
-- (security invoker), so RLS decides which accounts are visible and where a job may be queued.
-- One active job per (workspace, job_type, subject): queueing again returns the existing job.

create function public.enqueue_job(
  workspace_id uuid,
  job_type text,
  payload jsonb default '{}',
  priority smallint default 0,
  scheduled_for timestamptz default now(),
  max_attempts integer default 5
) returns public.jobs
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_job public.jobs;
begin
  if (select auth.role()) = 'authenticated' and not exists (
    select 1 from public.workspace_members wm
    where wm.workspace_id = enqueue_job.workspace_id and wm.user_id = (select auth.uid())
  ) then
    raise exception 'You are not a member of this workspace' using errcode = '42501';
  end if;

  for i in 1..3 loop
    insert into public.jobs (workspace_id, job_type, payload, priority, scheduled_for, max_attempts)
    values (enqueue_job.workspace_id, enqueue_job.job_type, coalesce(enqueue_job.payload, '{}'),
            coalesce(enqueue_job.priority, 0), coalesce(enqueue_job.scheduled_for, now()),
            coalesce(enqueue_job.max_attempts, 5))
    on conflict (workspace_id, job_type, subject_id)
      where subject_id is not null and status in ('pending', 'processing')
      do nothing
    returning * into v_job;
    if v_job.id is not null then
      return v_job;
    end if;
    -- Already queued: hand back the active job (unless it finished in between; then try again).
    select * into v_job from public.jobs j
    where j.workspace_id = enqueue_job.workspace_id and j.job_type = enqueue_job.job_type
      and j.subject_id = coalesce(enqueue_job.payload ->> 'account_id', enqueue_job.payload ->> 'contact_id')
      and j.status in ('pending', 'processing');
    if v_job.id is not null then
      return v_job;
    end if;
  end loop;
  raise exception 'Could not queue the job: it kept finishing while being queued; try again' using errcode = '40001';
end
$$;
comment on function public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer) is
  'Queues a job in a workspace the caller belongs to; returns it, or the already active job for the same subject.';
revoke execute on function public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer) from public, anon, authenticated;
grant execute on function public.enqueue_job(uuid, text, jsonb, smallint, timestamptz, integer) to authenticated, service_role;

create function public.enqueue_enrichment(account_id uuid, priority smallint default 0) returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  v_account record;
begin
  select a.id, a.workspace_id, a.domain into v_account from public.accounts a where a.id = enqueue_enrichment.account_id;
  if not found then
    raise exception 'Account not found' using errcode = 'PT404',
      hint = 'It may have been deleted, or it belongs to a workspace you are not a member of.';
  end if;
  if v_account.domain is null then
    raise exception 'This account has no domain' using errcode = 'P0001',
      hint = 'Apollo finds companies by their website domain: add one (e.g. acme.com), then enrich.';
  end if;
  return public.enqueue_job(v_account.workspace_id, 'enrich_account',
    jsonb_build_object('account_id', v_account.id, 'domain', v_account.domain), enqueue_enrichment.priority);
end
$$;
comment on function public.enqueue_enrichment(uuid, smallint) is
  'Browser: queues Apollo enrichment of an account (needs a domain); returns the new or already active job.';
revoke execute on function public.enqueue_enrichment(uuid, smallint) from public, anon, authenticated;
grant execute on function public.enqueue_enrichment(uuid, smallint) to authenticated, service_role;

create function public.enqueue_account_enrichments(account_ids uuid[]) returns setof public.jobs
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(cardinality(enqueue_account_enrichments.account_ids), 0) > 500 then
    raise exception 'At most 500 accounts can be enriched at once' using errcode = '22023';
  end if;
  -- One INSERT for the whole selection, so the worker is woken once.
  return query
  with visible as (
    select a.id, a.workspace_id, a.domain from public.accounts a
    where a.id = any (enqueue_account_enrichments.account_ids) and a.domain is not null
  ), inserted as (
    insert into public.jobs (workspace_id, job_type, payload)
    select v.workspace_id, 'enrich_account', jsonb_build_object('account_id', v.id, 'domain', v.domain)
    from visible v
    on conflict (workspace_id, job_type, subject_id)
      where subject_id is not null and status in ('pending', 'processing')
      do nothing
    returning *
  )
  select * from inserted
  union all
  select j.* from public.jobs j join visible v on j.workspace_id = v.workspace_id and j.subject_id = v.id::text
  where j.job_type = 'enrich_account' and j.status in ('pending', 'processing')
    and not exists (select 1 from inserted i where i.subject_id = v.id::text);
end
$$;
comment on function public.enqueue_account_enrichments(uuid[]) is
  'Browser: queues enrichment of several accounts in one statement; returns one active job per account that has a domain (accounts without one are skipped).';
revoke execute on function public.enqueue_account_enrichments(uuid[]) from public, anon, authenticated;
grant execute on function public.enqueue_account_enrichments(uuid[]) to authenticated, service_role;

create function public.enqueue_contact_enrichment(contact_id uuid, priority smallint default 0) returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  v_contact record;
begin
  select c.id, c.workspace_id, c.email, c.linkedin_url, c.first_name, c.last_name, a.domain, a.name as account_name
  into v_contact
  from public.contacts c left join public.accounts a on a.id = c.account_id
  where c.id = enqueue_contact_enrichment.contact_id;
  if not found then
    raise exception 'Contact not found' using errcode = 'PT404',
      hint = 'It may have been deleted, or it belongs to a workspace you are not a member of.';
  end if;
  if v_contact.email is null and v_contact.linkedin_url is null
     and (v_contact.last_name is null or (v_contact.domain is null and v_contact.account_name is null)) then
    raise exception 'Not enough to identify this contact' using errcode = 'P0001',
      hint = 'Add an email or a LinkedIn URL, or a full name and an account with a domain, then enrich.';
  end if;
  return public.enqueue_job(v_contact.workspace_id, 'enrich_contact',
    jsonb_strip_nulls(jsonb_build_object('contact_id', v_contact.id, 'email', v_contact.email)),
    enqueue_contact_enrichment.priority);
end
$$;
comment on function public.enqueue_contact_enrichment(uuid, smallint) is
  'Browser: queues Apollo enrichment of a contact; returns the new or already active job.';
revoke execute on function public.enqueue_contact_enrichment(uuid, smallint) from public, anon, authenticated;
grant execute on function public.enqueue_contact_enrichment(uuid, smallint) to authenticated, service_role;
