-- Less work per job in the queue's two hottest statements (found profiling the no-op drain), and
-- a claim that marks at most 1,000 newly due jobs per type, as it says:
--   * set_claimable ran its PL/pgSQL (and a job_types lookup) for every job claimed and completed,
--     although neither leaves a job claimable: it now fires only for a row that is pending or still
--     marked claimable (trigger WHEN, evaluated without calling the function), and claim_jobs
--     clears the mark itself in its UPDATE. Same result for every row; 5-6 us less per job and step.
--   * claim_jobs marked newly due jobs with `id in (subquery limit 1000 for update skip locked)`;
--     planned as a join that rescans the subquery, each rescan found 1,000 more (the rows marked so
--     far no longer match): pgTAP 033 once saw 1,729 marked. The batch is now an array, chosen once.
--   * complete_jobs answered each item by scanning the statement's completed rows (quadratic in the
--     batch, which can be 500): a hash join now.
-- Comments and grants of the functions stay as they were (create or replace keeps them).

drop trigger set_claimable on public.jobs;
create trigger set_claimable before insert or update of status, scheduled_for, job_type on public.jobs
  for each row
  -- a row neither pending nor marked would only be marked "not claimable" again
  when (new.status = 'pending' or new.claimable)
  execute function private.set_job_claimable();

create or replace function public.claim_jobs(
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
  v_type text;
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
  -- type and claim; rows another claimer is marking are skipped, it marks them). One type at a
  -- time, oldest first: that is a range of jobs_waiting_idx, where the planner would otherwise
  -- guess a third of the waiting jobs due and scan the table (240 ms beside 300,000 waiting rows).
  foreach v_type in array v_types loop
    -- array(...): the batch is chosen once (an IN (subquery) could be planned as a join that
    -- rescans it, and each rescan, seeing the rows just marked, brought another 1,000)
    update public.jobs j set claimable = true
    where j.id = any (array(
      select w.id from public.jobs w
      where w.status = 'pending' and not w.claimable and w.job_type = v_type and w.scheduled_for <= claim_jobs.now
      order by w.scheduled_for
      limit 1000
      for update skip locked
    ));
  end loop;

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
      next_retry_at = null,
      claimable = false -- what set_claimable would write; it does not fire for this row now
  where j.id = any (v_ids)
  returning j.*;
end
$$;

create or replace function public.complete_jobs(
  worker_id text,
  completions jsonb,
  now timestamptz default now()
) returns table (job_id uuid, ok boolean)
language plpgsql
set search_path = ''
as $$
declare
  v_ids uuid[];
begin
  if jsonb_typeof(complete_jobs.completions) is distinct from 'array' then
    raise exception 'complete_jobs: completions must be a JSON array of {id, result?, message?}' using errcode = '22023';
  end if;
  v_ids := array(select (c.item ->> 'id')::uuid from jsonb_array_elements(complete_jobs.completions) as c(item));

  return query
  with items as (
    select (c.item ->> 'id')::uuid as id,
           -- no "result" key keeps the job's result, as complete_job's null does
           case when c.item ? 'result' then c.item -> 'result' end as result,
           c.item ->> 'message' as message,
           c.ord
    from jsonb_array_elements(complete_jobs.completions) with ordinality as c(item, ord)
  ), completed as (
    update public.jobs j
    set status = 'completed',
        completed_at = complete_jobs.now,
        progress = jsonb_build_object('percentage', 100, 'updated_at', complete_jobs.now),
        result = coalesce(i.result, j.result),
        error_message = null,
        locked_by = null,
        locked_until = null
    from items i
    where j.id = any (v_ids) and j.id = i.id and j.locked_by = complete_jobs.worker_id and j.locked_until is not null
    returning j.id, j.workspace_id, j.attempts, i.message
  ), logged as (
    insert into public.job_logs (job_id, workspace_id, attempt, log_level, message, metadata)
    select c.id, c.workspace_id, c.attempts, 'info', left(c.message, 4000), jsonb_build_object('percentage', 100)
    from completed c
    where c.message is not null
  )
  select i.id, c.id is not null
  from items i
  left join completed c on c.id = i.id
  order by i.ord;
end
$$;
