-- apply_contact_enrichment writes the contact columns Apollo's person fills, and no other: it also
-- set phone from a "phone" key that nothing sends (Apollo's people/match has no phone unless it is
-- revealed through a webhook, which this product does not ask for). The columns and their Apollo
-- fields are defined once, in supabase/functions/_shared/apollo/field-map.ts, and
-- apollo_field_map_test checks this function against it. Comment and grants stay (create or replace).
create or replace function public.apply_contact_enrichment(
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
