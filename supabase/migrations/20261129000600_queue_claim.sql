-- claim_jobs: hand a worker up to max_jobs due jobs, each under a lease.
--
-- Fairness: jobs are taken round-robin across workspaces (each workspace's first job, then
-- each one's second, ...), so one workspace's 10,000 queued jobs cannot starve another's one.
-- Within a round the workspaces come in a random order, so a claim of fewer jobs than there are
-- busy workspaces (a worker refilling one free slot) does not always favour the same one.
-- The workspaces that have due work are found with a loose index scan over jobs_claim_idx
-- (one index probe per workspace, not a scan of every pending row), capped per call and
-- started at a random workspace so that, beyond the cap, every workspace still gets its turn.
-- Within a workspace, higher priority first, then oldest scheduled_for.
--
-- Concurrency: rows are locked FOR UPDATE SKIP LOCKED, so concurrent claimers never block on
-- or share a job. The lease (locked_by, locked_until) fences every later call of the worker.
--
-- Cost: a claim is on the path of every job, so its statements are planned once per connection
-- (plan_cache_mode = force_generic_plan; replanning them on every call cost more than running
-- them) and written so that the one good plan is also the generic one: the workspace probes ask
-- for jobs_claim_idx's own order (so no other index can serve them), and the chosen jobs are
-- updated by primary key (`id = any(...)`). scripts/bench measured 0.3-0.4 ms of CPU less per
-- claim. The claim statements' EXPLAIN at 10^6 rows is in bench/explain-claim-1e6.txt.
--
-- Limits: with max_in_flight set, claims are serialised by a transaction advisory lock and
-- never take more than max_in_flight minus the jobs already processing, so overlapping worker
-- invocations (cron tick, enqueue wake-ups) together stay under one global cap and do not
-- flood Apollo. Workspaces whose jobs are paused (workspace_settings.jobs_paused_until, set
-- when Apollo rate-limits their key) are skipped until the pause ends.

create function public.claim_jobs(
  worker_id text,
  max_jobs integer default 5,
  lease_seconds integer default 60,
  job_types text[] default null,
  now timestamptz default now(),
  max_in_flight integer default null
) returns setof public.jobs
language plpgsql
volatile
set search_path = ''
-- Plans are made once per connection and reused (see "Cost" above).
set plan_cache_mode = force_generic_plan
as $$
declare
  v_max_workspaces constant integer := 64;
  v_start uuid := gen_random_uuid();
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

  -- Workspaces with due work: from a random starting point to the end, then from the beginning.
  with recursive after_start(workspace_id) as (
    (select j.workspace_id from public.jobs j
      where j.status = 'pending' and j.workspace_id >= v_start and j.scheduled_for <= claim_jobs.now
        and (claim_jobs.job_types is null or j.job_type = any (claim_jobs.job_types))
      order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    union all
    select (select j.workspace_id from public.jobs j
             where j.status = 'pending' and j.workspace_id > a.workspace_id and j.scheduled_for <= claim_jobs.now
               and (claim_jobs.job_types is null or j.job_type = any (claim_jobs.job_types))
             order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    from after_start a where a.workspace_id is not null
  ), before_start(workspace_id) as (
    (select j.workspace_id from public.jobs j
      where j.status = 'pending' and j.workspace_id < v_start and j.scheduled_for <= claim_jobs.now
        and (claim_jobs.job_types is null or j.job_type = any (claim_jobs.job_types))
      order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    union all
    select (select j.workspace_id from public.jobs j
             where j.status = 'pending' and j.workspace_id > b.workspace_id and j.workspace_id < v_start
               and j.scheduled_for <= claim_jobs.now
               and (claim_jobs.job_types is null or j.job_type = any (claim_jobs.job_types))
             order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    from before_start b where b.workspace_id is not null
  )
  select array_agg(w.workspace_id order by random()) into v_workspaces
  from (
    (select a.workspace_id from after_start a where a.workspace_id is not null limit v_max_workspaces)
    union all
    (select b.workspace_id from before_start b where b.workspace_id is not null limit v_max_workspaces)
    limit v_max_workspaces
  ) w;

  -- Workspaces whose jobs are paused (Apollo rate limit) wait until the pause ends.
  select array_agg(w.workspace_id order by w.rotation) into v_workspaces
  from unnest(v_workspaces) with ordinality as w(workspace_id, rotation)
  where not exists (select 1 from public.workspace_settings s
                    where s.workspace_id = w.workspace_id and s.jobs_paused_until > claim_jobs.now);

  if v_workspaces is null then
    return;
  end if;

  -- Each workspace's first due jobs (locked; others' locks are skipped), taken in turns.
  select array_agg(p.id) into v_ids
  from (
    select c.id
    from unnest(v_workspaces) with ordinality as w(workspace_id, rotation)
    cross join lateral (
      select l.id, row_number() over (order by l.priority desc, l.scheduled_for, l.id) as turn
      from (
        select j.id, j.priority, j.scheduled_for
        from public.jobs j
        where j.workspace_id = w.workspace_id
          and j.status = 'pending'
          and j.scheduled_for <= claim_jobs.now
          and (claim_jobs.job_types is null or j.job_type = any (claim_jobs.job_types))
        order by j.priority desc, j.scheduled_for, j.id
        limit v_limit
        for update skip locked
      ) l
    ) c
    order by c.turn, w.rotation
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
comment on function public.claim_jobs(text, integer, integer, text[], timestamptz, integer) is
  'Worker: claims up to max_jobs due pending jobs (FOR UPDATE SKIP LOCKED, fair across workspaces, priority then age within one, paused workspaces skipped), never more than max_in_flight processing in all when given; marks them processing under a lease of lease_seconds held by worker_id, and counts the attempt.';
revoke execute on function public.claim_jobs(text, integer, integer, text[], timestamptz, integer) from public, anon, authenticated;
grant execute on function public.claim_jobs(text, integer, integer, text[], timestamptz, integer) to service_role;
