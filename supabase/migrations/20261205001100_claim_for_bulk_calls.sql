-- claim_jobs can serve one workspace: a worker that claimed a job of a batchable type fills an
-- Apollo bulk call (up to 10 records) with more due jobs of the same workspace and type. The
-- first claim stays fair across owners; the batch is filled from the workspace that won the turn.
-- (Same claim as 20261205000400_claim_only_due_work.sql, with the workspace_id parameter.)

drop function public.claim_jobs(text, integer, integer, text[], timestamptz, integer);

create function public.claim_jobs(
  worker_id text,
  max_jobs integer default 5,
  lease_seconds integer default 60,
  job_types text[] default null,
  now timestamptz default now(),
  max_in_flight integer default null,
  workspace_id uuid default null
) returns setof public.jobs
language plpgsql
volatile
set search_path = ''
-- Plans are made once per connection and reused (see 20261129000600_queue_claim.sql, "Cost").
set plan_cache_mode = force_generic_plan
as $$
declare
  v_max_workspaces constant integer := 64;
  v_start uuid := gen_random_uuid();
  v_types text[];
  v_workspaces uuid[];
  v_limit integer := claim_jobs.max_jobs;
  v_ids uuid[];
begin
  if coalesce(btrim(claim_jobs.worker_id), '') = '' then
    raise exception 'claim_jobs: worker_id is required' using errcode = '22023';
  end if;
  if claim_jobs.max_jobs is null or claim_jobs.max_jobs not between 1 and 1000 then
    raise exception 'claim_jobs: max_jobs must be between 1 and 1000, got %', claim_jobs.max_jobs using errcode = '22023';
  end if;
  if claim_jobs.lease_seconds is null or claim_jobs.lease_seconds not between 1 and 3600 then
    raise exception 'claim_jobs: lease_seconds must be between 1 and 3600, got %', claim_jobs.lease_seconds using errcode = '22023';
  end if;

  -- The types that may run: the enabled ones (narrowed to job_types when the caller names some).
  select array_agg(t.name) into v_types from public.job_types t
  where t.enabled and (claim_jobs.job_types is null or t.name = any (claim_jobs.job_types));
  if v_types is null then
    return;
  end if;

  if claim_jobs.max_in_flight is not null then
    if claim_jobs.max_in_flight < 1 then
      raise exception 'claim_jobs: max_in_flight must be at least 1, got %', claim_jobs.max_in_flight using errcode = '22023';
    end if;
    -- One claimer at a time counts and claims, so the cap holds across concurrent workers.
    perform pg_advisory_xact_lock(hashtext('public.claim_jobs/max_in_flight'));
    v_limit := least(v_limit, claim_jobs.max_in_flight
                              - (select count(*) from public.jobs j where j.status = 'processing')::integer);
    if v_limit <= 0 then
      return;
    end if;
  end if;

  -- Jobs that have become due since they were written join the claim index (a bounded batch per
  -- claim; rows another claimer is marking are skipped, it marks them).
  update public.jobs j set claimable = true
  where j.id in (
    select w.id from public.jobs w
    where w.status = 'pending' and not w.claimable and w.job_type = any (v_types) and w.scheduled_for <= claim_jobs.now
    limit 1000
    for update skip locked
  );

  if claim_jobs.workspace_id is not null then
    -- One workspace's due work (a worker filling a bulk call from the workspace it is serving).
    select array_agg(w.id) into v_workspaces from public.workspaces w
    where w.id = claim_jobs.workspace_id
      and not exists (select 1 from public.workspace_settings s
                      where s.workspace_id = w.id and s.jobs_paused_until > claim_jobs.now);
  else
    -- Workspaces with due work: from a random starting point to the end, then from the beginning.
    with recursive after_start(workspace_id) as (
      (select j.workspace_id from public.jobs j
        where j.status = 'pending' and j.claimable and j.workspace_id >= v_start and j.scheduled_for <= claim_jobs.now
          and j.job_type = any (v_types)
        order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
      union all
      select (select j.workspace_id from public.jobs j
               where j.status = 'pending' and j.claimable and j.workspace_id > a.workspace_id and j.scheduled_for <= claim_jobs.now
                 and j.job_type = any (v_types)
               order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
      from after_start a where a.workspace_id is not null
    ), before_start(workspace_id) as (
      (select j.workspace_id from public.jobs j
        where j.status = 'pending' and j.claimable and j.workspace_id < v_start and j.scheduled_for <= claim_jobs.now
          and j.job_type = any (v_types)
        order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
      union all
      select (select j.workspace_id from public.jobs j
               where j.status = 'pending' and j.claimable and j.workspace_id > b.workspace_id and j.workspace_id < v_start
                 and j.scheduled_for <= claim_jobs.now and j.job_type = any (v_types)
               order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
      from before_start b where b.workspace_id is not null
    )
    select array_agg(w.workspace_id) into v_workspaces
    from (
      (select a.workspace_id from after_start a where a.workspace_id is not null limit v_max_workspaces)
      union all
      (select b.workspace_id from before_start b where b.workspace_id is not null limit v_max_workspaces)
      limit v_max_workspaces
    ) w
    -- Workspaces whose jobs are paused (Apollo rate limit) wait until the pause ends.
    where not exists (select 1 from public.workspace_settings s
                      where s.workspace_id = w.workspace_id and s.jobs_paused_until > claim_jobs.now);
  end if;

  if v_workspaces is null then
    return;
  end if;

  -- Turns: an owner's k-th turn in this claim is its (jobs processing now + k)-th, so an owner
  -- with fewer jobs running goes first (the slots that free go to whoever has least); ties in a
  -- random order, fresh per claim. An owner's turns go round its workspaces in a random rotation;
  -- within a workspace, priority then age.
  with running as (
    select coalesce(ro.created_by, r.workspace_id) as owner, count(*) as jobs
    from public.jobs r join public.workspaces ro on ro.id = r.workspace_id
    where r.status = 'processing'
    group by 1
  )
  select array_agg(p.id) into v_ids
  from (
    select c.id
    from (
      select ws.workspace_id, ws.owner,
             count(*) over (partition by ws.owner) as owner_workspaces,
             row_number() over (partition by ws.owner order by md5(ws.workspace_id::text || v_start::text)) as rotation,
             md5(ws.owner::text || v_start::text) as owner_order,
             coalesce(r.jobs, 0) as owner_running
      from (
        select w.workspace_id, coalesce(o.created_by, w.workspace_id) as owner
        from unnest(v_workspaces) as w(workspace_id)
        join public.workspaces o on o.id = w.workspace_id
      ) ws
      left join running r on r.owner = ws.owner
    ) w
    cross join lateral (
      select l.id, row_number() over (order by l.priority desc, l.scheduled_for, l.id) as turn
      from (
        select j.id, j.priority, j.scheduled_for
        from public.jobs j
        where j.workspace_id = w.workspace_id
          and j.status = 'pending'
          and j.claimable
          and j.scheduled_for <= claim_jobs.now
          and j.job_type = any (v_types)
        order by j.priority desc, j.scheduled_for, j.id
        -- an owner's turns are spread over its workspaces: each needs at most its part of the claim
        limit ceil(v_limit::numeric / w.owner_workspaces)::integer
        for update skip locked
      ) l
    ) c
    order by w.owner_running + row_number() over (partition by w.owner order by c.turn, w.rotation), w.owner_order
    limit v_limit
  ) p;

  return query
  update public.jobs j
  set status = 'processing',
      attempts = j.attempts + 1,
      locked_by = claim_jobs.worker_id,
      locked_until = claim_jobs.now + make_interval(secs => claim_jobs.lease_seconds),
      started_at = claim_jobs.now,
      next_retry_at = null
  where j.id = any (v_ids)
  returning j.*;
end
$$;
comment on function public.claim_jobs(text, integer, integer, text[], timestamptz, integer, uuid) is
  'Worker: claims up to max_jobs due pending jobs of enabled types (FOR UPDATE SKIP LOCKED, fair across owners and their workspaces, priority then age within a workspace, paused workspaces skipped; of workspace_id only when given), never more than max_in_flight processing in all when given; marks them processing under a lease of lease_seconds held by worker_id, and counts the attempt.';
revoke execute on function public.claim_jobs(text, integer, integer, text[], timestamptz, integer, uuid) from public, anon, authenticated;
grant execute on function public.claim_jobs(text, integer, integer, text[], timestamptz, integer, uuid) to service_role;
