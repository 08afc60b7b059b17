-- Writing enrichment results, fenced by the job's lease, once per job, charging credits exactly once.
-- The worker maps Apollo's response to our column names; these functions apply it in one
-- transaction: the record's fields (never replacing a value with null), the raw Apollo data
-- under metadata.apollo, and one credit for the workspace.
-- A job writes its enrichment once: when an attempt wrote it and its worker died before completing
-- the job (the chaos soak kills workers in that window), the next attempt finds credits_used = 1
-- and writes nothing again; it only logs that and goes on to complete the job.

create function private.charge_enrichment_credit(job_id uuid, workspace_id uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.jobs j set credits_used = 1
  where j.id = charge_enrichment_credit.job_id and j.credits_used = 0;
  if found then
    update public.workspace_settings s
    set enrichment_credits_used = s.enrichment_credits_used + 1
    where s.workspace_id = charge_enrichment_credit.workspace_id;
  end if;
end
$$;
comment on function private.charge_enrichment_credit(uuid, uuid) is 'Counts one Apollo credit for the workspace, once per job however often the job runs.';

create function public.apply_account_enrichment(
  job_id uuid,
  worker_id text,
  fields jsonb,
  apollo jsonb,
  now timestamptz default now()
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job record;
  v_account_id uuid;
begin
  select j.workspace_id, (j.payload ->> 'account_id')::uuid as account_id, j.credits_used, j.attempts into v_job
  from public.jobs j
  where j.id = apply_account_enrichment.job_id and j.status = 'processing'
    and j.locked_by = apply_account_enrichment.worker_id
  for update;
  if not found then
    return false;
  end if;
  -- An earlier attempt of this job wrote the enrichment (and was charged): never write it twice.
  if v_job.credits_used > 0 then
    perform private.write_job_log(apply_account_enrichment.job_id, v_job.workspace_id, v_job.attempts,
      'The enrichment was already written by an earlier attempt of this job; nothing is written again', 'info',
      jsonb_build_object('already_applied', true));
    return true;
  end if;

  update public.accounts a
  set industry = coalesce(fields ->> 'industry', a.industry),
      employee_count = coalesce((fields ->> 'employee_count')::integer, a.employee_count),
      annual_revenue = coalesce((fields ->> 'annual_revenue')::bigint, a.annual_revenue),
      city = coalesce(fields ->> 'city', a.city),
      state = coalesce(fields ->> 'state', a.state),
      country = coalesce(fields ->> 'country', a.country),
      phone = coalesce(fields ->> 'phone', a.phone),
      linkedin_url = coalesce(fields ->> 'linkedin_url', a.linkedin_url),
      website_url = coalesce(fields ->> 'website_url', a.website_url),
      description = coalesce(fields ->> 'description', a.description),
      founded_year = coalesce((fields ->> 'founded_year')::integer, a.founded_year),
      enriched_at = apply_account_enrichment.now,
      metadata = a.metadata || jsonb_build_object(
        'apollo', apply_account_enrichment.apollo,
        'apollo_enriched_at', apply_account_enrichment.now)
  where a.id = v_job.account_id and a.workspace_id = v_job.workspace_id
  returning a.id into v_account_id;
  if v_account_id is null then
    raise exception 'Account not found: %', v_job.account_id using errcode = 'P0002';
  end if;

  perform private.charge_enrichment_credit(apply_account_enrichment.job_id, v_job.workspace_id);
  return true;
end
$$;
comment on function public.apply_account_enrichment(uuid, text, jsonb, jsonb, timestamptz) is
  'Worker: writes enriched fields (non-null ones only) and Apollo''s organization to the job''s account and charges one credit, once per job (a later attempt of a job that already wrote them writes nothing). False when the lease is lost.';
revoke execute on function public.apply_account_enrichment(uuid, text, jsonb, jsonb, timestamptz) from public, anon, authenticated;
grant execute on function public.apply_account_enrichment(uuid, text, jsonb, jsonb, timestamptz) to service_role;

create function public.apply_contact_enrichment(
  job_id uuid,
  worker_id text,
  fields jsonb,
  apollo jsonb,
  now timestamptz default now()
) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_job record;
  v_contact_id uuid;
begin
  select j.workspace_id, (j.payload ->> 'contact_id')::uuid as contact_id, j.credits_used, j.attempts into v_job
  from public.jobs j
  where j.id = apply_contact_enrichment.job_id and j.status = 'processing'
    and j.locked_by = apply_contact_enrichment.worker_id
  for update;
  if not found then
    return false;
  end if;
  -- An earlier attempt of this job wrote the enrichment (and was charged): never write it twice.
  if v_job.credits_used > 0 then
    perform private.write_job_log(apply_contact_enrichment.job_id, v_job.workspace_id, v_job.attempts,
      'The enrichment was already written by an earlier attempt of this job; nothing is written again', 'info',
      jsonb_build_object('already_applied', true));
    return true;
  end if;

  update public.contacts c
  set first_name = coalesce(c.first_name, fields ->> 'first_name'),
      last_name = coalesce(c.last_name, fields ->> 'last_name'),
      -- a locked Apollo placeholder (email_not_unlocked@...) is not an email
      email = coalesce(c.email, nullif(fields ->> 'email', '') ),
      title = coalesce(fields ->> 'title', c.title),
      seniority = coalesce(fields ->> 'seniority', c.seniority),
      phone = coalesce(fields ->> 'phone', c.phone),
      linkedin_url = coalesce(fields ->> 'linkedin_url', c.linkedin_url),
      city = coalesce(fields ->> 'city', c.city),
      state = coalesce(fields ->> 'state', c.state),
      country = coalesce(fields ->> 'country', c.country),
      enriched_at = apply_contact_enrichment.now,
      metadata = c.metadata || jsonb_build_object(
        'apollo', apply_contact_enrichment.apollo,
        'apollo_enriched_at', apply_contact_enrichment.now)
  where c.id = v_job.contact_id and c.workspace_id = v_job.workspace_id
  returning c.id into v_contact_id;
  if v_contact_id is null then
    raise exception 'Contact not found: %', v_job.contact_id using errcode = 'P0002';
  end if;

  perform private.charge_enrichment_credit(apply_contact_enrichment.job_id, v_job.workspace_id);
  return true;
end
$$;
comment on function public.apply_contact_enrichment(uuid, text, jsonb, jsonb, timestamptz) is
  'Worker: writes enriched fields to the job''s contact (keeping the names and email it has) and charges one credit, once per job (a later attempt of a job that already wrote them writes nothing). False when the lease is lost.';
revoke execute on function public.apply_contact_enrichment(uuid, text, jsonb, jsonb, timestamptz) from public, anon, authenticated;
grant execute on function public.apply_contact_enrichment(uuid, text, jsonb, jsonb, timestamptz) to service_role;
